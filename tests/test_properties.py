"""Property tests: any valid model, however odd its text, validates, analyzes, exports to every
format, and its exported register imports back with nothing to change.

Models are drawn by hypothesis from the format's own vocabularies (every element kind and
technology, every protocol, TLS version, authentication method, zone and classification) with
hostile text in titles and descriptions (formula triggers, Markdown, HTML, DOT escapes, control
characters, right-to-left marks, Cyrillic). ``TMODEL_FUZZ_EXAMPLES`` raises the count.
"""

from __future__ import annotations

import json

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzkit import EXAMPLES, fuzz_settings, time_limit
from tmodel.cli import main
from tmodel.model import enums

pytestmark = pytest.mark.fuzz

HOSTILE_TEXT = ["=1+1", "+7 495", "-x", "@SUM(A1)", "**bold** _x_ [l](http://x) <b>h</b> | # ` \\N \\l \" '",
                "Шлюз WSO2 «платежи»", "\u202eevil", "\x1b]0;t\x07", "line one\nline two", "a" * 199, "yes", "1.2", "~"]

ids = st.from_regex(r"\A[a-z][a-z0-9-]{0,11}\Z", fullmatch=True)
text = st.one_of(st.sampled_from(HOSTILE_TEXT),
                 st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60))
short = text.map(lambda s: s.strip()[:200] or "x")


def values(enum) -> st.SearchStrategy[str]:  # noqa: ANN001
    return st.sampled_from([m.value for m in enum])


@st.composite
def models(draw: st.DrawFn) -> dict:
    boundary_ids = draw(st.lists(ids, min_size=1, max_size=3, unique=True))
    boundaries = [{"id": b, "title": draw(short), "zone": draw(values(enums.Zone))} for b in boundary_ids]
    asset_ids = draw(st.lists(ids.map(lambda s: "d-" + s), max_size=3, unique=True))
    assets = [{"id": a, "title": draw(short), "classification": draw(values(enums.Classification)),
               "pd_category": draw(values(enums.PdCategory)), "description": draw(text)} for a in asset_ids]
    element_ids = draw(st.lists(ids.map(lambda s: "e-" + s), min_size=2, max_size=6, unique=True))
    elements = [{"id": e, "title": draw(short), "kind": draw(values(enums.ElementKind)),
                 "technology": draw(values(enums.Technology)), "boundary": draw(st.sampled_from(boundary_ids)),
                 "description": draw(text), "encrypted_at_rest": draw(st.booleans())} for e in element_ids]
    flows = []
    for i in range(draw(st.integers(1, 6))):
        a, b = draw(st.lists(st.sampled_from(element_ids), min_size=2, max_size=2, unique=True))
        protocol = draw(values(enums.Protocol))
        plaintext = protocol in ("http", "ftp")  # the format's consistency rules: TLS goes with the protocol
        tls = {"min_version": "none"} if plaintext else {
            "min_version": draw(st.sampled_from(["1.0", "1.1", "1.2", "1.3"] if protocol == "https" else
                                                ["none", "1.0", "1.1", "1.2", "1.3"])), "forward_secrecy": True}
        if tls["min_version"] == "none":
            tls.pop("forward_secrecy", None)
        elif draw(st.booleans()):
            tls["mutual"] = True
        method = draw(values(enums.AuthMethod).filter(lambda m: m != "mtls" or tls.get("mutual")))
        flows.append({"id": f"f{i}", "title": draw(short), "from": a, "to": b, "protocol": protocol, "tls": tls,
                      "authentication": {"method": method},
                      "data": draw(st.lists(st.sampled_from(asset_ids), unique=True)) if asset_ids else [],
                      "rate_limit": draw(st.booleans()), "description": draw(text)})
    metadata = {"id": "m-" + draw(ids), "title": draw(short), "owner": draw(short), "description": draw(text),
                "gost_level": draw(values(enums.GostLevel))}
    if any(a["pd_category"] != "none" for a in assets):
        metadata["pd_level"] = draw(values(enums.PdLevel))
    return {"format_version": 1, "metadata": metadata, "boundaries": boundaries, "data_assets": assets,
            "elements": elements, "flows": flows}


def invoke(*args: str):
    with time_limit(60):
        return CliRunner().invoke(main, list(args), catch_exceptions=True)


@fuzz_settings(max(EXAMPLES // 2, 6))
@given(data=models())
def test_a_valid_model_validates_analyzes_exports_and_reimports(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "m.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    r = invoke("validate", str(path))
    assert r.exit_code == 0, r.output  # the generator draws only valid models: anything else is a finding
    r = invoke("analyze", str(path), "--format", "json", "--as-of", "2026-11-01")
    assert r.exit_code == 0, r.output
    analysis = json.loads(r.stdout)
    r = invoke("export", str(path), "--to", str(folder / "out"), "--as-of", "2026-11-01", "--format", "xlsx,md,dot,json,svg,png")
    assert r.exit_code == 0, r.output
    mid = data["metadata"]["id"]
    exported = json.loads((folder / "out" / f"{mid}-analysis.json").read_text(encoding="utf-8"))
    assert [t["id"] for t in exported["threats"]] == [t["id"] for t in analysis["threats"]]
    wb = openpyxl.load_workbook(folder / "out" / f"{mid}-register.xlsx")
    assert wb["Risks"].max_row == len(analysis["threats"]) + 1
    r = invoke("import", "register", str(folder / "out" / f"{mid}-register.xlsx"), str(path), "--dry-run")
    assert r.exit_code == 0 and "no changes to import" in r.output, r.output
