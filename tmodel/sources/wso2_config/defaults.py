"""WSO2 API Manager 4.7.0: the shipped value of every deployment.toml key the audit relies on.

A key a ``deployment.toml`` leaves out is rendered from the product's defaults, not from nothing,
and several defaults are weak. Each entry says which public file holds the default (checked
against the stored copies of these files):

- ``P``: wso2/product-apim ``all-in-one-apim/modules/distribution/product/src/main/resources/conf/default.json``
  (the 4.7.0 file: ``server.userAgent`` "WSO2 AM 4.7.0", ``diagnostic_tool...server_version`` "4.7.0").
- ``A``: wso2/carbon-apimgt ``features/apimgt/org.wso2.carbon.apimgt.core.feature/src/main/resources/conf_templates/org.wso2.carbon.apimgt.core.default.json``
  (the ``apim.*`` and ``apimgt.*`` keys).
- ``K``: wso2/carbon-kernel ``distribution/kernel/carbon-home/repository/resources/conf/default.json``
  (keystores, truststore, the Tomcat management connector 9443/9763). The kernel's
  ``catalina-server.xml.j2`` renders ``[transport.https.sslHostConfig.properties]`` 1:1 into
  Tomcat's ``<SSLHostConfig>``.
- ``D``: WSO2 documentation (docs-apim, "Changing the default expiration time of user access
  tokens": 60 minutes) where no default.json holds the key (identity.xml's own default).
- ``U``: no default anywhere: the template renders nothing and the product behaves as described.

Where P and A both set a key, P wins (the product file is applied over the feature's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PRODUCT = "WSO2 API Manager 4.7.0"

SOURCES = {
    "P": "wso2/product-apim all-in-one-apim/modules/distribution/product/src/main/resources/conf/default.json (4.7.0)",
    "A": "wso2/carbon-apimgt features/apimgt/org.wso2.carbon.apimgt.core.feature/src/main/resources/conf_templates/"
         "org.wso2.carbon.apimgt.core.default.json",
    "K": "wso2/carbon-kernel distribution/kernel/carbon-home/repository/resources/conf/default.json",
    "D": "WSO2 API-M documentation (identity.xml default; not in any default.json)",
    "U": "unset in every default.json: the template renders nothing",
}


@dataclass(frozen=True)
class Default:
    value: Any      # as the defaults file holds it; None = unset (the product renders nothing)
    source: str     # a key of SOURCES
    note: str = ""  # what the product does when it applies


DEFAULTS: dict[str, Default] = {
    # gateway API traffic: PassThrough transport, 8280 (http) and 8243 (https)
    "transport.passthru_http.listener.enable": Default(True, "P", "plaintext API port 8280 open"),
    "transport.passthru_https.listener.parameters.HttpsProtocols": Default("TLSv1,TLSv1.1,TLSv1.2,TLSv1.3", "P"),
    "transport.passthru_https.listener.parameters.PreferredCiphers": Default(None, "U", "the JVM's (JSSE) default cipher list"),
    "transport.passthru_https.listener.parameters.SSLVerifyClient": Default("optional", "P"),
    "transport.passthru_https.listener.cert_revocation_validation.enable": Default(False, "P"),
    "transport.passthru_https.sender.parameters.HttpsProtocols": Default("TLSv1,TLSv1.1,TLSv1.2,TLSv1.3", "P"),
    "transport.passthru_https.sender.parameters.HostnameVerifier": Default("DefaultAndLocalhost", "P"),
    "apim.wss.ssl_enabled_protocols": Default("TLSv1.1,TLSv1.2", "P", "secure WebSocket API port 8099"),
    "transport.binary.receiver.sslEnabledProtocols": Default(["TLSv1", "TLSv1.1", "TLSv1.2"], "P",
                                                             "throttling/event receiver 9711 (the shipped toml's comment spells it "
                                                             "[transport.receiver] ssl_enabled_protocols; both are read)"),
    # management console, portals and Key Manager: Tomcat 9443 (https) and 9763 (http)
    "transport.http.enable": Default(True, "P", "servlet HTTP port 9763 open"),
    "transport.https.sslHostConfig.properties.protocols": Default("+TLSv1,+TLSv1.1,+TLSv1.2", "K"),
    "transport.https.sslHostConfig.properties.ciphers": Default(None, "U", "the JVM's (JSSE) default cipher list"),
    # OAuth / tokens
    "apim.oauth_config.enable_certificate_bound_access_token": Default(False, "A"),
    "apim.oauth_config.enable_token_hashing": Default(False, "A"),
    "apim.oauth_config.enable_token_encryption": Default(False, "A"),
    "apim.oauth_config.enable_outbound_auth_header": Default(False, "A"),
    "oauth.grant_type.password.enable": Default(True, "P"),
    "oauth.token_validation.user_access_token_validity": Default(3600, "D"),
    # credentials and keystores
    "super_admin.username": Default(None, "U", "no default: the account is whatever the user store holds"),
    "super_admin.password": Default(None, "U", "no default: the account is whatever the user store holds"),
    "keystore.primary.file_name": Default("wso2carbon.jks", "K"),
    "keystore.primary.password": Default("wso2carbon", "K"),
    "keystore.primary.key_password": Default("wso2carbon", "K"),
    "keystore.tls.file_name": Default("$ref{keystore.primary.file_name}", "K"),
    "keystore.tls.password": Default("$ref{keystore.primary.password}", "K"),
    "keystore.tls.key_password": Default("$ref{keystore.primary.key_password}", "K"),
    "keystore.internal.password": Default("$ref{keystore.primary.password}", "K"),
    "truststore.file_name": Default("client-truststore.jks", "K"),
    "truststore.password": Default("wso2carbon", "K"),
    # databases (the Carbon local DB and the broker's store stay H2 by design and are not audited)
    "database.apim_db.url": Default("jdbc:h2:./repository/database/WSO2AM_DB;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=60000", "P"),
    "database.apim_db.password": Default("wso2carbon", "A"),
    "database.local.url": Default("jdbc:h2:./repository/database/WSO2CARBON_DB;DB_CLOSE_ON_EXIT=FALSE;DB_CLOSE_DELAY=-1", "P"),
    # CORS (gateway-wide; APIs may override it in api.yaml corsConfiguration)
    "apim.cors.enable": Default("true", "A"),
    "apim.cors.allow_origins": Default("*", "A"),
    "apim.cors.allow_credentials": Default(False, "A"),
    # throttling, portals, mutual TLS by header, analytics, JMX
    "apim.throttling.enable_unlimited_tier": Default("true", "A"),
    "apim.devportal.enable_anonymous_mode": Default(True, "A"),
    "apimgt.mutual_ssl.certificate_header": Default("X-WSO2-CLIENT-CERTIFICATE", "A"),
    "apimgt.mutual_ssl.enable_client_validation": Default(True, "A"),
    "apim.analytics.enable": Default(False, "A"),
    "apim.analytics.properties.send_payloads": Default(None, "U", "payloads are not published"),
    "monitoring.jmx.rmi_server_start": Default(True, "P", "JMX RMI on 9999/11111 (also true in K)"),
}


def source_text(d: Default) -> str:
    return SOURCES[d.source]
