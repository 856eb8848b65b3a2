"""The terminal app's speed as a user meets it: the first screen, and an edit until the screen is redrawn.

    make bench                                  # runs this among the other benchmarks
    .venv/bin/python benchmarks/app.py          # 5 runs each; --runs N, --elements N, --no-large
    .venv/bin/python benchmarks/app.py --tree /path/to/other/checkout   # the same measurements of other code

Every measurement is a fresh interpreter driving the real app headless with Textual's pilot, and the
figure is CPU time (user + system of that process: the machine is shared, wall time is noise), the
median over the runs:

- first screen: ``tmodel`` on the bundled ``models/`` folder with the shipped catalogs (what ``make run``
  opens), from the interpreter's start (imports, catalogs and all) to the first screen drawn (Textual's
  ``Ready``); and on to every model's row filled in (the models are analysed after the first screen);
- edit: the app on one model, the Structure screen on an element, a yes/no field focused; one press of
  the space bar toggles it, and the time runs until the screen has been redrawn (the model re-validated and
  re-analysed, the tree and the form redrawn; the CPU of 0.15 s after the key, which is idle once done). An
  edit of the model's owner comes first, as in a session under way (the title shows unsaved changes). The field is toggled back and forth, ``--edits`` times,
  on every bundled model and on a generated model of about 1,000 elements (benchmarks/pytm_compare.py's
  shape: N processes, N/4 external entities, N/4 data stores, 3N flows; N = 667). The same edit through
  the service alone (no screen) is shown beside it.

The issue's quality bar: first screen under 0.6 s; an edit under 50 ms on the examples and under 150 ms
at 1,000 elements.
"""

from __future__ import annotations

import sys
from pathlib import Path

if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)  # this folder's signal.py would shadow the standard library's signal module (asyncio needs it)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SIZE = (130, 40)


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


# ---------------------------------------------------------------- children (fresh interpreters)

def _as_run_app() -> None:
    """What ``run_app`` sets up for the app's process (older checkouts: nothing)."""
    import tmodel.tui.app as app_module

    getattr(app_module, "tune_gc", lambda: None)()


def child_first_screen(folder: str) -> dict:
    """CPU from the interpreter's start to the first screen drawn, and to every listed model analysed."""
    from tmodel.loading import load_catalog
    from tmodel.tui.app import TmodelApp
    from tmodel.tui.service import Service

    _as_run_app()

    marks: dict[str, float] = {}

    class Timed(TmodelApp):
        CSS_PATH = str(Path(sys.modules[TmodelApp.__module__].__file__ or "").parent / "tmodel.tcss")

        def on_ready(self) -> None:  # Textual calls every class's handler: the app's own runs after this one
            marks.setdefault("first", _cpu())

    catalog = load_catalog()
    service = Service(folder, catalog, user="bench")
    app = Timed(service, cursor_blink=False)
    app.animation_level = "none"

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            while "first" not in marks:
                await pilot.pause()
            for _ in range(2000):
                await pilot.pause(0.005)
                if not any(f not in service.entries for f in service.files) and not app.workers:
                    break
            await pilot.pause()
            marks["all"] = _cpu()

    asyncio.run(run())
    return {"first": marks["first"], "all": marks["all"], "models": len(service.files)}


def child_edit(model: str, edits: int) -> dict:
    """CPU of one key press that edits a field, until the screen settles; and of the same edit through the service."""
    from textual.widgets import Switch

    from tmodel.loading import load_catalog
    from tmodel.tui.app import make_app

    _as_run_app()
    catalog = load_catalog()
    app = make_app(model, catalog, user="bench", cursor_blink=False)
    app.animation_level = "none"
    service = app.service
    element = next(x["id"] for x in service.items("elements") if x.get("kind") == "process")
    field = "least_privilege"
    ui: list[float] = []

    async def settle(pilot) -> None:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("3")  # Structure
            await settle(pilot)
            service.set_field("metadata", None, ("owner",), "Benchmark")  # a session with edits: toggling never undoes them all
            await app.screen.show_item("elements", element)
            await settle(pilot)
            for _ in range(edits + 1):
                switch = app.screen.form.query_one(f"#f-{field}", Switch)
                switch.focus()
                await settle(pilot)
                before = service.current.version
                # the key goes in as the terminal would send it; the pilot's own waiting (it visits every widget) is
                # left out: the app runs its handlers, then its screen refresh (a timer: within 1/60 s), then is idle
                c0 = _cpu()
                await app._press_keys(["space"])
                await asyncio.sleep(0.15)
                ui.append(_cpu() - c0)
                assert service.current.version > before, "the key press did not edit the model"
                await settle(pilot)

    asyncio.run(run())
    ui = ui[1:]  # the first edit builds what later ones reuse
    svc: list[float] = []
    value = bool(service.value("elements", element, (field,)))
    for _ in range(edits):
        value = not value
        c0 = _cpu()
        service.set_field("elements", element, (field,), value)
        svc.append(_cpu() - c0)
    return {"ui_ms": 1000 * statistics.median(ui), "service_ms": 1000 * statistics.median(svc),
            "elements": len(service.items("elements")), "flows": len(service.items("flows"))}


# ---------------------------------------------------------------- the driver

def run_child(argv: list[str], tree: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    r, w = os.pipe()
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=w, stderr=subprocess.PIPE, cwd=tree, env=env, text=True)
    os.close(w)
    with os.fdopen(r) as fh:
        out = fh.read()
    _, status, ru = os.wait4(proc.pid, 0)
    err = proc.stderr.read() if proc.stderr else ""
    if status != 0:
        raise SystemExit(f"child failed ({argv[2:]}):\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["proc_cpu"] = ru.ru_utime + ru.ru_stime
    result["proc_wall"] = time.perf_counter() - t0
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="fresh processes per measurement (median)")
    ap.add_argument("--edits", type=int, default=7, help="edits per process (median)")
    ap.add_argument("--elements", type=int, default=1000, help="size of the generated model (about)")
    ap.add_argument("--no-large", action="store_true", help="skip the generated model")
    ap.add_argument("--tree", default=str(ROOT), help="the checkout whose tmodel is measured (default: this one)")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        result = child_first_screen(rest[0]) if kind == "first" else child_edit(rest[0], int(rest[1]))
        print(json.dumps(result))
        return 0
    tree = Path(args.tree).resolve()
    me = str(Path(__file__).resolve())
    print(f"tmodel app at {tree}: {args.runs} fresh processes per figure, CPU time (user + system), medians")
    firsts = [run_child([sys.executable, me, "--child", "first", "models"], tree) for _ in range(args.runs)]
    print(f"first screen, models/ ({firsts[0]['models']} models): "
          f"{statistics.median(r['first'] for r in firsts):.3f} s to the first screen, "
          f"{statistics.median(r['all'] for r in firsts):.3f} s to every row filled")
    models = sorted(str(p.relative_to(tree)) for p in (tree / "models").glob("*.yaml"))
    with tempfile.TemporaryDirectory(prefix="tmodel-app-bench-") as tmp:
        if not args.no_large:
            n = max(4, round(args.elements * 2 / 3))
            big = Path(tmp) / f"scale-{n}.yaml"
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "pytm_compare.py"), "--generate", str(n), "16",
                            str(Path(tmp) / "spec.json"), str(big)], check=True, cwd=ROOT)
            models.append(str(big))
        print(f"{'model':<34} {'elements':>8} {'flows':>6} | {'edit to redrawn screen':>22} | {'service alone':>13}")
        for model in models:
            runs = [run_child([sys.executable, me, "--child", "edit", model, str(args.edits)], tree)
                    for _ in range(args.runs if "scale-" not in model else max(1, args.runs // 2))]
            ui = statistics.median(r["ui_ms"] for r in runs)
            svc = statistics.median(r["service_ms"] for r in runs)
            print(f"{Path(model).name:<34} {runs[0]['elements']:>8} {runs[0]['flows']:>6} | {ui:>19.0f} ms | {svc:>10.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
