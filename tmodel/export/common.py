"""Views of (analysis, model) that several exports share. Pure functions, sorted output."""

from __future__ import annotations

import dataclasses
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tmodel.analysis.result import Analysis, Threat
from tmodel.export.palette import highest
from tmodel.fsutil import atomic_write
from tmodel.model.types import Boundary, Model


# -- what a threat affects and what state it is in: every export goes through these, so a change
# of the analysis's shape (grouped findings with member flows/operations) is adapted here once.
def affects(t: Threat) -> str:
    """One line naming what the threat affects: 'flow app-gw: App to gateway', 'model: Payments'."""
    if t.target_kind == "model":
        return f"the whole model ({t.target_title})"
    return f"{t.target_kind} {t.target}: {t.target_title}"


def affected_items(t: Threat) -> list[str]:
    """Every item the threat affects, one line each (the target; the members of a grouped finding
    with why each matched)."""
    members = getattr(t, "members", None) or []
    if len(members) <= 1 and t.target_kind != "flows":  # an ungrouped finding lists only itself as its member
        return [affects(t)]
    out = [affects(t)]
    for m in members:
        ident = getattr(m, "id", None) or getattr(m, "target", None) or str(m)
        why = getattr(m, "why", None)
        why_text = "; ".join(why) if isinstance(why, list) else (why or "")
        out.append(f"- {ident}" + (f": {why_text}" if why_text else ""))
    return out


def threat_status(t: Threat) -> str:
    """The effective status shown for a threat (open, expired, accepted, mitigated, ...)."""
    return t.status


def decision_of(model: Model, threat_id: str) -> Any:
    """The model's own Decision for a threat (fields the analysis view does not carry: ticket)."""
    return next((d for d in model.decisions if d.threat == threat_id), None)


def code_spans(text: str) -> list[tuple[str, bool]]:
    """Catalog text marks config keys and values as `code`: (segment, is_code) pieces, so each
    export shows them as code (record) or plain (register) instead of stray backticks. Text with
    unbalanced backticks is one plain piece."""
    if "`" not in text or text.count("`") % 2:
        return [(text, False)]
    parts = text.split("`")
    return [(p, i % 2 == 1) for i, p in enumerate(parts) if p]


def plain(text: str) -> str:
    """Text without the backticks of its code spans."""
    return "".join(p for p, _ in code_spans(text))


# -- no machine paths in an export -------------------------------------------------------------
def repository_root(path: str) -> Path | None:
    """The folder holding ``.git`` above ``path``, or None."""
    cur = Path(os.path.abspath(path)).parent
    for d in (cur, *cur.parents):
        if (d / ".git").exists():
            return d
    return None


def shown_path(path: str) -> str:
    """How an export names a model file: relative to its repository when it is in one, else just
    its file name; never the exporting machine's absolute path."""
    if not path:
        return path
    root = repository_root(path)
    absolute = Path(os.path.abspath(path))
    if root is not None:
        return absolute.relative_to(root).as_posix()
    return absolute.name


def machine_prefixes(path: str) -> list[str]:
    """Absolute folders that must not appear in an export of the model at ``path``, longest first:
    the model's folder, its repository, the current folder and the home folder."""
    absolute = Path(os.path.abspath(path)) if path else Path.cwd()
    candidates = [absolute.parent, repository_root(str(absolute)), Path.cwd(), Path.home()]
    out = {str(c) for c in candidates if c is not None and str(c) not in ("/", "")}
    return sorted(out, key=len, reverse=True)


def catalog_versions(cat: Any, model: Any) -> list[tuple[str, str, str]]:
    """(id, title, version) of the catalogs the model's analysis used."""
    chosen = model.metadata.catalogs
    return [(i.id, i.title, i.version) for cid, i in sorted(cat.infos.items()) if chosen is None or cid in chosen]


def git_revision(path: str) -> str | None:
    """The model file's git revision: 'abc1234 (2026-12-01)' of the last commit that changed it,
    plus ', with uncommitted changes' when the file differs from it; None outside a repository."""
    import shutil
    import subprocess

    git = shutil.which("git")
    if not path or git is None or repository_root(path) is None:
        return None
    folder = os.path.dirname(os.path.abspath(path)) or "."
    name = os.path.basename(path)
    try:
        log = subprocess.run([git, "-C", folder, "log", "-1", "--format=%h (%cs)", "--", name], capture_output=True,
                             text=True, timeout=20, check=False)
        status = subprocess.run([git, "-C", folder, "status", "--porcelain", "--", name], capture_output=True, text=True,
                                timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    rev = log.stdout.strip()
    if log.returncode != 0:
        return None
    if not rev:
        return "not committed yet"
    return rev + (", with uncommitted changes" if status.stdout.strip() else "")


def strip_machine_paths(a: Analysis) -> Analysis:
    """A copy of the analysis in which every absolute folder of this machine (``machine_prefixes``)
    is cut from every text: paths become relative to the model's folder (or repository)."""
    prefixes = machine_prefixes(a.path)
    model_dir = str(Path(os.path.abspath(a.path)).parent) if a.path else ""

    def text(s: str) -> str:
        for p in prefixes:
            if p in s:
                repl = "" if p == model_dir else os.path.relpath(p, model_dir or p)
                s = s.replace(p + os.sep, "" if repl in ("", ".") else repl + "/").replace(p, repl or ".")
        return s

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return text(v)
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return dataclasses.replace(v, **{f.name: walk(getattr(v, f.name)) for f in dataclasses.fields(v) if f.init})
        return v

    out = walk(a)
    return dataclasses.replace(out, path=shown_path(a.path))


def method_items() -> list[str]:
    """The risk method (``risk.method_text``) as whole sentences: wrapped lines joined, one item
    per bullet, reST literals made plain."""
    from tmodel.analysis import risk

    items: list[str] = []
    for line in risk.method_text():
        text = line.replace("``", "")
        if text.startswith("- ") or not items:
            items.append(text[2:] if text.startswith("- ") else text)
        else:
            items[-1] += " " + text
    return items


def file_names(model_id: str) -> dict[str, str]:
    """Export file name per output kind; every name starts with the model id, so several models
    can share one folder."""
    return {
        "xlsx": f"{model_id}-register.xlsx",
        "md": f"{model_id}-record.md",
        "docx": f"{model_id}-record.docx",
        "dot": f"{model_id}-dataflow.dot",
        "svg": f"{model_id}-dataflow.svg",
        "png": f"{model_id}-dataflow.png",
        "data-dot": f"{model_id}-data.dot",
        "data-svg": f"{model_id}-data.svg",
        "data-png": f"{model_id}-data.png",
        "json": f"{model_id}-analysis.json",
        "sarif": f"{model_id}-threats.sarif",
        "fstec-md": f"{model_id}-fstec.md",
        "fstec-docx": f"{model_id}-fstec.docx",
    }


def risk_by_target(a: Analysis) -> dict[str, str]:
    """Element or flow id -> highest residual level among its unresolved threats (each member of a grouped
    finding counts for its own flow, at its own level)."""
    levels: dict[str, list[str]] = defaultdict(list)
    for t in a.threats:
        if t.unresolved:
            for m in t.members or []:
                levels[m.target].append(m.level)
    return {k: lv for k, v in sorted(levels.items()) if (lv := highest(v)) is not None}


@dataclass
class AssetReach:
    flows: list[str]  # flow ids carrying the asset, model order
    elements: list[str]  # element ids at either end of those flows, model order
    via: dict[str, list[str]]  # element id -> flow ids that bring the asset to or from it


def asset_reach(model: Model) -> dict[str, AssetReach]:
    order = {e.id: i for i, e in enumerate(model.elements)}
    out: dict[str, AssetReach] = {}
    for asset in model.data_assets:
        flows = [f for f in model.flows if asset.id in f.data]
        via: dict[str, list[str]] = defaultdict(list)
        for f in flows:
            for end in (f.source, f.target):
                if f.id not in via[end]:
                    via[end].append(f.id)
        elements = sorted(via, key=lambda e: (order.get(e, len(order)), e))
        out[asset.id] = AssetReach([f.id for f in flows], elements, {e: via[e] for e in elements})
    return out


def boundary_tree(model: Model) -> tuple[list[Boundary], dict[str, list[Boundary]]]:
    """(top-level boundaries, parent id -> children), model order; a boundary whose parent is
    unknown or part of a cycle is treated as top-level."""
    ids = {b.id for b in model.boundaries}
    parents = {b.id: b.parent for b in model.boundaries}

    def in_cycle(bid: str) -> bool:
        seen: set[str] = set()
        cur: str | None = bid
        while cur is not None and cur in parents:
            if cur in seen:
                return True
            seen.add(cur)
            cur = parents[cur]
        return False

    top: list[Boundary] = []
    children: dict[str, list[Boundary]] = defaultdict(list)
    for b in model.boundaries:
        if b.parent is None or b.parent not in ids or in_cycle(b.id):
            top.append(b)
        else:
            children[b.parent].append(b)
    return top, dict(children)


write_atomic = atomic_write  # one atomic writer for models and exports (tmodel.fsutil)
