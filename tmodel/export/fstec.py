"""The threat model document by the FSTEC methodology (Методика оценки угроз безопасности
информации, утв. ФСТЭК России 5 февраля 2021 г.), in Russian: ``tmodel export --format fstec``.

Filled from the model and its analysis: the object of protection and its components (elements,
boundaries), the information processed and its categories (data assets, the ИСПДн protection level
where the model states it), the negative consequences (for the subjects of personal data, the bank,
the state) from the data classification, the intruders with their category and potential (from the
zones and external entities), the objects of influence and their interfaces (flows), the actual
threats with their УБИ ids, the scenarios (the attack paths of ``tmodel.analysis.paths``) and the
measures (controls with their status).

The document is built once as blocks (headings, paragraphs, lists, tables) and written as
Markdown here and as DOCX by ``fstec_docx``. Clause and appendix numbers of the methodology are
cited only where ../shared/reference confirms them (the tactics and techniques of its appendix 11);
elsewhere the section is named. Model data (titles the user wrote, ids) is shown as written.
Deterministic: same model, date and catalogs, same text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tmodel import __version__
from tmodel.analysis.paths import BYOD, CATEGORIES, EXTERNAL, INTERNAL, PARTNER, PRIVILEGED, AttackPath, entry_category
from tmodel.analysis.result import UNRESOLVED, Analysis
from tmodel.catalog import bdu
from tmodel.i18n import terms as ru
from tmodel.export.safe import md, md_cell
from tmodel.graph import compute_facts
from tmodel.model.enums import LEVEL_ORDER, Level
from tmodel.model.types import Model

METHODOLOGY = "Методика оценки угроз безопасности информации (утверждена ФСТЭК России 5 февраля 2021 г.)"
BDU = "Банк данных угроз безопасности информации ФСТЭК России (bdu.fstec.ru)"


# --- blocks ------------------------------------------------------------------------------------------

@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Para:
    text: str
    note: bool = False  # a remark in smaller, italic type
    center: bool = False  # the document's subtitle


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] = field(default_factory=list)  # relative column widths (DOCX)


Block = Heading | Para | Bullets | Table


# --- reading the analysis (small functions: the result's shape may change) ---------------------------

def threat_title(t: Any) -> str:
    """The threat's title in Russian where the catalog gives one, else as the catalog gives it."""
    return getattr(t, "title_ru", None) or t.title


def control_title(c: Any) -> str:
    return getattr(c, "title_ru", None) or c.title


def threat_targets(t: Any) -> list[str]:
    from tmodel.analysis.paths import _targets_of

    return _targets_of(t)


# --- the intruders ---------------------------------------------------------------------------------

INTRUDER = {
    EXTERNAL: ("Внешний нарушитель",
               "Лица и преступные группы, действующие из сети Интернет без легального доступа к интеграции",
               "средний: преступные группы, нацеленные на финансовые организации, применяют общедоступные и "
               "доработанные средства атак"),
    PARTNER: ("Внешний нарушитель",
              "Партнёр или сторонний поставщик, имеющий легальный доступ к API банка, а также лица, "
              "получившие контроль над его системой или учётными данными",
              "средний: легальный доступ к API и знание протоколов взаимодействия"),
    BYOD: ("Внутренний нарушитель",
           "Работник банка, работающий с личного устройства, и вредоносное программное обеспечение на этом устройстве",
           "низкий: доступ ограничен правами работника; вредоносное ПО на неконтролируемом устройстве действует в его сессии"),
    INTERNAL: ("Внутренний нарушитель",
               "Работник банка или подрядчика с доступом к сети банка без привилегий администратора",
               "низкий: доступ к сети банка без административных полномочий"),
    PRIVILEGED: ("Внутренний нарушитель",
                 "Администратор (привилегированный пользователь) компонентов интеграции",
                 "средний: административные полномочия и знание устройства системы"),
}


# how a scenario names its intruder
WHO = {
    EXTERNAL: "внешний нарушитель, действующий из сети Интернет",
    PARTNER: "партнёр (сторонняя организация с доступом к API банка) или лицо, получившее контроль над его системой",
    BYOD: "работник банка, действующий с личного устройства, или вредоносное ПО на этом устройстве",
    INTERNAL: "работник банка в сети банка без привилегий администратора",
    PRIVILEGED: "администратор компонентов интеграции",
}
SHORT = {EXTERNAL: "внешний (Интернет)", PARTNER: "партнёр", BYOD: "работник (BYOD)", INTERNAL: "работник (сеть банка)",
         PRIVILEGED: "администратор"}


# --- the document ----------------------------------------------------------------------------------

def fstec_blocks(a: Analysis, model: Model, paths: list[AttackPath] | None) -> list[Block]:
    m = model.metadata
    facts = compute_facts(model)
    el = {e.id: e for e in model.elements}
    assets = {d.id: d for d in model.data_assets}
    zone_of = {eid: facts.elements[eid]["zone"] for eid in facts.elements}
    out: list[Block] = [Heading(0, "Модель угроз безопасности информации"), Para(m.title, center=True)]

    out.append(Table(["Реквизит", "Значение"], [
        ["Объект защиты", m.title],
        ["Идентификатор модели", a.model_id],
        ["Ответственный", a.owner],
        ["Дата оценки", a.as_of.strftime("%d.%m.%Y")],
        ["Уровень защиты информации по ГОСТ Р 57580.1-2017", ru.GOST_LEVEL[m.gost_level.value]],
        ["Уровень защищённости ПДн (ПП РФ № 1119)", ru.PD_LEVEL[m.pd_level.value] if m.pd_level else "в модели не указан"],
        ["Подготовлено", f"tmodel {__version__} по модели {a.path or a.model_id}"],
    ], [2, 3]))

    # 1. general
    out += [Heading(1, "1. Общие положения"),
            Para(f"Настоящий документ определяет актуальные угрозы безопасности информации для интеграции «{m.title}» "
                 f"и сценарии их реализации. Оценка выполнена в соответствии с документом «{METHODOLOGY}»; "
                 f"в качестве перечня угроз использован {BDU}."),
            Para("Документ сформирован по архитектурной модели интеграции: состав компонентов, сегменты сети, "
                 "информационные потоки, обрабатываемые данные и реализованные меры защиты взяты из модели, угрозы "
                 "определены правилами каталогов tmodel. Сведения, которые модель не содержит, подлежат проверке и "
                 "уточнению ответственным за модель угроз."),
            Para("Нормативные правовые акты и документы, применённые при оценке:"),
            Bullets([
                "Федеральный закон от 27.07.2006 № 152-ФЗ «О персональных данных»;",
                "постановление Правительства Российской Федерации от 01.11.2012 № 1119 «Об утверждении требований к "
                "защите персональных данных при их обработке в информационных системах персональных данных»;",
                "ГОСТ Р 57580.1-2017 «Безопасность финансовых (банковских) операций. Защита информации финансовых "
                "организаций. Базовый состав организационных и технических мер»;",
                "СТО БР ФАПИ.СЕК-1.6-2024 и СТО БР ФАПИ.ПАОК-1.0-2024 (для интеграций по открытым программным "
                "интерфейсам);",
                f"{METHODOLOGY};",
                f"{BDU}.",
            ])]
    if model.metadata.description:
        out.append(Para(f"Описание интеграции (из модели): {model.metadata.description.strip()}"))

    # 2. object of protection
    out.append(Heading(1, "2. Описание систем и сетей и их характеристика как объектов защиты"))
    out += [Heading(2, "2.1. Состав компонентов"),
            Table(["Идентификатор", "Наименование", "Вид", "Назначение", "Сегмент"], [
                [e.id, e.title, ru.KIND[e.kind.value], ru.TECHNOLOGY.get(e.technology.value, e.technology.value),
                 ru.ZONE.get(zone_of[e.id], zone_of[e.id] or "")]
                for e in sorted(model.elements, key=lambda e: e.id)], [2, 3, 2, 3, 2])]
    out += [Heading(2, "2.2. Сегменты сети и границы доверия"),
            Table(["Идентификатор", "Наименование", "Зона", "Входит в", "Компоненты"], [
                [b.id, b.title, ru.ZONE[b.zone.value], b.parent or "—",
                 ", ".join(sorted(e.id for e in model.elements if e.boundary == b.id)) or "—"]
                for b in sorted(model.boundaries, key=lambda b: b.id)], [2, 3, 3, 2, 3])
            if model.boundaries else Para("Границы доверия в модели не заданы.")]
    out += [Heading(2, "2.3. Обрабатываемая информация"),
            Table(["Идентификатор", "Информация", "Категория", "Категория ПДн", "Объём", "Трансграничная передача"], [
                [d.id, d.title, ru.CLASSIFICATION[d.classification.value], ru.PD_CATEGORY[d.pd_category.value],
                 ru.VOLUME[d.volume.value],
                 (f"да ({', '.join(d.cross_border.countries) or 'страны не указаны'}); уведомление Роскомнадзора: "
                  f"{ru.yes_no(d.cross_border.rkn_notified)}") if d.cross_border.transfer else "нет"]
                for d in sorted(model.data_assets, key=lambda d: d.id)], [2.6, 3, 3, 2, 2, 2.6])
            if model.data_assets else Para("Информационные активы в модели не заданы.")]
    pd = [d for d in model.data_assets if d.pd_category.value != "none"]
    if pd:
        level = (f"Уровень защищённости персональных данных при их обработке в информационной системе персональных "
                 f"данных, указанный в модели: {ru.PD_LEVEL[m.pd_level.value]}." if m.pd_level else
                 "Интеграция обрабатывает персональные данные, а уровень защищённости ПДн в модели не указан: его "
                 "следует определить в соответствии с ПП РФ № 1119 и внести в модель (metadata.pd_level).")
        out.append(Para(level))
    else:
        out.append(Para("Персональные данные в интеграции по данным модели не обрабатываются."))
    out.append(Para(f"Требуемый уровень защиты информации по ГОСТ Р 57580.1-2017: {ru.GOST_LEVEL[m.gost_level.value]}."))

    # 3. negative consequences
    out += [Heading(1, "3. Возможные негативные последствия от реализации угроз безопасности информации"),
            Para("Негативные последствия определены по видам ущерба исходя из категорий информации, "
                 "обрабатываемой в интеграции (раздел 2.3).")]
    out.append(Table(["Вид ущерба", "Негативные последствия", "Основание"], _consequences(model, a), [2, 5, 3]))

    # 4. objects of influence and interfaces
    out += [Heading(1, "4. Возможные объекты воздействия угроз безопасности информации"),
            Para("Объектами воздействия являются компоненты интеграции и их интерфейсы (информационные потоки), "
                 "на которых выявлены угрозы. Виды воздействия указаны по выявленным угрозам.")]
    out.append(Table(["Объект воздействия", "Сегмент", "Интерфейсы", "Виды воздействия", "Угрозы БДУ"],
                     _objects(a, model, facts), [3, 2, 3, 3, 2]))
    out += [Heading(2, "4.1. Интерфейсы (информационные потоки)"),
            Table(["Интерфейс", "Источник → получатель", "Протокол", "Защита канала", "Аутентификация", "Информация"], [
                [f"{f.id}: {f.title}", f"{f.source} → {f.target}", f.protocol.value.upper(), _channel(f),
                 ru.AUTH.get(f.authentication.method.value, f.authentication.method.value),
                 ", ".join(assets[x].title for x in f.data if x in assets) or "—"]
                for f in sorted(model.flows, key=lambda f: f.id)], [3, 3, 1.6, 2, 2.6, 3])
            if model.flows else Para("Информационные потоки в модели не заданы.")]

    # 5. intruders
    entries: dict[str, list[str]] = {}
    for eid in sorted(facts.elements):
        cat = entry_category(facts.elements[eid])
        if cat:
            entries.setdefault(cat, []).append(eid)
    out += [Heading(1, "5. Источники угроз безопасности информации"),
            Para("Виды нарушителей определены по точкам входа в модели: внешним сущностям и компонентам в сети "
                 "Интернет и сети партнёра, личным устройствам работников, рабочим местам в сети банка и компонентам "
                 "с привилегированным доступом. Потенциал нарушителей указан в терминах БДУ ФСТЭК России (низкий, "
                 "средний, высокий) как предварительная оценка и подлежит уточнению.")]
    rows = []
    for cat in CATEGORIES:
        kind, who, potential = INTRUDER[cat]
        points = entries.get(cat, [])
        rows.append([who, kind, potential,
                     ", ".join(f"{x} ({el[x].title})" for x in points) if points else "—",
                     "актуален" if points else "не рассматривается: точек входа в модели нет"])
    out.append(Table(["Нарушитель", "Категория", "Потенциал", "Точки входа", "Актуальность"], rows, [4, 2.2, 4, 3, 2.6]))

    # 6. scenarios
    out += [Heading(1, "6. Способы реализации угроз безопасности информации (сценарии)")]
    out += _scenarios(paths)

    # 7. actual threats
    out += [Heading(1, "7. Актуальные угрозы безопасности информации")]
    out += _actual(a)

    # 8. measures
    out += [Heading(1, "8. Меры защиты информации"),
            Para("Меры защиты из каталогов tmodel, применимые к интеграции, и их состояние по данным модели и "
                 "результатам аудита.")]
    counts = Counter(c.status for c in a.controls)
    out.append(Para("Состояние мер: " + "; ".join(f"{ru.CONTROL_STATUS[s]} — {counts[s]}" for s in
                                                   ("met", "partial", "gap", "needs_answer", "not_applicable")) + "."))
    order = {"gap": 0, "needs_answer": 1, "partial": 2, "met": 3, "not_applicable": 4}
    applicable = [c for c in a.controls if c.status != "not_applicable"]
    out.append(Table(["Мера", "Наименование", "Состояние", "Способ контроля", "Подтверждение"], [
        [c.id, control_title(c), ru.CONTROL_STATUS[c.status], ru.CONTROL_KIND.get(c.kind, c.kind), c.evidence or "—"]
        for c in sorted(applicable, key=lambda c: (order.get(c.status, 9), c.id))], [3.4, 5, 2.9, 2.5, 3.5])
        if applicable else Para("Меры защиты из каталогов к интеграции не применимы."))
    if counts["not_applicable"]:
        out.append(Para(f"Меры, не применимые к интеграции ({counts['not_applicable']}), в таблице не приведены.", note=True))

    # 9. conclusions and sign-off
    unresolved = [t for t in a.threats if t.status in UNRESOLVED]
    res = Counter(t.residual_level for t in unresolved)
    cited = sorted({i for t in a.threats for i in bdu.threat_bdu(t)})
    out += [Heading(1, "9. Выводы"),
            Bullets([
                f"Выявлено угроз: {len(a.threats)}, из них неустранённых: {len(unresolved)} "
                f"(критический уровень — {res['critical']}, высокий — {res['high']}, средний — {res['medium']}, "
                f"низкий — {res['low']}).",
                f"Угрозы соотнесены с {len(cited)} угрозами БДУ ФСТЭК России"
                + (f": {', '.join(cited)}." if cited else "."),
                (f"Сценариев реализации угроз: {len(paths)}, из них без единого шага, перекрытого мерами защиты: "
                 f"{sum(1 for p in paths if p.blocking_hops == 0)}." if paths is not None else
                 "Сценарии реализации угроз не построены."),
                f"Мер защиты не реализовано: {counts['gap']}, требуют подтверждения: {counts['needs_answer']}, "
                f"реализованы частично: {counts['partial']}.",
            ]),
            Heading(1, "Согласование"),
            Table(["Роль", "Ф. И. О.", "Дата", "Подпись"], [
                [r, "", "", ""] for r in ("Владелец интеграции", "Архитектор информационной безопасности",
                                          "Подразделение информационной безопасности", "Ответственный за организацию "
                                          "обработки персональных данных", "Подразделение комплаенс")], [4, 3, 2, 2])]
    return out


def _channel(f: Any) -> str:
    if f.tls.min_version.value == "none":
        return "без шифрования"
    s = f"TLS {f.tls.min_version.value}+"
    if f.tls.mutual:
        s += ", взаимная аутентификация" + ("" if f.tls.client_cert_verified else " (сертификат клиента не проверяется)")
    return s


def _consequences(model: Model, a: Analysis) -> list[list[str]]:
    assets = model.data_assets
    pd = [d for d in assets if d.pd_category.value != "none"]
    special = [d for d in pd if d.pd_category.value in ("special", "biometric")]
    money = [d for d in assets if d.classification.value in ("payment", "bank_secrecy")]
    creds = [d for d in assets if d.classification.value == "credentials"]
    conf = [d for d in assets if d.classification.value == "confidential"]
    high = [d for d in pd if d.volume.value == "high"]
    abroad = [d for d in pd if d.cross_border.transfer]
    dos = any("D" in t.stride for t in a.threats)

    def names(ds: list[Any]) -> str:
        return ", ".join(d.title for d in ds)

    rows: list[list[str]] = []
    subj: list[tuple[str, str]] = []
    if pd:
        subj.append(("нарушение конфиденциальности персональных данных: разглашение, неправомерное распространение "
                     "и использование сведений о клиентах", names(pd)))
    if pd and money:
        subj.append(("финансовый ущерб клиентам: хищение денежных средств, операции по счетам без их согласия",
                     names(money)))
    if special:
        subj.append(("раскрытие специальных категорий или биометрических персональных данных: вред, который нельзя "
                     "устранить (биометрический образец нельзя заменить, как пароль)", names(special)))
    if subj:
        rows += _group("Ущерб субъектам персональных данных (физическим лицам)", subj)
    else:
        rows.append(["Ущерб субъектам персональных данных (физическим лицам)",
                     "не выявлен: персональные данные по данным модели не обрабатываются", "—"])
    bank: list[tuple[str, str]] = []
    pay = [d for d in assets if d.classification.value == "payment"]
    sec = [d for d in assets if d.classification.value == "bank_secrecy"]
    if pay:
        bank.append(("хищение денежных средств, несанкционированные переводы и изменение платёжных распоряжений", names(pay)))
    if sec:
        bank.append(("разглашение сведений, составляющих банковскую тайну", names(sec)))
    if creds:
        bank.append(("компрометация аутентификационной информации и ключей, позволяющая действовать от имени банка, "
                     "партнёров или клиентов", names(creds)))
    if conf:
        bank.append(("разглашение конфиденциальной информации банка", names(conf)))
    if dos:
        bank.append(("нарушение или прекращение предоставления услуг клиентам и партнёрам",
                     "выявлены угрозы нарушения доступности"))
    if pd:
        bank.append(("ответственность оператора персональных данных: предписания и санкции Роскомнадзора, обязанность "
                     "уведомить Роскомнадзор об инциденте в течение 24 часов и о результатах его расследования в течение "
                     "72 часов (ст. 21 ч. 3.1 152-ФЗ)", names(pd)))
    bank.append(("репутационный ущерб: утрата доверия клиентов, партнёров и регулятора", "любая реализованная угроза"))
    rows += _group("Ущерб банку (юридическому лицу)", bank)
    state: list[tuple[str, str]] = []
    if high:
        state.append(("массовое нарушение прав граждан на защиту персональных данных (100 000 субъектов и более)",
                      names(high)))
    if abroad:
        state.append(("неконтролируемая передача персональных данных граждан Российской Федерации за рубеж", names(abroad)))
    if state:
        rows += _group("Ущерб государству", state)
    else:
        rows.append(["Ущерб государству", "по данным модели не выявлен (массовой обработки и трансграничной передачи "
                     "персональных данных нет)", "—"])
    return rows


def _group(kind: str, items: list[tuple[str, str]]) -> list[list[str]]:
    """Rows of one kind of damage; the kind is named in the first row only."""
    return [[kind if i == 0 else "", c, b] for i, (c, b) in enumerate(items)]


def _objects(a: Analysis, model: Model, facts: Any) -> list[list[str]]:
    by_target: dict[str, list[Any]] = {}
    for t in a.threats:
        for tgt in threat_targets(t):
            by_target.setdefault(tgt, []).append(t)
    flows_of: dict[str, list[str]] = {}
    for f in model.flows:
        flows_of.setdefault(f.source, []).append(f.id)
        flows_of.setdefault(f.target, []).append(f.id)
    rows = []
    for e in sorted(model.elements, key=lambda e: e.id):
        incoming = [f for f in model.flows if f.target == e.id]
        ts = by_target.get(e.id, []) + [t for f in incoming for t in by_target.get(f.id, [])]
        if not ts:
            continue
        letters = [s for s in "STRIDE" if any(s in t.stride for t in ts)]
        ids = sorted({i for t in ts for i in bdu.threat_bdu(t)})
        rows.append([f"{e.id} ({e.title})", ru.ZONE.get(facts.elements[e.id]["zone"], ""),
                     ", ".join(sorted(set(flows_of.get(e.id, [])))) or "—",
                     "; ".join(ru.IMPACT[s] for s in letters), ", ".join(ids) or "—"])
    if not rows:
        rows.append(["—", "—", "—", "угрозы не выявлены", "—"])
    return rows


def _scenarios(paths: list[AttackPath] | None) -> list[Block]:
    out: list[Block] = [
        Para("Сценарий описывает путь нарушителя от точки входа к объекту воздействия по информационным потокам "
             "модели: на каждом шаге указаны меры защиты, применимые к потоку и к компоненту, которого он достигает, "
             "и их состояние. Для каждой пары «точка входа — объект воздействия» приведён наименее защищённый путь; "
             "сценарии упорядочены от наименее защищённого. Шаг перекрыт, если меры на нём применимы и все реализованы."),
        Para("Тактики и техники по приложению 11 к Методике шагам сценариев не сопоставлены: их перечень в справочных "
             "материалах, использованных при подготовке документа, не подтверждён. Первый шаг сценария соответствует "
             "получению первоначального доступа, последующие — распространению доступа к другим компонентам, последний "
             "— воздействию на объект.", note=True),
    ]
    if paths is None:
        out.append(Para("Сценарии не построены: каталоги правил не были переданы при формировании документа."))
        return out
    if not paths:
        out.append(Para("Путей от точек входа нарушителей к компонентам, обрабатывающим защищаемую информацию, "
                        "по данным модели нет."))
        return out
    out.append(Table(["№", "Нарушитель", "Точка входа", "Объект воздействия", "Шагов (перекрыто)",
                      "Меры: реализованы / частично / нет / не подтверждены", "Уровень угроз на пути"], [
        [str(i), SHORT[p.category], f"{p.entry} ({p.entry_title})", f"{p.target} ({p.target_title})",
         f"{len(p.hops)} ({p.blocking_hops})",
         f"{p.counts()['met']} / {p.counts()['partial']} / {p.counts()['missing']} / {p.counts()['not_confirmed']}",
         ru.LEVEL[p.worst_open_level] if p.worst_open_level else "—"]
        for i, p in enumerate(paths, 1)], [0.9, 2.4, 3.6, 3.6, 2.2, 2.4, 2.2]))
    for i, p in enumerate(paths, 1):
        out.append(Heading(2, f"Сценарий {i}. {p.entry} → {p.target}"))
        out.append(Para(f"Нарушитель: {WHO[p.category]} ({INTRUDER[p.category][0].lower()}). "
                        f"Точка входа: {p.entry} ({p.entry_title}). Объект воздействия: {p.target} ({p.target_title})."))
        steps = []
        for j, h in enumerate(p.hops, 1):
            stage = ("получение первоначального доступа" if j == 1 and len(p.hops) > 1 else
                     "получение доступа к объекту воздействия" if j == len(p.hops) else
                     "распространение доступа")
            s = f"Шаг {j} ({stage}): поток {h.flow} «{h.flow_title}», {h.source} → {h.target} ({h.target_title}). "
            if not h.controls:
                s += "Меры защиты из каталогов на этом шаге не применимы."
            else:
                s += f"Реализовано мер: {h.met}."
                gaps = [c for c in h.controls if c.status in ("gap", "needs_answer")]
                part = [c for c in h.controls if c.status == "partial"]
                if gaps:
                    s += " Не реализованы или не подтверждены (раздел 8): " + ", ".join(c.id for c in gaps) + "."
                if part:
                    s += " Реализованы частично: " + ", ".join(c.id for c in part) + "."
                s += " Шаг перекрыт мерами защиты." if h.blocks else ""
            if h.open_threats:
                s += f" Неустранённых угроз на шаге: {len(h.open_threats)} (раздел 7.2)."
            steps.append(s)
        out.append(Bullets(steps))
    return out


def _actual(a: Analysis) -> list[Block]:
    out: list[Block] = [Para(
        "Угроза признаётся актуальной, если для неё есть нарушитель с возможностью её реализации, объект воздействия "
        "и способ реализации (раздел 6), а условие её возникновения выявлено в модели и не устранено. Угрозы, риск по "
        "которым принят или передан, остаются актуальными; угрозы, нейтрализованные мерами защиты или признанные "
        "ложным срабатыванием, приведены для полноты.")]
    if not a.threats:
        out.append(Para("Угрозы по данным модели не выявлены."))
        return out
    by_bdu: dict[str, list[Any]] = {}
    for t in a.threats:
        for i in bdu.threat_bdu(t):
            by_bdu.setdefault(i, []).append(t)
    out.append(Heading(2, "7.1. Угрозы из БДУ ФСТЭК России"))
    if by_bdu:
        rows = []
        for i in sorted(by_bdu):
            ts = by_bdu[i]
            live = [t for t in ts if t.status in UNRESOLVED or t.status in ("accepted", "transferred")]
            worst = max((t.residual_level for t in live), key=lambda lv: LEVEL_ORDER[Level(lv)], default=None)
            rows.append([i, bdu.name(i) or "—", bdu.source(i) or "—",
                         ", ".join(sorted({tgt for t in ts for tgt in threat_targets(t)})),
                         "актуальна" if live else "неактуальна: нейтрализована",
                         ru.LEVEL[worst] if worst else "—"])
        out.append(Table(["Идентификатор", "Угроза БДУ", "Источник угрозы по БДУ", "Объекты воздействия", "Актуальность",
                          "Уровень риска"], rows, [2.8, 4.0, 3.2, 2.8, 2.7, 2.1]))
    else:
        out.append(Para("Выявленные угрозы не соотнесены с угрозами БДУ ФСТЭК России."))
    out.append(Heading(2, "7.2. Перечень выявленных угроз"))
    ordered = sorted(a.threats, key=lambda t: (-LEVEL_ORDER[Level(t.residual_level)], t.id))
    out.append(Table(["№", "Угроза", "Объект воздействия", "Угрозы БДУ", "Уровень риска (остаточный)", "Статус"], [
        [str(n), threat_title(t), ", ".join(threat_targets(t)), ", ".join(bdu.threat_bdu(t)) or "—",
         ru.LEVEL[t.residual_level], ru.THREAT_STATUS.get(t.status, t.status)]
        for n, t in enumerate(ordered, 1)], [1, 5, 3, 2, 2, 3]))
    out.append(Para("Уровень риска определён методом tmodel: вероятность × тяжесть последствий по шкале 1–5 с учётом "
                    "реализованных мер (остаточный уровень).", note=True))
    return out


# --- Markdown ----------------------------------------------------------------------------------

def _md_line(text: str, *, block: bool = True) -> str:
    return " ".join(md(text, block=block).split("\n")).strip()


def blocks_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out += [("#" * (b.level + 1)) + " " + _md_line(b.text, block=False), ""]
        elif isinstance(b, Para):
            out += [f"*{_md_line(b.text)}*" if b.note else f"**{_md_line(b.text)}**" if b.center else md(b.text), ""]
        elif isinstance(b, Bullets):
            out += [f"- {_md_line(x)}" for x in b.items] + [""]
        elif isinstance(b, Table):
            out.append("| " + " | ".join(md_cell(h) for h in b.headers) + " |")
            out.append("|" + "|".join("---" for _ in b.headers) + "|")
            out += ["| " + " | ".join(md_cell(c) for c in r) + " |" for r in b.rows]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def fstec_markdown(a: Analysis, model: Model, paths: list[AttackPath] | None) -> str:
    return blocks_markdown(fstec_blocks(a, model, paths))
