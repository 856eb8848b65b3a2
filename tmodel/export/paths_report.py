"""Attack paths as text (the terminal), Markdown (the record, the FSTEC document) and JSON, in
English or Russian. Model data (titles the user wrote, ids) is shown as written."""

from __future__ import annotations

import json
from typing import Any

from tmodel import i18n
from tmodel.analysis.paths import BYOD, EXTERNAL, INTERNAL, PARTNER, PRIVILEGED, AttackPath, Hop, paths_dict
from tmodel.export.safe import md, md_cell, md_code

LANGS = ("en", "ru")

CATEGORY = {
    "en": {
        EXTERNAL: "external intruder (the internet)",
        PARTNER: "partner (a third party with access to the API)",
        BYOD: "employee's personal device (BYOD)",
        INTERNAL: "internal intruder (the bank's network)",
        PRIVILEGED: "privileged user (administrator)",
    },
    "ru": {
        EXTERNAL: "внешний нарушитель (сеть Интернет)",
        PARTNER: "внешний нарушитель — партнёр (сторонняя организация с доступом к API)",
        BYOD: "нарушитель, действующий с личного устройства работника (BYOD)",
        INTERNAL: "внутренний нарушитель (сеть банка)",
        PRIVILEGED: "внутренний нарушитель — привилегированный пользователь (администратор)",
    },
}

STATUS = {
    "en": {"met": "met", "partial": "partial", "gap": "missing", "needs_answer": "not confirmed"},
    "ru": {"met": "реализована", "partial": "реализована частично", "gap": "не реализована",
           "needs_answer": "не подтверждена"},
}

LEVEL = {
    "en": {"low": "low", "medium": "medium", "high": "high", "critical": "critical"},
    "ru": {"low": "низкий", "medium": "средний", "high": "высокий", "critical": "критический"},
}

TEXT = {
    "en": {
        "title": "Attack paths: {title}",
        "none": "No attack path: no entry point of an intruder reaches a sensitive process or store through the model's flows.",
        "none_to": "No attack path reaches {target}.",
        "how": "From each intruder's entry point to each sensitive process or store, the weakest way along the flows, "
               "weakest first. On each hop: the controls relevant there, met, partial or missing.",
        "path": "{entry} → {target}",
        "intruder": "Intruder",
        "summary": "{n} hop(s), {blocking} of them blocking; controls met {met}, partial {partial}, missing {missing}, "
                   "not confirmed {unconfirmed}",
        "worst": "worst unresolved threat on the way: {level}",
        "hop": "{flow} ({flow_title}): {source} → {target} ({target_title})",
        "met_n": "met: {n}",
        "missing": "missing",
        "partial": "partial",
        "not_confirmed": "not confirmed",
        "open": "unresolved threats",
        "nothing": "no control of the catalogs applies here",
        "count": "{n} path(s)",
    },
    "ru": {
        "title": "Пути атак: {title}",
        "none": "Путей атак нет: ни одна точка входа нарушителя не ведёт по потокам модели к компонентам, "
                "обрабатывающим защищаемую информацию.",
        "none_to": "Ни один путь атаки не ведёт к {target}.",
        "how": "От точки входа каждого нарушителя к каждому компоненту, обрабатывающему защищаемую информацию, — наименее "
               "защищённый путь по потокам модели; пути упорядочены от наименее защищённого. Для каждого шага указаны "
               "применимые меры защиты и их состояние.",
        "path": "{entry} → {target}",
        "intruder": "Нарушитель",
        "summary": "шагов: {n}, из них перекрыто мерами: {blocking}; меры реализованы: {met}, частично: {partial}, "
                   "не реализованы: {missing}, не подтверждены: {unconfirmed}",
        "worst": "наивысший уровень неустранённой угрозы на пути: {level}",
        "hop": "{flow} ({flow_title}): {source} → {target} ({target_title})",
        "met_n": "реализовано мер: {n}",
        "missing": "не реализованы",
        "partial": "реализованы частично",
        "not_confirmed": "не подтверждены",
        "open": "неустранённые угрозы",
        "nothing": "меры из каталогов здесь не применимы",
        "count": "путей: {n}",
    },
}


class PathWords(i18n.Words):
    """The attack paths' words (``tmodel.i18n``'s one mechanism): the Russian of each English text above."""

    TEXT = {TEXT["en"][k]: TEXT["ru"][k] for k in TEXT["en"]}


def _t(lang: str, key: str, **kw: Any) -> str:
    return PathWords(lang)(TEXT["en"][key], **kw) if kw else PathWords(lang)(TEXT["en"][key])


def _summary(p: AttackPath, lang: str) -> str:
    c = p.counts()
    out = _t(lang, "summary", n=len(p.hops), blocking=p.blocking_hops, met=c["met"], partial=c["partial"], missing=c["missing"],
               unconfirmed=c["not_confirmed"])
    if p.worst_open_level:
        out += "; " + _t(lang, "worst", level=LEVEL[lang][p.worst_open_level])
    return out


def hop_groups(h: Hop, lang: str, catalog: Any = None) -> list[tuple[str, list[str]]]:
    """(label, ['ID title', ...]) for the controls not met on a hop, worst first; the titles in ``lang``
    (Russian from the catalog's ru: blocks when ``catalog`` is given)."""
    w = i18n.Words(lang, catalog)
    out = []
    for status, key in (("gap", "missing"), ("needs_answer", "not_confirmed"), ("partial", "partial")):
        items = [f"{c.id} {w.catalog_text('control', c.id, 'title', c.title) if catalog is not None else c.title}"
                 for c in h.controls if c.status == status]
        if items:
            out.append((_t(lang, key), items))
    return out


def paths_text(paths: list[AttackPath], title: str, *, lang: str = "en", target: str | None = None,
               catalog: Any = None) -> str:
    lines = [_t(lang, "title", title=title), ""]
    if not paths:
        lines.append(_t(lang, "none_to", target=target) if target else _t(lang, "none"))
        return "\n".join(lines) + "\n"
    lines += [_t(lang, "how"), _t(lang, "count", n=len(paths)), ""]
    for i, p in enumerate(paths, 1):
        lines.append(f"{i}. " + _t(lang, "path", entry=f"{p.entry} ({p.entry_title})", target=f"{p.target} ({p.target_title})"))
        lines.append(f"   {_t(lang, 'intruder')}: {CATEGORY[lang][p.category]}")
        lines.append(f"   {_summary(p, lang)}")
        for j, h in enumerate(p.hops, 1):
            lines.append(f"   {j}) " + _t(lang, "hop", flow=h.flow, flow_title=h.flow_title, source=h.source,
                                          target=h.target, target_title=h.target_title))
            if not h.controls:
                lines.append(f"      {_t(lang, 'nothing')}")
                continue
            lines.append(f"      {_t(lang, 'met_n', n=h.met)}")
            for label, items in hop_groups(h, lang, catalog):
                lines.append(f"      {label}:")
                lines += [f"        - {x}" for x in items]
            if h.open_threats:
                lines.append(f"      {_t(lang, 'open')}: {', '.join(h.open_threats)}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def paths_markdown(paths: list[AttackPath], *, lang: str = "en", heading: str = "###", limit: int | None = None) -> list[str]:
    """Markdown lines: a summary table, then each path's hops (the first ``limit`` paths in detail)."""
    if not paths:
        return [md(_t(lang, "none"))]
    head = {"en": ["#", "Intruder", "Entry point", "Target", "Hops (blocking)", "Controls met / partial / missing / not confirmed",
                   "Worst unresolved threat"],
            "ru": ["№", "Нарушитель", "Точка входа", "Объект воздействия", "Шагов (перекрыто)",
                   "Меры: реализованы / частично / нет / не подтверждены", "Наивысший уровень неустранённой угрозы"]}[lang]
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for i, p in enumerate(paths, 1):
        c = p.counts()
        out.append("| " + " | ".join([
            str(i), md_cell(CATEGORY[lang][p.category]), f"{md_code(p.entry)} {md_cell(p.entry_title)}",
            f"{md_code(p.target)} {md_cell(p.target_title)}", f"{len(p.hops)} ({p.blocking_hops})",
            f"{c['met']} / {c['partial']} / {c['missing']} / {c['not_confirmed']}",
            LEVEL[lang][p.worst_open_level] if p.worst_open_level else "—"]) + " |")
    shown = paths if limit is None else paths[:limit]
    for i, p in enumerate(shown, 1):
        out += ["", f"{heading} {i}. {md_code(p.entry)} → {md_code(p.target)}", ""]
        for j, h in enumerate(p.hops, 1):
            line = (f"{j}. {md_code(h.flow)} {md(h.flow_title, block=False)}: {md_code(h.source)} → {md_code(h.target)} "
                    f"{md(h.target_title, block=False)}")
            if not h.controls:
                out.append(line + f" — {md(_t(lang, 'nothing'))}")
                continue
            out.append(line + f" — {md(_t(lang, 'met_n', n=h.met))}")
            for label, items in hop_groups(h, lang):
                out.append(f"   - {md(label)}: " + "; ".join(md(x) for x in items))
            if h.open_threats:
                out.append(f"   - {md(_t(lang, 'open'))}: " + ", ".join(md_code(x) for x in h.open_threats))
    if limit is not None and len(paths) > limit:
        more = {"en": f"The other {len(paths) - limit} path(s) are in the table above; `tmodel paths` lists every hop.",
                "ru": f"Остальные пути ({len(paths) - limit}) приведены в таблице выше; все шаги выводит `tmodel paths`."}
        out += ["", more[lang]]
    return out


def paths_json(paths: list[AttackPath], model_id: str) -> str:
    body = {"model": model_id, "paths": paths_dict(paths)}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
