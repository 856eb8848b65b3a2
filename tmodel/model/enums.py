"""Fixed vocabularies of the model format.

Every enum member is a string value with a one-line human description. The descriptions feed
the documentation, the JSON Schema (``enumDescriptions``), the TUI and report legends.
"""

from __future__ import annotations

from enum import Enum
from typing import Any


class DescribedEnum(str, Enum):
    """A string enum whose members carry a human description: ``Member = ("value", "text")``."""

    description: str

    def __new__(cls, value: str, description: str = "") -> "DescribedEnum":
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.description = description
        return obj

    def __str__(self) -> str:  # str(Level.HIGH) == "high", not "Level.HIGH"
        return str(self.value)

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema: dict[str, Any] = handler(core_schema)
        schema = handler.resolve_ref_schema(schema)
        schema["enumDescriptions"] = [m.description for m in cls]
        schema["markdownEnumDescriptions"] = [f"**{m.value}**: {m.description}" for m in cls]
        return schema


class ElementKind(DescribedEnum):
    EXTERNAL_ENTITY = ("external_entity", "Outside the bank's control: a partner, a third-party provider, a user's device")
    PROCESS = ("process", "Software that handles data: a gateway, an identity provider, a backend service")
    DATA_STORE = ("data_store", "Where data rests: a database, file storage, a queue, a log store")


class Technology(DescribedEnum):
    WSO2_GATEWAY = ("wso2_gateway", "WSO2 API Manager gateway (Synapse pass-through transport)")
    WSO2_KEY_MANAGER = ("wso2_key_manager", "WSO2 key manager: issues and validates OAuth 2.0 tokens for the gateway")
    WSO2_PUBLISHER = ("wso2_publisher", "WSO2 publisher / admin portal / developer portal (management plane)")
    IDENTITY_PROVIDER = ("identity_provider", "OpenID Connect / OAuth 2.0 authorization server (e.g. WSO2 IS, Keycloak)")
    BACKEND_SERVICE = ("backend_service", "A bank backend service behind the gateway (core banking, payments, CRM)")
    DATABASE = ("database", "Relational or document database")
    FILE_STORAGE = ("file_storage", "File share, object storage or SFTP landing zone")
    MESSAGE_QUEUE = ("message_queue", "Message broker or event stream (Kafka, RabbitMQ, IBM MQ)")
    LOG_COLLECTOR = ("log_collector", "Central log collector or SIEM")
    HSM = ("hsm", "Hardware security module holding signing and encryption keys")
    SANDBOX = ("sandbox", "File detonation sandbox / anti-malware gateway that checks transferred files")
    PARTNER_SYSTEM = ("partner_system", "A partner's or third-party provider's system")
    MOBILE_APP = ("mobile_app", "The bank's or a partner's mobile application")
    WEB_APP = ("web_app", "A browser-based application (single-page app or server-rendered site)")
    BYOD_DEVICE = ("byod_device", "An employee's personal device (bring your own device)")
    ADMIN_WORKSTATION = ("admin_workstation", "A corporate workstation used for administration")
    USER = ("user", "A human actor: customer, employee or operator")
    LOAD_BALANCER = ("load_balancer", "Load balancer or reverse proxy in front of the gateway (may terminate TLS)")
    OTHER = ("other", "Anything else; describe it in the element's description")


class Zone(DescribedEnum):
    INTERNET = ("internet", "The public internet: anyone can connect")
    PARTNER = ("partner", "A partner's network, reached over a dedicated or VPN channel")
    DMZ = ("dmz", "The bank's perimeter network, exposed to the internet through a firewall")
    INTERNAL = ("internal", "The bank's internal network")
    RESTRICTED = ("restricted", "A restricted segment: card data, keys, core banking")


ZONE_TRUST = {Zone.INTERNET: 0, Zone.PARTNER: 1, Zone.DMZ: 2, Zone.INTERNAL: 3, Zone.RESTRICTED: 4}


class Classification(DescribedEnum):
    PUBLIC = ("public", "Public information; disclosure causes no harm")
    INTERNAL = ("internal", "For internal use; disclosure causes limited harm")
    CONFIDENTIAL = ("confidential", "Confidential business information")
    BANK_SECRECY = ("bank_secrecy", "Bank secrecy: accounts, balances, operations of clients")
    PAYMENT = ("payment", "Payment data: card numbers, payment orders, transfer instructions")
    CREDENTIALS = ("credentials", "Secrets: passwords, tokens, keys, client secrets")


HIGH_IMPACT_CLASSIFICATIONS = {Classification.BANK_SECRECY, Classification.PAYMENT, Classification.CREDENTIALS}


class PdCategory(DescribedEnum):
    NONE = ("none", "No personal data")
    GENERAL = ("general", "Other (general) personal data: name, phone, passport, address")
    SPECIAL = ("special", "Special categories (152-FZ art. 10): health, beliefs, nationality")
    BIOMETRIC = ("biometric", "Biometric personal data (152-FZ art. 11): face, voice")
    PUBLIC = ("public", "Publicly available personal data (152-FZ art. 8)")


HIGH_IMPACT_PD = {PdCategory.SPECIAL, PdCategory.BIOMETRIC}


class Volume(DescribedEnum):
    MINIMAL = ("minimal", "A handful of attributes per request, few subjects")
    LOW = ("low", "Under 100,000 subjects in total")
    HIGH = ("high", "100,000 subjects or more (raises the 152-FZ protection level)")


class GostLevel(DescribedEnum):
    MINIMAL = ("minimal", "GOST R 57580.1 minimal protection level")
    STANDARD = ("standard", "GOST R 57580.1 standard protection level")
    ENHANCED = ("enhanced", "GOST R 57580.1 enhanced protection level")


class PdLevel(DescribedEnum):
    UZ1 = ("uz1", "Protection level 1 (PP 1119): the highest")
    UZ2 = ("uz2", "Protection level 2 (PP 1119)")
    UZ3 = ("uz3", "Protection level 3 (PP 1119)")
    UZ4 = ("uz4", "Protection level 4 (PP 1119): the lowest")


class Protocol(DescribedEnum):
    HTTPS = ("https", "HTTP over TLS (REST, JSON)")
    HTTP = ("http", "Plain HTTP, no TLS")
    GRPC = ("grpc", "gRPC (HTTP/2)")
    SOAP = ("soap", "SOAP over HTTP(S)")
    WEBSOCKET = ("websocket", "WebSocket")
    AMQP = ("amqp", "AMQP message broker protocol")
    KAFKA = ("kafka", "Kafka protocol")
    JDBC = ("jdbc", "Database connection (JDBC / native driver)")
    SFTP = ("sftp", "SSH file transfer")
    FTP = ("ftp", "Plain FTP, no encryption")
    SMTP = ("smtp", "E-mail")
    SYSLOG = ("syslog", "Syslog (log shipping)")
    LDAP = ("ldap", "LDAP directory access")
    PKCS11 = ("pkcs11", "PKCS#11 / HSM vendor protocol")
    PUSH = ("push", "Mobile push notification service")
    OTHER = ("other", "Another protocol; describe it")


class TlsVersion(DescribedEnum):
    NONE = ("none", "No TLS: the channel is in clear text")
    TLS1_0 = ("1.0", "TLS 1.0 (deprecated, RFC 8996)")
    TLS1_1 = ("1.1", "TLS 1.1 (deprecated, RFC 8996)")
    TLS1_2 = ("1.2", "TLS 1.2")
    TLS1_3 = ("1.3", "TLS 1.3")


class AuthMethod(DescribedEnum):
    NONE = ("none", "No authentication of the caller")
    BASIC = ("basic", "HTTP Basic with a username and password")
    API_KEY = ("api_key", "A static API key (in a header, the URL query or a cookie: say which in api_key_in)")
    OAUTH2 = ("oauth2", "OAuth 2.0 access token")
    OIDC = ("oidc", "OpenID Connect (OAuth 2.0 with an ID token)")
    MTLS = ("mtls", "Mutual TLS: the client certificate identifies the caller")
    JWT = ("jwt", "A signed JWT assertion (e.g. the gateway's backend JWT)")
    SSH_KEY = ("ssh_key", "SSH public key")
    CIBA = ("ciba", "OpenID CIBA: decoupled (backchannel) authentication, FAPI.PAOK")


class ApiKeyLocation(DescribedEnum):
    HEADER = ("header", "In a request header (e.g. apikey, X-API-Key)")
    QUERY = ("query", "In the URL query string: it ends up in access logs, proxies, browser history and Referer")
    COOKIE = ("cookie", "In a cookie: sent by the browser with every request to the host")


class MessageSigning(DescribedEnum):
    NONE = ("none", "Neither requests nor responses carry a signature over the content")
    REQUESTS = ("requests", "Requests are signed by the source and verified by the target; responses are not")
    RESPONSES = ("responses", "Responses are signed by the target and verified by the source; requests are not")
    BOTH = ("both", "Requests and responses are signed (detached JWS) and verified at the other end")


REQUEST_SIGNED = {MessageSigning.REQUESTS, MessageSigning.BOTH}


class Operation(DescribedEnum):
    READ = ("read", "Reads data, changes nothing")
    WRITE = ("write", "Creates or changes records other than money movements (profiles, applications, settings)")
    PAYMENT_INITIATION = ("payment_initiation", "Initiates a payment or a transfer")
    PAYMENT_CHANGE = ("payment_change", "Changes or cancels a payment, a standing order or a payment limit")
    REFUND = ("refund", "Refunds or reverses a payment")
    PAYEE_CHANGE = ("payee_change", "Adds or changes a payee, a beneficiary or payout account details")
    NOTIFICATION = ("notification", "Notifies the target of an event (payment status, card status); a webhook or callback")


MONEY_CHANGING = {Operation.PAYMENT_CHANGE, Operation.REFUND, Operation.PAYEE_CHANGE}


class IdentityPropagation(DescribedEnum):
    NONE = ("none", "The target receives no end-user or client identity from the caller")
    SIGNED_JWT = ("signed_jwt", "A JWT signed by the gateway (WSO2 backend JWT, X-JWT-Assertion) that the target verifies")
    ACCESS_TOKEN = ("access_token", "The client's access token, which the target validates itself (introspection or signature)")
    PLAIN_HEADER = ("plain_header", "A plain header (X-User-Id, X-Client-Id, X-Consumer-Key) that the target takes as is")


class ClientAuth(DescribedEnum):
    NONE = ("none", "Public client, no client authentication")
    CLIENT_SECRET_BASIC = ("client_secret_basic", "Shared secret in the Authorization header")
    CLIENT_SECRET_POST = ("client_secret_post", "Shared secret in the request body")
    CLIENT_SECRET_JWT = ("client_secret_jwt", "JWT signed with the shared secret (HMAC)")
    PRIVATE_KEY_JWT = ("private_key_jwt", "JWT signed with the client's private key")
    TLS_CLIENT_AUTH = ("tls_client_auth", "PKI mutual TLS client authentication (RFC 8705)")
    SELF_SIGNED_TLS_CLIENT_AUTH = ("self_signed_tls_client_auth", "Self-signed certificate mutual TLS (RFC 8705)")


class SenderConstraint(DescribedEnum):
    NONE = ("none", "Bearer tokens: whoever holds the token can use it")
    MTLS = ("mtls", "Certificate-bound access tokens (RFC 8705)")
    DPOP = ("dpop", "DPoP proof-of-possession (RFC 9449)")


class GrantType(DescribedEnum):
    AUTHORIZATION_CODE = ("authorization_code", "Authorization code: the user is redirected through a browser or app (FAPI redirect flow)")
    CLIENT_CREDENTIALS = ("client_credentials", "Client credentials: the client acts for itself, no user and no redirect")
    PASSWORD = ("password", "Resource-owner password (ROPC): the client collects the user's password (forbidden by FAPI 2.0)")
    IMPLICIT = ("implicit", "Implicit: tokens returned in the browser front channel (not allowed by FAPI)")
    JWT_BEARER = ("jwt_bearer", "JWT bearer assertion grant (RFC 7523)")
    TOKEN_EXCHANGE = ("token_exchange", "Token exchange (RFC 8693)")


class CibaMode(DescribedEnum):
    POLL = ("poll", "The client polls the token endpoint")
    PING = ("ping", "The server calls the client back, the client then fetches the token")
    PUSH = ("push", "The server pushes tokens to the client (forbidden by FAPI.PAOK)")


class ResponseProtection(DescribedEnum):
    NONE = ("none", "Plain response_type=code: code and state in the redirect's query, nothing signed")
    HYBRID = ("hybrid", "response_type=code id_token: the ID token is a detached signature (c_hash, s_hash, nonce, iss)")
    JARM = ("jarm", "response_mode=jwt (JARM): the whole response is a JWT signed by the authorization server")


class RefreshTokens(DescribedEnum):
    NOT_ISSUED = ("not_issued", "No refresh tokens are issued to this client")
    CLIENT_BOUND = ("client_bound", "Usable only together with the confidential client's own authentication")
    SENDER_CONSTRAINED = ("sender_constrained", "Bound to the client's certificate or DPoP key (RFC 8705 / RFC 9449)")
    ROTATED = ("rotated", "One-time use: every refresh returns a new one, and reuse revokes the whole family")
    BEARER = ("bearer", "None of these: whoever holds a refresh token can use it until it expires")


class JwsAlgorithm(DescribedEnum):
    PS256 = ("PS256", "RSASSA-PSS with SHA-256 (FAPI 1.0 Part 2 8.6)")
    ES256 = ("ES256", "ECDSA P-256 with SHA-256 (FAPI 1.0 Part 2 8.6)")
    EDDSA = ("EdDSA", "Ed25519 (FAPI 2.0 5.4.1)")
    GOST = ("GOST", "GOST R 34.10-2012 signatures adopted by the bank (identifiers not confirmed for FAPI.SEC)")
    RS256 = ("RS256", "RSASSA-PKCS1-v1_5 with SHA-256 (FAPI 1.0 Part 2 8.6: should not be used)")
    HS256 = ("HS256", "HMAC with a shared secret: no proof of which party signed")
    NONE = ("none", "Unsigned JWT (alg none): never acceptable")


class IdentifierStyle(DescribedEnum):
    NONE = ("none", "No object identifiers are exposed")
    INCREMENTAL = ("incremental", "Sequential numbers: guessable and enumerable")
    NATURAL = ("natural", "Natural identifiers: account number, phone, passport, INN")
    UUID = ("uuid", "Random UUIDs (v4)")
    OPAQUE_TOKEN = ("opaque_token", "Opaque tokens or aliases mapped server-side")


class FileDirection(DescribedEnum):
    NONE = ("none", "No files are transferred")
    INBOUND = ("inbound", "Files come from the source to the target")
    OUTBOUND = ("outbound", "Files go back from the target to the source")
    BOTH = ("both", "Files go in both directions")


class LoggingTarget(DescribedEnum):
    NONE = ("none", "Not logged")
    LOCAL = ("local", "Logged locally only (files on the host)")
    CENTRAL = ("central", "Shipped to the central log / SIEM")


class LogContent(DescribedEnum):
    METADATA = ("metadata", "Call metadata only: time, client id, API and operation, status, latency; no headers or bodies")
    HEADERS = ("headers", "Metadata and the request/response headers, Authorization, API-key and cookie headers included")
    PAYLOADS = ("payloads", "Whole messages, headers and bodies (WSO2 per-API log level FULL, synapse wire logs, "
                "analytics send_payloads)")


class PayloadFormat(DescribedEnum):
    JSON = ("json", "JSON bodies (REST)")
    XML = ("xml", "XML bodies (plain XML or SOAP envelopes), parsed by the target")
    FORM = ("form", "HTML form fields (application/x-www-form-urlencoded)")
    MULTIPART = ("multipart", "Multipart bodies: file uploads with form fields")
    SERIALIZED_OBJECT = ("serialized_object", "Native serialized objects the target deserializes into classes: Java "
                         "serialization (RMI, JMS ObjectMessage), .NET BinaryFormatter, Python pickle, PHP serialize")
    BINARY = ("binary", "Opaque binary content the target stores or forwards without parsing it (files, images)")
    OTHER = ("other", "Another format: SQL through a database driver, syslog lines, PKCS#11 calls; describe it")


class ConfigKind(DescribedEnum):
    WSO2_DEPLOYMENT_TOML = (
        "wso2_deployment_toml",
        "WSO2 API Manager 4.x repository/conf/deployment.toml, read over the product's defaults",
    )


class ControlStatus(DescribedEnum):
    IMPLEMENTED = ("implemented", "In place and evidenced")
    PARTIAL = ("partial", "In place for part of the scope")
    PLANNED = ("planned", "Planned, not yet in place")
    NOT_IMPLEMENTED = ("not_implemented", "Not in place")
    NOT_APPLICABLE = ("not_applicable", "Does not apply to this integration (say why in evidence)")


class DecisionStatus(DescribedEnum):
    OPEN = ("open", "Not yet triaged")
    MITIGATED = ("mitigated", "Mitigated by a control (name it)")
    ACCEPTED = ("accepted", "Risk accepted by its owner until the expiry date")
    TRANSFERRED = ("transferred", "Risk transferred (insurance, contract, partner)")
    FALSE_POSITIVE = ("false_positive", "The threat does not apply (say why)")


class AnswerStatus(DescribedEnum):
    YES = ("yes", "Fully in place, evidence attached")
    PARTIAL = ("partial", "Partly in place")
    NO = ("no", "Not in place")
    NOT_APPLICABLE = ("not_applicable", "Does not apply (say why)")


class Stride(DescribedEnum):
    S = ("S", "Spoofing: pretending to be someone or something else")
    T = ("T", "Tampering: modifying data or code")
    R = ("R", "Repudiation: denying an action without others being able to prove otherwise")
    I = ("I", "Information disclosure: exposing data to someone not authorized")  # noqa: E741
    D = ("D", "Denial of service: making a service unavailable")
    E = ("E", "Elevation of privilege: gaining capabilities without authorization")


class Level(DescribedEnum):
    LOW = ("low", "Low: accept or fix in normal maintenance")
    MEDIUM = ("medium", "Medium: fix or accept with an owner and an expiry")
    HIGH = ("high", "High: fix before go-live, or accept at management level")
    CRITICAL = ("critical", "Critical: blocks go-live")


LEVEL_ORDER = {Level.LOW: 1, Level.MEDIUM: 2, Level.HIGH: 3, Level.CRITICAL: 4}
