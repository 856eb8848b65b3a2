"""The analysis engine's own sentences in Russian, next to the English the engine writes.

The engine (``tmodel.analysis.engine``, ``config_facts``, ``catalog.matcher``, the WSO2 config
reader) writes English into the analysis, which the JSON export and SARIF carry as is. Russian
outputs (the register, the record, ``tmodel analyze --lang ru``, the app) show them through
``to_russian``: each ``SENTENCES`` entry is an English template and its Russian; ``FRAGMENTS``
translate the engine's words inside a "why it fired" line (the source of a fact); ``FIELDS`` name
the model's fields for the unknowns ("Not stated: ..."). A sentence no template matches is shown
with the visible ``[en] `` mark, like a catalog record without its ``ru:`` block, and
``tests/export/test_record_ru.py`` fails when a Russian register of the example models meets one.
"""

from __future__ import annotations

import re
from functools import lru_cache

FALLBACK = "[en] "

# (English template, Russian template): {name} is any text, carried over as written
SENTENCES: tuple[tuple[str, str], ...] = (
    # control notes (engine._control_status)
    ("not stated in the model on {n} target(s): {ids}", "в модели не указано для объектов ({n}): {ids}"),
    ("checked on {n} target(s) of the model; failing on {k}: {ids}",
     "проверено на объектах модели ({n}); не выполняется на {k}: {ids}"),
    ("checked on {n} target(s) of the model; failing on {k}", "проверено на объектах модели ({n}); не выполняется на {k}"),
    ("declared not applicable in the model", "в модели заявлена как неприменимая"),
    ("declared implemented in the model, but the model's facts show it is not",
     "в модели заявлена как реализованная, но факты модели этого не подтверждают"),
    ("the audit answer is '{answer}'", "ответ на вопрос аудита: «{answer}»"),
    ("the model passes the automatic check; the audit question still needs an answer",
     "автоматическая проверка по модели пройдена, но на вопрос аудита нужен ответ"),
    ("does not apply to this model", "к этой модели не относится"),
    # decision issues (engine, step 4)
    ("decision for {threat} is stale: its rule is not in the loaded catalogs",
     "решение по {threat} устарело: его правила нет в загруженных каталогах"),
    ("decision for {threat} is stale: the rule no longer fires there (fixed, renamed or removed)",
     "решение по {threat} устарело: правило там больше не срабатывает (устранено, переименовано или удалено)"),
    ("acceptance of {threat} expired on {date}", "срок принятия риска {threat} истёк {date}"),
    ("acceptance of {threat} expires on {date}", "срок принятия риска {threat} истекает {date}"),
    # a group of flows between two elements (findings and unknowns)
    ("{n} flows: {src} → {dst}", "потоки ({n}): {src} → {dst}"),
    # why a framework does not apply (engine, step 5)
    ("no requirement of it applies to what the model describes",
     "ни одно его требование не относится к тому, что описывает модель"),
    ("its applicability condition does not hold", "условие его применимости не выполняется"),
)

# the words of the engine inside a "why it fired" line, e.g.
# 'element.config.cors.allow_origins = [*] (contains *) [from gw.toml: [apim.cors] allow_origins unset: product default "*"]'
FRAGMENTS: tuple[tuple[str, str], ...] = (
    (r" unset: product default ", " не задан, действует значение по умолчанию "),
    (r": model (?P<claim>.+?), configuration (?P<actual>.+?) \(", r": в модели \g<claim>, в конфигурации \g<actual> ("),
    (r"(?P<field>[\w.]+) of (?P<ids>[\w.:@>\-]+(?:, [\w.:@>\-]+)*): в модели", r"\g<field> у \g<ids>: в модели"),
    (r"; the model says ", "; в модели указано "),
    (r"\[from ", "[источник: "),
)

# the model's fields as the unknowns name them ("Not stated: <description> (<field>)"), by field path
FIELDS: dict[str, str] = {
    "admin_mfa": "Привилегированный доступ требует многофакторной аутентификации",
    "anti_automation": "Бизнес-процесс защищён от автоматизированных злоупотреблений: лимиты операций на клиента, "
                       "признаки ботов и устройств, антифрод-мониторинг (OWASP API6)",
    "authentication.ciba": "Параметры запроса аутентификации по отдельному каналу (ФАПИ.ПАОК)",
    "authentication.client_auth": "Аутентификация клиента OAuth на конечной точке выдачи токенов",
    "authentication.grant": "Способ получения токенов OAuth (grant), используемых на этом потоке",
    "authentication.method": "Способ аутентификации вызывающей стороны",
    "authentication.par": "Передача запросов на авторизацию через PAR (RFC 9126)",
    "authentication.pkce": "PKCE в потоке с кодом авторизации",
    "authentication.redirect_uri_exact_match": "URI перенаправления зарегистрированы заранее и сравниваются точно",
    "authentication.sender_constrained": "Привязка токенов доступа к клиенту",
    "authentication.signed_request_object": "Подписанные объекты запроса на авторизацию (JAR)",
    "authentication.token_in_query": "Токены доступа передаются в строке запроса URL (ФАПИ запрещает)",
    "authorization.function_level": "Проверка полномочий на административные функции по ролям",
    "authorization.ip_allowlist": "Доступ ограничен белым списком IP-адресов / AS",
    "authorization.object_level": "При каждом обращении к объекту проверяется, что он принадлежит вызывающей стороне (BOLA)",
    "authorization.property_level": "Ответы содержат только те свойства объекта, которые вызывающей стороне разрешено видеть",
    "authorization.roles": "Проверяемые роли",
    "authorization.scopes": "Области доступа OAuth (scopes), необходимые вызывающей стороне",
    "byod_access": "Доступ с личных устройств работников (BYOD)",
    "client_supplied_urls": "Вызывающая сторона передаёт URL (адреса обратного вызова, ссылки на документы или "
                            "изображения), по которым получатель затем обращается",
    "csrf_protection": "Защита от CSRF (потоки из браузера)",
    "data": "Передаваемые информационные активы",
    "default_credentials": "Сохранены учётные данные по умолчанию (например, admin/admin)",
    "encrypted_at_rest": "Данные при хранении зашифрованы (хранилища, файловые хранилища, очереди)",
    "file_transfer.direction": "Направление передачи файлов на этом потоке",
    "file_transfer.encrypted": "Файлы зашифрованы на всём пути передачи",
    "file_transfer.sandboxed": "Файлы перед использованием проверяются в средстве динамического анализа («песочнице»)",
    "holds_logs": "Хранилище содержит журналы событий или аудита (STRIDE: объект угрозы отказа от действий)",
    "identifiers": "Вид идентификаторов объектов, видимых вызывающей стороне",
    "injection_protection": "Входные данные проверяются и экранируются от внедрения (SQL, XPath, заголовки)",
    "integrity_control": "Контроль целостности программного обеспечения и источников обновлений",
    "inventoried": "API и его версия, вызываемые на этом потоке, учтены в реестре API (владелец, среда, потребители, "
                   "дата вывода из эксплуатации), устаревшие версии выведены из эксплуатации (OWASP API9)",
    "kind": "Тип элемента DFD: внешняя сущность, программный компонент или хранилище данных",
    "least_privilege": "Учётные записи имеют только необходимые права; права периодически пересматриваются",
    "log_integrity": "Хранилище журналов: события записываются однократно (WORM / object lock) или защищены от "
                     "изменения (цепочка хешей, подписи), так что администраторы не могут незаметно их изменить или удалить",
    "flow.logging": "Где регистрируются вызовы на этом потоке",
    "element.logging": "Куда передаются события безопасности этого элемента",
    "logging": "Регистрация событий безопасности",
    "message_signing": "Запросы и ответы подписаны (JWS / отсоединённая подпись)",
    "outbound_validation": "Данные, полученные от стороннего API, проверяются перед использованием",
    "plaintext_listener": "Включён приём соединений по HTTP без шифрования (WSO2: [transport.passthru_http.listener] "
                          "порт 8280, [transport.http] порт 9763 или API с транспортом http)",
    "privileged_access": "Доступ администраторов или привилегированных пользователей",
    "protocol": "Прикладной протокол",
    "public_clients": "Сервер авторизации: принимает публичных клиентов OAuth (без аутентификации клиента)",
    "rate_limit": "Ограничение частоты запросов для каждого клиента",
    "replay_protection": "Защита от повторного воспроизведения (nonce, jti, метка времени, ключ идемпотентности)",
    "ropc_grant": "Сервер авторизации: разрешён grant по паролю владельца ресурса (ROPC)",
    "schema_validation": "Запросы и ответы проверяются по схеме JSON / OpenAPI",
    "segregation_of_duties": "Разделение полномочий для привилегированных ролей",
    "stores_tokens": "Хранит токены доступа или обновления",
    "technology": "Что это за компонент (из фиксированного перечня)",
    "tls.client_cert_verified": "При взаимной аутентификации TLS сервер проверяет цепочку и отзыв сертификата клиента",
    "tls.forward_secrecy": "Только наборы шифров (EC)DHE: совершенная прямая секретность",
    "tls.min_version": "Минимальная принимаемая версия TLS на этом канале",
    "tls.mutual": "Взаимная аутентификация TLS: клиент предъявляет сертификат",
    "token_lifetime_minutes": "Срок действия выдаваемых токенов доступа (сервер авторизации / менеджер ключей)",
    "tokens_hashed": "Хранимые токены и секреты хешированы или зашифрованы",
    "url_allowlist": "URL, переданные вызывающей стороной, запрашиваются только при совпадении схемы, хоста и порта с "
                     "белым списком, без перехода по перенаправлениям и через исходящий канал без доступа к внутренним адресам",
    "vulnerability_scanning": "Регулярное сканирование уязвимостей и установка обновлений",
    # fields added with the catalog depth of issue 13
    "request_object_max_lifetime_minutes": "Сервер авторизации: наибольший принимаемый срок действия объекта запроса "
                                           "(exp - nbf, в минутах)",
    "jws_algorithms": "Сервер авторизации: принимаемые и используемые алгоритмы подписи JWS (ФАПИ: PS256 или ES256)",
    "redirects_only_registered": "Сервер авторизации перенаправляет браузер только на зарегистрированные URI "
                                 "опознанного клиента",
    "frame_protection": "Страницы входа и согласия запрещают встраивание во фреймы других сайтов (защита от кликджекинга)",
    "redirect_307_after_post": "Сервер авторизации после отправки формы входа или согласия перенаправляет с кодом HTTP 307",
    "product_version": "Продукт и версия, работающие в промышленной среде",
    "supported": "Производитель (или договор поддержки) ещё выпускает исправления безопасности для этой версии",
    "patched": "Опубликованные обновления безопасности установлены в сроки процесса управления уязвимостями",
    "platform": "Платформа виртуализации или контейнеризации, на которой работает компонент",
    "xss_protection": "Веб-страницы компонента кодируют вывод и передают Content-Security-Policy (защита от XSS)",
    "authentication.ciba.mode": "Режим доставки токенов CIBA (poll, ping, push)",
    "authentication.ciba.binding_message": "Связывающее сообщение (binding_message) показывается на обоих устройствах",
    "authentication.ciba.signed_request": "Запрос аутентификации по отдельному каналу подписан (JWT)",
    "authentication.ciba.hint": "Какая подсказка (hint) определяет пользователя",
    "authentication.ciba.user_code": "Пользователь вводит user_code, известный только ему",
    "authentication.ciba.auth_req_id_bits": "Энтропия auth_req_id, в битах",
    "authentication.ciba.auth_req_id_expiry_seconds": "Срок действия auth_req_id, в секундах",
    "authentication.ciba.auth_req_id_single_use": "auth_req_id используется однократно",
    "authentication.ciba.notification_token_bits": "Энтропия client_notification_token в режиме ping, в битах",
    "authentication.api_key_in": "Где передаётся API-ключ (заголовок, строка запроса, cookie)",
    "authentication.step_up": "Для платёжных изменений, возвратов и смены получателя требуется повторная (усиленная) "
                              "аутентификация клиента",
    "authentication.response_protection": "Защита ответа на запрос авторизации (JARM или гибридный поток)",
    "authentication.iss_in_response": "Ответ на запрос авторизации содержит параметр iss (RFC 9207)",
    "authentication.refresh_tokens": "Как защищены токены обновления (не выдаются, привязаны к клиенту, ротируются)",
    "authorization.write_property_level": "Записываются только свойства, которые вызывающей стороне разрешено изменять "
                                          "(защита от массового присваивания)",
    "idempotency_key": "Запросы на создание платежа несут ключ идемпотентности, повторы отбрасываются",
    "identity_propagation": "Как личность вызывающей стороны передаётся бэкенду (подписанный JWT, токен доступа, "
                            "заголовок)",
    "file_transfer.caller_names_files": "Имя или путь файла задаёт вызывающая сторона",
    "file_transfer.names_confined": "Имена файлов от вызывающей стороны не используются как пути в файловой системе",
    "data_used": "Атрибуты персональных данных, которые получатель действительно использует",
    "log_content": "Что записывается в журналы этого потока (метаданные, заголовки, сообщения целиком)",
    "leak_prevention": "Исходящая информация проходит средство предотвращения утечек (DLP)",
    "payload_format": "Формат тела запросов, которые разбирает получатель",
    "xml_hardened": "XML разбирается с отключёнными DTD и внешними сущностями",
}

NOT_STATED = "Not stated: "


@lru_cache(maxsize=None)
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    out = []
    for en, ru in SENTENCES:
        parts = re.split(r"\{(\w+)\}", en)
        rx = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        out.append((re.compile(rx + r"\Z", re.S), ru))
    return tuple(out)


def sentence(text: str) -> str | None:
    """The Russian of one engine sentence, or None when no template matches."""
    for rx, ru in _compiled():
        m = rx.match(text)
        if m:
            return ru.format(**{k: sentence(v) or v for k, v in m.groupdict().items()})
    return None


def field_name(fact: str) -> str | None:
    """The Russian name of a fact's model field ('flow.tls.mutual', 'tls.mutual'), or None."""
    rel = fact.split(".", 1)[1] if fact.split(".", 1)[0] in ("flow", "element") else fact
    root = fact.split(".", 1)[0]
    for side in ("source.", "target."):
        if rel.startswith(side):
            rel, root = rel[len(side):], "element"
    return FIELDS.get(f"{root}.{rel}") or FIELDS.get(rel)


def unknown_text(fact: str, english: str) -> str:
    """An unknown's question ("Not stated: <description> (<field>)") in Russian, without the lead."""
    rel = english.rsplit(" (", 1)[-1].rstrip(")") if english.endswith(")") else ""
    name = field_name(fact)
    if name is None:
        return FALLBACK + english.removeprefix(NOT_STATED)
    return f"{name} ({rel})" if rel else name


def why(text: str) -> str:
    """A "why it fired" line: the fact and its value stay as written, the engine's words around the
    source of the fact in Russian."""
    for rx, repl in FRAGMENTS:
        text = re.sub(rx, repl, text)
    return text


def to_russian(text: str) -> str:
    """An engine sentence in Russian; several sentences joined by '; ' or new lines each; one no
    template matches, with the visible fallback mark."""
    if not text:
        return text
    if "\n" in text:
        return "\n".join(to_russian(x) for x in text.split("\n"))
    whole = sentence(text)
    if whole is not None:
        return whole
    return FALLBACK + text
