"""Every shipped rule tells the reviewer when a finding is not a real exposure, and what to do then."""

from __future__ import annotations

from tmodel.catalog.load import load_catalogs

MIN_CHARS = 40


def test_every_shipped_rule_says_when_it_is_a_false_positive():
    cat = load_catalogs()
    assert cat.rules, "no shipped rules were loaded"
    offenders = sorted(rid for rid, entry in cat.rules.items()
                       if len((entry.rule.false_positives or "").strip()) < MIN_CHARS)
    assert not offenders, (
        f"{len(offenders)} rule(s) without false_positives guidance of at least {MIN_CHARS} characters "
        f"(say when a finding is not a real exposure and what the reviewer does then): {', '.join(offenders)}")
