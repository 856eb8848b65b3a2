"""The risk register in Russian (``tmodel export --lang ru``): every word of the register's own
interface, in one place, keyed by the English it replaces.

- ``SHEETS``: sheet names; ``HEADERS``: table headers per sheet (keyed by the English header, so
  the importer accepts either language); ``TEXT``: labels, section titles, legends, prompts.
- Value labels (levels, statuses, decisions, answers, classifications) are the FSTEC document's
  words (``tmodel.i18n.terms``), so both documents name things alike; ``code_of`` maps a label typed
  into the register back to its code.
- Catalog texts come from each record's ``ru:`` block (``Words.catalog_text``); model data and
  identifiers stay as written.

``Words("en")`` returns the English unchanged: the English register does not depend on this module.
"""

from __future__ import annotations

from tmodel import i18n
from tmodel.i18n import LANGS, code_of, normal  # noqa: F401 - the register's importer reads them here
from tmodel.i18n import terms

SHEETS = {
    "Summary": "Сводка",
    "Risks": "Риски",
    "Audit": "Аудит",
    "Unknowns": "Неизвестные факты",
    "Controls": "Меры защиты",
    "Compliance": "Соответствие",
    "Assets": "Активы",
    "Method": "Методика",
}

HEADERS: dict[str, dict[str, str]] = {
    "Risks": {
        "Threat id": "Идентификатор угрозы",
        "Threat": "Угроза",
        "Status": "Решение",
        "Owner": "Владелец риска",
        "Approver (decided by)": "Утвердил (кто принял решение)",
        "Decision date": "Дата решения",
        "Expiry / due date": "Срок действия / срок исполнения",
        "Ticket": "Заявка",
        "Mitigating control": "Мера нейтрализации",
        "Justification / treatment plan": "Обоснование / план обработки",
        "Residual level": "Остаточный уровень",
        "Effective status": "Итоговый статус",
        "Affects": "Объект воздействия",
        "Inherent level": "Исходный уровень",
        "Likelihood × impact": "Вероятность × тяжесть",
        "STRIDE": "STRIDE",
        "CWE / CAPEC": "CWE / CAPEC",
        "FSTEC threats (УБИ)": "Угрозы БДУ ФСТЭК (УБИ)",
        "Requirements": "Требования",
        "Description": "Описание",
        "Mitigation": "Меры нейтрализации",
        "Controls (status)": "Меры защиты (состояние)",
        "Why it fired (evidence)": "Основание (факты модели)",
    },
    "Audit": {
        "Question id": "Идентификатор вопроса",
        "Control": "Мера защиты",
        "Answer": "Ответ",
        "Evidence": "Подтверждение",
        "Answered by": "Кто ответил",
        "Answered on": "Дата ответа",
        "Control status": "Состояние меры",
        "Answer required": "Ответ обязателен",
        "Audit question": "Вопрос аудита",
        "Expected evidence": "Ожидаемое подтверждение",
    },
    "Summary": {
        "Level": "Уровень",
        "Threats (inherent)": "Угрозы (исходный уровень)",
        "Unresolved (residual)": "Не обработаны (остаточный)",
        "Status": "Статус",
        "Threats": "Угрозы",
        "Meaning": "Значение",
        "Framework": "Стандарт",
        "Title": "Название",
        "Coverage, %": "Покрытие, %",
        "Met": "Реализовано",
        "Partial": "Частично",
        "Gap": "Не реализовано",
        "Needs answer": "Нужен ответ",
        "Not applicable": "Не применимо",
        "Kind": "Вид",
        "Threat id": "Идентификатор угрозы",
        "Message": "Сообщение",
    },
    "Unknowns": {
        "Unknown": "Неизвестный факт",
        "Not stated (state it in the model)": "Не указано (укажите в модели)",
        "Where": "Где",
        "Status": "Статус",
        "Rules that depend on it": "Зависящие правила",
        "Requirements": "Требования",
    },
    "Controls": {
        "Control": "Мера защиты",
        "Title": "Название",
        "Catalog": "Каталог",
        "Kind": "Способ проверки",
        "Status": "Состояние",
        "Evidence": "Подтверждение",
        "Satisfies": "Выполняет требования",
        "Mitigates (threats)": "Нейтрализует (угрозы)",
        "Notes": "Примечания",
    },
    "Compliance": {
        "Framework": "Стандарт",
        "Requirement": "Требование",
        "Clause": "Пункт",
        "Title": "Название",
        "Confidence": "Достоверность",
        "Status": "Статус",
        "Controls (status)": "Меры защиты (состояние)",
        "Evidence": "Подтверждение",
    },
    "Assets": {
        "Asset": "Актив",
        "Title": "Название",
        "Classification": "Категория информации",
        "Personal data": "Персональные данные",
        "Volume": "Объём",
        "Masked": "Маскирование",
        "Cross-border countries": "Страны трансграничной передачи",
        "Regulator notified": "Роскомнадзор уведомлён",
        "Flows that carry it": "Потоки, которые его передают",
        "Elements it reaches": "Элементы, куда он попадает",
    },
    "Method": {
        "Level": "Уровень",
        "Status": "Статус",
        "Meaning": "Значение",
        "Confidence": "Достоверность",
        "Category": "Категория",
    },
}

TEXT = {
    # print headers and footers, workbook properties
    "Risk register": "Реестр рисков",
    "exported": "выгружен",
    "Page &P of &N": "Стр. &P из &N",
    "Risk register: {title}": "Реестр рисков: {title}",
    "Threat model risk register": "Реестр рисков модели угроз",
    # Summary
    "Model": "Модель",
    "Title": "Название",
    "Owner": "Владелец модели",
    "Classification": "Гриф",
    "not marked": "без грифа",
    "Date of analysis (export)": "Дата анализа (выгрузки)",
    "GOST R 57580.1 level": "Уровень защиты по ГОСТ Р 57580.1",
    "152-FZ protection level": "Уровень защищённости ПДн",
    "not set": "не указан",
    "Last review": "Последний пересмотр",
    "not recorded": "не проводился",
    "Model file": "Файл модели",
    "Generated by": "Сформирован",
    "Threats by level": "Угрозы по уровням",
    "total": "всего",
    "Threats by status": "Угрозы по статусам",
    "Heat map: unresolved threats by likelihood and impact (inherent), coloured by the risk matrix":
        "Тепловая карта: необработанные угрозы по вероятности и тяжести последствий (исходные), цвет по матрице рисков",
    "Compliance per framework": "Соответствие по стандартам",
    "Coverage = (met + half of partial) / applicable requirements.":
        "Покрытие = (реализованные + половина частично реализованных) / применимые требования.",
    "{framework}: not applicable: {reason}": "{framework}: не применим: {reason}",
    "Unknowns to confirm (facts the model leaves unstated, status needs_answer): {count}; see the Unknowns sheet. "
    "Each is answered by stating the fact in the model: a weak value makes its rules fire, a strong one closes "
    "the question.":
        "Неизвестные факты для подтверждения (в модели не указаны, статус «требует подтверждения»): {count}; "
        "см. лист «Неизвестные факты». Ответ на каждый — указать факт в модели: слабое значение приводит к "
        "срабатыванию правил, надёжное закрывает вопрос.",
    "Decisions needing attention": "Решения, требующие внимания",
    "none": "нет",
    "Likelihood \\ Impact": "Вероятность \\ тяжесть",
    # Unknowns
    # Method
    "Risk method": "Методика оценки риска",
    "Risk matrix: level by likelihood (rows) and impact (columns)":
        "Матрица рисков: уровень по вероятности (строки) и тяжести последствий (столбцы)",
    "Levels": "Уровни риска",
    "Decision statuses (the Status column of Risks)": "Решения по угрозам (столбец «Решение» листа «Риски»)",
    "Effective statuses (the Effective status column and the Summary)":
        "Итоговые статусы угроз (столбец «Итоговый статус» и лист «Сводка»)",
    "Control and requirement statuses": "Состояние мер защиты и требований",
    "Confidence of a requirement's clause reference": "Достоверность ссылки на пункт требования",
    "STRIDE": "STRIDE: последствия реализации угрозы",
    "Editing this register": "Как редактировать реестр",
    # data validation
    "Too long": "Слишком длинно",
    "At most {limit} characters": "Не более {limit} символов",
    "Not a date": "Не дата",
    "Enter a date (YYYY-MM-DD)": "Введите дату (ГГГГ-ММ-ДД)",
    "Not a status": "Нет такого решения",
    "Choose one of: {values}": "Выберите одно из значений: {values}",
    "Decision": "Решение",
    "open, mitigated (name the control or the evidence), accepted (owner, expiry and justification), transferred, "
    "false_positive":
        "не рассмотрена; нейтрализована (укажите меру или подтверждение); риск принят (владелец, срок и "
        "обоснование); риск передан; ложное срабатывание",
    "Risk owner": "Владелец риска",
    "Who owns the risk (person or team); required for accepted risks":
        "Кто владеет риском (работник или подразделение); обязательно для принятого риска",
    "Approver": "Утвердил",
    "Who took the decision (risk committee, CISO); required to accept a critical risk":
        "Кто принял решение (комитет по рискам, руководитель ИБ); обязательно для принятия критического риска",
    "Decision date": "Дата решения",
    "When the decision was taken (default: the day of the import)":
        "Когда принято решение (по умолчанию: день импорта)",
    "Expiry / due date": "Срок действия",
    "When the acceptance expires; required for accepted risks": "До какой даты риск принят; обязательно для принятого риска",
    "Ticket": "Заявка",
    "The ticket that tracks the decision or the treatment plan": "Заявка, по которой отслеживается решение или план обработки",
    "Mitigating control": "Мера нейтрализации",
    "The control id that mitigates it (for mitigated)": "Идентификатор меры, которая нейтрализует угрозу (для «нейтрализована»)",
    "Justification / treatment plan": "Обоснование",
    "Why, and what will be done by when": "Почему, и что будет сделано к какому сроку",
    "Not an answer": "Нет такого ответа",
    "Answer": "Ответ",
    "yes, partial, no, not_applicable (say why in Evidence)":
        "да, частично, нет, неприменимо (причину укажите в столбце «Подтверждение»)",
}

# the meaning of each value, as the Method and Summary legends show it
LEVEL_MEANING = {
    "low": "Низкий: принять или устранить в рамках обычного сопровождения",
    "medium": "Средний: устранить или принять с указанием владельца и срока",
    "high": "Высокий: устранить до ввода в эксплуатацию или принять на уровне руководства",
    "critical": "Критический: ввод в эксплуатацию невозможен",
}
DECISION_MEANING = {
    "open": "Ещё не рассмотрена",
    "mitigated": "Нейтрализована мерой защиты (укажите её)",
    "accepted": "Риск принят владельцем до указанного срока",
    "transferred": "Риск передан (страхование, договор, партнёр)",
    "false_positive": "Угроза неприменима (укажите почему)",
}
THREAT_STATUS_MEANING = {
    **DECISION_MEANING,
    "expired": "Риск был принят, но срок принятия истёк до даты анализа: угроза считается актуальной",
}
COMPLIANCE_MEANING = {
    "met": "Все применимые меры реализованы",
    "partial": "Реализована часть мер, или меры действуют только на части области",
    "gap": "Ни одна мера не реализована",
    "needs_answer": "По модели определить нельзя: на вопрос аудита нужен ответ с подтверждением, или проверяемый "
                    "факт в модели не указан",
    "not_applicable": "Не относится к этой интеграции",
}
CONFIDENCE = {"high": "высокая", "medium": "средняя", "document": "документ в целом"}
CONFIDENCE_MEANING = {
    "high": "Сверено с текстом нормативного документа или его дословным воспроизведением",
    "medium": "Известно только по вторичным источникам; сверьте с официальным текстом",
    "document": "Номер пункта не подтверждён: ссылка на документ в целом",
}
ISSUE_KIND = {"stale": "устарело", "expired": "срок истёк", "expiring": "срок истекает"}
ISSUE_MESSAGE = {
    "expired": "срок принятия риска {threat} истёк {date}",
    "expiring": "срок принятия риска {threat} истекает {date}",
}
TARGET_KIND = {"flow": "поток", "flows": "потоки", "element": "элемент"}
LIKELIHOOD_NAMES = {1: "редко", 2: "маловероятно", 3: "возможно", 4: "вероятно", 5: "почти наверняка"}
IMPACT_NAMES = {1: "незначительная", 2: "малая", 3: "умеренная", 4: "значительная", 5: "тяжёлая"}

# tmodel.analysis.risk's method, item by item (tests check the count matches the English)
METHOD_ITEMS = (
    "Вероятность и тяжесть последствий (1..5) берутся из правила: насколько легка атака для нарушителя, которому "
    "доступен объект, и насколько тяжелы последствия для данных обычной чувствительности.",
    "Вероятность по тому, кому доступен объект (положение нарушителя): +1 из сети Интернет без аутентификации; 0 из "
    "сети Интернет аутентифицированным клиентом или из сети партнёра без аутентификации; -1 только для "
    "аутентифицированного партнёра по выделенному каналу, каналу со взаимной аутентификацией TLS или с белым списком "
    "адресов; -1 только из внутренней сети банка. Участок внутри банка доступен тому, кому доступен элемент, из "
    "которого он выходит.",
    "Тяжесть последствий по тому, что объект хранит или передаёт: +1 для платёжной информации, специальных категорий и "
    "биометрических ПДн; 0 для банковской тайны, конфиденциальной информации, секретов и иных ПДн, а также когда "
    "данные в модели не указаны; -1 когда передаются только информация для внутреннего использования или "
    "общедоступная информация.",
    "Обе оценки ограничены диапазоном 1..5. Оценка риска = вероятность × тяжесть. Уровень по матрице.",
    "Остаточная вероятность: -2 когда нейтрализующая мера реализована на объекте или на участке перед ним (или по "
    "угрозе принято решение «нейтрализована» мерой, реализованной там), -1 когда мера реализована частично (или "
    "решение не называет меру, или называет меру, которую анализ проверить не может); не ниже 1. Тяжесть не "
    "меняется: меры делают угрозу менее вероятной, но не менее тяжёлой. Остаточный уровень по той же матрице.",
    "Факт, не указанный в модели, неизвестен: правило, срабатывающее только из-за неизвестных фактов, даёт вопрос, "
    "на который нужно ответить, а не угрозу.",
)

EDITING_NOTES = (
    "Редактируются только синие столбцы: на листе «Риски» Решение, Владелец риска, Утвердил, Дата решения, "
    "Срок действия / срок исполнения, Заявка, Мера нейтрализации и Обоснование / план обработки; на листе «Аудит» "
    "Ответ, Подтверждение, Кто ответил и Дата ответа.",
    "Для принятого риска нужны владелец, срок действия и обоснование (для критического риска также утвердивший); "
    "срок действия не более max_acceptance_days проекта после даты решения (tmodel.toml, по умолчанию 365 дней).",
    "Для решения «нейтрализована» нужна мера нейтрализации или подтверждение в обосновании; для «риск передан» и "
    "«ложное срабатывание» нужно обоснование.",
    "Изменения переносятся в модель командой: tmodel import register <этот файл> <model.yaml> (с --dry-run для "
    "предварительного просмотра).",
    "Строки, удалённые здесь, оставляют решение в модели как было; добавленные здесь строки отклоняются "
    "(идентификаторы угроз даёт анализ). После изменения модели выгрузите реестр заново.",
    "Листы защищены БЕЗ пароля, только от случайных изменений: Рецензирование > Снять защиту листа.",
    "Это не разграничение доступа: подписанный протокол и история модели в git остаются основным источником.",
    "Скрытый лист _tmodel хранит значения на момент выгрузки, поэтому импорт переносит только то, что изменено здесь.",
)


# other Russian words accepted on import: the effective statuses of the FSTEC document, and spellings
DECISION_ALIASES = {label: code for code, label in terms.THREAT_STATUS.items() if code in terms.DECISION}
ANSWER_ALIASES = {"не применимо": "not_applicable", "н/п": "not_applicable", "н/д": "not_applicable"}


def decision_code(text: str) -> str | None:
    return code_of(terms.DECISION, text, DECISION_ALIASES)


def answer_code(text: str) -> str | None:
    return code_of(terms.ANSWER, text, ANSWER_ALIASES)


class Words(i18n.Words):
    """The register's words in one language: ``w("Title")`` is the label, ``w.header(sheet, h)``
    a table header, ``w.value(table, code)`` a value label; in English each returns its argument."""

    TEXT = TEXT

    def sheet(self, english: str) -> str:
        return SHEETS[english] if self.ru else english

    def header(self, sheet: str, english: str) -> str:
        return HEADERS[sheet][english] if self.ru else english

    def headers(self, sheet: str, english: list[str]) -> list[str]:
        return [self.header(sheet, h) for h in english]
