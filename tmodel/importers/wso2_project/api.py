"""What api.yaml says, normalized over the 4.x and 3.x spellings, with where each piece is
(``Api.src`` gives the source text of a place in api.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tmodel.importers.common import pointer
from tmodel.importers.wso2_project.layout import Project
from tmodel.model.yamlsafe import Located


@dataclass
class Op:
    """One operation as api.yaml states it."""

    verb: str
    target: str
    path: tuple  # of the operation entry in api.yaml
    auth_type: str | None = None
    auth_path: tuple | None = None
    tier: str | None = None
    tier_path: tuple | None = None
    scopes: list[str] = field(default_factory=list)
    scopes_path: tuple | None = None
    policies: list[str] = field(default_factory=list)  # operationPolicies / mediation script, described

    @property
    def key(self) -> tuple[str, str]:
        return (self.verb.upper(), self.target)


@dataclass
class Endpoint:
    env: str  # 'production' or 'sandbox'
    url: str
    path: tuple  # where the URL is (for a 3.x JSON string: the string's key)
    inner: str = ""  # a JSON pointer inside a JSON-string value


@dataclass
class EndpointSecurity:
    env: str
    enabled: bool
    kind: str  # BASIC, DIGEST, OAUTH, API_KEY, '' when unknown
    path: tuple
    inner: str = ""
    grant: str = ""
    secrets: list[tuple[str, str, int, bool]] = field(default_factory=list)  # (key path text, source, length, default-like)


@dataclass
class Api:
    """What api.yaml says, normalized over the 4.x and 3.x spellings, with where each piece is."""

    project: Project
    located: Located
    base: tuple  # ('data',) for 4.x, () for 3.x
    data: dict[str, Any]
    name: str = ""
    version: str = ""
    display_name: str = ""
    provider: str = ""
    owner: str = ""
    description: str = ""
    context: str = ""
    context_path: tuple | None = None
    api_type: str = "HTTP"
    lifecycle: str = ""
    lifecycle_path: tuple | None = None
    visibility: str = ""
    visibility_path: tuple | None = None
    transports: list[tuple[str, tuple]] = field(default_factory=list)
    transports_path: tuple | None = None
    schemes: list[tuple[str, tuple]] = field(default_factory=list)
    schemes_path: tuple | None = None
    subscription_tiers: list[tuple[str, tuple]] = field(default_factory=list)
    api_tier: tuple[str, tuple] | None = None
    operations: list[Op] = field(default_factory=list)
    operations_path: tuple | None = None
    cors: dict[str, Any] | None = None
    cors_path: tuple | None = None
    endpoint_type: str = ""
    endpoint_type_path: tuple | None = None
    endpoints: list[Endpoint] = field(default_factory=list)
    endpoint_config_path: tuple | None = None
    endpoint_security: list[EndpointSecurity] = field(default_factory=list)
    schema_validation: tuple[bool, tuple] | None = None
    response_cache: tuple[bool, tuple] | None = None
    cache_timeout: Any = None
    key_managers: list[str] = field(default_factory=list)
    key_managers_path: tuple | None = None
    auth_header: str = ""
    api_key_header: str = ""
    mediation: list[str] = field(default_factory=list)
    mediation_path: tuple | None = None
    secret_properties: list[tuple[str, str]] = field(default_factory=list)  # (name, source)
    tags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # findings found while reading
    unmapped: list[str] = field(default_factory=list)

    def src(self, path: tuple | None, inner: str = "") -> str:
        """The source text of a path in api.yaml: '<label>#/data/securityScheme/1'."""
        ptr = pointer(*(path or ())) if path is not None else "#"
        if inner:
            ptr += " (JSON string) " + inner
        return self.project.api_label + ptr

    def line(self, path: tuple) -> int:
        return self.located.where(path)[0]


def stripped(value: Any) -> str:
    """A value as stripped text ('' for None)."""
    return "" if value is None else str(value).strip()


def api_title(api: Api) -> str:
    """The API's name and version as titles show them."""
    return f"{api.display_name or api.name} {api.version}".strip()
