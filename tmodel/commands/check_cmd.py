"""``tmodel check``: the CI gate. Fails a model on what a reviewer must not let through.

Per model, the reasons to fail are
- unresolved threats (open, or accepted past expiry) whose residual level is at or above --fail-on;
- expired risk acceptances;
- stale decisions (their threat no longer exists: fixed, renamed or removed);
- unanswered audit questions whose control requires an answer at the model's GOST level.
Exit 1 if any model fails, 2 if any model is invalid (invalid wins; the others are still checked), 0 otherwise.
Catalogs are loaded once for all models.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass, field
from typing import Any

import click

from tmodel import i18n
from tmodel.i18n import terms
from tmodel.model.enums import Level

FAIL_LEVELS = [lv.value for lv in Level]


@dataclass
class ModelCheck:
    path: str
    model_id: str = ""
    problems: list[Any] = field(default_factory=list)  # errors of an invalid model
    open: list[Any] = field(default_factory=list)  # Threat
    expired: list[Any] = field(default_factory=list)  # DecisionIssue
    stale: list[Any] = field(default_factory=list)  # DecisionIssue
    unanswered: list[Any] = field(default_factory=list)  # ControlResult

    @property
    def invalid(self) -> bool:
        return bool(self.problems)

    @property
    def failed(self) -> bool:
        return bool(self.open or self.expired or self.stale or self.unanswered)

    @property
    def verdict(self) -> str:
        return "INVALID" if self.invalid else "FAIL" if self.failed else "PASS"


def check_analysis(path: str, analysis: Any, level: str) -> ModelCheck:
    from tmodel.analysis.result import NEEDS_ANSWER

    return ModelCheck(
        path=path, model_id=analysis.model_id,
        open=analysis.open_at_or_above(level),
        expired=[i for i in analysis.decision_issues if i.kind == "expired"],
        stale=[i for i in analysis.decision_issues if i.kind == "stale"],
        unanswered=[c for c in analysis.controls if c.answer_required and c.status == NEEDS_ANSWER],
    )


class CheckWords(i18n.Words):
    """The gate's text output in Russian (``--lang ru``); the verdicts PASS / FAIL / INVALID stay as
    they are (CI logs are searched for them)."""

    TEXT = {
        "{verdict} {path}: {n} error(s)": "{verdict} {path}: ошибок: {n}",
        "{verdict} {path}: {open} open >= {level}, {expired} expired, {stale} stale, {unanswered} unanswered":
            "{verdict} {path}: актуальных угроз с уровнем не ниже «{level}»: {open}; истёкших принятий риска: {expired}; "
            "устаревших решений: {stale}; вопросов аудита без ответа: {unanswered}",
        "open      ": "угроза    ",
        "expired   ": "срок истёк",
        "stale     ": "устарело  ",
        "unanswered": "нет ответа",
        ", {n} path(s) not found": ", не найдено путей: {n}",
        "total: {models} model(s): {passed} passed, {failed} failed, {invalid} invalid{extra} (fail on residual >= "
        "{level}, as of {date})":
            "итого моделей: {models}; прошли проверку: {passed}, не прошли: {failed}, с ошибками: {invalid}{extra} "
            "(порог: остаточный уровень не ниже «{level}», на {date})",
    }


def summary(mc: ModelCheck, level: str, w: CheckWords | None = None) -> str:
    w = w or CheckWords()
    if mc.invalid:
        return w("{verdict} {path}: {n} error(s)", verdict="INVALID", path=mc.path, n=len(mc.problems))
    return w("{verdict} {path}: {open} open >= {level}, {expired} expired, {stale} stale, {unanswered} unanswered",
             verdict=mc.verdict, path=mc.path, open=len(mc.open), level=w.level(level), expired=len(mc.expired),
             stale=len(mc.stale), unanswered=len(mc.unanswered))


def details(mc: ModelCheck, w: CheckWords | None = None) -> list[str]:
    w = w or CheckWords()
    out = [f"    {w('open      ')}  {w.level(t.residual_level):<8} {t.id}  {w.title(t.title, t.title_ru)} "
           f"({w.value(terms.THREAT_STATUS, t.status)})" for t in mc.open]
    out += [f"    {w('expired   ')}  {mc.path}:{i.line}: {w.engine(i.message)}" for i in mc.expired]
    out += [f"    {w('stale     ')}  {mc.path}:{i.line}: {w.engine(i.message)}" for i in mc.stale]
    out += [f"    {w('unanswered')}  {c.id}: {w.title(c.title, c.title_ru)}" for c in mc.unanswered]
    return out


def run_check(files: list[str], catalog: Any, level: str, as_of: dt.date | None) -> tuple[list[ModelCheck], list[tuple[Any, Any]]]:
    """Check every file; returns the per-model results and the (Loaded, Analysis) pairs of the valid ones."""
    from tmodel.analysis.engine import analyze
    from tmodel.analysis.references import with_catalog_references
    from tmodel.batchgc import collect_young
    from tmodel.model.load import load_model

    results: list[ModelCheck] = []
    pairs: list[tuple[Any, Any]] = []
    for f in files:
        lm = with_catalog_references(load_model(f), catalog)
        if not lm.ok:
            results.append(ModelCheck(f, problems=lm.errors))
            continue
        a = analyze(lm.model, catalog, path=lm.path, located=lm.located, as_of=as_of)
        results.append(check_analysis(f, a, level))
        pairs.append((lm, a))
        collect_young()
    return results, pairs


def check_json(results: list[ModelCheck], level: str, as_of: dt.date, missing: list[Any]) -> str:
    from tmodel import __version__

    models = []
    for mc in results:
        models.append({
            "path": mc.path, "model_id": mc.model_id, "result": mc.verdict.lower(),
            "problems": [p.format() for p in mc.problems],
            "open": [{"id": t.id, "residual_level": t.residual_level, "level": t.level, "status": t.status, "title": t.title}
                     for t in mc.open],
            "expired": [{"threat": i.threat, "line": i.line, "message": i.message} for i in mc.expired],
            "stale": [{"threat": i.threat, "line": i.line, "message": i.message} for i in mc.stale],
            "unanswered": [{"control": c.id, "question": c.question} for c in mc.unanswered],
        })
    doc = {
        "format_version": 1, "tool": {"name": "tmodel", "version": __version__},
        "fail_on": level, "as_of": as_of.isoformat(),
        "paths_not_found": [p.format() for p in missing],
        "totals": _totals(results),
        "models": models,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _totals(results: list[ModelCheck]) -> dict[str, int]:
    return {"models": len(results), "passed": sum(r.verdict == "PASS" for r in results),
            "failed": sum(r.verdict == "FAIL" for r in results), "invalid": sum(r.invalid for r in results)}


def register(main: click.Group) -> None:
    from tmodel.cli import (EXIT_FINDINGS, EXIT_INVALID, EXIT_OK, as_of_option, catalog_option, get_catalog, lang_option,
                            parse_date, resolve_lang)

    @main.command(short_help="CI gate: exit 1 on open risks and stale decisions.")
    @click.argument("paths", nargs=-1, required=True)
    @click.option("--fail-on", "fail_on", type=click.Choice(FAIL_LEVELS), default="high", show_default=True,
                  help="Fail on unresolved threats whose residual level is at or above this.")
    @click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True)
    @click.option("--summary", "brief", is_flag=True,
                  help="Text: one line of counts per model and the total, without the list of each threat and question.")
    @catalog_option
    @as_of_option
    @lang_option
    def check(paths: tuple[str, ...], fail_on: str, fmt: str, brief: bool, catalogs: tuple[str, ...], as_of: str | None,
              lang: str | None = None) -> None:
        """CI gate: fail on open risks at or above a level, expired or stale decisions, unanswered questions."""
        from tmodel.model.load import model_files

        day = parse_date(as_of) or dt.date.today()
        cat = get_catalog(catalogs)
        files, missing = model_files(list(paths))
        for p in missing:
            click.echo(p.format(), err=True)
        results, pairs = run_check(files, cat, fail_on, day)
        for mc in results:
            for p in mc.problems:
                click.echo(p.format(), err=True)
        if fmt == "json":
            click.echo(check_json(results, fail_on, day, missing), nl=False)
        elif fmt == "sarif":
            from tmodel.export.sarif import sarif_json

            problems = list(missing) + [p for mc in results for p in mc.problems]
            click.echo(sarif_json(pairs, cat, problems=problems), nl=False)
        else:
            w = CheckWords(resolve_lang(lang))
            lines = [line for mc in results for line in (summary(mc, fail_on, w), *([] if brief else details(mc, w)))]
            t = _totals(results)
            extra = w(", {n} path(s) not found", n=len(missing)) if missing else ""
            lines.append(w("total: {models} model(s): {passed} passed, {failed} failed, {invalid} invalid{extra} (fail on "
                           "residual >= {level}, as of {date})", models=t["models"], passed=t["passed"], failed=t["failed"],
                           invalid=t["invalid"], extra=extra, level=w.level(fail_on), date=day.isoformat()))
            click.echo("\n".join(lines))
        if missing or any(r.invalid for r in results):
            sys.exit(EXIT_INVALID)
        sys.exit(EXIT_FINDINGS if any(r.failed for r in results) else EXIT_OK)
