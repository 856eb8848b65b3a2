"""Personal and bank data in the schemas (``pd_fields`` classifies field names) -> data assets with
a personal-data category, and the placeholder ``pd_level`` a model with personal data needs."""

from __future__ import annotations

from typing import Any

from tmodel.importers import pd_fields
from tmodel.importers.common import MAX_TEXT, WHOLE_ITEM, Draft, shorten
from tmodel.importers.openapi.schemas import MAX_SCHEMA_DEPTH, Budget, schema_children
from tmodel.importers.openapi.spec import Spec
from tmodel.importers.refs import Parts, ref_name

MAX_ATTRIBUTES = 30


class PdWalker:
    """Personal and bank data fields of schemas, through references, with a cycle guard and a memo."""

    def __init__(self, spec: Spec, budget: Budget):
        self.spec = spec
        self.budget = budget
        self.memo: dict[tuple[Parts, tuple[str, ...]], list[tuple[pd_fields.Category, str, Parts]]] = {}

    def fields(self, schema: Any, parts: Parts, context: tuple[str, ...] = ()) -> list[tuple[pd_fields.Category, str, Parts]]:
        return self._walk(schema, parts, context, frozenset(), 0)

    def _walk(self, node: Any, at: Parts, ctx: tuple[str, ...], on_path: frozenset, depth: int):
        memo_key = None
        if isinstance(node, dict) and "$ref" in node:
            node, at = self.spec.deref(node, at)
            if at in on_path:
                return []  # a circular schema: legal, stop descending
            on_path = on_path | {at}
            name = ref_name(at)
            if name:
                ctx = ctx + (name,)
            memo_key = (at, ctx[-3:])
            if memo_key in self.memo:
                return self.memo[memo_key]
        if not isinstance(node, dict) or depth > MAX_SCHEMA_DEPTH or not self.budget.take():
            return []
        out: list[tuple[pd_fields.Category, str, Parts]] = []
        for name, sub, sub_at in schema_children(node, at):
            sub_node = sub
            if name is not None:
                if isinstance(sub, dict) and "$ref" in sub:
                    sub_node, _ = self.spec.deref(sub, sub_at)
                cat = pd_fields.classify(name, ctx, sub_node)
                if cat is not None:
                    out.append((cat, name, sub_at))
            out += self._walk(sub, sub_at, ctx + ((name,) if name else ()), on_path, depth + 1)
        out = _distinct(out)
        if memo_key is not None:
            self.memo[memo_key] = out
        return out


def _distinct(found: list[tuple[pd_fields.Category, str, Parts]]) -> list[tuple[pd_fields.Category, str, Parts]]:
    """Each (category, field name) once, at its first place: what the assets use (names and the first
    source). Without it a schema that refers to another five times, eleven levels deep, returns
    5**11 entries even with the memo: the list, not the walk, grew exponentially."""
    seen: set[tuple[str, str]] = set()
    out = []
    for item in found:
        key = (item[0].key, item[1])
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


class DataFound:
    """The personal and bank data fields found in the schemas, by category, for the data assets."""

    def __init__(self) -> None:
        self.by_category: dict[str, dict[str, Any]] = {}  # category key -> {'cat', 'names', 'first'}

    def note(self, cat: pd_fields.Category, name: str, at: Parts) -> None:
        """A field of category ``cat`` named ``name`` at ``at`` (the first one found is the asset's source)."""
        entry = self.by_category.setdefault(cat.key, {"cat": cat, "names": set(), "first": at})
        entry["names"].add(name)

    def add_assets(self, spec: Spec, draft: Draft, findings: list[str]) -> None:
        """One data asset per category found (an asset the draft already has is kept), and the
        placeholder pd_level when there is personal data; the finding that says so goes to ``findings``."""
        for cat in pd_fields.CATEGORIES:
            entry = self.by_category.get(cat.key)
            if not entry:
                continue
            names = sorted(entry["names"], key=lambda n: (n.lower(), n))
            attrs = [n[:200] for n in names[:MAX_ATTRIBUTES]]
            more = f" (and {len(names) - MAX_ATTRIBUTES} more)" if len(names) > MAX_ATTRIBUTES else ""
            asset: dict[str, Any] = {
                "id": cat.key, "title": cat.title,
                "description": shorten(f"{cat.description} Recognised by field names in the document's schemas: "
                                       f"{', '.join(attrs)}{more}. Review the classification and the volume.".strip(), MAX_TEXT),
                "classification": cat.classification, "pd_category": cat.pd_category, "attributes": attrs,
            }
            if cat is pd_fields.CARDS and names and all(pd_fields.words(n)[:1] == ["masked"] for n in names):
                asset["masked"] = True
            asset["derived_from"] = {WHOLE_ITEM: spec.source(entry["first"])}
            if draft.item("data_assets", cat.key) is None:
                draft.data_assets.append(asset)
            draft.used_ids.add(cat.key)
        if any(a.get("pd_category", "none") != "none" for a in draft.data_assets) and not draft.metadata.get("pd_level"):
            draft.metadata["pd_level"] = "uz3"
            findings.append("personal data found in the schemas: metadata.pd_level is set to 'uz3' as a PLACEHOLDER "
                            "(a model with personal data needs one); set the real level (PP 1119: uz1..uz4) from the "
                            "ISPDn protection level act")
