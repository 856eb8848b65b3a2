"""Read the owner-editable columns of a risk register back into decisions.

Three values meet for each row: what the register said when it was exported (the hidden
``_tmodel`` sheet), what it says now (the Risks sheet) and what the model says now. A row
counts as edited when its cells differ from the exported values; an edit is applied only when
the model's decision is still the exported one (otherwise both sides changed it: a conflict,
reported, nothing written). A register without the hidden sheet is compared with the model.

Everything that is wrong is reported with its cell (``Risks!O14: ...``); nothing is written
unless every row is valid. ``plan_import`` is pure: the command does the writing.

A workbook is a zip of XML written by anyone: ``read_register`` checks the zip before openpyxl
sees it (file size, member count, total and per-member decompressed size, compression ratio:
a 1 MB zip bomb is refused in milliseconds), openpyxl parses the XML through defusedxml (no
external entities, no entity expansion), any failure to read is a ``RegisterError`` naming the
file (never a traceback), and a Risks sheet may not claim more than ``MAX_ROWS`` rows.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field
from typing import Any

from tmodel.export.register import META_HEADERS, META_SHEET, RISK_COLUMNS
from tmodel.model.enums import DecisionStatus
from tmodel.model.types import Model

MAX_FILE_BYTES = 20 * 1024 * 1024     # a register of thousands of threats is well under 1 MB
MAX_MEMBERS = 2000                     # files inside the zip
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # all members decompressed
MAX_RATIO = 200                        # decompressed / compressed, for members over 1 MB decompressed
MAX_ROWS = 100_000                     # rows of the Risks sheet (Excel allows 1,048,576)
MAX_COLUMNS = 200

NEEDS_REASON = {DecisionStatus.ACCEPTED.value, DecisionStatus.TRANSFERRED.value, DecisionStatus.FALSE_POSITIVE.value}
OWNER_MAX, REASON_MAX = 200, 4000


@dataclass(frozen=True)
class Values:
    status: str
    owner: str | None
    reason: str
    expires: dt.date | None

    def describe(self) -> str:
        extra = [f"owner {self.owner}" if self.owner else "", f"expires {self.expires.isoformat()}" if self.expires else ""]
        return self.status + (f" ({', '.join(x for x in extra if x)})" if any(extra) else "")


@dataclass
class Change:
    threat: str
    old: Values
    new: Values
    created: bool  # the model had no decision for this threat

    def describe(self) -> str:
        fields = []
        if self.old.owner != self.new.owner:
            fields.append(f"owner {self.old.owner or '-'} -> {self.new.owner or '-'}")
        if self.old.expires != self.new.expires:
            fields.append(f"expires {self.old.expires or '-'} -> {self.new.expires or '-'}")
        if self.old.reason != self.new.reason:
            fields.append("justification changed")
        return f"{self.threat}: {self.old.status} -> {self.new.status}" + (f" ({'; '.join(fields)})" if fields else "")


@dataclass
class ImportPlan:
    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: int = 0


class RegisterError(Exception):
    """The file is not a register this tool can read."""


def model_values(model: Model) -> dict[str, Values]:
    return {d.threat: Values(d.status.value, d.owner or None, d.reason or "", d.expires) for d in model.decisions}


OPEN = Values(DecisionStatus.OPEN.value, None, "", None)


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


def plan_import(wb: Any, model: Model, live_threats: set[str], today: dt.date) -> ImportPlan:
    """What the register changes. ``live_threats``: the threat ids of the model's current
    analysis; ``today``: the decision date the import will record."""
    plan = ImportPlan()
    if "Risks" not in wb.sheetnames:
        raise RegisterError("it has no 'Risks' sheet; is it a register written by 'tmodel export'?")
    ws = wb["Risks"]
    if ws.max_row > MAX_ROWS or ws.max_column > MAX_COLUMNS:
        raise RegisterError(f"the Risks sheet reaches row {ws.max_row:,}, column {ws.max_column:,}; a register has at most "
                            f"{MAX_ROWS:,} rows and {MAX_COLUMNS} columns (clear the cells far below or right of the table)")
    headers = {str(c.value).strip(): c.column for c in ws[1] if c.value is not None}
    cols: dict[str, int] = {}
    for c in RISK_COLUMNS:
        if c.key in ("id", "status", "owner", "expires", "reason"):
            if c.header not in headers:
                raise RegisterError(f"the Risks sheet has no '{c.header}' column in row 1")
            cols[c.key] = headers[c.header]

    exported, meta_model = _exported(wb)
    if meta_model is not None and meta_model != model.metadata.id:
        raise RegisterError(f"it is the register of model '{meta_model}', not of '{model.metadata.id}'")
    current = model_values(model)
    seen: dict[str, str] = {}
    for row in range(2, ws.max_row + 1):
        def ref(key: str) -> str:
            return f"Risks!{ws.cell(row=row, column=cols[key]).coordinate}"

        tid = _text(ws.cell(row=row, column=cols["id"]).value)
        if tid is None:
            continue
        plan.rows += 1
        if tid in seen:
            plan.errors.append(f"{ref('id')}: {tid} is listed twice (also {seen[tid]})")
            continue
        seen[tid] = ref("id")
        new, errs = _row_values(ws, row, cols, ref)
        if errs:
            plan.errors += errs
            continue
        base = exported.get(tid) if exported is not None else current.get(tid, OPEN)
        if base is None:  # a row added by hand
            base = current.get(tid, OPEN)
        if new == base:
            if tid not in live_threats:
                plan.warnings.append(f"{ref('id')}: {tid} is no longer a threat of this model (fixed, renamed or removed); row skipped")
            continue
        if tid not in live_threats:
            plan.warnings.append(f"{ref('id')}: {tid} is no longer a threat of this model (fixed, renamed or removed); "
                                 f"its edits were not imported")
            continue
        now = current.get(tid, OPEN)
        if now != base and now != new:
            plan.errors.append(f"{ref('status')}: the decision for {tid} changed in the model since the export "
                               f"({base.describe()} -> {now.describe()}) and in the register ({new.describe()}); "
                               f"settle it in one place, then export again")
            continue
        if now == new:
            continue  # already in the model
        plan.errors += _semantic_errors(tid, new, ref, today)
        plan.changes.append(Change(tid, now, new, tid not in current))
    return plan


def _exported(wb: Any) -> tuple[dict[str, Values] | None, str | None]:
    if META_SHEET not in wb.sheetnames:
        return None, None
    ws = wb[META_SHEET]
    if ws.max_row > MAX_ROWS or ws.max_column > MAX_COLUMNS:
        raise RegisterError(f"the hidden '{META_SHEET}' sheet reaches row {ws.max_row:,}; export a fresh register")
    meta_model = None
    out: dict[str, Values] = {}
    in_rows = False
    for row in ws.iter_rows(values_only=True):
        cells = list(row) + [None] * 5
        if not in_rows:
            if cells[0] == "model":
                meta_model = _text(cells[1])
            if [_text(x) for x in cells[:5]] == META_HEADERS:
                in_rows = True
            continue
        tid = _text(cells[0])
        if tid is None:
            continue
        expires = None
        if _text(cells[3]):
            try:
                expires = dt.date.fromisoformat(_text(cells[3]) or "")
            except ValueError:
                expires = None
        out[tid] = Values(_text(cells[1]) or "open", _text(cells[2]), _text(cells[4]) or "", expires)
    return (out if in_rows else None), meta_model


def _row_values(ws: Any, row: int, cols: dict[str, int], ref: Any) -> tuple[Values, list[str]]:
    errors: list[str] = []
    allowed = DecisionStatus.values()
    raw_status = _text(ws.cell(row=row, column=cols["status"]).value)
    status = (raw_status or "open").lower().replace(" ", "_").replace("-", "_")
    if status not in allowed:
        errors.append(f"{ref('status')}: '{raw_status}' is not a status; allowed: {', '.join(allowed)}")
    owner = _text(ws.cell(row=row, column=cols["owner"]).value)
    if owner and len(owner) > OWNER_MAX:
        errors.append(f"{ref('owner')}: the owner is {len(owner)} characters long; at most {OWNER_MAX}")
    reason = _text(ws.cell(row=row, column=cols["reason"]).value) or ""
    if len(reason) > REASON_MAX:
        errors.append(f"{ref('reason')}: the justification is {len(reason)} characters long; at most {REASON_MAX}")
    raw_exp = ws.cell(row=row, column=cols["expires"]).value
    expires: dt.date | None = None
    if isinstance(raw_exp, dt.datetime):
        expires = raw_exp.date()
    elif isinstance(raw_exp, dt.date):
        expires = raw_exp
    elif _text(raw_exp):
        try:
            expires = dt.date.fromisoformat(_text(raw_exp) or "")
        except ValueError:
            errors.append(f"{ref('expires')}: '{_text(raw_exp)}' is not a date; write YYYY-MM-DD")
    return Values(status, owner, reason, expires), errors


def _semantic_errors(tid: str, v: Values, ref: Any, today: dt.date) -> list[str]:
    out = []
    if v.status == DecisionStatus.ACCEPTED.value:
        if not v.owner:
            out.append(f"{ref('owner')}: accepting {tid} needs an owner")
        if v.expires is None:
            out.append(f"{ref('expires')}: accepting {tid} needs an expiry date")
        elif v.expires < today:
            out.append(f"{ref('expires')}: the acceptance of {tid} would expire ({v.expires.isoformat()}) before it is "
                       f"recorded today ({today.isoformat()})")
    if v.status in NEEDS_REASON and not v.reason:
        out.append(f"{ref('reason')}: '{v.status}' for {tid} needs a justification")
    return out
