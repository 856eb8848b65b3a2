"""Size limits users can raise (``tmodel --max-size``, ``[limits] max_size`` in tmodel.toml); the nesting-depth
and alias-bomb protections stay whatever the size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tmodel.cli import main
from tmodel.model import yamlsafe

ELEMENTS = 600


def big_model(flows: int) -> str:
    """A valid model with ``flows`` distinct flows (11 values each): over the default 200,000-value budget."""
    lines = ["format_version: 1", "metadata: {id: big, title: Big, owner: team}", "elements:"]
    lines += [f"- {{id: e{i}, title: E{i}, kind: process, technology: backend_service}}" for i in range(ELEMENTS)]
    lines.append("flows:")
    for i in range(flows):
        src = i % ELEMENTS
        dst = (src + 1 + i // ELEMENTS) % ELEMENTS
        lines.append(f"- {{id: f{i}, title: F{i}, from: e{src}, to: e{dst}, protocol: http}}")
    return "\n".join(lines) + "\n"


@pytest.fixture(autouse=True)
def default_limits() -> Iterator[None]:
    yield
    yamlsafe.set_max_size(None)  # the option sets the process's budget: never leak it into other tests


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("big") / "big.yaml"
    p.write_text(big_model(19_000), encoding="utf-8")
    return p


def run(args: list[str]) -> tuple[int, str]:
    r = CliRunner().invoke(main, args)
    return r.exit_code, r.output


def test_a_model_over_the_default_budget_is_refused_naming_the_option(big: Path) -> None:
    code, out = run(["validate", str(big)])
    assert code == 2
    assert "more than 200,000 values" in out and "--max-size" in out and "[limits] max_size" in out


def test_the_option_accepts_it(big: Path) -> None:
    code, out = run(["--max-size", "20MB", "validate", str(big)])
    assert code == 0, out
    assert "1 model(s) valid" in out


def test_tmodel_toml_accepts_it(big: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tmodel.toml").write_text('[limits]\nmax_size = "20MB"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out = run(["validate", str(big)])
    assert code == 0, out


def test_a_file_over_the_byte_limit_names_the_option(tmp_path: Path) -> None:
    p = tmp_path / "huge.yaml"
    p.write_text("# " + "x" * (6 * 1024 * 1024) + "\n", encoding="utf-8")
    code, out = run(["validate", str(p)])
    assert code == 2 and "byte limit" in out and "--max-size" in out
    code, out = run(["--max-size", "7MB", "validate", str(p)])
    assert "byte limit" not in out


@pytest.mark.parametrize("value", ["5x", "0", "10GB", "-1MB"])
def test_a_wrong_size_is_refused(value: str) -> None:
    code, out = run(["--max-size", value, "validate", "models"])
    assert code == 2 and "--max-size" in out


def test_a_wrong_size_in_tmodel_toml_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tmodel.toml").write_text('[limits]\nmax_size = "lots"\n', encoding="utf-8")
    (tmp_path / "m.yaml").write_text(big_model(1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out = run(["validate", "m.yaml"])
    assert code == 2 and "[limits] max_size" in out


BOMB = """a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
"""


def test_alias_bombs_and_deep_nesting_stay_refused_with_a_raised_limit(tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    (tmp_path / "deep.yaml").write_text("a: " + "[" * 60 + "]" * 60 + "\n", encoding="utf-8")
    code, out = run(["--max-size", "4GB", "validate", str(tmp_path / "bomb.yaml")])
    assert code == 2 and "alias bomb" in out
    code, out = run(["--max-size", "4GB", "validate", str(tmp_path / "deep.yaml")])
    assert code == 2 and "nesting is deeper than 40 levels" in out
