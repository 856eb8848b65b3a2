"""Merge a snippet's boundaries, data assets, elements and flows into a model's data.

A snippet item whose id already names the same thing in the model is reused rather than copied:
a boundary in the same zone, a data asset of the same classification, an element of the same kind
and technology, a flow between the same (merged) ends; so is an earlier insert's renamed copy
(``hsm-2``). Any other clash of ids gets a numeric suffix, and the snippet's own references
(parents, boundaries, flow ends, data) follow the new ids. Pure data in, data out: the service applies the result as one edit.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

ORDER = ("boundaries", "data_assets", "elements", "flows")  # referenced sections first
SAME = {"boundaries": ("zone",), "data_assets": ("classification",), "elements": ("kind", "technology"),
        "flows": ("from", "to")}


@dataclass
class MergePlan:
    add: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {s: [] for s in ORDER})
    reused: list[str] = field(default_factory=list)  # "elements siem"
    renamed: dict[str, str] = field(default_factory=dict)  # snippet id -> new id

    @property
    def added(self) -> int:
        return sum(len(v) for v in self.add.values())

    def summary(self) -> str:
        parts = [f"added {self.added} item(s)"]
        if self.renamed:
            parts.append("renamed " + ", ".join(f"{a} -> {b}" for a, b in self.renamed.items()))
        if self.reused:
            parts.append("reused " + ", ".join(r.split(" ", 1)[1] for r in self.reused))
        return "; ".join(parts)


def _items(data: Any, section: str) -> list[dict[str, Any]]:
    items = data.get(section) if isinstance(data, dict) else None
    return [x for x in items if isinstance(x, dict)] if isinstance(items, list) else []


def plan_merge(model: Any, snippet: dict[str, Any]) -> MergePlan:
    """What inserting ``snippet`` into ``model`` (both plain model mappings) adds, reuses and renames."""
    plan = MergePlan()
    existing = {s: {str(x.get("id")): x for x in _items(model, s)} for s in ORDER}
    taken = {i for s in ORDER for i in existing[s]} | {"model"}
    mapping: dict[str, str] = {}

    def remap(item: dict[str, Any], section: str) -> dict[str, Any]:
        item = copy.deepcopy(item)
        if section == "boundaries" and item.get("parent") is not None:
            item["parent"] = mapping.get(str(item["parent"]), item["parent"])
        if section == "elements" and item.get("boundary") is not None:
            item["boundary"] = mapping.get(str(item["boundary"]), item["boundary"])
        if section == "flows":
            for end in ("from", "to"):
                if item.get(end) is not None:
                    item[end] = mapping.get(str(item[end]), item[end])
            item["data"] = [mapping.get(str(d), d) for d in item.get("data") or []]
        return item

    for section in ORDER:
        for raw in _items(snippet, section):
            ident = str(raw.get("id"))
            item = remap(raw, section)
            # the same thing under this id, or under an id an earlier insert gave it (siem-2), is reused
            new, n, reuse = ident, 2, False
            while new in taken:
                old = existing[section].get(new)
                if old is not None and all(str(old.get(k)) == str(item.get(k)) for k in SAME[section]):
                    reuse = True
                    break
                new = f"{ident}-{n}"
                n += 1
            mapping[ident] = new
            if reuse:
                plan.reused.append(f"{section} {new}")
                continue
            if new != ident:
                plan.renamed[ident] = new
            taken.add(new)
            item["id"] = new
            plan.add[section].append(item)
    return plan
