"""The CLI as a user meets it: help, version, analyze, project configuration with a user catalog."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "catalog-engine" / "mini.yaml"
BASE = ROOT / "tests" / "fixtures" / "base.yaml"


def tmodel(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tmodel", *args], cwd=cwd or ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_help_lists_every_command_with_one_line():
    out = tmodel("--help").stdout
    for cmd in ("analyze", "audit", "check", "diff", "export", "facts", "import", "new", "schema", "ui", "validate"):
        line = next((ln for ln in out.splitlines() if ln.strip().startswith(cmd + " ")), "")
        assert line.strip() and "..." not in line, f"{cmd}: {line!r}"


def test_version():
    r = tmodel("--version")
    assert r.returncode == 0 and r.stdout.startswith("tmodel, version ")


def test_analyze_table_and_json_agree():
    table = tmodel("analyze", "models/loan-marketplace.yaml", "--as-of", "2026-11-01")
    data = json.loads(tmodel("analyze", "models/loan-marketplace.yaml", "--format", "json", "--as-of", "2026-11-01").stdout)
    assert table.returncode == 0
    assert f"{len(data['threats'])} finding(s)" in table.stdout
    for t in data["threats"]:
        assert t["id"] in table.stdout


def test_project_configuration_adds_a_catalog_and_overrides_are_announced(tmp_path):
    (tmp_path / "security").mkdir()
    text = MINI.read_text().replace("id: mini", "id: bank-extra").replace("R-TLS", "WSO2-TLS-WEAK")
    text = text.replace("Weak TLS on public endpoint", "Bank rule - weak TLS")
    (tmp_path / "security" / "bank.yaml").write_text(text)
    (tmp_path / "tmodel.toml").write_text('[catalogs]\npaths = ["security"]\n')
    model = BASE.read_text().replace('tls: {min_version: "1.2", forward_secrecy: true, mutual: true, client_cert_verified: true}\n    authentication:\n      method: oidc',
                                     'tls: {min_version: "1.1", forward_secrecy: true, mutual: true, client_cert_verified: true}\n    authentication:\n      method: oidc', 1)
    (tmp_path / "m.yaml").write_text(model)
    r = tmodel("analyze", "m.yaml", "--format", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "rule 'WSO2-TLS-WEAK' replaces the one in" in r.stderr
    data = json.loads(r.stdout)
    titles = {t["id"]: t["title"] for t in data["threats"]}
    assert titles.get("WSO2-TLS-WEAK@tpp-gw") == "Bank rule - weak TLS"
    assert any("replaces" in o for o in data["overrides"])


def test_bad_project_configuration_is_a_located_error(tmp_path):
    shutil.copy(BASE, tmp_path / "m.yaml")
    (tmp_path / "tmodel.toml").write_text("[catalogs\npaths = 1\n")
    r = tmodel("validate", "m.yaml", cwd=tmp_path)
    assert r.returncode == 2 and "tmodel.toml" in r.stderr and "invalid TOML" in r.stderr and "Traceback" not in r.stderr


def test_analyze_refuses_a_folder_of_several_models_clearly():
    r = tmodel("analyze", "models")
    assert r.returncode == 2 and "analyze takes one model" in r.stderr and "Traceback" not in r.stderr


def test_import_of_a_file_that_is_not_a_workbook_is_a_clear_error(tmp_path):
    bad = tmp_path / "notes.md"
    bad.write_text("# not a workbook\n")
    r = tmodel("import", "register", str(bad), str(BASE))
    assert r.returncode == 2 and "not an Excel workbook" in r.stderr and "Traceback" not in r.stderr
