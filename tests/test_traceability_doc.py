"""docs/seed-traceability.md is generated from the catalogs and must not drift from them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "gen_traceability.py"


def test_traceability_doc_is_current():
    spec = importlib.util.spec_from_file_location("gen_traceability", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    if not mod.BULLETS.exists():
        pytest.skip(f"{mod.BULLETS} not found (../shared is not beside this checkout)")
    assert mod.DOC.read_text(encoding="utf-8") == mod.render(), "run: .venv/bin/python tools/gen_traceability.py"


# One traceability: the requirements a threat names are the ones whose compliance its rule decides.
# Threat view: Catalog.traces (the rule cites the id, or a control that checks the rule satisfies it).
# Compliance view: a seed requirement's status comes from the controls that satisfy it; a control is a
# gap when a rule it checks fires. The two must name the same rules for every requirement (seed ids and
# framework clauses alike).

def _compliance_view(cat) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for c in cat.controls.values():
        for q in c.satisfies:
            for rid in (c.check.rules if c.check else []):
                out.setdefault(q, set()).add(rid)
    return out


def test_threat_and_compliance_views_name_the_same_requirements(catalog):
    threat_view: dict[str, set[str]] = {}
    for rid, qs in catalog.traces.items():
        for q in qs:
            threat_view.setdefault(q, set()).add(rid)
    compliance = _compliance_view(catalog)
    differ = {q: (sorted(threat_view.get(q, set()) - compliance.get(q, set())),
                  sorted(compliance.get(q, set()) - threat_view.get(q, set())))
              for q in sorted(catalog.requirements) if threat_view.get(q, set()) != compliance.get(q, set())}
    assert not differ, ("requirement: (rules whose threats name it but whose failure does not touch its compliance, "
                        f"the reverse): {differ}")


@pytest.mark.parametrize("name", ["card-issuing-partner", "loan-marketplace", "byod-admin-portal"])
def test_an_open_threat_never_names_a_met_requirement(name, catalog):
    from tmodel.analysis.engine import analyze
    from tmodel.model.load import load_model

    lm = load_model(str(ROOT / "models" / f"{name}.yaml"))
    a = analyze(lm.model, catalog, path=lm.path)
    status = {r.id: r.status for f in a.frameworks for r in f.requirements}
    open_threats = [t for t in a.threats if t.status == "open"]
    assert open_threats
    wrong = [(t.id, q) for t in open_threats for q in t.requirements if status.get(q) == "met"]
    assert not wrong, f"open threats naming a requirement the compliance view calls met: {wrong}"


def test_the_wrong_links_of_issue_12_stay_fixed(catalog):
    wrong = {"SEED-S4": "WSO2-NO-SCOPES", "SEED-S9a": "WSO2CFG-JMX", "SEED-S11d": "GOST-SEGMENT-BYPASS",
             "SEED-S11e": "GOST-SEGMENT-BYPASS"}
    for q, rid in wrong.items():
        assert q not in catalog.traces[rid], (q, rid)
    assert "SEED-S9a" not in catalog.traces["WSO2CFG-DEVPORTAL-ANONYMOUS"]
