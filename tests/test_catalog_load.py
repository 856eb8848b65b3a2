"""Catalog mistakes are located errors, never silently swallowed; user records replace shipped ones visibly."""

from __future__ import annotations

from pathlib import Path

from tmodel.catalog.load import _load, load_catalogs

MINI = Path(__file__).parent / "fixtures" / "catalog-engine" / "mini.yaml"


def _write(tmp_path: Path, text: str) -> str:
    d = tmp_path / "cat"
    d.mkdir(exist_ok=True)
    (d / "c.yaml").write_text(text)
    return str(d)


def _problems(tmp_path, replace: tuple[str, str]) -> list[str]:
    text = MINI.read_text()
    assert replace[0] in text
    d = _write(tmp_path, text.replace(*replace))
    _load.cache_clear()  # the loader caches per folder; these tests rewrite one folder
    return [p.format() for p in load_catalogs([d], shipped=False).problems]


def test_unknown_fact_path_is_located_with_a_suggestion(tmp_path):
    (p,) = _problems(tmp_path, ("flow.tls.min_version", "flow.tls.min_versoin"))
    assert "c.yaml:32:" in p and "unknown fact 'flow.tls.min_versoin'" in p and "did you mean 'flow.tls.min_version'" in p


def test_wrong_enum_value_would_never_fire(tmp_path):
    (p,) = _problems(tmp_path, ('"1.0", "1.1"]', '"1.0", "TLS1.1"]'))
    assert "'TLS1.1' is not a value of 'flow.tls.min_version': the rule could never match it" in p
    assert "c.yaml:32:" in p


def test_unknown_control_and_requirement(tmp_path):
    probs = _problems(tmp_path, ("controls: [C-TLS]", "controls: [C-TSL]"))
    assert any("unknown control 'C-TSL'" in p and "did you mean 'C-TLS'" in p for p in probs)
    probs = _problems(tmp_path, ("satisfies: [SEED-S9a]\n    check", "satisfies: [SEED-S99]\n    check"))
    assert any("unknown requirement 'SEED-S99'" in p for p in probs)


def test_bad_operator_and_type(tmp_path):
    (p,) = _problems(tmp_path, ("{fact: flow.tls.forward_secrecy, eq: false}", "{fact: flow.tls.forward_secrecy, equals: false}"))
    assert "exactly one operator" in p
    (p,) = _problems(tmp_path, ("{fact: flow.tls.forward_secrecy, eq: false}", "{fact: flow.tls.forward_secrecy, eq: 'no'}"))
    assert "is true or false" in p


def test_schema_errors_are_located(tmp_path):
    probs = _problems(tmp_path, ("likelihood: 3", "likelihood: 7"))
    assert any("c.yaml:" in p and "likelihood" in p for p in probs)
    probs = _problems(tmp_path, ("    stride: [T, I]", "    stride: [T, X]"))
    assert any("'X' is not an allowed value" in p for p in probs)


def test_user_rule_replaces_shipped_one_visibly(tmp_path):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "mini.yaml").write_text(MINI.read_text())
    user = tmp_path / "user"
    user.mkdir()
    (user / "override.yaml").write_text(
        "catalog: {id: bank, title: Bank}\nrules:\n" + MINI.read_text().split("rules:\n", 1)[1].replace("Weak TLS on public endpoint", "Bank - weak TLS")
    )
    import os

    os.environ["TMODEL_CATALOGS"] = str(shipped)
    try:
        cat = load_catalogs([str(user)])
    finally:
        del os.environ["TMODEL_CATALOGS"]
    assert not [p for p in cat.problems if p.is_error], [p.format() for p in cat.problems]
    assert cat.rules["R-TLS"].rule.title == "Bank - weak TLS"
    assert any("rule 'R-TLS' replaces the one in" in o for o in cat.overrides)


def test_no_eval_or_exec_in_the_engine():
    root = Path(__file__).resolve().parent.parent / "tmodel"
    for f in root.rglob("*.py"):
        text = f.read_text()
        assert "eval(" not in text.replace("literal_eval(", "") and "exec(" not in text, f
