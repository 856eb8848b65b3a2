"""Threat Dragon's vocabulary in tmodel's terms, for ``tmodel import threat-dragon``: cell shapes and
element kinds, the words in a name that set a technology or a zone, free-text protocols, the words
that name an authentication method, and the keys of the file this importer knows."""

from __future__ import annotations

import re

SHAPE_OF_TYPE = {"tm.Actor": "actor", "tm.Process": "process", "tm.Store": "store", "tm.Flow": "flow",
                 "tm.Boundary": "trust-boundary-curve", "tm.BoundaryBox": "trust-boundary-box", "tm.Text": "td-text-block"}
KIND = {"actor": "external_entity", "process": "process", "store": "data_store"}

ACTOR_WORDS = (("web_app", re.compile(r"browser|web ?client|\bspa\b", re.I)),
               ("mobile_app", re.compile(r"mobile", re.I)),
               ("partner_system", re.compile(r"partner|third[- ]party|\btpp\b", re.I)))
PROCESS_WORDS = (("wso2_gateway", re.compile(r"wso2.*(gateway|apim|api manager)|(gateway|apim).*wso2", re.I)),
                 ("identity_provider", re.compile(r"identity provider|\bidp\b|keycloak|authori[sz]ation server|\bsso\b", re.I)),
                 ("load_balancer", re.compile(r"load ?balancer|reverse proxy|haproxy|nginx", re.I)),
                 ("web_app", re.compile(r"browser|single[- ]page|\bspa\b|front-?end", re.I)),
                 ("mobile_app", re.compile(r"mobile", re.I)),
                 ("hsm", re.compile(r"\bhsm\b|hardware security module", re.I)),
                 ("backend_service", re.compile(r"\bweb ?(server|app|application|site)\b|backend|back-end|worker", re.I)))
STORE_WORDS = (("message_queue", re.compile(r"queue|\bmq\b|kafka|rabbit|broker|topic", re.I)),
               ("log_collector", re.compile(r"\blogs?\b|audit|siem", re.I)),
               ("hsm", re.compile(r"\bhsm\b|hardware security module", re.I)),
               ("file_storage", re.compile(r"file|config|bucket|blob|\bs3\b|share|document|storage", re.I)))
ZONE_WORDS = (("internet", re.compile(r"internet|\bpublic\b", re.I)),
              ("dmz", re.compile(r"\bdmz\b|demilitari[sz]ed|perimeter", re.I)),
              ("partner", re.compile(r"partner|extranet|third[- ]party", re.I)))

# free-text protocol (lowercase, spaces removed) -> (tmodel protocol, transport: 'tls', 'none', 'ssh' or '' = ask isEncrypted)
PROTOCOLS: dict[str, tuple[str, str]] = {
    "https": ("https", "tls"), "http/s": ("https", "tls"), "http(s)": ("https", "tls"), "https/tls": ("https", "tls"),
    "http": ("http", "none"), "rest": ("https", ""), "json": ("https", ""),
    "wss": ("websocket", "tls"), "ws": ("websocket", "none"), "websocket": ("websocket", ""), "websockets": ("websocket", ""),
    "grpc": ("grpc", ""), "soap": ("soap", ""),
    "amqp": ("amqp", ""), "amqps": ("amqp", "tls"), "kafka": ("kafka", ""),
    "jdbc": ("jdbc", ""), "odbc": ("jdbc", ""), "sql": ("jdbc", ""), "tds": ("jdbc", ""),
    "sftp": ("sftp", "ssh"), "ssh": ("sftp", "ssh"), "scp": ("sftp", "ssh"),
    "ftp": ("ftp", "none"), "ftps": ("other", "tls"),
    "smtp": ("smtp", ""), "smtps": ("smtp", "tls"), "syslog": ("syslog", ""),
    "ldap": ("ldap", ""), "ldaps": ("ldap", "tls"), "tls": ("other", "tls"), "ssl": ("other", "tls"),
}
AUTH_WORDS = (("mtls", re.compile(r"\bmtls\b|mutual tls|client certificate", re.I)),
              ("oidc", re.compile(r"\boidc\b|openid", re.I)),
              ("oauth2", re.compile(r"oauth", re.I)),
              ("api_key", re.compile(r"api[- ]?key", re.I)),
              ("basic", re.compile(r"basic auth|password", re.I)))

TOP_KNOWN = {"summary", "detail", "version"}
DETAIL_KNOWN = {"contributors", "diagrams", "reviewer", "diagramTop", "threatTop"}
