"""No writer of model YAML ever invents an anchor or an alias (``&id001`` / ``*id001``).

Two decisions taken on the same day share one ``date`` object; a YAML dumper that tracks object
identity writes the second as an alias of the first, and deleting the first decision by hand
then leaves a model that does not load. Every writer is exercised here: the round-trip document
(``ModelDocument``, used by ``tmodel import register``), the terminal app's service and the
importers' renderer. ``tmodel import register`` itself is covered in tests/export.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil

import yaml

from tests.conftest import ROOT
from tmodel.model.save import ModelDocument

ALIAS = re.compile(r"(^|[\s\[{,:-])[&*][A-Za-z0-9_]+")
DAY = dt.date(2026, 12, 6)


def assert_no_alias(text: str) -> None:
    bad = [line for line in text.splitlines() if ALIAS.search(line.split("#", 1)[0])]
    assert not bad, f"anchors or aliases written: {bad}"


def test_model_document_writes_each_shared_value_in_full():
    doc = ModelDocument((ROOT / "models" / "loan-marketplace.yaml").read_text(encoding="utf-8"), "m.yaml")
    shared = ["Risk committee"]
    doc.set_decision("A-1@x", "accepted", decided_on=DAY, expires=DAY, decided_by=shared[0])
    doc.set_decision("A-2@x", "accepted", decided_on=DAY, expires=DAY, decided_by=shared[0])
    doc.set_answer("Q-1", "yes", answered_on=DAY)
    doc.set_answer("Q-2", "yes", answered_on=DAY)
    text = doc.text()
    assert_no_alias(text)
    data = yaml.safe_load(text)
    first = next(d for d in data["decisions"] if d["threat"] == "A-1@x")
    assert first["decided_on"] == DAY and first["expires"] == DAY
    # delete the first one by hand: the file still loads and the second keeps its dates
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "A-1@x" in line)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("- "))
    rest = yaml.safe_load("\n".join(lines[:start] + lines[end:]))
    assert next(d for d in rest["decisions"] if d["threat"] == "A-2@x")["decided_on"] == DAY


def test_anchors_the_person_wrote_are_kept():
    doc = ModelDocument("base: &tls {min_version: '1.2'}\nother: *tls\n", "m.yaml")
    doc.set(("third",), DAY)
    doc.set(("fourth",), DAY)
    assert doc.text() == "base: &tls {min_version: '1.2'}\nother: *tls\nthird: 2026-12-06\nfourth: 2026-12-06\n"


def test_terminal_app_service_writes_no_alias(tmp_path):
    from tests.tui.conftest import AS_OF, MODELS
    from tmodel.catalog.load import load_catalogs
    from tmodel.tui.service import Service

    dest = tmp_path / "models"
    shutil.copytree(MODELS, dest)
    cat = load_catalogs([str(ROOT / "tests" / "tui" / "fixtures" / "catalog")], shipped=False)
    svc = Service(str(dest), cat, as_of=AS_OF, user="tester")
    e = svc.open(str(dest / "payments.yaml"))
    threats = [t.id for t in e.analysis.threats][:3]
    assert len(threats) >= 2
    for tid in threats:
        svc.set_decision(tid, "accepted", owner="Head of payments", reason="Backend validates", expires=dt.date(2027, 3, 1))
    questions = [c.id for c in e.analysis.controls if c.question][:2]
    for q in questions:
        svc.set_answer(q, "yes", evidence="Policy v3")
    svc.save()
    text = open(e.path, encoding="utf-8").read()
    assert_no_alias(text)
    assert sum(1 for d in yaml.safe_load(text)["decisions"] if d.get("decided_on") == AS_OF) >= len(threats)


def test_importer_renderer_writes_no_alias():
    from tmodel.importers.common import Draft, render

    shared = {"min_version": "1.2"}
    draft = Draft(source="api.yaml", kind="openapi", metadata={"id": "x", "title": "X"})
    draft.flows = [{"id": "f1", "tls": shared}, {"id": "f2", "tls": shared}]
    text = render(draft, today=DAY)
    assert_no_alias(text)
