"""docs/model-format.md: the generated reference matches the code, and every example in it is valid."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pydantic import TypeAdapter

from tmodel.model.load import load_model
from tmodel.model.types import Model

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "model-format.md"
EXAMPLE = ROOT / "docs" / "model-example.yaml"
TOOL = ROOT / "tools" / "gen_model_docs.py"
PYTHON = Path(sys.executable)


def _tool():
    spec = importlib.util.spec_from_file_location("gen_model_docs", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_blocks_match_the_code():
    tool = _tool()
    doc = DOC.read_text(encoding="utf-8")
    assert tool.apply(doc, tool.render_blocks()) == doc, (
        "docs/model-format.md is stale: run .venv/bin/python tools/gen_model_docs.py --write"
    )


def test_generator_check_mode_and_no_textual():
    proc = subprocess.run([str(PYTHON), str(TOOL), "--check"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    probe = ("import importlib.util, sys; spec = importlib.util.spec_from_file_location('g', sys.argv[1]); "
             "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); m.render_blocks(); "
             "print('textual' in sys.modules)")
    proc = subprocess.run([str(PYTHON), "-c", probe, str(TOOL)], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == "False", proc.stderr


def test_reference_covers_every_field_and_enum_value():
    tool = _tool()
    reference = tool.render_blocks()["reference"]
    sections, enums = tool.walk_sections()
    for _path, cls in sections:
        for name, f in cls.model_fields.items():
            assert f"| `{f.alias or name}` |" in reference
            assert f.description, f"{cls.__name__}.{name} has no description"
    for e in enums:
        for m in e:
            assert f"| `{m.value}` | " in reference and m.description


def test_complete_example_is_valid_and_clean():
    lm = load_model(str(EXAMPLE))
    assert lm.ok and lm.problems == [], "\n".join(p.format() for p in lm.problems)
    assert EXAMPLE.read_text(encoding="utf-8").splitlines()[0] == \
        "# yaml-language-server: $schema=../schemas/model-v1.schema.json"


def test_complete_example_names_real_catalog_ids():
    from tmodel.analysis.references import check_catalog_references
    from tmodel.catalog.load import load_catalogs

    cat = load_catalogs()
    if any(p.is_error for p in cat.problems):
        pytest.skip("the shipped catalogs do not load cleanly right now")
    lm = load_model(str(EXAMPLE))
    problems = check_catalog_references(lm.model, cat, lm.located, str(EXAMPLE))
    assert problems == [], "\n".join(p.format() for p in problems)


def _section_snippets() -> list[tuple[str, str]]:
    doc = DOC.read_text(encoding="utf-8")
    part = doc.split("## Section by section", 1)[1].split("\n## ", 1)[0]
    out = []
    for heading, body in re.findall(r"### (Example: [^\n]+)\n(.*?)(?=\n### |\Z)", part, re.S):
        for block in re.findall(r"```yaml\n(.*?)```", body, re.S):
            out.append((heading, block))
    return out


SNIPPETS = _section_snippets()


def test_every_section_has_an_example():
    assert [h for h, _ in SNIPPETS] == [
        "Example: metadata", "Example: data assets", "Example: boundaries", "Example: elements",
        "Example: flows", "Example: controls", "Example: decisions", "Example: answers",
    ]


@pytest.mark.parametrize("heading, block", SNIPPETS, ids=[h for h, _ in SNIPPETS])
def test_section_examples_are_valid(heading, block):
    data = yaml.safe_load(block)
    assert isinstance(data, dict) and data
    for section, value in data.items():
        field = Model.model_fields[section]
        TypeAdapter(field.annotation).validate_python(value, by_alias=True, by_name=False)


def _stated_section() -> str:
    doc = DOC.read_text(encoding="utf-8")
    return doc.split("## Stated, unstated and placeholder fields", 1)[1].split("\n## ", 1)[0]


def test_stated_section_example_is_valid_and_states_what_it_says():
    from tmodel.graph import unstated_fields
    from tmodel.model.types import Flow

    (block,) = re.findall(r"```yaml\n(.*?)```", _stated_section(), re.S)
    (raw,) = yaml.safe_load(block)["flows"]
    flow = TypeAdapter(Flow).validate_python(raw, by_alias=True, by_name=False)
    unstated = unstated_fields(flow)
    for path in ("tls.min_version", "authentication.method", "authorization.ip_allowlist", "injection_protection"):
        assert path not in unstated, f"the example states {path}"
    assert "tls.mutual" in unstated, "the example leaves tls.mutual out"


def test_stated_section_claims_hold():
    from tmodel.graph import unstated_fields
    from tmodel.model.types import Element, Flow

    def flow(**kw):
        return Flow.model_validate({"id": "f", "title": "F", "from": "a", "to": "b", **kw})

    # stated means written, even when equal to the default; a nested mapping counts key by key
    assert "tls.mutual" not in unstated_fields(flow(tls={"min_version": "1.2", "mutual": False}))
    assert {"tls.mutual", "tls.forward_secrecy"} <= unstated_fields(flow(tls={"min_version": "1.2"}))
    # an importer placeholder is unstated whatever its value
    placeholder = flow(tls={"min_version": "1.2"}, derived_from={"tls.min_version": "api.yaml#/servers/0/url "
                                                                 "(https with TLS 1.2 is a placeholder to confirm)"})
    assert "tls.min_version" in unstated_fields(placeholder)
    # fields that do not apply are not asked; structural fields never are
    basic = unstated_fields(flow(tls={"min_version": "1.2"}, authentication={"method": "basic"}))
    assert not basic & {"authentication.client_auth", "authentication.pkce", "authentication.ciba",
                        "tls.client_cert_verified", "file_transfer.encrypted", "protocol", "data"}
    ext = Element.model_validate({"id": "p", "title": "P", "kind": "external_entity", "technology": "partner_system"})
    assert unstated_fields(ext) == frozenset()
    gw = unstated_fields(Element.model_validate({"id": "g", "title": "G", "kind": "process", "technology": "wso2_gateway"}))
    assert "logging" in gw and not gw & {"public_clients", "tokens_hashed", "admin_mfa", "segregation_of_duties"}
