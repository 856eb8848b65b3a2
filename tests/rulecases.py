"""Rule test cases as data: each case patches the hardened base model so one rule fires on one target.

A case file ``tests/rule_cases/<catalog-id>.yaml`` is a list of:

    - rule: WSO2-TLS-WEAK            # the rule under test
      target: tpp-gw                 # element id, flow id, or 'model'
      patch:                         # applied to tests/fixtures/base.yaml (or 'base:' another fixture)
        flows[tpp-gw].tls.min_version: "1.1"
        elements+: {id: x, ...}      # append to a list
        flows-: [gw-siem]            # remove list items by id
      # the rule must fire on target after the patch and must not fire on target before it
      config:                        # optional: link a deployment.toml to an element of both models
        file: import/wso2-config/hardened.toml   # under tests/fixtures; linked as is to the quiet model
        element: gw
        edit: {'enable = false  ': 'enable = true  '}  # text replacements for the fired model's copy

Paths: dotted keys; ``name[id]`` selects the list item with that id.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
CASES = HERE / "rule_cases"
_SEG = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]+)\])?$")


def load_cases() -> list[dict[str, Any]]:
    cases = []
    for f in sorted(CASES.glob("*.yaml")):
        for i, c in enumerate(yaml.safe_load(f.read_text(encoding="utf-8")) or []):
            c["_where"] = f"{f.name}#{i}"
            cases.append(c)
    return cases


def base_data(name: str = "base.yaml") -> dict[str, Any]:
    return yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))


def _select(node: Any, seg: str) -> tuple[Any, Any]:
    m = _SEG.match(seg)
    if not m:
        raise ValueError(f"bad path segment {seg!r}")
    key, ident = m.groups()
    if ident is None:
        return node, key
    lst = node[key]
    for i, item in enumerate(lst):
        if item.get("id") == ident:
            return lst, i
    raise KeyError(f"no item with id {ident!r} in {key}")


def apply_patch(data: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for path, value in (patch or {}).items():
        if path.endswith("+") or path.endswith("-"):
            parts = path[:-1].split(".")
            node: Any = data
            for seg in parts[:-1]:
                parent, k = _select(node, seg)
                node = parent[k]
            parent, k = _select(node, parts[-1])
            lst = parent.setdefault(k, []) if isinstance(parent, dict) else parent[k]
            if path.endswith("+"):
                lst.extend(value if isinstance(value, list) else [value])
            else:
                drop = set(value if isinstance(value, list) else [value])
                lst[:] = [x for x in lst if x.get("id") not in drop and x.get("threat") not in drop]
            continue
        node = data
        segs = path.split(".")
        for seg in segs[:-1]:
            parent, k = _select(node, seg)
            if isinstance(parent, dict) and k not in parent:
                parent[k] = {}
            node = parent[k]
        parent, k = _select(node, segs[-1])
        parent[k] = value
    return data


def link_configs(case: dict[str, Any], quiet: dict[str, Any], fired: dict[str, Any], tmp: Path) -> tuple[dict, dict]:
    """Copies of the case's configuration file in ``tmp`` (as is; edited) linked to the two models."""
    cfg = case["config"]
    text = (FIXTURES / cfg["file"]).read_text(encoding="utf-8")
    edited = text
    for old, new in (cfg.get("edit") or {}).items():
        assert old in edited, f"{case['_where']}: {old!r} is not in {cfg['file']}"
        edited = edited.replace(old, new, 1)
    out = []
    for name, data, body in (("quiet.toml", quiet, text), ("fired.toml", fired, edited)):
        (tmp / name).write_text(body, encoding="utf-8")
        data = copy.deepcopy(data)
        data["configs"] = [{"kind": "wso2_deployment_toml", "path": str(tmp / name), "element": cfg["element"]}]
        out.append(data)
    return out[0], out[1]
