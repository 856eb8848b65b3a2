"""The integration model, format version 1: one integration, one YAML file.

The classes here are the validated model. Every field carries a description: it becomes the JSON
Schema's documentation (editor hover), the TUI's help text and ``docs/model-format.md``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema

from tmodel.model.enums import (
    AnswerStatus,
    ApiKeyLocation,
    AuthMethod,
    CibaMode,
    Classification,
    ClientAuth,
    ConfigKind,
    ControlStatus,
    DecisionStatus,
    ElementKind,
    FileDirection,
    GostLevel,
    GrantType,
    IdentifierStyle,
    IdentityPropagation,
    JwsAlgorithm,
    LogContent,
    LoggingTarget,
    MessageSigning,
    Operation,
    PayloadFormat,
    PdCategory,
    PdLevel,
    Protocol,
    RefreshTokens,
    ResponseProtection,
    SenderConstraint,
    Technology,
    TlsVersion,
    Volume,
    Zone,
)

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$"),
    Field(description="Identifier: lowercase letters, digits, '.', '_' or '-', up to 64 characters"),
]
ThreatId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*@[a-z0-9][a-z0-9._-]*(->[a-z0-9][a-z0-9._-]*)?$"),
    Field(description="A threat's stable id: RULE-ID@target-id (target is an element, a flow or 'model'), "
                      "or RULE-ID@source->destination for a finding that groups the flows between two elements"),
]
Text = Annotated[str, StringConstraints(max_length=4000)]
Sources = Annotated[
    dict[Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_.]*$", max_length=100)],
         Annotated[str, StringConstraints(min_length=1, max_length=1000)]],
    Field(
        default_factory=dict,
        description="Where imported values came from: a field name (e.g. 'tls.min_version'; 'id' for the whole item) -> "
        "its source ('api.yaml#/servers/0/url', 'deployment.toml:42'). Written by 'tmodel import'; the analysis shows "
        "it in 'why it fired'. Remove an entry when you change that field by hand.",
    ),
]
Short = Annotated[str, StringConstraints(min_length=1, max_length=200)]


def _signing_from_bool(value: object) -> object:
    """The first format had ``message_signing: true|false`` (requests and responses, or neither):
    it still loads, meaning ``both`` and ``none``."""
    if value is True:
        return MessageSigning.BOTH.value
    if value is False:
        return MessageSigning.NONE.value
    return value


Signing = Annotated[
    MessageSigning,
    BeforeValidator(_signing_from_bool),
    WithJsonSchema({
        "anyOf": [
            {"enum": MessageSigning.values(), "type": "string",
             "enumDescriptions": [m.description for m in MessageSigning],
             "markdownEnumDescriptions": [f"**{m.value}**: {m.description}" for m in MessageSigning]},
            {"type": "boolean", "description": "The first format's form: true means both, false means none"},
        ]
    }),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_enum_values=False, frozen=False)


class Metadata(Strict):
    id: Id = Field(description="The model's id; also the export folder name")
    title: Short = Field(description="A human title of the integration")
    owner: Short = Field(description="Who answers for this integration (team or person)")
    description: Text = Field("", description="What the integration does and why")
    gost_level: GostLevel = Field(
        GostLevel.STANDARD, description="GOST R 57580.1 protection level required of this integration"
    )
    pd_level: PdLevel | None = Field(
        None, description="152-FZ / PP 1119 protection level (uz1..uz4); required where personal data is processed"
    )
    catalogs: list[Short] | None = Field(
        None, description="Catalog ids that apply; when absent, every loaded catalog applies"
    )
    reviewed_on: dt.date | None = Field(None, description="Date of the last security review of this model")
    tags: list[Short] = Field(default_factory=list, description="Free tags for filtering")


class CrossBorder(Strict):
    transfer: bool = Field(False, description="Is this data transferred outside Russia?")
    countries: list[Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]] = Field(
        default_factory=list, description="Destination countries, ISO 3166-1 alpha-2 codes (e.g. KZ, AE)"
    )
    rkn_notified: bool = Field(False, description="Was Roskomnadzor notified before the transfer started (152-FZ art. 12)?")
    adequate_protection: bool | None = Field(
        None,
        description="Is every destination country on Roskomnadzor's list of foreign states that ensure adequate protection "
        "of data subjects' rights (152-FZ art. 12)? false when at least one is not; leave unset until the countries are "
        "checked against the current list (the list is Roskomnadzor's and changes: tmodel holds no copy)",
    )


class DataAsset(Strict):
    id: Id
    title: Short = Field(description="What the data is, e.g. 'Account balances'")
    description: Text = Field("", description="Where the data comes from, what it is used for")
    classification: Classification = Field(description="Confidentiality class of the data")
    pd_category: PdCategory = Field(PdCategory.NONE, description="Personal-data category under 152-FZ")
    volume: Volume = Field(Volume.LOW, description="How much of it, and how many data subjects")
    attributes: list[Short] = Field(default_factory=list, description="The attributes carried (for minimization review)")
    masked: bool = Field(False, description="Masked, depersonalized or replaced by tokens/aliases where it leaves the bank")
    cross_border: CrossBorder = Field(default_factory=CrossBorder, description="Cross-border transfer of this data")
    derived_from: Sources
    clear_by_law: list[Short] = Field(
        default_factory=list,
        description="Attributes (named in 'attributes') that a law or regulation requires to be passed to the recipient "
        "unmasked, e.g. the payer's name and account in a payment order; when every attribute of an unmasked asset is "
        "listed, the masking rules do not ask to mask it (logging it is still a finding). Name the law in the description",
    )


class Boundary(Strict):
    id: Id
    title: Short = Field(description="A human name of the zone, e.g. 'Partner VPN'")
    zone: Zone = Field(description="Trust zone of everything inside this boundary")
    parent: Id | None = Field(None, description="The boundary this one is nested in")
    description: Text = Field("", description="What is in it and how it is separated (firewall, VLAN, VPN)")


class Element(Strict):
    id: Id
    title: Short = Field(description="A human name, e.g. 'WSO2 gateway'")
    kind: ElementKind = Field(description="DFD kind: external entity, process or data store")
    technology: Technology = Field(description="What it is, from a fixed vocabulary")
    boundary: Id | None = Field(None, description="The trust boundary it sits in")
    description: Text = Field("", description="What it does; product and version where they matter")
    encrypted_at_rest: bool = Field(False, description="Data at rest is encrypted (stores, file storage, queues)")
    logging: LoggingTarget = Field(LoggingTarget.NONE, description="Where this element's security events go")
    holds_logs: bool = Field(False, description="This store holds logs or audit trails (STRIDE: repudiation target)")
    privileged_access: bool = Field(False, description="Administrators or privileged users access it")
    admin_mfa: bool = Field(False, description="Privileged access requires multi-factor authentication")
    byod_access: bool = Field(False, description="Reached from employees' personal (BYOD) devices")
    segregation_of_duties: bool = Field(False, description="Segregation of duties enforced for privileged roles")
    least_privilege: bool = Field(False, description="Accounts have only the rights they need; reviewed periodically")
    vulnerability_scanning: bool = Field(False, description="Covered by regular vulnerability scanning and patching")
    integrity_control: bool = Field(False, description="Software integrity and update-source control in place")
    default_credentials: bool = Field(False, description="Shipped default credentials still present (e.g. admin/admin)")
    public_clients: bool = Field(False, description="Identity provider: accepts public OAuth clients (no client authentication)")
    ropc_grant: bool = Field(False, description="Identity provider: the resource-owner password grant is enabled")
    token_lifetime_minutes: int | None = Field(None, ge=1, le=525600, description="Access-token lifetime issued (identity provider / key manager)")
    stores_tokens: bool = Field(False, description="Stores access or refresh tokens")
    tokens_hashed: bool = Field(False, description="Stored tokens and secrets are hashed or encrypted")
    plaintext_listener: bool = Field(
        False,
        description="A plaintext HTTP listener is enabled on it (WSO2: [transport.passthru_http.listener] port 8280, "
        "[transport.http] port 9763, or an API whose transport list includes http)",
    )
    log_integrity: bool = Field(
        False,
        description="Log store: events are kept write-once (WORM / object lock) or integrity-protected (hash chain, "
        "signatures), so administrators cannot silently alter or delete them",
    )
    request_object_max_lifetime_minutes: int | None = Field(
        None, ge=1, le=525600,
        description="Authorization server: the longest request-object lifetime (exp - nbf, in minutes) it accepts on "
        "authorization and signed CIBA requests; FAPI.SEC 7.2.1 item 6 allows at most 60",
    )
    jws_algorithms: list[JwsAlgorithm] = Field(
        default_factory=list,
        description="Authorization server: the JWS algorithms it accepts for request objects and client assertions "
        "and uses for ID tokens, JWT access tokens and JARM responses (FAPI 1.0 Part 2 8.6: PS256 or ES256; never none)",
    )
    redirects_only_registered: bool | None = Field(
        None,
        description="Authorization server: redirects the browser only to registered URIs of an identified client, "
        "error responses and logout (post_logout_redirect_uri) included; an unknown client or redirect_uri gets an "
        "error page, never a redirect (RFC 9700 4.11)",
    )
    frame_protection: bool | None = Field(
        None,
        description="Authorization server: its login and consent pages forbid framing by other sites "
        "(Content-Security-Policy frame-ancestors, X-Frame-Options: DENY) against clickjacking (RFC 9700 4.16)",
    )
    redirect_307_after_post: bool | None = Field(
        None,
        description="Authorization server: after the login or consent form is POSTed it redirects with HTTP 307, so "
        "the browser re-posts the form, credentials included, to the client (RFC 9700 4.12; use 303 or 302)",
    )
    derived_from: Sources
    product_version: Short | None = Field(
        None, description="Product and version running in production, e.g. 'WSO2 API Manager 4.2.0 (update level 95)'"
    )
    supported: bool | None = Field(
        None,
        description="The vendor (or a support contract) still issues security fixes for this version; false once the "
        "version is past its end of support (WSO2 publishes a support period for every release)",
    )
    patched: bool | None = Field(
        None,
        description="The security updates published for this version are installed within the vulnerability-management "
        "SLA (WSO2: the current update level from the update tool; OS and library patches)",
    )
    platform: Short | None = Field(
        None,
        description="The virtualization or container platform this element runs on (a hypervisor cluster, a Kubernetes "
        "cluster), e.g. 'k8s-dmz' or 'vsphere-core'; elements naming the same platform share its hosts and its management "
        "plane. Leave unset for dedicated hardware or when not known",
    )
    xss_protection: bool | None = Field(
        None,
        description="Web pages it serves to browsers (login and consent pages, the developer portal, a web application) "
        "encode every value that callers or partners can influence for its output context and send a "
        "Content-Security-Policy without 'unsafe-inline' scripts, against cross-site scripting",
    )


class Tls(Strict):
    min_version: TlsVersion = Field(TlsVersion.NONE, description="Lowest TLS version accepted on this channel")
    forward_secrecy: bool = Field(False, description="Only (EC)DHE cipher suites: forward secrecy")
    mutual: bool = Field(False, description="Mutual TLS: the client presents a certificate")
    client_cert_verified: bool = Field(False, description="With mutual TLS: the server verifies the client certificate chain and revocation")


class Ciba(Strict):
    mode: CibaMode = Field(CibaMode.POLL, description="Token delivery mode")
    binding_message: bool = Field(False, description="A binding message is shown on both devices")
    signed_request: bool = Field(False, description="The backchannel authentication request is a signed JWT")
    hint: str = Field("login_hint_token", description="Which hint identifies the user (login_hint_token, id_token_hint, login_hint)")
    user_code: bool | None = Field(
        None,
        description="The authorization server requires a user_code, a secret the customer enters on the consumption "
        "device, so a request started with a guessed hint cannot reach them",
    )
    auth_req_id_bits: int | None = Field(
        None, ge=1, le=4096, description="Entropy of the auth_req_id in bits (FAPI.PAOK 6.3.3: at least 160)"
    )
    auth_req_id_expiry_seconds: int | None = Field(
        None, ge=1, le=86400,
        description="Lifetime of an auth_req_id (expires_in of the acknowledgement), in seconds",
    )
    auth_req_id_single_use: bool | None = Field(
        None,
        description="An auth_req_id is redeemed for tokens only once; a second redemption fails (invalid_grant)",
    )
    notification_token_bits: int | None = Field(
        None, ge=1, le=4096,
        description="Ping mode: entropy in bits of the client_notification_token the client sends and checks on "
        "the bank's callback",
    )


class Authentication(Strict):
    method: AuthMethod = Field(AuthMethod.NONE, description="How the caller is authenticated")
    client_auth: ClientAuth | None = Field(None, description="OAuth client authentication at the token endpoint")
    grant: GrantType | None = Field(
        None,
        description="OAuth grant that obtains the tokens used on this flow; when unset, 'oidc' is taken as an "
        "authorization-code (redirect) flow and 'oauth2' is not assumed to involve a redirect",
    )
    sender_constrained: SenderConstraint = Field(SenderConstraint.NONE, description="Binding of access tokens to the client")
    pkce: bool = Field(False, description="PKCE on the authorization code flow")
    par: bool = Field(False, description="Pushed authorization requests (RFC 9126)")
    signed_request_object: bool = Field(False, description="JWS-signed request objects (JAR)")
    ciba: Ciba | None = Field(None, description="Decoupled authentication (FAPI.PAOK) details of the backchannel authentication request; leave out on token-polling flows")
    token_in_query: bool = Field(
        False, description="OAuth access tokens sent in the URL query (forbidden by FAPI); for an API key use api_key_in"
    )
    api_key_in: ApiKeyLocation | None = Field(
        None,
        description="With method api_key: where the key travels (header, query or cookie); leave out when not known",
    )
    step_up: bool = Field(
        False,
        description="The customer authenticates again (strong customer authentication, a CIBA confirmation or an acr "
        "step-up) for each money-changing operation on this flow (refund, payment change, payee change); a session "
        "or a long-lived token alone is not enough",
    )
    redirect_uri_exact_match: bool = Field(True, description="Redirect URIs are pre-registered and matched exactly")
    response_protection: ResponseProtection | None = Field(
        None,
        description="Redirect flows: how the authorization response is protected: none (plain code in the query), "
        "hybrid (code id_token, c_hash / s_hash / nonce) or jarm (response_mode=jwt); FAPI.SEC 7.2.1 item 2",
    )
    iss_in_response: bool | None = Field(
        None,
        description="Redirect flows: the authorization response names its issuer (iss parameter, RFC 9207), so a "
        "client working with several authorization servers detects mix-up (JARM and hybrid responses carry iss inside)",
    )
    refresh_tokens: RefreshTokens | None = Field(
        None, description="Refresh tokens issued on this flow and what stops a stolen one being replayed (RFC 9700 4.14)"
    )


class Authorization(Strict):
    scopes: list[Short] = Field(default_factory=list, description="OAuth scopes the caller needs")
    roles: list[Short] = Field(default_factory=list, description="Roles checked")
    ip_allowlist: bool = Field(False, description="Access limited by IP / ASN allow-list")
    object_level: bool = Field(False, description="Every object access checks the caller owns the object (BOLA)")
    property_level: bool = Field(False, description="Responses filtered to the properties the caller may see")
    write_property_level: bool = Field(
        False,
        description="Request bodies bound only to the properties the caller may set (an allow-list per operation): "
        "read-only or server-owned properties (status, owner, approved amount, limits) sent by the caller are "
        "rejected, not stored (mass assignment, OWASP API3)",
    )
    function_level: bool = Field(False, description="Administrative functions checked per role")


class FileTransfer(Strict):
    direction: FileDirection = Field(FileDirection.NONE, description="Which way files go on this flow")
    encrypted: bool = Field(False, description="Files are encrypted end to end")
    sandboxed: bool = Field(False, description="Files pass an anti-malware sandbox before use")
    caller_names_files: bool | None = Field(
        None,
        description="The caller chooses the name or path under which the target stores or reads a file (an upload that "
        "keeps the client's file name, a download or delete by name)",
    )
    names_confined: bool | None = Field(
        None,
        description="Caller-supplied names never reach the file system as paths: files are stored under server-made ids, "
        "or the name is checked against an allow-list pattern and the canonical path confined to one directory "
        "(no '../', absolute paths, drive letters or links)",
    )


class Flow(Strict):
    id: Id
    title: Short = Field(description="What the call does, e.g. 'Account information request'")
    source: Id = Field(alias="from", description="Element id the flow starts at (the caller)")
    target: Id = Field(alias="to", description="Element id the flow goes to")
    description: Text = Field("", description="Endpoints, message types, anything the fields do not say")
    protocol: Protocol = Field(Protocol.HTTPS, description="Application protocol")
    tls: Tls = Field(default_factory=Tls, description="Transport security")
    authentication: Authentication = Field(default_factory=Authentication, description="How the source is authenticated")
    authorization: Authorization = Field(default_factory=Authorization, description="What the source may do")
    data: list[Id] = Field(default_factory=list, description="Data asset ids carried")
    operations: list[Operation] = Field(
        default_factory=list,
        description="What the calls on this flow do (read, write, payment_initiation, refund, ...): money-changing "
        "operations need step-up and idempotency; empty when not described",
    )
    callback: bool = Field(
        False,
        description="A webhook or callback: the bank calls a partner's endpoint to tell it about an event (payment "
        "status to a merchant, card status, CIBA ping); the flow goes from the bank's element to the partner's",
    )
    rate_limit: bool = Field(False, description="Rate limiting / throttling per client")
    replay_protection: bool = Field(
        False,
        description="Replay protection: a one-time request id (nonce, JWS jti) with a timestamp checked against a replay "
        "cache, or an idempotency key the target de-duplicates",
    )
    idempotency_key: bool = Field(
        False,
        description="State-changing requests carry an idempotency key (Idempotency-Key, x-idempotency-key) that the "
        "target stores and de-duplicates, so a client's retry after a timeout is not executed twice",
    )
    csrf_protection: bool = Field(False, description="CSRF protection (browser flows)")
    schema_validation: bool = Field(False, description="Request and response validated against the JSON / OpenAPI schema")
    injection_protection: bool = Field(False, description="Input validated and encoded against injection (SQL, XPath, header)")
    message_signing: Signing = Field(
        MessageSigning.NONE,
        description="Which messages on this hop carry a signature over the content (detached JWS) that the other end "
        "verifies: none, requests, responses or both (true and false, the first format's values, mean both and none)",
    )
    identity_propagation: IdentityPropagation = Field(
        IdentityPropagation.NONE,
        description="How the caller tells the target who the end user and the client are (a hop behind the gateway): "
        "a JWT the gateway signs, the access token itself, or a plain header the target takes as is",
    )
    identifiers: IdentifierStyle = Field(IdentifierStyle.NONE, description="Style of object identifiers exposed")
    file_transfer: FileTransfer = Field(default_factory=FileTransfer, description="File transfer on this flow")
    logging: LoggingTarget = Field(LoggingTarget.NONE, description="Where calls on this flow are logged")
    outbound_validation: bool = Field(False, description="Data received from a third-party API is validated before use")
    client_supplied_urls: bool = Field(
        False, description="The caller passes URLs (webhook or callback endpoints, document or image links) that the target later fetches"
    )
    url_allowlist: bool = Field(
        False,
        description="Caller-supplied URLs are fetched only when scheme, host and port match an allow-list, without following "
        "redirects, through an egress path that cannot reach internal addresses",
    )
    anti_automation: bool = Field(
        False,
        description="The business flow is protected against automated abuse: per-customer business limits, bot and "
        "device signals, fraud monitoring (OWASP API6)",
    )
    inventoried: bool = Field(
        False,
        description="The API and version called on this flow is in the API inventory (owner, environment, audience, "
        "retirement date) and superseded versions are retired (OWASP API9)",
    )
    derived_from: Sources
    data_used: list[Short] | None = Field(
        None,
        description="The attributes of the carried personal data that the receiving side actually uses for its purpose "
        "(152-FZ art. 5 minimization): attributes of the flow's personal-data assets not named here are sent without "
        "need. Leave unset until the minimization review is done",
    )
    log_content: LogContent | None = Field(
        None,
        description="What the logs of this flow record (at the gateway, the backend or the log shipper): metadata only, "
        "headers too, or whole messages",
    )
    leak_prevention: bool | None = Field(
        None,
        description="Outgoing content on this flow passes a leak-prevention (DLP) control that detects and blocks bank "
        "secrecy or personal data beyond what the integration may send (GOST R 57580.1 process 'leak prevention')",
    )
    payload_format: PayloadFormat | None = Field(
        None, description="Format of the request bodies the target parses (a SOAP flow is XML whatever this says)"
    )
    xml_hardened: bool | None = Field(
        None,
        description="XML from this flow is parsed with DTDs and external entities disabled and entity expansion limited "
        "(WSO2: the XML threat-protection policy on the API, plus hardened parsers in the backend)",
    )


class ConfigLink(Strict):
    kind: ConfigKind = Field(description="What kind of configuration file it is")
    path: Short = Field(description="The file, relative to this model file (e.g. '../gateway/deployment.toml')")
    element: Id = Field(description="The element the file configures (e.g. the WSO2 gateway)")


class ControlState(Strict):
    control: Short = Field(description="A catalog control id")
    status: ControlStatus = Field(description="How far the control is in place")
    evidence: Text = Field("", description="Where the proof is: document, ticket, configuration, test")
    scope: list[Id] = Field(default_factory=list, description="Element or flow ids this applies to (empty: whole model)")


class Decision(Strict):
    threat: ThreatId
    status: DecisionStatus = Field(description="The triage decision")
    owner: Short | None = Field(None, description="Who owns the risk")
    reason: Text = Field("", description="Justification")
    control: Short | None = Field(None, description="The control that mitigates it (when mitigated)")
    expires: dt.date | None = Field(None, description="Acceptances must expire")
    decided_by: Short | None = Field(None, description="Who took the decision (risk committee, CISO, owner)")
    decided_on: dt.date | None = Field(None, description="When the decision was taken")
    ticket: Short | None = Field(None, description="The ticket that tracks the decision or its treatment plan (e.g. RISK-1234)")


class Answer(Strict):
    question: Short = Field(description="The id of a manual audit control (its question)")
    status: AnswerStatus = Field(description="The answer")
    evidence: Text = Field("", description="The evidence: document name and version, ticket, link")
    answered_by: Short | None = Field(None, description="Who answered (auditor or system owner)")
    answered_on: dt.date | None = Field(None, description="When it was answered")


class Model(Strict):
    format_version: int = Field(1, description="Model format version; this tool reads version 1")
    metadata: Metadata = Field(description="What the integration is, who owns it, which protection levels apply")
    data_assets: list[DataAsset] = Field(default_factory=list, description="The data the integration moves, with its classification")
    boundaries: list[Boundary] = Field(default_factory=list, description="Trust boundaries (network zones) the elements sit in")
    elements: list[Element] = Field(default_factory=list, description="External entities, processes and data stores")
    flows: list[Flow] = Field(default_factory=list, description="Data flows between elements, with their transport and API security")
    configs: list[ConfigLink] = Field(
        default_factory=list,
        description="Configuration files of the real components; every analysis audits them and reports where they "
        "contradict what this model claims (drift)",
    )
    controls: list[ControlState] = Field(default_factory=list, description="Status of catalog controls, with evidence")
    decisions: list[Decision] = Field(default_factory=list, description="Risk decisions on threats, by stable threat id")
    answers: list[Answer] = Field(default_factory=list, description="Answers to the catalogs' manual audit questions")

    # convenient lookups (not part of the format)
    def element(self, eid: str) -> Element | None:
        return next((e for e in self.elements if e.id == eid), None)

    def flow(self, fid: str) -> Flow | None:
        return next((f for f in self.flows if f.id == fid), None)
