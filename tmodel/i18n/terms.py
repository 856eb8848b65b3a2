"""Russian terms shared by every Russian output (the FSTEC document, the register, the record, the CLI and the app): the model's
vocabularies as a Russian security architect names them, in the terms of 152-ФЗ, ГОСТ Р 57580.1
and the FSTEC threat database."""

from __future__ import annotations

KIND = {
    "external_entity": "внешняя сущность",
    "process": "программный компонент",
    "data_store": "хранилище данных",
}

TECHNOLOGY = {
    "wso2_gateway": "шлюз API (WSO2 API Manager)",
    "wso2_key_manager": "сервер ключей WSO2: выдача и проверка токенов OAuth 2.0",
    "wso2_publisher": "портал публикации и администрирования API WSO2",
    "identity_provider": "сервер авторизации OAuth 2.0 / OpenID Connect",
    "backend_service": "прикладной сервис банка",
    "database": "база данных",
    "file_storage": "файловое хранилище",
    "message_queue": "брокер сообщений",
    "log_collector": "система сбора и анализа событий безопасности",
    "hsm": "аппаратный модуль безопасности (HSM)",
    "sandbox": "средство динамического анализа файлов («песочница»)",
    "partner_system": "информационная система партнёра",
    "mobile_app": "мобильное приложение",
    "web_app": "веб-приложение",
    "byod_device": "личное устройство работника (BYOD)",
    "admin_workstation": "АРМ администратора",
    "user": "пользователь",
    "load_balancer": "балансировщик нагрузки (обратный прокси)",
    "other": "иное",
}

ZONE = {
    "internet": "сеть Интернет",
    "partner": "сеть партнёра",
    "dmz": "демилитаризованная зона (ДМЗ)",
    "internal": "внутренняя сеть банка",
    "restricted": "сегмент ограниченного доступа",
    None: "сегмент не указан",
}

CLASSIFICATION = {
    "public": "общедоступная информация",
    "internal": "информация для внутреннего использования",
    "confidential": "конфиденциальная информация",
    "bank_secrecy": "банковская тайна",
    "payment": "платёжная информация",
    "credentials": "аутентификационная информация (пароли, токены, ключи)",
}

PD_CATEGORY = {
    "none": "—",
    "general": "иные ПДн",
    "special": "специальные категории ПДн",
    "biometric": "биометрические ПДн",
    "public": "общедоступные ПДн",
}

VOLUME = {
    "minimal": "единичные записи",
    "low": "менее 100 000 субъектов",
    "high": "100 000 субъектов и более",
}

GOST_LEVEL = {"minimal": "минимальный", "standard": "стандартный", "enhanced": "усиленный"}

PD_LEVEL = {"uz1": "УЗ-1", "uz2": "УЗ-2", "uz3": "УЗ-3", "uz4": "УЗ-4"}

AUTH = {
    "none": "без аутентификации",
    "basic": "HTTP Basic (имя пользователя и пароль)",
    "api_key": "статический ключ API",
    "oauth2": "токен доступа OAuth 2.0",
    "oidc": "OpenID Connect",
    "mtls": "взаимная аутентификация по сертификатам (mTLS)",
    "jwt": "подписанный JWT",
    "ssh_key": "ключ SSH",
    "ciba": "OpenID CIBA (аутентификация по отдельному каналу, ФАПИ.ПАОК)",
}

THREAT_STATUS = {
    "open": "актуальна",
    "expired": "актуальна: срок принятия риска истёк",
    "accepted": "актуальна, риск принят",
    "transferred": "актуальна, риск передан",
    "mitigated": "нейтрализована",
    "false_positive": "неактуальна (ложное срабатывание)",
}

CONTROL_STATUS = {
    "met": "реализована",
    "partial": "реализована частично",
    "gap": "не реализована",
    "needs_answer": "требует подтверждения",
    "not_applicable": "не применима",
}

CONTROL_KIND = {
    "automatic": "проверяется по модели",
    "manual": "проверяется аудитом",
    "declared": "заявлена в модели",
}

# a decision on a threat (the register's dropdown: no commas, the words of THREAT_STATUS)
DECISION = {
    "open": "не рассмотрена",
    "mitigated": "нейтрализована",
    "accepted": "риск принят",
    "transferred": "риск передан",
    "false_positive": "ложное срабатывание",
}

# an answer to an audit question
ANSWER = {"yes": "да", "partial": "частично", "no": "нет", "not_applicable": "неприменимо"}

LEVEL = {"low": "низкий", "medium": "средний", "high": "высокий", "critical": "критический"}

# what an intruder does to an object, by STRIDE letter
IMPACT = {
    "S": "подмена субъекта доступа",
    "T": "несанкционированная модификация",
    "R": "отказ от совершённых действий",
    "I": "нарушение конфиденциальности",
    "D": "нарушение доступности",
    "E": "несанкционированное расширение полномочий",
}


# a requirement's status (the requirement is met, not the measure implemented)
REQUIREMENT_STATUS = {
    "met": "выполнено",
    "partial": "выполнено частично",
    "gap": "не выполнено",
    "needs_answer": "требует подтверждения",
    "not_applicable": "не применимо",
}

# short labels where a column is narrow (the app's tables)
LEVEL_SHORT = {"low": "низкий", "medium": "средний", "high": "высокий", "critical": "критич."}
THREAT_STATUS_SHORT = {
    "open": "актуальна",
    "expired": "срок истёк",
    "accepted": "риск принят",
    "transferred": "риск передан",
    "mitigated": "нейтрализована",
    "false_positive": "ложное срабат.",
}

# framework titles whose catalog names them in English (the others are Russian standards, named as is)
FRAMEWORK = {
    "oauth-fapi1": "OpenID FAPI 1.0 / 2.0, RFC 9700 и RFC 8705 (спецификации, которые воспроизводит ФАПИ.СЕК)",
    "openid-ciba": "OpenID CIBA Core 1.0 и профиль FAPI-CIBA (основа ФАПИ.ПАОК)",
    "wso2-baseline": "Базовые требования безопасности интеграций на WSO2",
}


def yes_no(v: bool) -> str:
    return "да" if v else "нет"
