"""``tmodel diff``: what changed in a model and in its threats, risks and compliance.

    tmodel diff OLD.yaml NEW.yaml
    tmodel diff models/x.yaml --from main            # main's version vs the working-tree file
    tmodel diff models/x.yaml --from v1 --to v2      # two revisions

Revisions are read with ``git cat-file`` run from the repository root of the model file: the
working tree, the index and the refs are never touched. Problems in a revision's model are located
as ``REV:path:line:col``. The diff is informational (exit 0) unless --fail-on-new is given.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from tmodel.problems import Problem, ProblemError

LEVELS = ["low", "medium", "high", "critical"]


# --- reading a model from git ---------------------------------------------------------------------

def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, env=env, check=False)
    except FileNotFoundError:
        raise ProblemError([Problem("git", 0, 0, "git is not installed or not on PATH",
                                    "install git, or compare two files: tmodel diff OLD.yaml NEW.yaml")]) from None


def repository_of(path: str) -> tuple[Path, str]:
    """(repository root, the file's path inside it, with '/') for a model path; the file need not exist."""
    p = Path(path).absolute()
    d = p.parent
    while not d.is_dir() and d != d.parent:
        d = d.parent
    r = _git(["rev-parse", "--show-toplevel"], d)
    if r.returncode != 0:
        raise ProblemError([Problem(path, 0, 0, f"not in a git repository ({d})",
                                    "run it on a model inside a git clone, or compare two files: tmodel diff OLD.yaml NEW.yaml")])
    root = Path(r.stdout.decode("utf-8", "replace").strip())
    rel = os.path.relpath(p.resolve(), root.resolve())
    if rel == os.curdir or rel.startswith(os.pardir + os.sep) or rel == os.pardir:
        raise ProblemError([Problem(path, 0, 0, f"the file is outside the repository at {root}", "pass a model file inside the repository")])
    return root, Path(rel).as_posix()


def read_revision(root: Path, rel: str, rev: str) -> str:
    """The text of ``rel`` as committed at ``rev``; problems say which revision and path."""
    label = f"{rev}:{rel}"
    if not rev or rev.startswith("-"):
        raise ProblemError([Problem(label, 0, 0, f"'{rev}' is not a revision", "name a branch, tag or commit, e.g. --from main")])
    r = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], root)
    if r.returncode != 0:
        raise ProblemError([Problem(rev, 0, 0, f"unknown revision '{rev}' in the repository at {root}",
                                    "name a branch, tag or commit that exists: git log --oneline, git branch -a")])
    sha = r.stdout.decode().strip()
    r = _git(["cat-file", "-t", f"{sha}:{rel}"], root)
    kind = r.stdout.decode().strip()
    if r.returncode != 0 or kind != "blob":
        what = "is a folder" if kind == "tree" else "does not exist"
        raise ProblemError([Problem(label, 0, 0, f"{rel} {what} at revision {rev}",
                                    f"the model was added later or moved; list the files there with: git ls-tree -r --name-only {rev}")])
    r = _git(["cat-file", "blob", f"{sha}:{rel}"], root)
    if r.returncode != 0:  # pragma: no cover - cat-file -t just found it
        raise ProblemError([Problem(label, 0, 0, "git could not read the file", r.stderr.decode("utf-8", "replace").strip())])
    from tmodel.model.yamlsafe import decode_model_bytes

    return decode_model_bytes(r.stdout, label)


# --- the command ---------------------------------------------------------------------------------

def _load_side(label: str, text: str | None, path: str | None, catalog: Any, reader: Any = None) -> Any:
    from tmodel.analysis.references import with_catalog_references
    from tmodel.model.load import load_model, load_model_text

    lm = load_model(path) if path is not None else load_model_text(text or "", label)
    return with_catalog_references(lm, catalog, reader=reader)


def revision_reader(root: Path, rel: str, rev: str) -> Any:
    """Reads the files a model links (``configs:``, relative to the model) as committed at ``rev``."""
    folder = posixpath.dirname(rel)
    return lambda link: read_revision(root, posixpath.normpath(posixpath.join(folder, link)), rev)


def register(main: click.Group) -> None:
    from tmodel.cli import EXIT_FINDINGS, as_of_option, catalog_option, fail, get_catalog, lang_option, parse_date, resolve_lang

    @main.command("diff", short_help="What a change does to threats and compliance.")
    @click.argument("paths", nargs=-1, required=True, metavar="OLD.yaml NEW.yaml | MODEL")
    @click.option("--from", "rev_from", metavar="REV", help="Compare MODEL as committed at this git revision ...")
    @click.option("--to", "rev_to", metavar="REV", help="... with MODEL at this revision (default: the working-tree file).")
    @click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
                  help="markdown is ready to paste into a merge request.")
    @click.option("--fail-on-new", type=click.Choice(LEVELS), default=None, metavar="LEVEL",
                  help="Exit 1 when a new or worsened unresolved threat has a residual level at or above LEVEL.")
    @catalog_option
    @as_of_option
    @lang_option
    def diff(paths: tuple[str, ...], rev_from: str | None, rev_to: str | None, fmt: str, fail_on_new: str | None,
             catalogs: tuple[str, ...], as_of: str | None, lang: str | None = None) -> None:
        """What changed in a model's threats, risks and compliance (two files, or git revisions).

        Text and Markdown are in English, or in Russian with --lang ru (or [export] lang in tmodel.toml);
        JSON is the same in both."""
        from tmodel.analysis.diff import diff_models
        from tmodel.analysis.engine import analyze

        if rev_from is None and rev_to is not None:
            raise click.UsageError("--to needs --from")
        if rev_from is not None and len(paths) != 1:
            raise click.UsageError("with --from, pass one model file: tmodel diff MODEL --from REV [--to REV]")
        if rev_from is None and len(paths) != 2:
            raise click.UsageError("pass two model files (tmodel diff OLD.yaml NEW.yaml), or one with --from REV")
        day = parse_date(as_of)
        cat = get_catalog(catalogs)
        try:
            if rev_from is None:
                sides: list[tuple[str, str | None, str | None, Any]] = [(p, None, p, None) for p in paths]
            else:
                (model,) = paths
                root, rel = repository_of(model)
                sides = [(f"{rev_from}:{rel}", read_revision(root, rel, rev_from), None, revision_reader(root, rel, rev_from))]
                if rev_to is not None:
                    sides.append((f"{rev_to}:{rel}", read_revision(root, rel, rev_to), None, revision_reader(root, rel, rev_to)))
                elif not os.path.isfile(model):
                    raise ProblemError([Problem(model, 0, 0, "no such file in the working tree",
                                                "compare two revisions with --from REV --to REV")])
                else:
                    sides.append((model, None, model, None))
        except ProblemError as exc:
            fail(exc.problems)
        loaded = [_load_side(label, text, path, cat, reader) for label, text, path, reader in sides]
        readers = [reader for *_, reader in sides]
        errors = [p for lm in loaded for p in lm.errors]
        if errors:
            fail(errors)
        (old, new) = loaded
        old_a = analyze(old.model, cat, path=old.path, located=old.located, as_of=day, config_reader=readers[0])
        new_a = analyze(new.model, cat, path=new.path, located=new.located, as_of=day, config_reader=readers[1])
        from tmodel.export import diff_report

        w = diff_report.DiffWords(resolve_lang(lang) if fmt != "json" or fail_on_new else "en", cat)
        new_label = new.path if rev_to is not None or rev_from is None else w("{path} (working tree)", path=new.path)
        d = diff_models(old.model, old_a, new.model, new_a, old_label=old.path, new_label=new_label)
        if fmt == "json":
            click.echo(diff_report.diff_json(d), nl=False)
        elif fmt == "markdown":
            click.echo(diff_report.diff_markdown(d, lang=w.lang, catalog=cat), nl=False)
        else:
            click.echo(diff_report.diff_text(d, color=sys.stdout.isatty(), lang=w.lang, catalog=cat))
        if fail_on_new:
            worse = d.regressions(fail_on_new)
            if worse:
                click.echo(w("{n} new or worsened unresolved threat(s) at or above {level}: {ids}", n=len(worse),
                             level=w.level(fail_on_new), ids=", ".join(t.id for t in worse)), err=True)
                sys.exit(EXIT_FINDINGS)
