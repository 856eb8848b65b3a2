"""Read the editable columns of a risk register back into decisions and audit answers.

Three values meet for each row: what the register said when it was exported (the hidden
``_tmodel`` sheet), what it says now (the Risks and Audit sheets) and what the model says now. A
row counts as edited when its cells differ from the exported values; an edit is applied only when
the model's value is still the exported one (otherwise both sides changed it: a conflict). A
register without the hidden sheet is compared with the model.

Each row stands on its own (one decision or one answer), so by default a row that cannot be
applied (an invalid cell, a conflict, a row added by hand) is refused with its cell reference and
the others still apply; ``all_or_nothing`` callers write nothing when any row is refused. Rows
deleted from the register change nothing ("not in the register: left as it was").

The register may be in English or in Russian (``tmodel export --lang ru``): sheets are found by
either name, columns by either header (the Russian ones are among ``Column.aliases``) and the
decision and answer cells may hold the codes or their Russian labels (``register_ru``). The hidden
sheet holds codes in both.

Only what the register shows is compared: a column missing from an older register format keeps
the model's value. ``plan_import`` is pure: the command does the writing.

A workbook is a zip of XML written by anyone: ``read_register`` checks the zip before openpyxl
sees it (file size, member count, total and per-member decompressed size, compression ratio:
a 1 MB zip bomb is refused in milliseconds), openpyxl parses the XML through defusedxml (no
external entities, no entity expansion), any failure to read is a ``RegisterError`` naming the
file (never a traceback), and a Risks sheet may not claim more than ``MAX_ROWS`` rows.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from tmodel.config import DEFAULT_MAX_ACCEPTANCE_DAYS
from tmodel.i18n import terms
from tmodel.export import register_ru
from tmodel.export.register import AUDIT_COLUMNS, AUDIT_META_HEADERS, AUDIT_SHEET, META_HEADERS, META_SHEET, RISK_COLUMNS
from tmodel.model.enums import AnswerStatus, DecisionStatus, Level
from tmodel.model.types import Model

MAX_FILE_BYTES = 20 * 1024 * 1024     # a register of thousands of threats is well under 1 MB
MAX_MEMBERS = 2000                     # files inside the zip
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # all members decompressed
MAX_RATIO = 200                        # decompressed / compressed, for members over 1 MB decompressed
MAX_ROWS = 100_000                     # rows of the Risks sheet (Excel allows 1,048,576)
MAX_COLUMNS = 200

NEEDS_REASON = {DecisionStatus.ACCEPTED.value, DecisionStatus.TRANSFERRED.value, DecisionStatus.FALSE_POSITIVE.value}
OWNER_MAX, REASON_MAX = 200, 4000
DECIDED_BY_DEFAULT = "compliance"  # recorded when a changed row names no approver
# the hidden sheet's headers -> Values fields
META_FIELDS = {"Status": "status", "Owner": "owner", "Approver": "approver", "Decision date": "decided_on",
               "Expiry / due date": "expires", "Ticket": "ticket", "Mitigating control": "control",
               "Justification": "reason"}
AUDIT_META_FIELDS = {"Answer": "answer", "Evidence": "evidence", "Answered by": "answered_by", "Answered on": "answered_on"}


@dataclass(frozen=True)
class Values:
    """A decision as the register shows it."""

    status: str = DecisionStatus.OPEN.value
    owner: str | None = None
    approver: str | None = None
    decided_on: dt.date | None = None
    expires: dt.date | None = None
    ticket: str | None = None
    control: str | None = None
    reason: str = ""

    def describe(self) -> str:
        extra = [f"owner {self.owner}" if self.owner else "", f"expires {self.expires.isoformat()}" if self.expires else ""]
        return self.status + (f" ({', '.join(x for x in extra if x)})" if any(extra) else "")

    def decision_part(self) -> "Values":
        """Without who and when: what was decided."""
        return replace(self, approver=None, decided_on=None)


@dataclass(frozen=True)
class AnswerValues:
    answer: str | None = None  # None: no answer
    evidence: str = ""
    answered_by: str | None = None
    answered_on: dt.date | None = None

    def describe(self) -> str:
        return self.answer or "no answer"


OPEN = Values()
NO_ANSWER = AnswerValues()


@dataclass
class Change:
    threat: str
    old: Values
    new: Values
    created: bool  # the model had no decision for this threat

    def describe(self) -> str:
        diffs = []
        for name, label in (("owner", "owner"), ("approver", "approver"), ("decided_on", "decided on"),
                            ("expires", "expires"), ("ticket", "ticket"), ("control", "control")):
            a, b = getattr(self.old, name), getattr(self.new, name)
            if a != b:
                diffs.append(f"{label} {a or '-'} -> {b or '-'}")
        if self.old.reason != self.new.reason:
            diffs.append("justification changed")
        return f"{self.threat}: {self.old.status} -> {self.new.status}" + (f" ({'; '.join(diffs)})" if diffs else "")


@dataclass
class AnswerChange:
    question: str
    old: AnswerValues
    new: AnswerValues

    def describe(self) -> str:
        extra = "; evidence changed" if self.old.evidence != self.new.evidence else ""
        return f"audit {self.question}: {self.old.describe()} -> {self.new.describe()}{extra}"


@dataclass
class ImportPlan:
    changes: list[Change] = field(default_factory=list)
    answers: list[AnswerChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # rows refused (or the whole register)
    warnings: list[str] = field(default_factory=list)
    rows: int = 0

    @property
    def empty(self) -> bool:
        return not self.changes and not self.answers


class RegisterError(Exception):
    """The file is not a register this tool can read."""


def model_values(model: Model) -> dict[str, Values]:
    return {d.threat: Values(d.status.value, d.owner or None, d.decided_by or None, d.decided_on, d.expires,
                             d.ticket or None, d.control or None, d.reason or "") for d in model.decisions}


def model_answers(model: Model) -> dict[str, AnswerValues]:
    return {a.question: AnswerValues(a.status.value, a.evidence or "", a.answered_by or None, a.answered_on)
            for a in model.answers}


def read_register(path: str) -> Any:
    import openpyxl

    _check_zip(path)
    try:
        return openpyxl.load_workbook(path, data_only=False)
    except FileNotFoundError:
        raise RegisterError("no such file") from None
    except MemoryError:
        raise RegisterError("the workbook is too large to read") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises anything (KeyError, zlib.error, ParseError...) on a broken file
        what = " ".join(str(exc).split())[:160]
        raise RegisterError(f"not an Excel workbook tmodel can read: {exc.__class__.__name__}"
                            f"{': ' + what if what else ''}; it may be damaged or not an .xlsx file") from None


def _check_zip(path: str) -> None:
    """Refuse, before decompressing anything, a file that is not a zip or would unpack to too much."""
    import os

    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise RegisterError("no such file") from None
    except OSError as exc:
        raise RegisterError(f"cannot read the file: {exc.strerror or exc}") from None
    if not os.path.isfile(path):
        raise RegisterError("not a regular file")
    if size > MAX_FILE_BYTES:
        raise RegisterError(f"the file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for a register")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise RegisterError(f"not an Excel workbook (.xlsx is a zip file, and this one cannot be opened: "
                            f"{' '.join(str(exc).split())[:120] or exc.__class__.__name__})") from None
    if len(infos) > MAX_MEMBERS:
        raise RegisterError(f"the workbook holds {len(infos):,} files; at most {MAX_MEMBERS:,} are read")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise RegisterError(f"'{info.filename[:80]}' inside the workbook would expand {info.file_size // max(info.compress_size, 1):,} "
                                f"times (a zip bomb?); at most {MAX_RATIO} times is read")
    if total > MAX_UNPACKED_BYTES:
        raise RegisterError(f"the workbook unpacks to {total:,} bytes, over the {MAX_UNPACKED_BYTES:,}-byte limit")


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s or None


def _date(v: Any) -> dt.date | None:
    """A date cell (a date, or text YYYY-MM-DD); raises ValueError for anything else."""
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    t = _text(v)
    return dt.date.fromisoformat(t) if t else None


def _columns(ws: Any, columns: list, required: tuple[str, ...], sheet: str) -> dict[str, int]:
    headers = {str(c.value).strip(): c.column for c in ws[1] if c.value is not None}
    cols: dict[str, int] = {}
    for c in columns:
        for h in (c.header, *c.aliases):
            if h in headers:
                cols[c.key] = headers[h]
                break
        else:
            if c.key in required:
                raise RegisterError(f"the {sheet} sheet has no '{c.header}' column in row 1")
    return cols


def _sheet(wb: Any, english: str) -> Any:
    """The sheet by its English or its Russian name; None if the workbook has neither."""
    for name in (english, register_ru.SHEETS[english]):
        if name in wb.sheetnames:
            return wb[name]
    return None


def decision_code(raw: str | None) -> str:
    """The decision code a Status cell holds: a code (any case, spaces or hyphens for '_') or its
    Russian label; what is neither comes back normalized, for the error message."""
    if raw is None:
        return DecisionStatus.OPEN.value
    return register_ru.decision_code(raw) or raw.lower().replace(" ", "_").replace("-", "_")


def answer_code(raw: str | None) -> str | None:
    if raw is None:
        return None
    return register_ru.answer_code(raw) or raw.lower().replace(" ", "_").replace("-", "_").replace("n/a", "not_applicable")


def plan_import(wb: Any, model: Model, live_threats: Mapping[str, str] | set[str], today: dt.date, *,
                max_acceptance_days: int = DEFAULT_MAX_ACCEPTANCE_DAYS) -> ImportPlan:
    """What the register changes. ``live_threats``: the threat ids of the model's current analysis,
    mapped to their residual level (a critical acceptance needs an approver); ``today``: the
    decision date recorded when a row gives none."""
    plan = ImportPlan()
    risks, audit = _sheet(wb, "Risks"), _sheet(wb, AUDIT_SHEET)
    if risks is None:
        raise RegisterError("it has no 'Risks' sheet; is it a register written by 'tmodel export'?")
    for ws in (risks, audit):
        if ws is None:
            continue
        if ws.max_row > MAX_ROWS or ws.max_column > MAX_COLUMNS:
            raise RegisterError(f"the {ws.title} sheet reaches row {ws.max_row:,}, column {ws.max_column:,}; a register has at "
                                f"most {MAX_ROWS:,} rows and {MAX_COLUMNS} columns (clear the cells far below or right of "
                                f"the table)")
    exported, exported_answers, meta_model = _exported(wb)
    if meta_model is not None and meta_model != model.metadata.id:
        raise RegisterError(f"it is the register of model '{meta_model}', not of '{model.metadata.id}'")
    levels = dict(live_threats) if isinstance(live_threats, Mapping) else {t: "" for t in live_threats}
    _plan_risks(risks, model, levels, exported, today, max_acceptance_days, plan)
    if audit is not None:
        _plan_audit(audit, model, exported_answers, today, plan)
    return plan


def _plan_risks(ws: Any, model: Model, levels: dict[str, str], exported: dict[str, tuple[int, Values]] | None,
                today: dt.date, max_days: int, plan: ImportPlan) -> None:
    cols = _columns(ws, RISK_COLUMNS, ("id", "status"), ws.title)
    current = model_values(model)
    seen: dict[str, str] = {}
    for row in range(2, ws.max_row + 1):
        def ref(key: str) -> str:
            return f"{_quoted(ws.title)}!{ws.cell(row=row, column=cols.get(key, cols['id'])).coordinate}"

        tid = _text(ws.cell(row=row, column=cols["id"]).value)
        if tid is None:
            continue
        plan.rows += 1
        if tid in seen:
            plan.errors.append(f"{ref('id')}: {tid} is listed twice (also {seen[tid]}); row {row} refused")
            continue
        seen[tid] = ref("id")
        if exported is not None and tid not in exported:
            plan.errors.append(f"{ref('id')}: row {row} ({tid}) was added to the register by hand; refused: the register's "
                               f"rows come from the analysis (threat ids are RULE@target), so a new row has no threat "
                               f"behind it. Delete the row; to record a decision for a threat, edit its own row")
            continue
        now = current.get(tid, OPEN)
        base = exported[tid][1] if exported is not None else now
        new, errs = _row_values(ws, row, cols, ref, base)
        if errs:
            plan.errors += errs
            continue
        if new == base:
            continue
        if tid not in levels:
            plan.warnings.append(f"{ref('id')}: {tid} is no longer a threat of this model (fixed, renamed or removed); "
                                 f"its edits were not imported")
            continue
        if _already_recorded(now, new, base):
            continue  # imported before (the model holds this decision, dated and signed by that import)
        if now != base and now != new:
            plan.errors.append(f"{ref('status')}: the decision for {tid} changed in the model since the export "
                               f"({base.describe()} -> {now.describe()}) and in the register ({new.describe()}); "
                               f"row {row} refused: settle it in one place, then export again")
            continue
        new = _recorded(new, base, today)
        if now == new:
            continue  # already in the model
        errs = _semantic_errors(tid, new, ref, today, levels.get(tid, ""), max_days)
        if errs:
            plan.errors += errs
            continue
        plan.changes.append(Change(tid, now, new, tid not in current))
    if exported is not None:
        for tid, (meta_row, _) in exported.items():
            if tid not in seen:
                plan.warnings.append(f"{ws.title}: {tid} (exported in row {meta_row}) is not in the register: left as it was")


def _already_recorded(now: Values, new: Values, base: Values) -> bool:
    return now.decision_part() == new.decision_part() and all(
        getattr(new, k) in (getattr(base, k), getattr(now, k)) for k in ("approver", "decided_on"))


def _recorded(new: Values, base: Values, today: dt.date) -> Values:
    """Who and when, as recorded: a changed decision without a new date is dated today, and one
    without an approver is recorded as decided by compliance."""
    if new.decision_part() != base.decision_part():
        if new.decided_on == base.decided_on:
            new = replace(new, decided_on=today)
        if not new.approver:
            new = replace(new, approver=DECIDED_BY_DEFAULT)
    if new.status == DecisionStatus.OPEN.value:
        new = replace(new, approver=None, decided_on=None)
    return new


def _exported(wb: Any) -> tuple[dict[str, tuple[int, Values]] | None, dict[str, AnswerValues] | None, str | None]:
    """The hidden sheet: (threat id -> (its row on Risks, values), question -> values, model id)."""
    if META_SHEET not in wb.sheetnames:
        return None, None, None
    ws = wb[META_SHEET]
    if ws.max_row > MAX_ROWS or ws.max_column > MAX_COLUMNS:
        raise RegisterError(f"the hidden '{META_SHEET}' sheet reaches row {ws.max_row:,}; export a fresh register")
    meta_model = None
    decisions: dict[str, tuple[int, Values]] | None = None
    answers: dict[str, AnswerValues] | None = None
    table: str | None = None
    header: list[str | None] = []
    for row in ws.iter_rows(values_only=True):
        cells = [_text(x) for x in row]
        if not any(cells):
            continue
        if cells[0] == "model" and table is None:
            meta_model = cells[1]
        if cells[: len(META_HEADERS[:2])] == META_HEADERS[:2]:
            table, header, decisions = "risks", cells, {}
            continue
        if cells[: len(AUDIT_META_HEADERS[:2])] == AUDIT_META_HEADERS[:2]:
            table, header, answers = "audit", cells, {}
            continue
        if table == "risks" and decisions is not None and cells[0]:
            decisions[cells[0]] = (len(decisions) + 2, _meta_values(header, row))
        elif table == "audit" and answers is not None and cells[0]:
            raw = {AUDIT_META_FIELDS[h]: row[i] for i, h in enumerate(header) if h in AUDIT_META_FIELDS and i < len(row)}
            answers[cells[0]] = AnswerValues(_text(raw.get("answer")), _text(raw.get("evidence")) or "",
                                             _text(raw.get("answered_by")), _safe_date(raw.get("answered_on")))
    return decisions, answers, meta_model


def _safe_date(v: Any) -> dt.date | None:
    try:
        return _date(v)
    except ValueError:
        return None


def _meta_values(header: list[str | None], row: tuple) -> Values:
    raw = {META_FIELDS[h]: row[i] for i, h in enumerate(header) if h in META_FIELDS and i < len(row)}
    return Values(_text(raw.get("status")) or DecisionStatus.OPEN.value, _text(raw.get("owner")), _text(raw.get("approver")),
                  _safe_date(raw.get("decided_on")), _safe_date(raw.get("expires")), _text(raw.get("ticket")),
                  _text(raw.get("control")), _text(raw.get("reason")) or "")


def _row_values(ws: Any, row: int, cols: dict[str, int], ref: Callable[[str], str], base: Values) -> tuple[Values, list[str]]:
    """The row's values; a column the register does not have keeps ``base``'s value."""
    errors: list[str] = []

    def cell(key: str) -> Any:
        return ws.cell(row=row, column=cols[key]).value

    allowed = DecisionStatus.values()
    raw_status = _text(cell("status"))
    status = decision_code(raw_status)
    if status not in allowed:
        errors.append(f"{ref('status')}: '{raw_status}' is not a status; allowed: {', '.join(allowed)} "
                      f"(or in Russian: {', '.join(terms.DECISION.values())})")
    values: dict[str, Any] = {"status": status}
    for key, label, limit in (("owner", "owner", OWNER_MAX), ("approver", "approver", OWNER_MAX),
                              ("ticket", "ticket", OWNER_MAX), ("control", "control", OWNER_MAX),
                              ("reason", "justification", REASON_MAX)):
        if key not in cols:
            values[key] = getattr(base, key)
            continue
        text = _text(cell(key))
        if text and len(text) > limit:
            errors.append(f"{ref(key)}: the {label} is {len(text)} characters long; at most {limit}")
        values[key] = text or ("" if key == "reason" else None)
    for key in ("decided_on", "expires"):
        if key not in cols:
            values[key] = getattr(base, key)
            continue
        try:
            values[key] = _date(cell(key))
        except ValueError:
            errors.append(f"{ref(key)}: '{_text(cell(key))}' is not a date; write YYYY-MM-DD")
            values[key] = None
    return Values(**{f.name: values[f.name] for f in fields(Values)}), errors


def _semantic_errors(tid: str, v: Values, ref: Callable[[str], str], today: dt.date, level: str, max_days: int) -> list[str]:
    out = []
    if v.decided_on and v.decided_on > today:
        out.append(f"{ref('decided_on')}: the decision date of {tid} ({v.decided_on.isoformat()}) is in the future")
    if v.status == DecisionStatus.ACCEPTED.value:
        if not v.owner:
            out.append(f"{ref('owner')}: accepting {tid} needs an owner")
        if v.expires is None:
            out.append(f"{ref('expires')}: accepting {tid} needs an expiry date")
        elif v.expires < today:
            out.append(f"{ref('expires')}: the acceptance of {tid} would expire ({v.expires.isoformat()}) before it is "
                       f"recorded today ({today.isoformat()})")
        elif v.expires > (v.decided_on or today) + dt.timedelta(days=max_days):
            out.append(f"{ref('expires')}: the acceptance of {tid} would last until {v.expires.isoformat()}, longer than "
                       f"{max_days} days after the decision ({(v.decided_on or today).isoformat()}); accept for at most "
                       f"{max_days} days and review it again (max_acceptance_days in tmodel.toml)")
        if level == Level.CRITICAL.value and (not v.approver or v.approver == DECIDED_BY_DEFAULT):
            out.append(f"{ref('approver')}: {tid} is a critical risk: accepting it needs an approver (who took the "
                       f"decision: risk committee, CISO), not only its owner")
    if v.status == DecisionStatus.MITIGATED.value and not v.control and not v.reason:
        out.append(f"{ref('control')}: 'mitigated' for {tid} needs the control that mitigates it (Mitigating control) or "
                   f"the evidence in the justification")
    if v.status in NEEDS_REASON and not v.reason:
        out.append(f"{ref('reason')}: '{v.status}' for {tid} needs a justification")
    return out


def _plan_audit(ws: Any, model: Model, exported: dict[str, AnswerValues] | None, today: dt.date, plan: ImportPlan) -> None:
    cols = _columns(ws, AUDIT_COLUMNS, ("question", "answer"), ws.title)
    current = model_answers(model)
    allowed = AnswerStatus.values()
    seen: set[str] = set()
    for row in range(2, ws.max_row + 1):
        def ref(key: str) -> str:
            return f"{_quoted(ws.title)}!{ws.cell(row=row, column=cols.get(key, cols['question'])).coordinate}"

        q = _text(ws.cell(row=row, column=cols["question"]).value)
        if q is None:
            continue
        plan.rows += 1
        if q in seen:
            plan.errors.append(f"{ref('question')}: {q} is listed twice; row {row} refused")
            continue
        seen.add(q)
        if exported is not None and q not in exported:
            plan.errors.append(f"{ref('question')}: row {row} ({q}) was added to the register by hand; refused: the audit "
                               f"questions come from the catalogs. Delete the row")
            continue
        now = current.get(q, NO_ANSWER)
        base = exported[q] if exported is not None else now
        raw = _text(ws.cell(row=row, column=cols["answer"]).value)
        answer = answer_code(raw)
        errs = []
        if answer is not None and answer not in allowed:
            errs.append(f"{ref('answer')}: '{raw}' is not an answer; allowed: {', '.join(allowed)} "
                        f"(or in Russian: {', '.join(terms.ANSWER.values())})")

        def text(key: str, old: str | None) -> str | None:
            return _text(ws.cell(row=row, column=cols[key]).value) if key in cols else old

        evidence = text("evidence", base.evidence) or ""
        if len(evidence) > REASON_MAX:
            errs.append(f"{ref('evidence')}: the evidence is {len(evidence)} characters long; at most {REASON_MAX}")
        try:
            on = _date(ws.cell(row=row, column=cols["answered_on"]).value) if "answered_on" in cols else base.answered_on
        except ValueError:
            errs.append(f"{ref('answered_on')}: '{_text(ws.cell(row=row, column=cols['answered_on']).value)}' is not a "
                        f"date; write YYYY-MM-DD")
            on = None
        new = AnswerValues(answer, evidence, text("answered_by", base.answered_by), on)
        if errs:
            plan.errors += errs
            continue
        if new == base:
            continue
        if now != base and now != new:
            plan.errors.append(f"{ref('answer')}: the answer to {q} changed in the model since the export "
                               f"({base.describe()} -> {now.describe()}) and in the register ({new.describe()}); "
                               f"row {row} refused: settle it in one place, then export again")
            continue
        if (new.answer, new.evidence) != (base.answer, base.evidence):
            if new.answered_on == base.answered_on:
                new = replace(new, answered_on=today)
            if new.answered_by == base.answered_by and not new.answered_by:
                new = replace(new, answered_by=DECIDED_BY_DEFAULT)
        if new.answer is None:
            new = NO_ANSWER
        if now == new:
            continue
        if new.answer in ("yes", "partial", "not_applicable") and not new.evidence:
            plan.errors.append(f"{ref('evidence')}: the answer '{new.answer}' to {q} needs evidence (document and version, "
                               f"ticket, link){' or the reason it does not apply' if new.answer == 'not_applicable' else ''}")
            continue
        if new.answered_on and new.answered_on > today:
            plan.errors.append(f"{ref('answered_on')}: the answer date of {q} ({new.answered_on.isoformat()}) is in the future")
            continue
        plan.answers.append(AnswerChange(q, now, new))
    if exported is not None:
        for q in exported:
            if q not in seen:
                plan.warnings.append(f"{ws.title}: {q} is not in the register: left as it was")


def _quoted(sheet: str) -> str:
    """A sheet name as a cell reference writes it: quoted when it holds a space (Неизвестные факты)."""
    return f"'{sheet}'" if " " in sheet else sheet
