"""The security-relevant settings of a WSO2 API Manager 4.x deployment.toml, as facts for the rules.

``audit_text(text, path)`` / ``audit_file(path)`` -> ``ConfigAudit``: the effective value of every
setting (the file's value, else the 4.7.0 default from ``defaults``), each with the line of its key
(0 when the default applies). ``ConfigAudit.facts()`` gives them to the analysis as the element's
``config`` facts (``element.config.gateway.https_protocols``...), typed by ``FACT_TYPES`` so the
catalog loader checks every rule that names one.

What is weak, how bad it is and the TOML that fixes it are rules of catalogs/wso2-config.yaml, not
code: this module only says what the file does.

Secrets are never echoed: a plain-text secret's ``raw`` is masked, except the product's own
public defaults (admin/admin, wso2carbon), which are what the finding is about.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

from tmodel.importers.common import one_line
from tmodel.problems import ProblemError
from tmodel.sources.wso2_config.defaults import DEFAULTS, PRODUCT, source_text
from tmodel.sources.wso2_config.reader import (
    Setting,
    _is_placeholder,
    _limit_problem,
    _Reader,
    _syntax_problem,
    _toml,
    display_key,
)

WHAT = "a WSO2 API Manager deployment.toml"
# broken suites: RC4, (3)DES, NULL, export-grade, anonymous, MD5
_BROKEN_CIPHER = re.compile(r"RC4|3DES|_DES_|NULL|EXPORT|anon|MD5", re.IGNORECASE)
DEFAULT_PUBLIC_SECRETS = {"admin", "wso2carbon"}


@dataclass
class ConfigAudit:
    path: str
    settings: dict[str, Setting]
    product: str = PRODUCT

    def where(self, name: str) -> str:
        s = self.settings[name]
        if s.line:
            return f"{self.path}:{s.line} {s.key} = {one_line(s.raw)}"
        if s.raw == "unset":
            return f"{self.path}: {s.key} unset (the product sets no default)"
        return f"{self.path}: {s.key} unset: product default {one_line(s.raw)}"

    def facts(self) -> dict[str, Any]:
        """The settings as nested facts: {'gateway': {'https_protocols': [...], ...}, ...}."""
        out: dict[str, Any] = {}
        for name, s in self.settings.items():
            group, _, leaf = name.partition(".")
            out.setdefault(group, {})[leaf] = s.value
        return out


def audit_file(path: str) -> ConfigAudit:
    from tmodel.importers.common import read_input

    return audit_text(read_input(path, WHAT), path)


def audit_text(text: str, path: str) -> ConfigAudit:
    """The settings of a deployment.toml's text; ProblemError (located) on bad TOML or wrong value types."""
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProblemError([_syntax_problem(exc, text, path)]) from None
    except (ValueError, RecursionError, OverflowError) as exc:  # a 5,000-digit number, arrays nested thousands deep
        raise ProblemError([_limit_problem(exc, text, path)]) from None
    reader = _Reader(text, data, path)
    settings = _settings(reader)
    if reader.problems:
        raise ProblemError(reader.problems)
    return ConfigAudit(path, settings)


# --- the settings ----------------------------------------------------------------------------

# (name, dotted key, kind): one key each
SIMPLE: list[tuple[str, str, str]] = [
    ("gateway.plaintext_listener", "transport.passthru_http.listener.enable", "bool"),
    ("gateway.https_protocols", "transport.passthru_https.listener.parameters.HttpsProtocols", "protocols"),
    ("gateway.ciphers", "transport.passthru_https.listener.parameters.PreferredCiphers", "list"),
    ("gateway.cert_revocation", "transport.passthru_https.listener.cert_revocation_validation.enable", "bool"),
    ("websocket.protocols", "apim.wss.ssl_enabled_protocols", "protocols"),
    ("backend.https_protocols", "transport.passthru_https.sender.parameters.HttpsProtocols", "protocols"),
    ("management.plaintext_listener", "transport.http.enable", "bool"),
    ("management.protocols", "transport.https.sslHostConfig.properties.protocols", "protocols"),
    ("management.ciphers", "transport.https.sslHostConfig.properties.ciphers", "list"),
    ("oauth.cert_bound_tokens", "apim.oauth_config.enable_certificate_bound_access_token", "bool"),
    ("oauth.token_hashing", "apim.oauth_config.enable_token_hashing", "bool"),
    ("oauth.token_encryption", "apim.oauth_config.enable_token_encryption", "bool"),
    ("oauth.ropc_enabled", "oauth.grant_type.password.enable", "bool"),
    ("oauth.outbound_auth_header", "apim.oauth_config.enable_outbound_auth_header", "bool"),
    ("oauth.user_token_validity_seconds", "oauth.token_validation.user_access_token_validity", "int"),
    ("cors.enabled", "apim.cors.enable", "bool"),
    ("cors.allow_origins", "apim.cors.allow_origins", "list"),
    ("cors.allow_credentials", "apim.cors.allow_credentials", "bool"),
    ("throttling.unlimited_tier", "apim.throttling.enable_unlimited_tier", "bool"),
    ("devportal.anonymous", "apim.devportal.enable_anonymous_mode", "bool"),
    ("mutual_ssl.certificate_header", "apimgt.mutual_ssl.certificate_header", "str"),
    ("mutual_ssl.client_validation", "apimgt.mutual_ssl.enable_client_validation", "bool"),
    ("analytics.enabled", "apim.analytics.enable", "bool"),
    ("analytics.send_payloads", "apim.analytics.properties.send_payloads", "bool"),
    ("jmx.enabled", "monitoring.jmx.rmi_server_start", "bool"),
]

SECRET_KEY = re.compile(r"(^|_|\.)(password|key_password|secret|client_secret|auth_token|token|moesifkey|api_key|apikey)$",
                        re.IGNORECASE)
_SKIP_DB = {"local", "mb"}  # the Carbon local DB and the broker store are embedded H2 by design


def _settings(r: _Reader) -> dict[str, Setting]:
    out = {name: r.setting(name, dotted, kind) for name, dotted, kind in SIMPLE}
    for name, s in _composites(r).items():
        out[name] = s
    return dict(sorted(out.items()))


def _composites(r: _Reader) -> dict[str, Setting]:
    out: dict[str, Setting] = {}

    # what Synapse does with the value (case-insensitive; anything else: no client auth / the DEFAULT verifier)
    sv = r.setting("gateway.ssl_verify_client", "transport.passthru_https.listener.parameters.SSLVerifyClient", "str")
    v = str(sv.value).strip().lower()
    out[sv.name] = Setting(sv.name, sv.key, v if v in ("require", "optional") else "none", sv.line, sv.raw)
    hv = r.setting("backend.hostname_verifier", "transport.passthru_https.sender.parameters.HostnameVerifier", "str")
    canon = {"strict": "Strict", "allowall": "AllowAll", "defaultandlocalhost": "DefaultAndLocalhost"}
    out[hv.name] = Setting(hv.name, hv.key, canon.get(str(hv.value).strip().lower(), "Default"), hv.line, hv.raw)

    # the gateway's cipher suites by what is wrong with them (the same key and line as gateway.ciphers)
    cs = r.setting("gateway.ciphers", "transport.passthru_https.listener.parameters.PreferredCiphers", "list")
    broken = [c for c in cs.value if _BROKEN_CIPHER.search(c)]
    weak = [c for c in cs.value if c.upper().startswith("TLS_RSA_") or "_CBC_" in c.upper()]
    out["gateway.broken_ciphers"] = Setting("gateway.broken_ciphers", cs.key, broken, cs.line, cs.raw)
    out["gateway.weak_ciphers"] = Setting("gateway.weak_ciphers", cs.key, weak, cs.line, cs.raw)

    # the event receiver (9711): default.json's spelling, or the one the shipped toml's comment shows
    er = r.setting("internal.event_receiver_protocols", "transport.receiver.ssl_enabled_protocols", "protocols")
    if not er.line:
        er = r.setting("internal.event_receiver_protocols", "transport.binary.receiver.sslEnabledProtocols", "protocols")
    out[er.name] = er

    # super_admin admin/admin
    user, uline, _ = r.lookup("super_admin.username")
    pw, pline, praw = r.lookup("super_admin.password")
    is_default = r.resolve(user) == "admin" and r.resolve(pw) == "admin"
    out["admin.default_credentials"] = Setting(
        "admin.default_credentials", "[super_admin] password", is_default,
        (pline or uline) if is_default else pline, praw if is_default or not pline else _mask(pw))

    # keystores left on the shipped password / file
    hit = None
    for dotted in ("keystore.tls.password", "keystore.tls.key_password", "keystore.primary.password",
                   "keystore.primary.key_password", "keystore.internal.password", "truststore.password"):
        v, line, raw = r.lookup(dotted)
        if r.resolve(v) == "wso2carbon" and (hit is None or (line and not hit[1])):
            hit = (dotted, line, raw if line else '"wso2carbon"' + (f" (via {v})" if v != "wso2carbon" else ""))
    dotted, line, raw = hit or ("keystore.tls.password", 0, r.lookup("keystore.tls.password")[2])
    if hit is None:
        v, line, raw = r.lookup(dotted)
        raw = raw if _is_placeholder(v) or not line else _mask(v)
    out["keystore.default_password"] = Setting("keystore.default_password", display_key(dotted.split(".")), hit is not None, line, raw)
    hitf = None
    for dotted in ("keystore.tls.file_name", "keystore.primary.file_name"):
        v, line, raw = r.lookup(dotted)
        if r.resolve(v) == "wso2carbon.jks" and (hitf is None or (line and not hitf[1])):
            hitf = (dotted, line, raw if line else '"wso2carbon.jks"')
    dotted, line, raw = hitf or ("keystore.tls.file_name", *r.lookup("keystore.tls.file_name")[1:])
    out["keystore.default_file"] = Setting("keystore.default_file", display_key(dotted.split(".")), hitf is not None, line, raw)

    # databases
    found = r.data.get("database")
    dbs: dict[str, Any] = found if isinstance(found, dict) else {}
    names = sorted(set(dbs) | {"apim_db"})
    h2: list[tuple[str, int, str, str]] = []
    plain: list[tuple[str, int, str]] = []
    for db in names:
        if db in _SKIP_DB:
            continue
        url, uline, uraw = r.lookup(f"database.{db}.url")
        typ, tline, traw = r.lookup(f"database.{db}.type")
        is_h2 = (isinstance(typ, str) and typ.strip().lower() == "h2") or (isinstance(url, str) and url.strip().lower().startswith("jdbc:h2:"))
        if is_h2:
            line, key, raw = (tline, "type", traw) if tline and str(typ).lower() == "h2" else (uline, "url", uraw)
            h2.append((db, line, key, raw))
        pw, pline, praw = r.lookup(f"database.{db}.password")
        if pline and isinstance(pw, str) and pw and not _is_placeholder(pw):
            plain.append((db, pline, praw))
    first = next((h for h in h2 if h[1]), h2[0] if h2 else None)
    out["database.h2"] = Setting("database.h2", display_key(("database", first[0], first[2])) if first else "[database.apim_db] type",
                                 [h[0] for h in h2], first[1] if first else 0,
                                 first[3] if first else r.lookup("database.apim_db.url")[2])
    firstp = plain[0] if plain else None
    out["database.plaintext_passwords"] = Setting(
        "database.plaintext_passwords", display_key(("database", firstp[0], "password")) if firstp else "[database.apim_db] password",
        [p[0] for p in plain], firstp[1] if firstp else 0, _mask_raw(firstp[2]) if firstp else "unset")

    # every secret written in plain text (not $secret{...}), anywhere in the file
    secrets = sorted(((loc.line, path) for path, loc in r.keys.items()
                      if path and isinstance(path[-1], str) and (SECRET_KEY.search(path[-1]) or path[:1] == ("secrets",))
                      and _plain_secret(r.file_value(path)[1], path)), key=lambda x: x[0])
    keys = [display_key(tuple(p for p in path if not isinstance(p, int))) for _, path in secrets]
    s0 = secrets[0] if secrets else None
    out["secrets.plaintext"] = Setting("secrets.plaintext", keys[0] if keys else "password keys", keys,
                                       s0[0] if s0 else 0, _mask_raw(r.keys[s0[1]].raw) if s0 else "none")
    return out


def _plain_secret(v: Any, path: tuple = ()) -> bool:
    if not (isinstance(v, str) and v.strip()) or _is_placeholder(v):
        return False
    if path[:1] == ("secrets",):  # cipher tool input: "[plain text]" until bin/ciphertool.sh encrypts it
        return v.strip().startswith("[") and v.strip().endswith("]")
    return True


def _mask(v: Any) -> str:
    if v is None:
        return "unset"
    if _is_placeholder(v) or str(v) in DEFAULT_PUBLIC_SECRETS:
        return _toml(v)
    return f'"***" (plain text, {len(str(v))} characters)'


def _mask_raw(raw: str) -> str:
    """The raw text of a secret: shown when it is a placeholder or a public default, else masked."""
    try:
        v = tomllib.loads("v = " + raw)["v"]
    except tomllib.TOMLDecodeError:
        return '"***"'
    return _mask(v)


# the type of each setting as a fact (tmodel.catalog.facts checks rules against it): element.config.<name>
_KIND_TYPE: dict[str, Any] = {"bool": "bool", "int": "int", "str": "str", "protocols": ("list", "str"), "list": ("list", "str")}
FACT_TYPES: dict[str, Any] = {name: _KIND_TYPE[kind] for name, _, kind in SIMPLE} | {
    "gateway.ssl_verify_client": "str",          # require | optional | none (what Synapse does with the value)
    "backend.hostname_verifier": "str",          # Strict | AllowAll | DefaultAndLocalhost | Default
    "gateway.broken_ciphers": ("list", "str"),   # PreferredCiphers with RC4, DES, NULL, EXPORT, anon or MD5
    "gateway.weak_ciphers": ("list", "str"),     # PreferredCiphers with static RSA key exchange or CBC
    "internal.event_receiver_protocols": ("list", "str"),
    "admin.default_credentials": "bool",         # [super_admin] admin/admin
    "keystore.default_password": "bool",         # a keystore or the truststore on 'wso2carbon'
    "keystore.default_file": "bool",             # the shipped wso2carbon.jks
    "database.h2": ("list", "str"),              # datasources on the embedded H2
    "database.plaintext_passwords": ("list", "str"),
    "secrets.plaintext": ("list", "str"),        # keys whose secret is written in clear
}


# the key behind each setting whose default a report may cite (composites span several keys)
DEFAULT_KEYS: dict[str, str] = {name: dotted for name, dotted, _ in SIMPLE} | {
    "gateway.ssl_verify_client": "transport.passthru_https.listener.parameters.SSLVerifyClient",
    "backend.hostname_verifier": "transport.passthru_https.sender.parameters.HostnameVerifier",
    "internal.event_receiver_protocols": "transport.binary.receiver.sslEnabledProtocols",
    "keystore.default_password": "keystore.tls.password",
    "keystore.default_file": "keystore.tls.file_name",
    "database.h2": "database.apim_db.url",
}


def default_source(name: str) -> str:
    """Where the product default of a setting comes from (the default.json file), or 'unset'."""
    d = DEFAULTS.get(DEFAULT_KEYS.get(name, ""))
    return source_text(d) if d else "unset"
