"""Secrets exported in clear text in api.yaml: endpoint credentials (endpoint_security, the 3.x
endpointUTPassword), secret-looking additional properties and the WebSub subscription secret.
A value is never kept: a secret is its key, its source, its length and whether it is a
well-known default password. Placeholders (``$secret{...}``, ``${...}``, ``****``) are not secrets."""

from __future__ import annotations

import re
from typing import Any

from tmodel.importers.common import pointer
from tmodel.importers.wso2_project.api import Api, EndpointSecurity

SECRET_KEY = re.compile(r"pass(word|wd|phrase)?|secret|token|api[-_]?key|apikey|credential|private[-_]?key|pwd", re.IGNORECASE)
PLACEHOLDER = re.compile(r"^\s*(\$secret\{[^}]*\}|\$\{[^}]*\}|\$env\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\*+)\s*$")
DEFAULT_PASSWORDS = {"admin", "password", "wso2carbon", "changeme", "secret", "123456", "root"}


def is_clear_text(value: Any) -> bool:
    """A value written out (a non-empty string that is not a placeholder)."""
    return isinstance(value, str) and bool(value.strip()) and not PLACEHOLDER.match(value)


def endpoint_secrets(api: Api, es: EndpointSecurity, s: dict, path: tuple, inner: str) -> None:
    """The clear-text secrets of one endpoint_security entry ``s``, added to ``es.secrets``."""
    for key, value in s.items():
        if key in ("password", "clientSecret", "apiKeyValue") or (isinstance(key, str) and SECRET_KEY.search(key)
                                                                   and key not in ("grantType", "tokenUrl", "apiKeyIdentifier",
                                                                                   "apiKeyIdentifierType")):
            endpoint_secret(api, es, key, value, path, inner)
    custom = s.get("customParameters")
    if isinstance(custom, dict):
        for key, value in custom.items():
            if isinstance(key, str) and SECRET_KEY.search(key):
                endpoint_secret(api, es, f"customParameters/{key}", value, path, inner)


def endpoint_secret(api: Api, es: EndpointSecurity, key: str, value: Any, path: tuple, inner: str) -> None:
    """``value`` at ``key`` of an endpoint security entry, added to ``es.secrets`` when it is in clear text."""
    if not is_clear_text(value):
        return
    parts = tuple(key.split("/"))
    src = api.src(path, inner + pointer(*parts)[1:]) if inner else api.src(path + parts)
    es.secrets.append((key, src, len(value), value.strip().lower() in DEFAULT_PASSWORDS))


def secret_properties(api: Api) -> None:
    """Secret-looking additional properties and the WebSub subscription secret in clear text, added
    to ``api.secret_properties``."""
    d, b = api.data, api.base
    for key in ("additionalProperties", "additionalPropertiesMap"):
        props = d.get(key)
        path = b + (key,)
        if isinstance(props, list):
            for i, p in enumerate(props):
                if isinstance(p, dict) and isinstance(p.get("name"), str) and SECRET_KEY.search(p["name"]):
                    val = p.get("value")
                    if is_clear_text(val):
                        api.secret_properties.append((p["name"], api.src(path + (i, "value"))))
        elif isinstance(props, dict):
            for name, val in props.items():
                if isinstance(val, dict):  # additionalPropertiesMap: {name: {name, value, display}}
                    val = val.get("value")
                if isinstance(name, str) and SECRET_KEY.search(name) and is_clear_text(val):
                    api.secret_properties.append((name, api.src(path + (name,))))
    ws = d.get("websubSubscriptionConfiguration")
    if isinstance(ws, dict) and is_clear_text(ws.get("secret")):
        api.secret_properties.append(("websubSubscriptionConfiguration.secret",
                                      api.src(b + ("websubSubscriptionConfiguration", "secret"))))
