"""Issue 11's quality bar, as a new user meets the app, by key presses only:

from an empty models folder, create a model from a template, add an HTTPS flow with mutual TLS
through the Add-flow dialog, triage two of its threats, save; the file then validates and
`tmodel diff` against the committed template shows exactly the new flow and the two decisions,
while `git diff` shows only added lines (nothing of the template was rewritten).
Shipped catalogs, the real app, a real git repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from textual.widgets import DataTable, Select

from tmodel.analysis.references import with_catalog_references
from tmodel.catalog.load import load_catalogs
from tmodel.model.load import load_model

from .conftest import AS_OF, SIZE
from .test_app import run_command, settle, type_text

ROOT = Path(__file__).resolve().parents[2]
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.test", "-c", "commit.gpgsign=false"]


async def choose(pilot, value: str) -> None:
    """The focused dropdown: Enter opens it, arrows move to ``value``, Enter takes it."""
    select = pilot.app.focused
    assert isinstance(select, Select), f"focus is on {select!r}, not a dropdown"
    values = [v for _, v in select._options if v is not Select.NULL]
    current = values.index(select.value) if select.value in values else -1
    steps = values.index(value) - current
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
    await settle(pilot)
    assert select.value == value, f"{select.id}: {select.value!r}"


def tmodel(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tmodel", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


async def triage_first_row(pilot, status: str, *fields: str) -> str:
    """On Threats: t on the highlighted row, choose the status, fill the shown text fields in order, OK."""
    app = pilot.app
    table = app.screen.query_one("#th-table", DataTable)
    threat = app.screen.rows[table.cursor_row].id
    await pilot.press("t")
    await settle(pilot)
    assert app.screen.query_one("#tr-status") is app.focused
    await choose(pilot, status)
    for text in fields:
        await pilot.press("tab")
        await pilot.press(*["backspace"] * len(app.focused.value))
        await type_text(pilot, text)
    for _ in range(6):  # on to OK (past "decided by", which is the user already)
        await pilot.press("tab")
        if getattr(app.focused, "id", None) == "ok":
            break
    assert getattr(app.focused, "id", None) == "ok"
    await pilot.press("enter")
    await settle(pilot)
    assert app.screen.query("#th-table"), "the triage dialog closed"
    return threat


async def test_a_new_user_starts_a_model_adds_an_mtls_flow_triages_and_saves(tmp_path):
    from tmodel.tui.app import make_app

    repo = tmp_path / "repo"
    folder = repo / "models"
    folder.mkdir(parents=True)
    subprocess.run(GIT + ["init", "-q", "-b", "main"], cwd=repo, check=True)
    catalog = load_catalogs([])
    app = make_app(str(folder), catalog, AS_OF, user="new.user", cursor_blink=False)
    app.animation_level = "none"
    path = folder / "loan-partner.yaml"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # 1. the empty folder offers New; the template is the default partner B2B API
        await pilot.press("n")
        await settle(pilot)
        await type_text(pilot, "loan-partner")
        await pilot.press("enter")
        await settle(pilot)
        assert path.is_file() and app.current_mode == "structure"
        # the team commits the untouched template, as a reviewer would see it
        subprocess.run(GIT + ["add", "-A"], cwd=repo, check=True)
        subprocess.run(GIT + ["commit", "-q", "-m", "start from the template"], cwd=repo, check=True)
        before = {t.id for t in app.service.current.analysis.threats}

        # 2. add an HTTPS flow with mutual TLS through the Add-flow dialog (command palette, keys only)
        await run_command(pilot, "add a flow")
        await type_text(pilot, "partner-status")
        await pilot.press("tab")
        await type_text(pilot, "Loan application status queries")
        await pilot.press("tab")
        await choose(pilot, "partner")        # from
        await pilot.press("tab")
        await choose(pilot, "api-gw")         # to
        await pilot.press("tab")
        assert app.focused.value == "https"   # protocol: https by default
        await pilot.press("tab")
        await choose(pilot, "1.1")            # TLS min version: the partner's legacy stack
        await pilot.press("tab")
        await choose(pilot, "mutual")         # mutual TLS, the client chain not verified (yet)
        await pilot.press("tab", "enter")     # OK
        await settle(pilot)
        flow = next(f for f in app.service.current.model.flows if f.id == "partner-status")
        assert (flow.source, flow.target, flow.protocol.value) == ("partner", "api-gw", "https")
        assert flow.tls.min_version.value == "1.1" and flow.tls.mutual and flow.tls.client_cert_verified is False
        new = {t.id for t in app.service.current.analysis.threats} - before
        # the two weaknesses the user stated, and nothing the flow leaves unstated (those are unknowns)
        assert new == {"WSO2-TLS-WEAK@partner-status", "WSO2-MTLS-NOVERIFY@partner-status"}
        assert any(u.id.endswith("@partner-status") for u in app.service.current.analysis.unknowns)

        # 3. triage two of the new flow's threats on the Threats screen
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "partner-status")
        await pilot.press("enter")
        await settle(pilot)
        assert {t.id for t in app.screen.rows} == new
        first = await triage_first_row(pilot, "accepted", "Head of retail lending integration",
                                       "Returns public application states only, until partner OAuth ships (LOAN-77)",
                                       "2027-03-31")
        await pilot.press("down")
        await settle(pilot)
        second = await triage_first_row(pilot, "false_positive", "The status API has one read-only function and no administrative ones")
        decided = {d.threat: d for d in app.service.current.model.decisions}
        assert decided[first].status.value == "accepted" and decided[first].owner == "Head of retail lending integration"
        assert str(decided[first].expires) == "2027-03-31" and decided[first].decided_by == "new.user"
        assert decided[second].status.value == "false_positive"
        assert first != second and {first, second} <= new

        # 4. save
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not app.service.current.dirty
        await pilot.press("ctrl+q")
        await settle(pilot)

    lm = with_catalog_references(load_model(str(path)), catalog)
    assert lm.ok, [p.format() for p in lm.problems]
    r = tmodel("validate", "models/loan-partner.yaml", cwd=repo)
    assert r.returncode == 0, r.stderr
    r = tmodel("diff", "models/loan-partner.yaml", "--from", "HEAD", "--as-of", AS_OF.isoformat(), cwd=repo)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    for tid in new:
        assert tid in r.stdout, r.stdout
    # git shows only additions: the new flow and the decisions; no line of the template rewritten
    diff = subprocess.run(["git", "diff", "--unified=0", "models/loan-partner.yaml"], cwd=repo, capture_output=True,
                          text=True, check=True).stdout
    removed = [ln for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    added = [ln for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    assert not removed, diff
    assert any("id: partner-status" in ln for ln in added) and any(first in ln for ln in added)
    assert any(second in ln for ln in added)
