"""Views of (analysis, model) that several exports share. Pure functions, sorted output."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from tmodel.analysis.result import Analysis
from tmodel.export.palette import highest
from tmodel.fsutil import atomic_write
from tmodel.model.types import Boundary, Model


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
        "dot": f"{model_id}-dataflow.dot",
        "svg": f"{model_id}-dataflow.svg",
        "png": f"{model_id}-dataflow.png",
        "data-dot": f"{model_id}-data.dot",
        "data-svg": f"{model_id}-data.svg",
        "data-png": f"{model_id}-data.png",
        "json": f"{model_id}-analysis.json",
        "fstec-md": f"{model_id}-fstec.md",
        "fstec-docx": f"{model_id}-fstec.docx",
    }


def risk_by_target(a: Analysis) -> dict[str, str]:
    """Target id -> highest residual level among its unresolved threats."""
    levels: dict[str, list[str]] = defaultdict(list)
    for t in a.threats:
        if t.unresolved:
            levels[t.target].append(t.residual_level)
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
        seen, cur = set(), bid
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
