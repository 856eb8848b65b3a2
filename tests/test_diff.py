"""tmodel diff: the pure diff of two analysed models, and the command on real git repositories.

The repository is built for each test with git itself: an initial model, a rename of an element
and a flow, a hardening that resolves threats, a regression that raises a new high threat.
Analysis uses the self-contained catalog in tests/fixtures/catalog-mini (TMODEL_CATALOGS).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tests.conftest import AS_OF
from tests.minicase import HERE, MINI_CATALOG, base, dump, load_and_analyze, mini_catalog
from tests.rulecases import apply_patch

MODEL = "models/loans.yaml"


# --- building models and repositories ---------------------------------------------------------

def initial() -> dict:
    """The mini model with no throttling stated for the partner and the weak-TLS threat accepted until mid-2027."""
    return apply_patch(base(), {"flows[partner-gw].rate_limit": False, "decisions+": {
        "threat": "MINI-TLS-WEAK@gw-backend", "status": "accepted", "owner": "Head of integration",
        "reason": "Backend TLS upgrade is scheduled with the platform migration", "expires": "2027-06-30"}})


def renamed() -> dict:
    """gw -> gateway and gw-backend -> gateway-backend, every reference and the decision updated."""
    d = copy.deepcopy(initial())
    for e in d["elements"]:
        if e["id"] == "gw":
            e["id"] = "gateway"
    for f in d["flows"]:
        f["from"] = "gateway" if f["from"] == "gw" else f["from"]
        f["to"] = "gateway" if f["to"] == "gw" else f["to"]
        if f["id"] == "gw-backend":
            f["id"] = "gateway-backend"
    d["decisions"][0]["threat"] = "MINI-TLS-WEAK@gateway-backend"
    return d


def hardened() -> dict:
    """TLS 1.2 to the backend and throttling for the partner: two threats resolved, the acceptance removed."""
    d = apply_patch(renamed(), {"flows[gateway-backend].tls": {"min_version": "1.2", "forward_secrecy": True},
                                "flows[partner-gw].rate_limit": True})
    d.pop("decisions")
    return d


def regressed() -> dict:
    """The partner's OAuth is dropped: a new high threat on an outside flow."""
    return apply_patch(hardened(), {"flows[partner-gw].authentication": {"method": "none"}})


def git(repo: Path, *args: str) -> str:
    r = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return r.stdout


def commit(repo: Path, data: dict | str, message: str, tag: str, path: str = MODEL) -> None:
    f = repo / path
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(data if isinstance(data, str) else dump(data), encoding="utf-8")
    git(repo, "add", path)
    git(repo, "commit", "-q", "-m", message)
    git(repo, "tag", tag)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    git(r, "config", "user.name", "Test Architect")
    git(r, "config", "user.email", "architect@example.test")
    git(r, "config", "commit.gpgsign", "false")
    commit(r, initial(), "Initial model of the loan partner integration", "v1")
    commit(r, renamed(), "Rename the gateway element and its backend flow", "v2")
    commit(r, hardened(), "Harden: TLS 1.2 to the backend, throttle the partner", "v3")
    commit(r, regressed(), "Partner cannot do OAuth yet", "v4")
    return r


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    """Run the tmodel CLI in-process against the mini catalog; returns the click Result."""
    from tmodel.cli import main

    def invoke(*args: str, cwd: Path | None = None):
        if cwd is not None:
            monkeypatch.chdir(cwd)
        return CliRunner().invoke(main, list(args), env={"TMODEL_CATALOGS": str(MINI_CATALOG)}, catch_exceptions=False)

    return invoke


# --- the pure diff ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mini():
    return mini_catalog()


def analysed(data: dict, cat, name: str):
    lm, a = load_and_analyze(dump(data), cat, name)
    return lm.model, a


def model_diff(old: dict, new: dict, cat):
    from tmodel.analysis.diff import diff_models

    om, oa = analysed(old, cat, "old.yaml")
    nm, na = analysed(new, cat, "new.yaml")
    return diff_models(om, oa, nm, na, old_label="old.yaml", new_label="new.yaml")


def test_identical_models_give_an_empty_diff(mini):
    d = model_diff(initial(), initial(), mini)
    assert d.empty
    assert d.items == [] and d.threats == [] and d.decisions == []


def test_rename_is_a_rename_and_its_threats_are_carried_over(mini):
    d = model_diff(initial(), renamed(), mini)
    assert [(i.section, i.change, i.old_id, i.id) for i in d.items] == [
        ("elements", "renamed", "gw", "gateway"),
        ("flows", "renamed", "gw-backend", "gateway-backend"),
    ]
    # flows pointing at the renamed element are not reported as changed
    assert all(i.fields == [] for i in d.items)
    assert [(t.change, t.old_id, t.id) for t in d.threats] == [
        ("carried_over", "MINI-TLS-WEAK@gw-backend", "MINI-TLS-WEAK@gateway-backend")]
    carried = d.threats[0]
    assert carried.reason == "flow gw-backend renamed to gateway-backend"
    assert carried.old_status == carried.new_status == "accepted"
    assert d.threats_by("raised") == [] and d.threats_by("resolved") == []
    # the decision moved with its threat: no decision change
    assert d.decisions == [] and d.decision_issues == []
    assert d.regressions("low") == []


def test_rename_without_updating_the_decision_loses_the_acceptance(mini):
    new = renamed()
    new["decisions"][0]["threat"] = "MINI-TLS-WEAK@gw-backend"
    d = model_diff(initial(), new, mini)
    (t,) = d.threats
    assert (t.change, t.old_status, t.new_status) == ("carried_over", "accepted", "open")
    (issue,) = d.decision_issues
    assert (issue.change, issue.kind, issue.threat) == ("added", "stale", "MINI-TLS-WEAK@gw-backend")
    assert issue.hint == "its target was renamed: change the decision's threat to MINI-TLS-WEAK@gateway-backend"
    assert [x.id for x in d.regressions("medium")] == ["MINI-TLS-WEAK@gateway-backend"]


def test_rename_with_an_edit_lists_the_edited_fields(mini):
    new = apply_patch(renamed(), {"elements[gateway].logging": "central"})
    d = model_diff(initial(), new, mini)
    gw = next(i for i in d.items if i.id == "gateway")
    assert gw.change == "renamed" and gw.old_id == "gw"
    assert [(f.path, f.old, f.new) for f in gw.fields] == [("logging", "none", "central")]
    assert 0.75 <= gw.similarity < 1.0


def test_unrelated_element_of_the_same_technology_is_not_a_rename(mini):
    new = apply_patch(initial(), {
        "elements-": ["db"],
        "elements+": {"id": "archive", "title": "Document archive", "kind": "data_store", "technology": "database",
                      "boundary": "dmz", "encrypted_at_rest": False},
        "flows[backend-db].to": "archive",
    })
    d = model_diff(initial(), new, mini)
    changes = {(i.change, i.id) for i in d.items if i.section == "elements"}
    assert changes == {("added", "archive"), ("removed", "db")}
    raised = d.threats_by("raised")
    assert [t.id for t in raised] == ["MINI-STORE-UNENCRYPTED@archive"]
    flow = next(i for i in d.items if i.id == "backend-db")
    assert [(f.path, f.old, f.new) for f in flow.fields] == [("to", "db", "archive")]


def test_hardening_resolves_threats_and_raises_coverage(mini):
    d = model_diff(renamed(), hardened(), mini)
    resolved = d.threats_by("resolved")
    assert [(t.id, t.reason) for t in resolved] == [  # higher level first
        ("MINI-TLS-WEAK@gateway-backend", "the rule no longer fires"),
        ("MINI-NO-RATE-LIMIT@partner-gw", "the rule no longer fires"),
    ]
    assert [(x.change, x.threat, x.old_status) for x in d.decisions] == [("removed", "MINI-TLS-WEAK@gateway-backend", "accepted")]
    fields = {(i.id, f.path): (f.old, f.new) for i in d.items for f in i.fields}
    assert fields[("gateway-backend", "tls.min_version")] == ("1.1", "1.2")
    assert fields[("gateway-backend", "tls.forward_secrecy")] == (False, True)
    assert fields[("partner-gw", "rate_limit")] == (False, True)
    assert [(r.id, r.old, r.new) for r in d.requirements] == [("MINI-R-TLS", "partial", "met")]
    assert {c.id: (c.old, c.new) for c in d.controls} == {"MINI-C-RATE": ("partial", "met"), "MINI-C-TLS": ("partial", "met")}
    (cov,) = d.coverage
    assert (cov.framework, cov.old, cov.new, cov.delta) == ("mini-fw", 83.3, 100.0, 16.7)
    assert d.old_open["low"] == 1 and d.new_open["low"] == 0  # throttling: a partner over OAuth, likelihood -1


def test_regression_raises_a_new_high_threat(mini):
    d = model_diff(hardened(), regressed(), mini)
    (t,) = d.threats
    assert (t.change, t.id, t.new_level, t.new_residual, t.new_status) == ("raised", "MINI-NO-AUTH@partner-gw", "high", "high", "open")
    assert [x.id for x in d.regressions("high")] == ["MINI-NO-AUTH@partner-gw"]
    assert d.regressions("critical") == []


def test_risk_level_change_of_a_kept_threat(mini):
    # the backend starts carrying payment orders (impact +1) and the partner's channel loses its OAuth client
    # authentication to an anonymous internet caller (likelihood +1 instead of -1): weak TLS behind the gateway
    # goes from medium to critical
    old = initial()
    old.pop("decisions")
    new = apply_patch(old, {"data_assets+": {"id": "orders", "title": "Payment orders", "classification": "payment"},
                            "flows[gw-backend].data": ["loan-data", "orders"],
                            "boundaries[partner-net].zone": "internet",
                            "flows[partner-gw].authentication": {"method": "none"}})
    d = model_diff(old, new, mini)
    t = next(x for x in d.threats if x.id == "MINI-TLS-WEAK@gw-backend")
    assert t.change == "changed"
    assert (t.old_level, t.new_level, t.old_residual, t.new_residual) == ("medium", "high", "medium", "high")
    assert (t.old_score, t.new_score) == (6, 16)
    assert "MINI-TLS-WEAK@gw-backend" in [x.id for x in d.regressions("high")]


def test_metadata_changes_include_the_model_id(mini):
    new = apply_patch(initial(), {"metadata.id": "loans-v2", "metadata.gost_level": "enhanced"})
    d = model_diff(initial(), new, mini)
    assert [(f.path, f.old, f.new) for f in d.metadata] == [("gost_level", "standard", "enhanced"), ("id", "loans", "loans-v2")]
    assert d.model_id == "loans-v2"


def test_diff_is_deterministic(mini):
    from tmodel.export.diff_report import diff_json, diff_markdown, diff_text

    a = model_diff(initial(), regressed(), mini)
    b = model_diff(initial(), regressed(), mini)
    assert diff_json(a) == diff_json(b)
    assert diff_markdown(a) == diff_markdown(b)
    assert diff_text(a) == diff_text(b)


# --- the command on git repositories -----------------------------------------------------------

def test_diff_revisions_rename(repo, run):
    r = run("diff", MODEL, "--from", "v1", "--to", "v2", cwd=repo)
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "old: v1:models/loans.yaml" in out and "new: v2:models/loans.yaml" in out
    assert "renamed   element gw -> gateway (WSO2 gateway)" in out
    assert "renamed   flow gw-backend -> gateway-backend (Forwarded application)" in out
    assert "carried   medium   MINI-TLS-WEAK@gw-backend -> MINI-TLS-WEAK@gateway-backend" in out
    assert "0 raised, 0 resolved" in out
    assert "\033[" not in out  # not a terminal: no colour


def test_diff_revisions_hardening_json(repo, run):
    r = run("diff", MODEL, "--from", "v2", "--to", "v3", "--format", "json", cwd=repo)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["format_version"] == 1 and doc["tool"]["name"] == "tmodel"
    assert doc["old_label"] == "v2:models/loans.yaml" and doc["new_label"] == "v3:models/loans.yaml"
    assert sorted(t["id"] for t in doc["threats"] if t["change"] == "resolved") == [
        "MINI-NO-RATE-LIMIT@partner-gw", "MINI-TLS-WEAK@gateway-backend"]
    assert doc["coverage"] == [{"framework": "mini-fw", "title": "Mini framework", "old": 83.3, "new": 100.0, "delta": 16.7}]
    assert doc["decisions"][0]["change"] == "removed"


def test_diff_regression_fails_only_with_fail_on_new(repo, run):
    plain = run("diff", MODEL, "--from", "v3", "--to", "v4", cwd=repo)
    assert plain.exit_code == 0
    assert "raised    high     MINI-NO-AUTH@partner-gw" in plain.stdout
    gate = run("diff", MODEL, "--from", "v3", "--to", "v4", "--fail-on-new", "high", cwd=repo)
    assert gate.exit_code == 1
    assert "1 new or worsened unresolved threat(s) at or above high: MINI-NO-AUTH@partner-gw" in gate.stderr
    assert run("diff", MODEL, "--from", "v3", "--to", "v4", "--fail-on-new", "critical", cwd=repo).exit_code == 0
    # a hardening never trips the gate
    assert run("diff", MODEL, "--from", "v2", "--to", "v3", "--fail-on-new", "low", cwd=repo).exit_code == 0


def test_diff_markdown_for_a_merge_request(repo, run):
    title = "Loan *service* | <b>core</b> [x](http://evil.test) `code`"
    commit(repo, apply_patch(regressed(), {"elements[backend].title": title}), "Retitle", "v5")
    r = run("diff", MODEL, "--from", "v1", "--to", "v5", "--format", "markdown", cwd=repo)
    assert r.exit_code == 0, r.output
    md = r.stdout
    assert md.startswith("## Threat model changes: Loan partner integration (`loans`)\n")
    for heading in ("### Threats raised", "### Threats resolved", "### Model changes", "### Risk decisions", "### Compliance"):
        assert heading in md
    assert "| Residual | Inherent | Threat | Title | Target | Status |" in md
    assert "| high | high | `MINI-NO-AUTH@partner-gw` |" in md
    # model text is inert: no emphasis, table break, HTML or link survives
    escaped = "Loan \\*service\\* \\| \\<b\\>core\\</b\\> \\[x\\]\\(http://evil.test\\) \\`code\\`"
    assert escaped in md
    assert "<b>core" not in md and "](http" not in md
    # emoji-free
    assert not any(0x2600 <= ord(ch) <= 0x27BF or ord(ch) >= 0x1F000 for ch in md)
    # every table row has the same number of cells as its header
    for block in md.split("\n\n"):
        rows = [line for line in block.splitlines() if line.startswith("| ")]
        if rows:
            cells = {len(line.replace("\\|", "").split(" | ")) for line in rows}
            assert len(cells) == 1, block


def test_diff_against_the_working_tree_does_not_touch_it(repo, run):
    model = repo / MODEL
    model.write_text(dump(apply_patch(regressed(), {"elements[db].encrypted_at_rest": False})), encoding="utf-8")
    before = (hashlib.sha256(model.read_bytes()).hexdigest(), model.stat().st_mtime_ns, git(repo, "status", "--porcelain"),
              (repo / ".git" / "index").read_bytes())
    r = run("diff", MODEL, "--from", "v4", cwd=repo)
    assert r.exit_code == 0, r.output
    assert "new: models/loans.yaml (working tree)" in r.stdout
    assert "raised    medium   MINI-STORE-UNENCRYPTED@db" in r.stdout
    after = (hashlib.sha256(model.read_bytes()).hexdigest(), model.stat().st_mtime_ns, git(repo, "status", "--porcelain"),
             (repo / ".git" / "index").read_bytes())
    assert before == after
    assert git(repo, "rev-parse", "HEAD").strip() == git(repo, "rev-parse", "v4").strip()


def test_diff_from_a_subfolder_and_an_absolute_path(repo, run):
    r = run("diff", "loans.yaml", "--from", "v1", "--to", "v2", cwd=repo / "models")
    assert r.exit_code == 0, r.output
    assert "old: v1:models/loans.yaml" in r.stdout
    r2 = run("diff", str(repo / MODEL), "--from", "v1", "--to", "v2", cwd=repo.parent)
    assert r2.exit_code == 0 and r2.stdout == r.stdout


def test_diff_two_files(tmp_path, run):
    (tmp_path / "old.yaml").write_text(dump(hardened()), encoding="utf-8")
    (tmp_path / "new.yaml").write_text(dump(regressed()), encoding="utf-8")
    r = run("diff", "old.yaml", "new.yaml", "--fail-on-new", "high", cwd=tmp_path)
    assert r.exit_code == 1
    assert "old: old.yaml" in r.stdout and "new: new.yaml" in r.stdout
    assert "MINI-NO-AUTH@partner-gw" in r.stdout


def test_not_a_git_repository(tmp_path, run):
    (tmp_path / "m.yaml").write_text(dump(initial()), encoding="utf-8")
    r = run("diff", "m.yaml", "--from", "HEAD", cwd=tmp_path)
    assert r.exit_code == 2
    assert "m.yaml: error: not in a git repository" in r.stderr
    assert "Traceback" not in r.output


def test_unknown_revision(repo, run):
    r = run("diff", MODEL, "--from", "no-such-branch", cwd=repo)
    assert r.exit_code == 2
    assert "no-such-branch: error: unknown revision 'no-such-branch'" in r.stderr
    r2 = run("diff", MODEL, "--from", "--output=/tmp/x", cwd=repo)
    assert r2.exit_code == 2


def test_file_absent_at_revision(repo, run):
    commit(repo, dump(initial()).replace("id: loans", "id: cards"), "Second model", "v5", path="models/cards.yaml")
    r = run("diff", "models/cards.yaml", "--from", "v1", cwd=repo)
    assert r.exit_code == 2
    assert "v1:models/cards.yaml: error: models/cards.yaml does not exist at revision v1" in r.stderr
    r2 = run("diff", "models/gone.yaml", "--from", "v1", "--to", "v2", cwd=repo)
    assert r2.exit_code == 2 and "does not exist at revision v1" in r2.stderr
    r3 = run("diff", "models", "--from", "v1", cwd=repo)
    assert r3.exit_code == 2 and "models is a folder at revision v1" in r3.stderr


def test_invalid_model_at_a_revision_is_located(repo, run):
    text = dump(regressed()).replace("technology: backend_service", "technology: backend_servise")
    commit(repo, text, "Typo", "broken")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "backend_servise" in l)
    col = text.splitlines()[line - 1].index("backend_servise") + 1
    r = run("diff", MODEL, "--from", "broken", "--to", "v4", cwd=repo)
    assert r.exit_code == 2
    assert f"broken:models/loans.yaml:{line}:{col}: error: 'backend_servise' is not an allowed value" in r.stderr
    assert "did you mean 'backend_service'?" in r.stderr
    # a YAML syntax error is located the same way
    commit(repo, "format_version: 1\nmetadata: [unclosed\n", "Broken YAML", "broken-yaml")
    r2 = run("diff", MODEL, "--from", "broken-yaml", cwd=repo)
    assert r2.exit_code == 2 and "broken-yaml:models/loans.yaml:" in r2.stderr and "YAML syntax error" in r2.stderr


def test_working_tree_file_missing(repo, run):
    (repo / MODEL).unlink()
    r = run("diff", MODEL, "--from", "v1", cwd=repo)
    assert r.exit_code == 2 and "no such file in the working tree" in r.stderr
    assert run("diff", MODEL, "--from", "v1", "--to", "v4", cwd=repo).exit_code == 0


def test_usage_errors(repo, run):
    assert run("diff", MODEL, cwd=repo).exit_code == 2
    assert run("diff", MODEL, MODEL, "--from", "v1", cwd=repo).exit_code == 2
    assert run("diff", MODEL, "--to", "v1", cwd=repo).exit_code == 2


def test_subprocess_entry_point(repo):
    exe = Path(sys.executable).parent / "tmodel"  # the console script installed beside the interpreter
    env = {**os.environ, "TMODEL_CATALOGS": str(MINI_CATALOG)}
    r = subprocess.run([str(exe), "diff", MODEL, "--from", "v3", "--to", "v4", "--fail-on-new", "high"],
                       cwd=repo, env=env, capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    assert "MINI-NO-AUTH@partner-gw" in r.stdout


def test_shipped_catalogs_end_to_end(tmp_path, monkeypatch):
    """With the real catalogs: weakening TLS on the TPP flow of the hardened base raises WSO2-TLS-WEAK."""
    from tmodel.catalog.load import load_catalogs
    from tmodel.cli import main

    monkeypatch.delenv("TMODEL_CATALOGS", raising=False)
    cat = load_catalogs()
    errors = [p.format() for p in cat.problems if p.is_error]
    if errors or "WSO2-TLS-WEAK" not in cat.rules:
        pytest.skip("shipped catalogs do not load cleanly yet or lack WSO2-TLS-WEAK: " + "; ".join(errors[:3]))
    base_yaml = yaml.safe_load((HERE / "fixtures" / "base.yaml").read_text(encoding="utf-8"))
    (tmp_path / "old.yaml").write_text(dump(base_yaml), encoding="utf-8")
    (tmp_path / "new.yaml").write_text(dump(apply_patch(base_yaml, {"flows[tpp-gw].tls.min_version": "1.1"})), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["diff", "old.yaml", "new.yaml", "--format", "json", "--as-of", AS_OF.isoformat()])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    raised = [t["id"] for t in doc["threats"] if t["change"] == "raised"]
    assert "WSO2-TLS-WEAK@tpp-gw" in raised


# --- Russian (issue 14) ---------------------------------------------------------------------------

def _tool_english(words) -> list[str]:
    """The English the diff itself writes: every fragment of its word table between the fields."""
    import re

    out = []
    for en in words.TEXT:
        for part in re.split(r"\{\w+\}", en):
            part = part.strip(" :;,.*#()")
            if len(re.findall(r"[A-Za-z]+", part)) >= 2 or part in ("Threats", "Decisions", "Compliance", "Before", "After"):
                out.append(part)
    return out


@pytest.fixture
def ru_repo(tmp_path: Path) -> Path:
    """An example model (shipped catalogs, all with ru: blocks) committed, then changed in the working tree:
    a rename, a resolved threat, a raised one, an accepted risk that has expired."""
    root = Path(__file__).resolve().parent.parent
    r = tmp_path / "repo"
    (r / "models" / "configs").mkdir(parents=True)
    git(r, "init", "-q", "-b", "main")
    git(r, "config", "user.name", "Test Architect")
    git(r, "config", "user.email", "architect@example.test")
    git(r, "config", "commit.gpgsign", "false")
    text = (root / "models" / "loan-marketplace.yaml").read_text(encoding="utf-8")
    for cfg in (root / "models" / "configs").glob("loan-marketplace*"):
        (r / "models" / "configs" / cfg.name).write_bytes(cfg.read_bytes())
    git(r, "add", "models/configs")
    commit(r, text, "Loan marketplace model", "v1", path="models/loan-marketplace.yaml")
    import re

    changed = text.replace("tls: {min_version: none}       # flaw: plain AMQP on port 5672",
                           'tls: {min_version: "1.2", forward_secrecy: true}')
    changed = changed.replace("    rate_limit: true\n", "    rate_limit: false\n", 1)
    changed = re.sub(r"\bscoring\b(?!-)", "scoring-engine", changed)
    changed = changed.replace("    status: open\n    owner: Retail lending integration team",
                              "    status: accepted\n    expires: 2026-11-15\n    owner: Retail lending integration team", 1)
    assert changed.count("scoring-engine") > 1 and "rate_limit: false" in changed
    (r / "models" / "loan-marketplace.yaml").write_text(changed, encoding="utf-8")
    return r


def test_diff_in_russian_and_from_the_project_setting(ru_repo, monkeypatch):
    from tmodel.catalog.load import load_catalogs
    from tmodel.cli import main
    from tmodel.export.diff_report import DiffWords

    monkeypatch.delenv("TMODEL_CATALOGS", raising=False)
    if any(p.is_error for p in load_catalogs().problems):
        pytest.skip("shipped catalogs do not load cleanly")
    monkeypatch.chdir(ru_repo)
    runner = CliRunner()
    args = ["diff", "models/loan-marketplace.yaml", "--from", "v1", "--as-of", AS_OF.isoformat()]
    outputs = {}
    for fmt in ("text", "markdown"):
        en = runner.invoke(main, [*args, "--format", fmt])
        ru = runner.invoke(main, [*args, "--format", fmt, "--lang", "ru"])
        assert en.exit_code == ru.exit_code == 0, (en.output, ru.output)
        assert ru.stdout != en.stdout
        outputs[fmt] = ru.stdout
        for phrase in _tool_english(DiffWords):
            assert phrase not in ru.stdout, (fmt, phrase)
        assert "[en]" not in ru.stdout
        for code in ("raised", "resolved", "carried", "needs_answer", "partial ->", "open ->", "high", "medium"):
            assert code not in ru.stdout, (fmt, code)
    text, markdown = outputs["text"], outputs["markdown"]
    assert "Изменения модели:" in text and "Угрозы:" in text and "Соответствие требованиям:" in text
    assert "переименовано элемент scoring -> scoring-engine" in " ".join(text.split())
    assert "новая" in text and "устранена" in text and "перенесена" in text and "высокий" in text
    assert "(рабочая копия)" in text and "требует подтверждения" in text
    assert "Непубличные данные передаются без TLS: правило больше не срабатывает" in text  # the rule's ru: title
    assert markdown.startswith("## Что изменение делает с безопасностью: ")
    for heading in ("### Новые угрозы", "### Устранённые угрозы", "### Угрозы, перенесённые при переименовании объекта",
                    "### Изменён уровень риска или статус угрозы", "### Решения по рискам", "### Соответствие требованиям",
                    "### Меры защиты"):
        assert heading in markdown, heading
    assert "| средний | средний | `OWASP-API4-NO-RATE-LIMIT@submit-application` |" in markdown
    assert "Scoring engine" in markdown  # model data as written
    # JSON is the same in both languages
    assert runner.invoke(main, [*args, "--format", "json", "--lang", "ru"]).stdout == \
        runner.invoke(main, [*args, "--format", "json"]).stdout
    # the exit code and the gate's message
    en_gate = runner.invoke(main, [*args, "--fail-on-new", "medium"])
    ru_gate = runner.invoke(main, [*args, "--fail-on-new", "medium", "--lang", "ru"])
    assert en_gate.exit_code == ru_gate.exit_code == 1
    assert "new or worsened" in en_gate.stderr and "ухудшившиеся" in ru_gate.stderr and "worsened" not in ru_gate.stderr
    # tmodel.toml [export] lang = "ru" gives the same; --lang en overrides it
    (ru_repo / "tmodel.toml").write_text('[export]\nlang = "ru"\n', encoding="utf-8")
    assert runner.invoke(main, [*args]).stdout == text
    assert runner.invoke(main, [*args, "--format", "markdown"]).stdout == markdown
    english = runner.invoke(main, [*args, "--lang", "en"]).stdout
    assert english.startswith("Partner loan marketplace") and "Model changes:" in english


def test_diff_words_are_complete():
    """Every Russian template fills the same fields as its English; every reason the diff gives has its Russian."""
    import re

    from tmodel.export.diff_report import DiffWords

    for en, ru in DiffWords.TEXT.items():
        assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", ru)), en
    w = DiffWords("ru")
    assert w.reason("flow f1 removed") == "поток f1 удалён из модели"
    assert w.reason("the rule no longer fires (on element gw, renamed to gateway)") == \
        "правило больше не срабатывает (на объекте «элемент» gw, переименованном в gateway)"
    assert w.reason("element gw renamed to gateway") == "элемент gw переименован в gateway"
    assert w.hint("its target was renamed: change the decision's threat to R@gateway").endswith("угрозу R@gateway")
    assert w.reason("something new") == "[en] something new"
