"""Crash-safe writes: one atomic writer (tmodel.fsutil) for every file tmodel writes.

Real files, real symlinks, a real child process killed with SIGKILL in the middle of its writes.
"""

from __future__ import annotations

import errno
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from tmodel.cli import main
from tmodel.fsutil import WriteError, atomic_write_text, clean_stale_temps, problem
from tmodel.model.save import ChangedOnDisk, ModelDocument

MODELS = sorted((ROOT / "models").glob("*.yaml"))
DEMO = MODELS[0]


def temps(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(".tmodel-") and n.endswith(".tmp"))


def test_a_symlinked_model_is_written_through_to_its_target(tmp_path):
    real = tmp_path / "real" / "m.yaml"
    real.parent.mkdir()
    shutil.copy(DEMO, real)
    link = tmp_path / "m.yaml"
    link.symlink_to(real)
    doc = ModelDocument.open(str(link))
    doc.set(("metadata", "owner"), "Security team")
    doc.save()
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert "owner: Security team" in real.read_text(encoding="utf-8")
    assert temps(tmp_path) == [] and temps(real.parent) == []


def test_mode_is_kept_and_a_hard_link_keeps_the_old_content(tmp_path):
    f = tmp_path / "m.yaml"
    shutil.copy(DEMO, f)
    os.chmod(f, 0o640)
    other = tmp_path / "other-name.yaml"
    os.link(f, other)
    atomic_write_text(str(f), "format_version: 1\n")
    assert (os.stat(f).st_mode & 0o777) == 0o640
    assert os.stat(f).st_uid == os.getuid()
    assert other.read_text(encoding="utf-8") == DEMO.read_text(encoding="utf-8")  # nothing lost


READ_ONLY = textwrap.dedent("""
    import os, sys
    from tmodel.fsutil import WriteError, atomic_write_text  # imported first: root's Python may be unreadable to others
    if os.geteuid() == 0:  # mode bits do not stop root: test as 'nobody'
        os.setgid(65534)
        os.setuid(65534)
    try:
        atomic_write_text(sys.argv[1], "replaced")
        print("written")
    except WriteError as exc:
        print(exc.message)
""")


def test_a_read_only_file_is_refused_and_kept():
    """os.replace would silently replace a read-only file in a writable folder: the writer refuses."""
    folder = Path(tempfile.mkdtemp(prefix="tmodel-ro-", dir="/tmp"))  # reachable by 'nobody'
    try:
        f = folder / "m.yaml"
        shutil.copy(DEMO, f)
        os.chmod(f, 0o444)
        if os.geteuid() == 0:
            os.chown(folder, 65534, 65534)
            os.chown(f, 65534, 65534)
        out = subprocess.run([sys.executable, "-c", READ_ONLY, str(f)], capture_output=True, text=True, timeout=60,
                             cwd=str(ROOT), env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert "read-only" in out.stdout and "not changed" in out.stdout, out.stdout + out.stderr
        assert f.read_text(encoding="utf-8") == DEMO.read_text(encoding="utf-8") and temps(folder) == []
    finally:
        shutil.rmtree(folder)


def test_a_missing_folder_gives_a_clear_message(tmp_path):
    with pytest.raises(WriteError) as info:
        atomic_write_text(str(tmp_path / "no" / "such" / "m.yaml"), "x")
    p = problem(str(tmp_path / "m.yaml"), info.value)
    assert "does not exist" in p.message and p.hint


def test_import_to_a_missing_folder_exits_2_with_a_located_message(tmp_path):
    source = sorted((ROOT / "tests" / "fixtures" / "import" / "openapi").glob("*.yaml"))[0]
    target = tmp_path / "gone" / "m.yaml"
    r = CliRunner().invoke(main, ["import", "openapi", str(source), "-o", str(target)])
    assert r.exit_code == 2 and "does not exist; nothing was written" in r.output, r.output


def test_disk_full_keeps_the_original_and_says_so(tmp_path):
    """A real failing write: the child process may not write files over 64 KB (RLIMIT_FSIZE, the
    way a full quota behaves); the original must stay and the message must say it is unchanged."""
    f = tmp_path / "m.yaml"
    shutil.copy(DEMO, f)
    before = f.read_bytes()
    script = textwrap.dedent(f"""
        import resource, signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
        from tmodel.fsutil import WriteError, atomic_write_text
        try:
            atomic_write_text({str(f)!r}, "x" * 200000)
        except WriteError as exc:
            print(exc.message)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert "unchanged" in out.stdout, out.stdout + out.stderr
    assert f.read_bytes() == before and temps(tmp_path) == []


def test_the_messages_for_full_disk_and_permissions():
    enospc = problem("m.yaml", OSError(errno.ENOSPC, "No space left on device"))
    eacces = problem("m.yaml", OSError(errno.EACCES, "Permission denied"))
    assert "disk is full" in enospc.message and "unchanged" in enospc.message
    assert "permission denied" in eacces.message


def test_an_outside_edit_that_keeps_the_mtime_is_not_overwritten(tmp_path):
    f = tmp_path / "m.yaml"
    shutil.copy(DEMO, f)
    doc = ModelDocument.open(str(f))
    st = os.stat(f)
    text = f.read_text(encoding="utf-8").replace("title:", "title: ", 1)  # someone else's edit...
    f.write_text(text, encoding="utf-8")
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # ... with the old mtime (cp -p, rsync -t)
    doc.set(("metadata", "owner"), "Me")
    with pytest.raises(ChangedOnDisk):
        doc.save()
    assert f.read_text(encoding="utf-8") == text


def test_extended_attributes_are_kept(tmp_path):
    f = tmp_path / "m.yaml"
    f.write_text("a: 1\n")
    try:
        os.setxattr(f, "user.tmodel-test", b"kept")
    except OSError:
        pytest.skip("this file system has no user extended attributes")
    atomic_write_text(str(f), "a: 2\n")
    assert os.getxattr(f, "user.tmodel-test") == b"kept" and f.read_text() == "a: 2\n"


def test_stale_temp_files_of_a_dead_writer_are_removed_and_others_kept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".tmodel-{dead}-abcdef.tmp"
    stale.write_text("half")
    mine = tmp_path / f".tmodel-{os.getpid()}-abcdef.tmp"
    mine.write_text("in progress")
    not_ours = tmp_path / ".tmodel-notes.txt"
    not_ours.write_text("user file")
    atomic_write_text(str(tmp_path / "m.yaml"), "a: 1\n")
    assert not stale.exists() and mine.exists() and not_ours.exists()
    mine.unlink()
    assert clean_stale_temps(str(tmp_path)) == []


WRITER = textwrap.dedent("""
    import sys
    from tmodel.fsutil import atomic_write_text
    path, a, b = sys.argv[1], open(sys.argv[2]).read(), open(sys.argv[3]).read()
    print("ready", flush=True)
    i = 0
    while True:
        atomic_write_text(path, a if i % 2 else b)
        i += 1
""")


def test_sigkill_during_repeated_writes_never_leaves_a_torn_file(tmp_path):
    """Kill a writer at random moments: the file is always the old or the new text, never a mix,
    and the next write removes the temp file the killed one left behind."""
    base = DEMO.read_text(encoding="utf-8")
    a = base * 40  # ~0.5 MB: each write takes long enough for kills to land inside it
    b = base.replace("title:", "title: x", 1) * 40
    (tmp_path / "a").write_text(a)
    (tmp_path / "b").write_text(b)
    target = tmp_path / "m.yaml"
    target.write_text(a)
    rng = random.Random(17)
    kills = int(os.environ.get("TMODEL_KILL_ROUNDS", "25"))
    left_behind = 0
    for _ in range(kills):
        p = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(tmp_path / "a"), str(tmp_path / "b")],
                             stdout=subprocess.PIPE, text=True)
        assert p.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.15))
        p.send_signal(signal.SIGKILL)
        p.wait()
        p.stdout.close()
        text = target.read_text()
        assert text in (a, b), f"torn file: {len(text)} characters"
        left_behind += len(temps(tmp_path))
    assert left_behind > 0, "no kill landed inside a write: the test proved nothing"
    atomic_write_text(str(target), a)  # the next run cleans what the killed writers left
    assert temps(tmp_path) == []
    assert target.read_text() == a


# --- comments, key order and formatting survive every writer ---------------------------------

def comment_lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip().startswith("#") or re.search(r"\s#\s", ln)]


def removed_lines(before: str, after: str) -> list[str]:
    """Lines of ``before`` that ``after`` no longer has where they were (formatting changes show up here)."""
    import difflib

    a, b = before.splitlines(), after.splitlines()
    out: list[str] = []
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            out += a[i1:i2]
    return out


def top_keys(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^([a-z_]+):", text, re.MULTILINE)]


@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_save_and_rename_keep_comments_and_key_order(model, tmp_path):
    f = tmp_path / model.name
    shutil.copy(model, f)
    shutil.copytree(model.parent / "configs", tmp_path / "configs") if (model.parent / "configs").is_dir() else None
    before = f.read_text(encoding="utf-8")
    doc = ModelDocument.open(str(f))
    first = doc.data["elements"][0]["id"]
    doc.rename("elements", first, first + "-renamed")
    doc.set(("metadata", "owner"), "Renamed by a test")
    assert doc.validate().ok, [p.format() for p in doc.validate().errors]
    doc.save()
    after = f.read_text(encoding="utf-8")
    assert comment_lines(before) == comment_lines(after)
    assert top_keys(before) == top_keys(after)
    # formatting: the only lines that changed are the ones naming the renamed element, and the owner
    touched = [ln for ln in removed_lines(before, after) if first not in ln and not ln.strip().startswith("owner:")]
    assert touched == []


@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_register_import_keeps_comments_and_key_order(model, tmp_path):
    f = tmp_path / model.name
    shutil.copy(model, f)
    if (model.parent / "configs").is_dir():
        shutil.copytree(model.parent / "configs", tmp_path / "configs")
    before = f.read_text(encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(main, ["export", str(f), "--to", str(tmp_path / "x"), "--format", "xlsx"])
    assert r.exit_code == 0, r.output
    xlsx = next((tmp_path / "x").glob("*-register.xlsx"))
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Risks"]
    headers = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, headers["Status"]).value != "mitigated")
    ws.cell(row, headers["Status"]).value = "mitigated"
    ws.cell(row, headers["Justification / treatment plan"]).value = "Evidence: change CHG-1 put the control in place."
    wb.save(xlsx)
    r = runner.invoke(main, ["import", "register", str(xlsx), str(f)])
    assert r.exit_code == 0, r.output
    after = f.read_text(encoding="utf-8")
    assert after != before
    assert set(comment_lines(before)) <= set(comment_lines(after))
    decisions_at = before.find("\ndecisions:")
    outside = [ln for ln in removed_lines(before, after) if decisions_at < 0 or ln not in before[decisions_at:]]
    assert outside == []  # nothing outside the decisions changed, not even its formatting
    assert top_keys(before) == [k for k in top_keys(after) if k in top_keys(before)]


@pytest.mark.parametrize("model", [m for m in MODELS if "wso2_gateway" in m.read_text(encoding="utf-8")], ids=lambda p: p.stem)
def test_audit_link_keeps_comments_and_key_order(model, tmp_path):
    text = model.read_text(encoding="utf-8")
    text = re.sub(r"^configs:\n(?:[ -].*\n)*", "", text, flags=re.MULTILINE)  # start without a link
    f = tmp_path / model.name
    f.write_text(text, encoding="utf-8")
    toml = tmp_path / "deployment.toml"
    toml.write_text("[server]\nhostname = \"gw.bank.ru\"\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["audit", "wso2-config", str(toml), "--model", str(f), "--link"])
    assert r.exit_code in (0, 1), r.output
    after = f.read_text(encoding="utf-8")
    assert "configs:" in after and comment_lines(text) == comment_lines(after)
    assert removed_lines(text, after) == []  # only added lines
    assert top_keys(text) == [k for k in top_keys(after) if k != "configs"]


def test_every_writer_goes_through_the_atomic_helper():
    """No module writes a file by itself: a new writer must use tmodel.fsutil (or say here why not)."""
    allowed = {"tmodel/fsutil.py", "tmodel/crash.py"}  # the helper itself; crash reports go to a new temp file
    pattern = re.compile(r"\.write_text\(|\.write_bytes\(|open\([^)]*['\"](?:w|a|x|wb|ab|w\+|r\+)['\"]|os\.rename\(|"
                         r"shutil\.(?:copy|move)|\.save\(\s*['\"/]")
    offenders = []
    for path in sorted((ROOT / "tmodel").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in allowed:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
