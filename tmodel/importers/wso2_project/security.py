"""What securityScheme means: the ways through the gateway's authentication (application-level
oauth2, basic_auth and api_key are alternatives, the weakest decides; mutualssl is transport
level; a layer is mandatory only with its marker), and the operations' auth types."""

from __future__ import annotations

from dataclasses import dataclass

from tmodel.importers.wso2_project.api import Api

# securityScheme values (carbon-apimgt APIConstants)
APP_SCHEMES = {"oauth2": "oauth2", "basic_auth": "basic", "api_key": "api_key"}
MTLS, MTLS_MANDATORY, APP_MANDATORY = "mutualssl", "mutualssl_mandatory", "oauth_basic_auth_api_key_mandatory"
KNOWN_SCHEMES = set(APP_SCHEMES) | {MTLS, MTLS_MANDATORY, APP_MANDATORY}
# weakest first: a Basic credential is a user-store password sent on every call; a WSO2 API key is
# a static, often non-expiring token; an OAuth 2.0 access token expires and carries scopes
STRENGTH = {"none": 0, "basic": 1, "api_key": 2, "oauth2": 3}
METHOD_TEXT = {"none": "no authentication", "basic": "HTTP Basic (user name and password)",
               "api_key": "a WSO2 API key", "oauth2": "an OAuth 2.0 access token", "mtls": "a client certificate only"}

METHOD_LABEL = {"none": "no authentication", "basic": "HTTP Basic", "api_key": "API key", "oauth2": "OAuth 2.0",
                "mtls": "client certificate only"}
AUTH_TYPES = {  # authType / x-auth-type spellings (4.x and 3.x) -> canonical
    "application & application user": "Application & Application User", "any": "Application & Application User",
    "application": "Application", "application user": "Application User", "application_user": "Application User",
    "none": "None",
}


@dataclass
class Alternative:
    """One way a client gets through the gateway's authentication (the weakest per layer)."""

    method: str  # none, basic, api_key, oauth2, mtls
    mutual: bool
    label: str  # for titles: '' for the only alternative
    sources: dict[str, str]
    note: str


def security_alternatives(api: Api) -> tuple[list[Alternative], list[str]]:
    """The ways in that securityScheme allows, and the findings about them."""
    findings: list[str] = []
    names = {n.lower(): p for n, p in api.schemes}
    app: list[tuple[str, str, tuple]] = []
    for n, p in api.schemes:
        if n.lower() in APP_SCHEMES and all(n.lower() != x for _, x, _ in app):
            app.append((APP_SCHEMES[n.lower()], n.lower(), p))
    has_mtls = MTLS in names
    app_mandatory, mtls_mandatory = APP_MANDATORY in names, MTLS_MANDATORY in names
    where = api.src(api.schemes_path) if api.schemes_path else api.project.api_label

    if not app and not has_mtls:
        src = where
        text = ("securityScheme is empty" if api.schemes_path else "api.yaml states no securityScheme")
        findings.append(f"{text} ({src}): WSO2 then protects the API with OAuth 2.0 (its default); state it explicitly")
        return [Alternative("oauth2", False, "", {"authentication.method": src},
                            "OAuth 2.0 by WSO2's default (no securityScheme stated)")], findings

    weakest = min(app, key=lambda a: STRENGTH[a[0]]) if app else None
    if weakest and len(app) > 1:
        listed = ", ".join(n for _, n, _ in app)
        findings.append(f"securityScheme lists {listed} ({where}): any one of them is accepted, so the weakest "
                        f"({weakest[1]}) decides; the model uses {METHOD_TEXT[weakest[0]]}. Keep only oauth2 for a "
                        "FAPI API")
    app_note = ""
    if weakest:
        app_note = f"{METHOD_TEXT[weakest[0]]} (securityScheme {weakest[1]}"
        app_note += f"; any of {', '.join(n for _, n, _ in app)} is accepted" if len(app) > 1 else ""
        app_note += f"; {APP_MANDATORY}: this layer is mandatory)" if app_mandatory else ")"

    def app_alt(mutual: bool, label: str, mutual_src: str | None, note: str) -> Alternative:
        assert weakest is not None
        srcs = {"authentication.method": api.src(weakest[2])}
        if mutual_src:
            srcs["tls.mutual"] = mutual_src
        return Alternative(weakest[0], mutual, label, srcs, note)

    mtls_src = api.src(names[MTLS]) if has_mtls else ""
    if weakest and not has_mtls:
        return [app_alt(False, "", None, app_note)], findings
    if has_mtls and not weakest:
        srcs = {"authentication.method": mtls_src, "tls.mutual": mtls_src}
        return [Alternative("mtls", True, "", srcs, "client certificate (securityScheme mutualssl)")], findings
    assert weakest is not None
    if app_mandatory and mtls_mandatory:
        return [app_alt(True, "", api.src(names[MTLS_MANDATORY]),
                        app_note + " and a client certificate (both mandatory)")], findings
    if app_mandatory:
        findings.append(f"securityScheme has mutualssl without mutualssl_mandatory ({where}): the client certificate is "
                        "optional, so clients without one are accepted; the model takes the weaker case (tls.mutual false). "
                        "Add mutualssl_mandatory if every client must present a certificate")
        return [app_alt(False, "", mtls_src, app_note + "; the client certificate is optional")], findings
    if mtls_mandatory:
        findings.append(f"securityScheme makes mutualssl mandatory but not {', '.join(n for _, n, _ in app)} ({where}): "
                        f"without {APP_MANDATORY} a client certificate alone is enough, with no access token (no user, "
                        "no consent, no scopes); the model takes that case (authentication mtls)")
        srcs = {"authentication.method": api.src(names[MTLS_MANDATORY]), "tls.mutual": api.src(names[MTLS_MANDATORY])}
        return [Alternative("mtls", True, "", srcs,
                            f"a client certificate alone; {METHOD_TEXT[weakest[0]]} is optional")], findings
    findings.append(f"securityScheme has mutualssl and {', '.join(n for _, n, _ in app)} with neither marked mandatory "
                    f"({where}): a client may come with {METHOD_TEXT[weakest[0]]} and no certificate, or with a "
                    "certificate and no token; the model has a flow for each. Mark the layers you need with "
                    f"{MTLS_MANDATORY} and {APP_MANDATORY}")
    alt_app = app_alt(False, METHOD_LABEL[weakest[0]] + ", no client certificate",
                      mtls_src, app_note + "; no client certificate (mutualssl is optional)")
    alt_mtls = Alternative("mtls", True, "client certificate only", {"authentication.method": mtls_src, "tls.mutual": mtls_src},
                           f"a client certificate alone ({', '.join(n for _, n, _ in app)} optional)")
    return [alt_app, alt_mtls], findings


def canonical_auth_type(value: str | None) -> str | None:
    if value is None:
        return None
    return AUTH_TYPES.get(value.strip().lower(), value.strip())


NONE_ALT = Alternative("none", False, "no authentication", {}, "no authentication (authType None)")
