"""The export and import modules (and their commands) never import textual."""

from __future__ import annotations

import subprocess
import sys

MODULES = ["tmodel.commands.export_cmd", "tmodel.commands.import_cmd", "tmodel.export.register", "tmodel.export.record",
           "tmodel.export.diagram", "tmodel.export.json_export", "tmodel.export.safe", "tmodel.export.bundle",
           "tmodel.export.register_import"]


def test_no_textual_in_export_modules():
    code = ("import sys\n" + "".join(f"import {m}\n" for m in MODULES)
            + "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
            + "assert not bad, bad\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
