"""The app's fast edits give exactly what reading the whole text again gives.

Every kind of edit the service offers (field edits on every section, add, delete, rename, decisions,
answers, controls, a snippet, a rejected edit, undo and redo) is applied to a model opened the app's way
(the document in pieces, validation from the pieces, analysis of what the edit touches) and, the same
calls, to the same model opened as one ruamel tree. After every edit: the text is the same in both, and
the problems, the validated model and the analysis (its JSON: threats, scores, statuses, controls,
compliance, unknowns, decision issues with their lines) equal those of a fresh read and analysis of that
text. On the bundled models, the app's test fixtures and a generated model.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from tmodel.analysis.engine import analyze
from tmodel.catalog.load import load_catalogs
from tmodel.model.load import load_model_text
from tmodel.model.pieces import WHOLE
from tmodel.model.save import ModelDocument
from tmodel.tui.service import EditError, Entry, Service

from .conftest import AS_OF, MODELS

ROOT = Path(__file__).resolve().parents[2]


def _generated(n: int) -> str:
    spec = importlib.util.spec_from_file_location("pytm_compare", ROOT / "benchmarks" / "pytm_compare.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return yaml.safe_dump(mod.tmodel_doc(mod.describe(n, 16)), sort_keys=False)


@pytest.fixture(scope="module")
def shipped_catalog():
    return load_catalogs([])


def _state(service: Service, e: Entry) -> dict[str, Any]:
    return {"problems": [p.format() for p in e.problems],
            "model": e.model.model_dump(mode="json") if e.model is not None else None,
            "analysis": json.dumps(e.analysis.to_dict(), sort_keys=True, default=str) if e.analysis is not None else None,
            "current": e.analysis_current}


def _fresh(service: Service, e: Entry) -> dict[str, Any]:
    """What reading the entry's current text from scratch and analysing it with ``engine.analyze`` gives."""
    assert e.doc is not None
    ref = Entry(e.path, e.rel, load_model_text(e.doc.text(), e.path, e.doc.mtime_ns))
    service._analyse(ref)  # the problems (catalog references, linked files) as the app finds them
    if ref.analysis_current:
        assert ref.model is not None
        ref.analysis = analyze(ref.model, service.catalog, path=ref.path, located=ref.loaded.located, as_of=service.as_of)
    out = _state(service, ref)
    if not ref.analysis_current:  # a model with errors keeps its last valid analysis: compare what is current
        out["analysis"] = _state(service, e)["analysis"]
    return out


class Pair:
    """The same service calls on the app's document (pieces) and on a whole ruamel document."""

    def __init__(self, folder: Path, name: str, catalog: Any):
        twin = folder.parent / (folder.name + "-whole")
        shutil.copytree(folder, twin)
        self.fast = Service(str(folder), catalog, as_of=AS_OF, user="tester")
        self.whole = Service(str(twin), catalog, as_of=AS_OF, user="tester")
        self.e = self.fast.open(str(folder / name))
        w = self.whole.open(str(twin / name))
        w.doc = ModelDocument.open(w.path)  # one ruamel tree, edited and written whole
        self.w = w
        assert self.e.doc is not None and self.e.doc.pieces[0].kind != WHOLE, "the app's document is in pieces"
        self.steps = 0
        self.ways: dict[str, int] = {}  # how the analyses were made: incremental or full
        fresh, mine = _fresh(self.fast, self.e), _state(self.fast, self.e)
        assert mine == fresh, "the model as opened"

    def __call__(self, what: str, call: Callable[[Service], Any]) -> Any:
        results = []
        for svc in (self.fast, self.whole):
            try:
                results.append(("ok", call(svc)))
            except EditError as exc:
                results.append(("refused", type(exc).__name__))
        assert results[0][0] == results[1][0], f"{what}: {results}"
        assert self.e.doc is not None and self.w.doc is not None
        assert self.e.doc.text() == self.w.doc.text(), f"{what}: the texts differ"
        assert self.e.dirty == self.w.dirty, what
        fresh = _fresh(self.fast, self.e)
        mine = _state(self.fast, self.e)
        for key in fresh:
            assert mine[key] == fresh[key], f"{what}: {key} differs from a fresh read of the text"
        self.steps += 1
        if self.e.analyser is not None:
            self.ways[self.e.analyser.last] = self.ways.get(self.e.analyser.last, 0) + 1
        return results[0][1]


def _ids(e: Entry, section: str) -> list[str]:
    assert e.doc is not None
    return [str(x.get("id")) for x in (e.doc.plain().get(section) or [])]


def _edits(pair: Pair) -> None:
    """Every kind of edit, on whatever the model holds."""
    e = pair.e
    elements, flows = _ids(e, "elements"), _ids(e, "flows")
    boundaries, assets = _ids(e, "boundaries"), _ids(e, "data_assets")
    el = elements[min(1, len(elements) - 1)]
    fl = flows[min(1, len(flows) - 1)] if flows else None
    pair("metadata owner", lambda s: s.set_field("metadata", None, ("owner",), "Platform team (edited)"))
    pair("metadata title", lambda s: s.set_field("metadata", None, ("title",), "yes"))  # a YAML 1.1 word stays text
    pair("element logging", lambda s: s.set_field("elements", el, ("logging",), "none"))
    pair("element least_privilege", lambda s: s.set_field("elements", el, ("least_privilege",), True))
    pair("element least_privilege back", lambda s: s.set_field("elements", el, ("least_privilege",), False))
    pair("element title multi-line", lambda s: s.set_field("elements", el, ("description",), "two\nlines"))
    if fl:
        pair("flow tls (a linked edit)", lambda s: s.set_field("flows", fl, ("protocol",), "http"))
        pair("flow rate_limit", lambda s: s.set_field("flows", fl, ("rate_limit",), True))
        pair("flow nested auth", lambda s: s.set_field("flows", fl, ("authentication", "method"), "mtls"))
        pair("rejected: unknown flow end", lambda s: s.set_field("flows", fl, ("from",), "nowhere"))
    if assets and fl:
        pair("flow data", lambda s: s.set_field("flows", fl, ("data",), assets[:2]))
    if assets:
        pair("asset classification", lambda s: s.set_field("data_assets", assets[0], ("classification",), "credentials"))
    if boundaries:
        pair("boundary title", lambda s: s.set_field("boundaries", boundaries[0], ("title",), "Edge (edited)"))
        pair("boundary zone", lambda s: s.set_field("boundaries", boundaries[-1], ("zone",), "restricted"))
    pair("element boundary", lambda s: s.set_field("elements", el, ("boundary",), boundaries[0] if boundaries else None))
    pair("rejected: empty title", lambda s: s.set_field("elements", el, ("title",), ""))
    pair("add element", lambda s: s.add_item("elements", {"id": "cache-x", "title": "Session cache", "kind": "data_store",
                                                          "technology": "database", "encrypted_at_rest": False}))
    pair("add flow", lambda s: s.add_item("flows", {"id": "to-cache-x", "title": "To the cache", "from": el, "to": "cache-x",
                                                    "protocol": "https", "tls": {"min_version": "1.1"}}))
    pair("add boundary", lambda s: s.add_item("boundaries", {"id": "zone-x", "title": "Zone X", "zone": "internal"}))
    pair("add data asset", lambda s: s.add_item("data_assets", {"id": "asset-x", "title": "Asset X", "classification": "internal"}))
    pair("rename element", lambda s: s.rename("elements", el, el + "-renamed"))
    el2 = el + "-renamed"
    if fl:
        pair("rename flow", lambda s: s.rename("flows", fl, fl + "-renamed"))
    if boundaries:
        pair("rename boundary", lambda s: s.rename("boundaries", boundaries[0], "edge-renamed"))
    if assets:
        pair("rename data asset", lambda s: s.rename("data_assets", assets[0], "asset-renamed"))
    threats = [t.id for t in (e.analysis.threats if e.analysis else [])]
    if threats:
        pair("decision accepted", lambda s: s.set_decision(threats[0], "accepted", owner="CISO", reason="legacy",
                                                           expires=dt.date(2026, 11, 20)))
        pair("decision mitigated", lambda s: s.set_decision(threats[0], "mitigated", control="CTL-TLS"))
        pair("decision on another", lambda s: s.set_decision(threats[-1], "false_positive", reason="not reachable"))
        pair("reopen", lambda s: s.reopen(threats[-1]))
    controls = [c.id for c in (e.analysis.controls if e.analysis else [])]
    if controls:
        pair("answer", lambda s: s.set_answer(controls[0], "yes", evidence="inventory v3"))
        pair("answer again", lambda s: s.set_answer(controls[0], "partial", evidence=""))
        pair("control declared", lambda s: s.set_control(controls[-1], "implemented", evidence="runbook"))
    pair("snippet", lambda s: s.insert_snippet("hsm"))
    pair("delete flow", lambda s: s.remove_item("flows", "to-cache-x"))
    pair("delete element with references", lambda s: s.remove_item("elements", el2))
    pair("undo", lambda s: s.undo())
    pair("undo", lambda s: s.undo())
    pair("undo", lambda s: s.undo())
    pair("redo", lambda s: s.redo())
    pair("edit after undo", lambda s: s.set_field("metadata", None, ("owner",), "After undo"))
    pair("redo (nothing)", lambda s: s.redo())
    for _ in range(4):
        pair("undo", lambda s: s.undo())


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "models").glob("*.yaml")))
def test_every_edit_on_the_bundled_models_equals_a_fresh_read(tmp_path, name, shipped_catalog):
    folder = tmp_path / "models"
    shutil.copytree(ROOT / "models", folder)
    pair = Pair(folder, name, shipped_catalog)
    _edits(pair)
    assert pair.steps > 30
    if pair.e.model is not None and pair.e.model.configs:  # linked configuration files: always analysed whole
        assert set(pair.ways) == {"full"}, pair.ways
    else:  # field edits, decisions on existing sections: in part
        assert pair.ways.get("incremental", 0) >= 10, pair.ways


@pytest.mark.parametrize("name", ["payments.yaml", "markup.yaml", "broken.yaml"])
def test_every_edit_on_the_app_fixtures_equals_a_fresh_read(tmp_path, name, tui_catalog):
    folder = tmp_path / "models"
    shutil.copytree(MODELS, folder)
    pair = Pair(folder, name, tui_catalog)
    _edits(pair)


def test_every_edit_on_a_generated_model_equals_a_fresh_read(tmp_path, shipped_catalog):
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "scale.yaml").write_text(_generated(24), encoding="utf-8")
    pair = Pair(folder, "scale.yaml", shipped_catalog)
    _edits(pair)
    assert pair.ways.get("incremental", 0) >= 10, pair.ways


def test_a_model_with_anchors_is_edited_whole(tmp_path, tui_catalog):
    """Anchors and aliases tie places of the text together: such a document is not split, and edits still
    give what a fresh read gives."""
    folder = tmp_path / "models"
    shutil.copytree(MODELS, folder)
    text = (folder / "payments.yaml").read_text(encoding="utf-8")
    text = text.replace("  owner: Integration layer team", "  owner: &team Integration layer team", 1)
    text = text.replace("    owner: Head of integration", "    owner: *team", 1)
    (folder / "anchored.yaml").write_text(text, encoding="utf-8")
    pair = Pair(folder, "payments.yaml", tui_catalog)  # a split one, for contrast
    svc = pair.fast
    e = svc.open(str(folder / "anchored.yaml"))
    assert e.doc is not None and e.doc.pieces[0].kind == WHOLE
    svc.set_field("metadata", None, ("title",), "Edited whole")
    svc.set_field("elements", "gw", ("logging",), "none")
    assert _state(svc, e) == _fresh(svc, e)
    assert "*team" in e.doc.text()
