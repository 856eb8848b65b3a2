"""Threagile's vocabulary in tmodel's terms, for ``tmodel import threagile``: technologies, asset
types, protocols, authentication and authorization, confidentiality and quantity, encryption and
boundary types; the words that set a boundary's zone or say an asset holds personal data or
credentials; and which keys convert (each other key is listed as not converted, with why)."""

from __future__ import annotations

import re

# Threagile technology -> (tmodel technology, what Threagile means when the match is loose)
TECHNOLOGY: dict[str, tuple[str, str]] = {
    "browser": ("web_app", ""),
    "client-system": ("other", "a client system"),
    "desktop": ("admin_workstation", "a desktop client; tmodel's closest is a corporate workstation"),
    "mobile-app": ("mobile_app", ""),
    "devops-client": ("admin_workstation", "a developer or operations client"),
    "web-server": ("backend_service", "a web server (server side; tmodel's web_app is the browser side)"),
    "web-application": ("backend_service", "a web application (server side; tmodel's web_app is the browser side)"),
    "application-server": ("backend_service", ""),
    "database": ("database", ""),
    "file-server": ("file_storage", ""),
    "local-file-system": ("file_storage", "a local file system"),
    "erp": ("backend_service", "an ERP system"),
    "cms": ("backend_service", "a content management system"),
    "web-service-rest": ("backend_service", "a REST web service"),
    "web-service-soap": ("backend_service", "a SOAP web service"),
    "ejb": ("backend_service", "Enterprise JavaBeans"),
    "search-index": ("other", "a search index"),
    "search-engine": ("other", "a search engine"),
    "service-registry": ("other", "a service registry"),
    "reverse-proxy": ("load_balancer", "a reverse proxy"),
    "load-balancer": ("load_balancer", ""),
    "build-pipeline": ("other", "a build pipeline"),
    "sourcecode-repository": ("other", "a source code repository"),
    "artifact-registry": ("other", "an artifact registry"),
    "code-inspection-platform": ("other", "a code inspection platform"),
    "monitoring": ("other", "monitoring (not a log collector or SIEM)"),
    "ldap-server": ("identity_provider", "an LDAP server"),
    "container-platform": ("other", "a container platform"),
    "batch-processing": ("backend_service", "batch processing"),
    "event-listener": ("backend_service", "an event listener"),
    "identity-provider": ("identity_provider", ""),
    "identity-store-ldap": ("identity_provider", "an LDAP identity store"),
    "identity-store-database": ("database", "an identity store database"),
    "tool": ("other", "a tool"),
    "cli": ("other", "a command line client"),
    "task": ("backend_service", "a task"),
    "function": ("backend_service", "a serverless function"),
    "gateway": ("other", "an API gateway not named as WSO2"),
    "iot-device": ("other", "an IoT device"),
    "message-queue": ("message_queue", ""),
    "stream-processing": ("backend_service", "stream processing"),
    "service-mesh": ("other", "a service mesh"),
    "data-lake": ("file_storage", "a data lake"),
    "big-data-platform": ("database", "a big data platform"),
    "report-engine": ("backend_service", "a report engine"),
    "ai": ("other", "an AI component"),
    "mail-server": ("other", "a mail server"),
    "vault": ("other", "a software secret vault, not an HSM: keys in software are not HSM-protected"),
    "hsm": ("hsm", ""),
    "waf": ("other", "a web application firewall"),
    "ids": ("other", "an intrusion detection system"),
    "ips": ("other", "an intrusion prevention system"),
    "scheduler": ("backend_service", "a scheduler"),
    "mainframe": ("backend_service", "a mainframe"),
    "block-storage": ("file_storage", "block storage"),
    "library": ("other", "a library"),
    "unknown-technology": ("other", "technology not stated"),
}
STORE_TECHNOLOGIES = {"database", "file_storage", "message_queue", "log_collector", "hsm", "other"}
SERVER_TECHNOLOGIES = {"backend_service", "wso2_gateway", "wso2_key_manager", "wso2_publisher", "hsm"}

KIND = {"external-entity": "external_entity", "process": "process", "datastore": "data_store"}

# Threagile protocol -> (tmodel protocol, transport: 'tls' (encrypted, version not stated), 'none', 'ssh')
PROTOCOL: dict[str, tuple[str, str]] = {
    "https": ("https", "tls"), "http": ("http", "none"),
    "wss": ("websocket", "tls"), "ws": ("websocket", "none"),
    "reverse-proxy-web-protocol": ("http", "none"), "reverse-proxy-web-protocol-encrypted": ("https", "tls"),
    "jdbc": ("jdbc", "none"), "jdbc-encrypted": ("jdbc", "tls"),
    "odbc": ("jdbc", "none"), "odbc-encrypted": ("jdbc", "tls"),
    "sql-access-protocol": ("jdbc", "none"), "sql-access-protocol-encrypted": ("jdbc", "tls"),
    "nosql-access-protocol": ("jdbc", "none"), "nosql-access-protocol-encrypted": ("jdbc", "tls"),
    "ldap": ("ldap", "none"), "ldaps": ("ldap", "tls"),
    "smtp": ("smtp", "none"), "smtp-encrypted": ("smtp", "tls"),
    "ftp": ("ftp", "none"), "ftps": ("other", "tls"), "sftp": ("sftp", "ssh"), "scp": ("sftp", "ssh"),
    "ssh": ("sftp", "ssh"), "ssh-tunnel": ("sftp", "ssh"),
    "mqtt": ("other", "none"), "jms": ("other", "none"),
    "binary": ("other", "none"), "binary-encrypted": ("other", "tls"),
    "text": ("other", "none"), "text-encrypted": ("other", "tls"),
    "pop3": ("other", "none"), "pop3-encrypted": ("other", "tls"),
    "imap": ("other", "none"), "imap-encrypted": ("other", "tls"),
    "nfs": ("other", "none"), "smb": ("other", "none"), "smb-encrypted": ("other", "tls"),
    "local-file-access": ("other", "none"), "nrpe": ("other", "none"), "xmpp": ("other", "none"),
    "iiop": ("other", "none"), "iiop-encrypted": ("other", "tls"),
    "jrmp": ("other", "none"), "jrmp-encrypted": ("other", "tls"),
    "in-process-library-call": ("other", "none"), "container-spawning": ("other", "none"),
    "unknown-protocol": ("other", "none"),
}

# Threagile authentication -> (tmodel method, note for the description)
AUTHENTICATION: dict[str, tuple[str, str]] = {
    "none": ("none", ""),
    "credentials": ("basic", "username and password ('credentials')"),
    "session-id": ("oauth2", "a session id after login ('session-id'); tmodel has no session method, "
                             "oauth2 (a bearer secret) is the closest: review"),
    "token": ("oauth2", "a token ('token'); Threagile does not say which kind, OAuth 2.0 assumed: review"),
    "client-certificate": ("mtls", "a client certificate ('client-certificate')"),
    "two-factor": ("oidc", "an interactive login with a second factor ('two-factor'); OpenID Connect is the "
                           "closest: set the grant and review"),
    "externalized": ("oidc", "authentication done by an external component ('externalized'); OpenID Connect "
                             "assumed: review"),
}
AUTHORIZATION = {
    "none": "no authorization stated",
    "technical-user": "authorized as a technical user",
    "enduser-identity-propagation": "the end user's identity is propagated",
    "end-user-identity-propagation": "the end user's identity is propagated",
}

CONFIDENTIALITY: dict[str, tuple[str, str]] = {
    "public": ("public", ""),
    "internal": ("internal", ""),
    "restricted": ("confidential", "Threagile 'restricted' sits between internal and confidential; rounded up"),
    "confidential": ("confidential", ""),
    "strictly-confidential": ("confidential", "Threagile 'strictly-confidential': tmodel's higher classes are kinds "
                                              "of data (bank secrecy, payment, credentials); set one if it applies"),
}
QUANTITY: dict[str, tuple[str, str]] = {
    "very-few": ("minimal", ""),
    "few": ("low", ""),
    "many": ("high", "Threagile 'many' gives no number; tmodel 'high' means 100,000 subjects or more: check"),
    "very-many": ("high", ""),
}
ENCRYPTED = {"transparent", "data-with-symmetric-shared-key", "data-with-asymmetric-shared-key",
             "data-with-enduser-individual-key", "data-with-end-user-individual-key"}

BOUNDARY_TYPES = {
    "network-on-prem": "an on-premises network",
    "network-dedicated-hoster": "a network at a dedicated hosting provider",
    "network-virtual-lan": "a virtual LAN",
    "network-cloud-provider": "a cloud provider network",
    "network-cloud-security-group": "a cloud security group",
    "network-policy-namespace-isolation": "namespace isolation by network policy",
    "execution-environment": "an execution environment (not a network)",
}
ZONE_WORDS = (("dmz", re.compile(r"\bdmz\b|demilitari[sz]ed|perimeter", re.I)),
              ("partner", re.compile(r"\bpartner|extranet|third[- ]party", re.I)),
              ("internet", re.compile(r"\binternet\b|\bpublic\b", re.I)))

PD_TERMS = re.compile(r"\bPII\b|personally identifiable|personal(?:ly)? data|personal information|"
                      r"personenbezogen|\bGDPR\b|\bDSGVO\b|персональн", re.I)
NEGATION = re.compile(r"\b(?:no|not|never|without|non|nor|free of)\b|n't\b", re.I)
CREDENTIAL_TERMS = re.compile(r"credential|password|secret|private key|\btokens?\b", re.I)

# keys read into the model; everything else is reported as not converted
TOP_CONVERTED = {"threagile_version", "title", "date", "author", "management_summary_comment", "business_overview",
                 "technical_overview", "data_assets", "technical_assets", "trust_boundaries", "application_description"}
ASSET_CONVERTED = {"id", "description", "type", "technology", "out_of_scope", "justification_out_of_scope", "internet",
                   "encryption", "owner", "data_assets_stored", "communication_links"}
LINK_CONVERTED = {"target", "description", "protocol", "authentication", "authorization", "vpn", "ip_filtered",
                  "readonly", "data_assets_sent", "data_assets_received"}
DATA_CONVERTED = {"id", "description", "confidentiality", "quantity", "origin", "owner"}
BOUNDARY_CONVERTED = {"id", "description", "type", "technical_assets_inside", "trust_boundaries_nested"}

WHY_TOP = {
    "abuse_cases": "tmodel's threats come from its catalogs; check each case is covered by a threat",
    "security_requirements": "tmodel's requirements come from its catalogs (FAPI, GOST, 152-FZ, OWASP)",
    "questions": "tmodel's audit questions come from its catalogs; answer them with 'answers'",
    "business_criticality": "tmodel takes impact from the data; set metadata.gost_level for the required protection level",
    "tags_available": "the tag vocabulary; tags are not converted",
}
WHY_NOT = {
    "integrity": "tmodel rates impact from the data's classification, not separate integrity ratings",
    "availability": "tmodel rates impact from the data's classification, not separate availability ratings",
    "confidentiality": "a technical asset's own rating; tmodel classifies the data on the flows instead",
    "justification_cia_rating": "the reasoning behind the CIA ratings",
    "usage": "business/devops usage has no tmodel field",
    "tags": "tags have no tmodel field here",
    "size": "no tmodel field",
    "machine": "physical/virtual/container has no tmodel field",
    "used_as_client_by_human": "no tmodel field; people are external entities of technology 'user'",
    "multi_tenant": "no tmodel field",
    "redundant": "no tmodel field",
    "custom_developed_parts": "no tmodel field",
    "data_assets_processed": "tmodel derives the data an element handles from its flows",
    "data_formats_accepted": "no tmodel field",
    "diagram_tweak_order": "diagram layout",
    "diagram_tweak_weight": "diagram layout",
    "diagram_tweak_constraint": "diagram layout",
}
