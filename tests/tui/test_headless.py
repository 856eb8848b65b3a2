"""Headless modules never import textual: a fresh interpreter imports them and checks."""

from __future__ import annotations

import subprocess
import sys


def test_headless_modules_do_not_import_textual():
    code = ("import tmodel.analysis.engine, tmodel.export.json_export, tmodel.cli, tmodel.model.save, tmodel.graph, "
            "tmodel.catalog.load, tmodel.tui.service, tmodel.tui.fields, tmodel.tui.layout; import sys; "
            "assert 'textual' not in sys.modules, sorted(m for m in sys.modules if m.startswith('textual'))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_cli_validate_does_not_import_textual(tmp_path):
    code = ("import sys; from tmodel.cli import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
            "assert 'textual' not in sys.modules")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
