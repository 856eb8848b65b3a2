"""Generate the reference parts of docs/model-format.md from the code, so the document never drifts.

    .venv/bin/python tools/gen_model_docs.py --write   # update the generated blocks in place
    .venv/bin/python tools/gen_model_docs.py --check   # exit 1 if the committed document is stale
    .venv/bin/python tools/gen_model_docs.py           # print the generated blocks

The document holds hand-written text around blocks delimited by
``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->``; only the blocks are
rewritten. Blocks:
- ``example``: the complete annotated example, docs/model-example.yaml, verbatim;
- ``stated``: the element and flow fields the shipped catalogs' rules read, in their conditions
  (``when``: judged, an unknown when left out) or only in their ``scope`` (read as written);
- ``reference``: every field of every section (type, default, description), every enum value
  with its description, every validation check with a real example message, and the limits.

The field list walks ``tmodel.model.types.Model``; enum descriptions come from the
``DescribedEnum`` members; check summaries are the checks' docstrings and the example messages
are produced by running each check on a broken copy of the example model. Nothing here imports
textual.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any, Callable

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tmodel import FORMAT_VERSION  # noqa: E402
from tmodel.model import checks  # noqa: E402
from tmodel.model.enums import DescribedEnum  # noqa: E402
from tmodel.model.load import load_model_text  # noqa: E402
from tmodel.model.types import Model  # noqa: E402
from tmodel.model.yamlsafe import ALIAS_EXPANSION, MAX_BYTES, MAX_DEPTH, MAX_NODES  # noqa: E402

DOC = ROOT / "docs" / "model-format.md"
EXAMPLE = ROOT / "docs" / "model-example.yaml"
BLOCK = re.compile(r"(<!-- BEGIN GENERATED: (\w+) -->\n)(.*?)(<!-- END GENERATED: \2 -->)", re.S)


# --- types ------------------------------------------------------------------------------------

def _constraints(metadata: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in metadata:
        for name in ("pattern", "max_length", "min_length", "ge", "le"):
            v = getattr(m, name, None)
            if v is not None:
                out[name] = v
    return out


def _unwrap_annotated(tp: Any) -> tuple[Any, list[Any]]:
    meta: list[Any] = []
    while typing.get_origin(tp) is typing.Annotated:
        args = typing.get_args(tp)
        tp, meta = args[0], meta + list(args[1:])
        for m in args[1:]:
            if isinstance(m, FieldInfo):
                meta += m.metadata
    return tp, meta


def type_text(tp: Any, metadata: list[Any] | None = None) -> str:
    """A reader's name for a field type: 'id', 'text (≤ 200)', 'list of id', a link to an enum."""
    tp, meta = _unwrap_annotated(tp)
    cons = _constraints((metadata or []) + meta)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return type_text(args[0], metadata) if len(args) == 1 else " or ".join(type_text(a) for a in args)
    if origin is list:
        return "list of " + type_text(typing.get_args(tp)[0])
    if isinstance(tp, type) and issubclass(tp, DescribedEnum):
        return f"[`{tp.__name__}`](#{tp.__name__.lower()}-values)"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "mapping"
    if tp is bool:
        return "boolean"
    if tp is int:
        if "ge" in cons and "le" in cons:
            return f"integer {cons['ge']}..{cons['le']}"
        return "integer"
    if tp is dt.date:
        return "date (YYYY-MM-DD)"
    if tp is str:
        pattern = cons.get("pattern", "")
        if "@" in pattern:
            return "threat id (`RULE-ID@target`)"
        if pattern.startswith("^[a-z0-9]"):
            return "id"
        if pattern == r"^[A-Z]{2}$":
            return "country code (ISO 3166-1 alpha-2)"
        if "max_length" in cons:
            return f"text (≤ {cons['max_length']:,} chars)"
        return "text"
    return getattr(tp, "__name__", str(tp))


def default_text(f: FieldInfo) -> str:
    if f.is_required():
        return "**required**"
    if f.default_factory is not None:
        value = f.default_factory()
        if isinstance(value, list):
            return "`[]`"
        return "all defaults"
    d = f.default
    if d is None:
        return "not set"
    if isinstance(d, bool):
        return f"`{str(d).lower()}`"
    if isinstance(d, DescribedEnum):
        return f"`{d.value}`"
    if d == "":
        return '`""`'
    return f"`{d}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _nested_model(tp: Any) -> type[BaseModel] | None:
    tp, _ = _unwrap_annotated(tp)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType, list):
        for a in typing.get_args(tp):
            found = _nested_model(a)
            if found is not None:
                return found
        return None
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _enums(tp: Any) -> list[type[DescribedEnum]]:
    tp, _ = _unwrap_annotated(tp)
    if isinstance(tp, type) and issubclass(tp, DescribedEnum):
        return [tp]
    return [e for a in typing.get_args(tp) for e in _enums(a)]


def _child_path(path: str, key: str, annotation: Any) -> str:
    is_list = typing.get_origin(_unwrap_annotated(annotation)[0]) is list
    return f"{path}.{key}".lstrip(".") + ("[]" if is_list else "")


def walk_sections() -> tuple[list[tuple[str, type[BaseModel]]], list[type[DescribedEnum]]]:
    """(path, class) of every mapping in the format, in file order, and every enum used."""
    sections: list[tuple[str, type[BaseModel]]] = []
    enums: list[type[DescribedEnum]] = []

    def visit(path: str, cls: type[BaseModel]) -> None:
        sections.append((path, cls))
        for name, f in cls.model_fields.items():
            for e in _enums(f.annotation):
                if e not in enums:
                    enums.append(e)
            sub = _nested_model(f.annotation)
            if sub is not None:
                visit(_child_path(path, f.alias or name, f.annotation), sub)

    visit("", Model)
    return sections, enums


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def fields_reference() -> str:
    sections, enums = walk_sections()
    out: list[str] = ["### Fields", "",
                      "Every mapping of the format, by its path in the file (`[]` marks a list of such mappings). "
                      "Unknown keys are errors, so a typo never passes silently.", ""]
    for path, cls in sections:
        out += [f"#### `{path}`" if path else "#### Top level", ""]
        out += ["| Field | Type | Default | Description |", "|---|---|---|---|"]
        for name, f in cls.model_fields.items():
            key = f.alias or name
            if _nested_model(f.annotation) is not None:
                child = _child_path(path, key, f.annotation)
                kind = "list of mappings" if child.endswith("[]") else "mapping"
                tp = f"{kind}, see [`{child}`](#{_anchor(child)})"
            else:
                tp = type_text(f.annotation, list(f.metadata))
            out.append(f"| `{key}` | {tp} | {default_text(f)} | {_cell(f.description or '')} |")
        out.append("")
    out += ["### Enum values", "",
            "Typed properties take one value of a fixed vocabulary; the schema gives editors the same list and descriptions.", ""]
    for e in enums:
        out += [f"#### `{e.__name__}` values", "", "| Value | Meaning |", "|---|---|"]
        out += [f"| `{m.value}` | {_cell(m.description)} |" for m in e]
        out.append("")
    return "\n".join(out)


# --- validation checks, with real messages -----------------------------------------------------

def _el(m: dict, eid: str) -> dict:
    return next(e for e in m["elements"] if e["id"] == eid)


def _fl(m: dict, fid: str) -> dict:
    return next(f for f in m["flows"] if f["id"] == fid)


Mutation = Callable[[dict], Any]

# one broken copy of the example per check: what the reader did wrong, and how
EXAMPLES: dict[str, tuple[str, Mutation]] = {
    "check_duplicate_ids": ("a flow reuses an element's id",
                            lambda m: _fl(m, "gw-km").update(id="km")),
    "check_references": ("a flow points at an element that does not exist",
                         lambda m: _fl(m, "gw-accounts").update(to="acounts")),
    "check_derived_from": ("an imported source recorded for a field that does not exist",
                           lambda m: _fl(m, "gw-accounts").update(derived_from={"tls.min_vers": "api.yaml#/servers/0/url"})),
    "check_stale_decisions": ("a decision about a flow that was renamed",
                              lambda m: m["decisions"][0].update(threat="WSO2-NO-MESSAGE-SIGNING@tpp-gateway")),
    "check_boundary_nesting": ("two boundaries inside each other",
                               lambda m: (m["boundaries"][2].update(parent="core"))),
    "check_boundary_membership": ("an element without a boundary",
                                  lambda m: _el(m, "accounts").pop("boundary")),
    "check_element_zones": ("the gateway placed in the internet zone",
                            lambda m: _el(m, "gw").update(boundary="internet")),
    "check_element_kinds": ("a database declared as a process",
                            lambda m: _el(m, "accounts-db").update(kind="process")),
    "check_element_properties": ("administrator MFA on an element nobody administers",
                                 lambda m: _el(m, "accounts").update(admin_mfa=True)),
    "check_unused_elements": ("an element no flow touches",
                              lambda m: m["elements"].append({"id": "crm", "title": "CRM", "kind": "process",
                                                              "technology": "backend_service", "boundary": "internal"})),
    "check_flow_ends": ("a flow from an element to itself",
                        lambda m: _fl(m, "gw-km").update(to="gw")),
    "check_tls": ("an https flow without a TLS version",
                  lambda m: _fl(m, "gw-accounts").update(tls={"min_version": "none"})),
    "check_authentication": ("certificate-bound tokens without mutual TLS",
                             lambda m: _fl(m, "tpp-gw")["tls"].update(mutual=False, client_cert_verified=False)),
    "check_callbacks": ("a flow into the bank marked as a callback",
                        lambda m: _fl(m, "gw-km").update(callback=True)),
    "check_file_transfer": ("file protection on a flow that moves no files",
                            lambda m: _fl(m, "tpp-gw").update(file_transfer={"sandboxed": True})),
    "check_pd_level": ("personal data without the 152-FZ protection level",
                       lambda m: m["metadata"].pop("pd_level")),
    "check_cross_border": ("a cross-border transfer without countries",
                           lambda m: m["data_assets"][0].update(cross_border={"transfer": True, "rkn_notified": True})),
    "check_unused_assets": ("a data asset no flow carries",
                            lambda m: m["data_assets"].append({"id": "cards", "title": "Card data", "classification": "payment"})),
    "check_controls": ("an implemented control without evidence",
                       lambda m: m["controls"][0].update(evidence="")),
    "check_decisions": ("an accepted risk without an owner",
                        lambda m: m["decisions"][0].pop("owner")),
    "check_answers": ("a 'yes' without evidence",
                      lambda m: m["answers"][0].update(evidence="")),
    "check_dates": ("a decision dated in the future",
                    lambda m: m["decisions"][0].update(decided_on=dt.date(2999, 1, 1), expires=dt.date(2999, 6, 1))),
    "check_clear_by_law": ("attributes required in clear by law on an asset that is masked anyway",
                           lambda m: m["data_assets"][0].update(clear_by_law=["account_alias"])),
    "check_flow_review_facts": ("a minimization review naming an attribute the flow's data does not have",
                                lambda m: _fl(m, "tpp-gw").update(data_used=["account_alias", "iban"])),
    "check_software_facts": ("a support status stated for the partner's system",
                             lambda m: _el(m, "tpp").update(supported=False)),
}


def example_data() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def check_example(check: Callable, mutate: Mutation) -> list[str]:
    data = copy.deepcopy(example_data())
    mutate(data)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    lm = load_model_text(text, "model.yaml")
    if lm.model is None:
        raise SystemExit(f"the example for {check.__name__} breaks the schema: " + "; ".join(p.message for p in lm.problems))
    problems = sorted(check(lm.model, checks.Ctx(lm.located, "model.yaml")))
    if not problems:
        raise SystemExit(f"the example for {check.__name__} does not trigger it")
    p = problems[0]
    return [f"{p.severity}: {p.message}", f"    hint: {p.hint}"]


def checks_reference() -> str:
    missing = [c.__name__ for c in checks.CHECKS if c.__name__ not in EXAMPLES]
    if missing:
        raise SystemExit(f"add an example to EXAMPLES in tools/gen_model_docs.py for: {', '.join(missing)}")
    out = ["### Validation checks", "",
           f"`tmodel validate` runs these checks, in this order, once a file passes the schema "
           f"({len(checks.CHECKS)} checks, `tmodel/model/checks.py`). Each example shows what the check prints for a "
           "broken copy of the example model; in a real run each message is prefixed with `file:line:col:`.", ""]
    for i, c in enumerate(checks.CHECKS, 1):
        summary = " ".join((c.__doc__ or "").strip().split("\n\n")[0].split())
        what, mutate = EXAMPLES[c.__name__]
        out += [f"#### {i}. `{c.__name__}`", "", summary, "", f"Example, {what}:", "", "```text"]
        out += check_example(c, mutate)
        out += ["```", ""]
    return "\n".join(out)


def limits_reference() -> str:
    return "\n".join([
        "### Limits",
        "",
        "| Limit | Value |",
        "|---|---|",
        f"| Format version read by this tmodel | `{FORMAT_VERSION}` |",
        f"| File size | {MAX_BYTES:,} bytes (refused before reading); raise it with `tmodel --max-size 50MB ...` "
        "or `[limits] max_size` in tmodel.toml |",
        f"| Values (keys, values, list items), also after expanding YAML aliases | {MAX_NODES:,} per 5 MiB of the "
        "size limit (it grows with `--max-size`) |",
        f"| Expansion through YAML aliases beyond the document's own values | {ALIAS_EXPANSION:,} (never raised) |",
        f"| Nesting depth | {MAX_DEPTH} levels (never raised) |",
        "| Encoding | UTF-8 (a byte-order mark is allowed) |",
        "| YAML tags | none beyond the standard scalar ones; `!!python/...` and custom tags are refused |",
        "",
    ])


# --- stated fields -----------------------------------------------------------------------------

def _protection_fields(cls: type[BaseModel], prefix: str = "") -> list[str]:
    """Dotted paths of the fields ``tmodel.graph.unstated_fields`` can report for ``cls``."""
    from tmodel.graph import _STRUCTURAL

    out: list[str] = []
    for name, f in cls.model_fields.items():
        if not prefix and name in _STRUCTURAL:
            continue
        sub = _nested_model(f.annotation)
        out += _protection_fields(sub, f"{prefix}{name}.") if sub is not None else [prefix + name]
    return out


def _field_readers() -> tuple[dict[tuple[str, str], set[str]], dict[tuple[str, str], set[str]]]:
    """(section, field) -> ids of the shipped rules whose condition reads it: in ``when`` (judged, three-valued)
    and in ``scope`` (where the rule applies, read as written). A flow rule reading ``flow.source.X`` reads
    the element field X."""
    from tmodel.catalog.load import load_catalogs
    from tmodel.catalog.matcher import fact_paths
    from tmodel.model.types import Element, Flow

    fields = {"elements": set(_protection_fields(Element)), "flows": set(_protection_fields(Flow))}
    fields["flows"].add("authentication.ciba")  # its presence says the flow is a CIBA request
    judged: dict[tuple[str, str], set[str]] = {}
    scoped: dict[tuple[str, str], set[str]] = {}
    for rid, r in load_catalogs().rules.items():
        to = r.rule.applies.to.value
        if to == "model":
            continue
        for paths, acc in ((r.reads, judged), (fact_paths(r.rule.scope) if r.rule.scope else frozenset(), scoped)):
            for p in paths:
                head, _, rest = p.partition(".")
                if to == "flow" and head in ("source", "target"):
                    key = ("elements", rest)
                else:
                    key = ("elements" if to == "element" else "flows", p)
                if key[1] in fields[key[0]]:
                    acc.setdefault(key, set()).add(rid)
    return judged, scoped


def stated_reference() -> str:
    """The fields whose being stated matters, derived from the shipped catalogs' conditions."""
    from tmodel.model.types import Element, Flow

    judged, scoped = _field_readers()
    descriptions = {}
    for section, cls in (("elements", Element), ("flows", Flow)):
        for path in _protection_fields(cls) + ["authentication.ciba"]:
            c: Any = cls
            desc = ""
            for part in path.split("."):
                f = getattr(c, "model_fields", {}).get(part)
                if f is None:
                    break
                desc, c = f.description or "", _nested_model(f.annotation)
            descriptions[(section, path)] = desc

    def rows(table: dict[tuple[str, str], set[str]], keys: list[tuple[str, str]]) -> list[str]:
        out = ["| Field | What it says | Rules that read it |", "|---|---|---|"]
        for section, path in keys:
            rules = ", ".join(f"`{r}`" for r in sorted(table[(section, path)]))
            out.append(f"| `{section}[].{path}` | {_cell(descriptions[(section, path)])} | {rules} |")
        return out

    order = {"elements": 0, "flows": 1}
    judged_keys = sorted(judged, key=lambda k: (order[k[0]], k[1]))
    scope_only = sorted((k for k in scoped if k not in judged), key=lambda k: (order[k[0]], k[1]))
    unread = sorted(((s, p) for s, cls in (("elements", Element), ("flows", Flow)) for p in _protection_fields(cls)
                     if (s, p) not in judged and (s, p) not in scoped), key=lambda k: (order[k[0]], k[1]))
    out = ["#### Fields the rules judge", "",
           f"{len(judged_keys)} fields, read in the rules' `when` conditions. Leave one out and those rules cannot "
           "judge it: where a rule would fire on the default, the analysis lists an unknown to confirm (not a "
           "finding), and a control whose check reads it is *needs an answer*, not met. State it, and the rules "
           "judge the value.", ""]
    out += rows(judged, judged_keys)
    out += ["", "#### Fields that say where a rule applies", "",
            "Read only in rules' `scope` (what the item is or does): the value is taken as written, and a field "
            "left out is read as its default (so a rule about administrators does not apply to an element that "
            "does not say `privileged_access: true`).", ""]
    out += rows(scoped, scope_only)
    if unread:
        out += ["", "No shipped rule reads: " + ", ".join(f"`{s}[].{p}`" for s, p in unread) + "."]
    return "\n".join(out) + "\n"


def render_blocks() -> dict[str, str]:
    example = EXAMPLE.read_text(encoding="utf-8")
    return {
        "example": "```yaml\n" + example + ("" if example.endswith("\n") else "\n") + "```\n",
        "stated": stated_reference(),
        "reference": "\n".join([fields_reference(), checks_reference(), limits_reference()]),
    }


def apply(doc: str, blocks: dict[str, str]) -> str:
    seen: set[str] = set()

    def repl(m: re.Match) -> str:
        name = m.group(2)
        if name not in blocks:
            raise SystemExit(f"docs/model-format.md has an unknown generated block '{name}'")
        seen.add(name)
        return m.group(1) + blocks[name] + m.group(4)

    out = BLOCK.sub(repl, doc)
    if seen != set(blocks):
        raise SystemExit(f"docs/model-format.md lacks the generated block(s): {', '.join(sorted(set(blocks) - seen))}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="update docs/model-format.md in place")
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/model-format.md is stale")
    args = ap.parse_args(argv)
    blocks = render_blocks()
    if args.write or args.check:
        doc = DOC.read_text(encoding="utf-8")
        new = apply(doc, blocks)
        if args.check:
            if new != doc:
                print("docs/model-format.md is stale: run .venv/bin/python tools/gen_model_docs.py --write", file=sys.stderr)
                return 1
            return 0
        if new != doc:
            DOC.write_text(new, encoding="utf-8")
            print(f"wrote {DOC}")
        return 0
    for name, text in blocks.items():
        print(f"<!-- {name} -->\n{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
