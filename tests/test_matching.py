"""The value index of tmodel.analysis.matching never changes what matching finds.

Matching evaluates a rule only on the targets whose pinned facts (``eq`` / ``in`` conjuncts of its scope and
``when``) allow it, or leave them unstated. The reference here evaluates every rule on every target it applies
to, as the engine did before the index; both must give the same threats, unknowns and scopes on every example,
fixture and rule case (quiet and fired), and on a generated model that leaves most facts unstated.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, generated_model_text
from tests.rulecases import apply_patch, base_data, load_cases
from tmodel.analysis.engine import _decided, applicable_catalogs_with_reasons
from tmodel.analysis.matching import Matches, _evaluate, match, targets
from tmodel.catalog.matcher import pinned_only, pins
from tmodel.graph import compute_facts
from tmodel.model.load import load_model, load_model_text


def reference(rules, facts, decisions, ends) -> Matches:
    out = Matches()
    for rule in sorted(rules, key=lambda r: r.rule.id):
        _evaluate(rule, targets(rule, facts), facts, decisions, ends, _decided, out, scoped=False)
    return out


def same(model, catalog) -> None:
    facts = compute_facts(model)
    active, _ = applicable_catalogs_with_reasons(model, catalog, facts)
    rules = [r for r in catalog.rules.values() if r.catalog in active]
    decisions = {d.threat: d for d in model.decisions}
    ends = {f.id: (f.source, f.target) for f in model.flows}
    got, want = match(rules, facts, decisions, ends, _decided), reference(rules, facts, decisions, ends)
    key = lambda hits: [(h[0].rule.id, h[1], h[2]) for h in hits]  # noqa: E731
    assert key(got.fired) == key(want.fired)
    assert [(*k, h[3]) for k, h in zip(key(got.unknown_hits), got.unknown_hits)] == \
        [(*k, h[3]) for k, h in zip(key(want.unknown_hits), want.unknown_hits)]
    for part in ("in_scope", "fired_on", "unknown_on"):
        g, w = getattr(got, part), getattr(want, part)
        assert {k: v for k, v in g.items() if v} == {k: v for k, v in w.items() if v}, part


def _models() -> list[Path]:
    return sorted((ROOT / "models").glob("*.yaml")) + [p for p in sorted((ROOT / "tests" / "fixtures").glob("*.yaml"))]


@pytest.mark.parametrize("path", _models(), ids=lambda p: p.name)
def test_index_matches_the_reference_on_models(path, catalog):
    lm = load_model(str(path))
    if lm.model is None:
        pytest.skip(f"{path.name} is not a valid model on its own")
    same(lm.model, catalog)


def test_index_matches_the_reference_on_every_rule_case(catalog):
    checked = 0
    for case in load_cases():
        if "config" in case:  # linked configuration files: the facts the config overrides are tested elsewhere
            continue
        quiet = apply_patch(base_data(case.get("base", "base.yaml")), case.get("quiet_patch", {}))
        for data in (quiet, apply_patch(quiet, case["patch"])):
            lm = load_model_text(yaml.safe_dump(data, sort_keys=False), "case.yaml")
            assert lm.model is not None, case["_where"]
            same(lm.model, catalog)
            checked += 1
    assert checked > 200


def test_index_matches_the_reference_on_a_model_that_leaves_most_facts_unstated(catalog):
    text = generated_model_text(80, 3)
    lm = load_model_text(text, "generated.yaml")
    assert lm.model is not None
    same(lm.model, catalog)


def test_pins_are_the_eq_and_in_conjuncts_only():
    cond = {"all": [{"fact": "flow.protocol", "in": ["https", "http"]}, {"fact": "flow.from_outside", "eq": True},
                    {"fact": "flow.rate_limit", "ne": True}, {"any": [{"fact": "flow.oauth", "eq": True}]}]}
    assert pins(cond) == (("flow.protocol", frozenset({"https", "http"})), ("flow.from_outside", frozenset({True})))
    assert not pinned_only(cond)
    assert pinned_only({"fact": "flow.carries_pd", "eq": True})
    assert pins({"any": [{"fact": "flow.oauth", "eq": True}]}) == ()
    assert pins({"not": {"fact": "flow.oauth", "eq": True}}) == ()
