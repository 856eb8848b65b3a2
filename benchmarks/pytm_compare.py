"""tmodel against OWASP pytm 1.4.0 on structurally equivalent generated models, in one run.

    make bench-pytm                                    # N = 100, 1000, 3000, 10000; 3 runs each
    .venv/bin/python benchmarks/pytm_compare.py --quick   # N = 100, 1000; 3 runs each
    .venv/bin/python benchmarks/pytm_compare.py --sizes 100 1000 --runs 5 --seed 7

The shape is pytm's own scale shape: N processes, N/4 external entities, N/4 data stores and 3N
flows, spread over five trust boundaries, with a fifth of the flows weak (old TLS, API key, no rate
limit). One seed draws one neutral description; it is written as a tmodel YAML model and as the
equivalent pytm objects (built in pytm's own virtual environment, benchmarks/.venv-pytm, created
on first use with ``pip install pytm==1.4.0``; pytm is never a dependency of tmodel).

Every measurement is a fresh interpreter (start-up excluded from the in-process figures), the
tools interleaved run by run so that a busy machine slows both alike; the table shows medians of
CPU time (user+system of the child, what matters on a shared 2-core machine), wall time and peak
resident memory (ru_maxrss), the tmodel/pytm ratio of CPU time, the CPU per flow and the fitted
exponent b of cost ~ N^b (1.0 = linear).

Measured:
- pytm: building the objects + ``TM.check()`` + ``TM.resolve()`` (what ``tm.py --report`` does
  before rendering);
- tmodel (library): load + validate + facts + analyze of the YAML file;
- tmodel (CLI): ``tmodel --max-size 1GB analyze MODEL --format json`` end to end, start-up included;
- ``tmodel check`` over 200 example-size models (one process) and the xlsx register of about 10k threats;
- the app's first screen and edit latency (benchmarks/app.py).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTM_VENV = ROOT / "benchmarks" / ".venv-pytm"
PYTM_VERSION = "1.4.0"
ZONES = ["internet", "partner", "dmz", "internal", "restricted"]


# ---------------------------------------------------------------- the neutral description

def describe(n: int, seed: int) -> dict:
    """One model, tool-neutral: elements (id, kind, zone) and flows (id, source, target, weak, asset)."""
    rnd = random.Random(seed * 1_000_003 + n)
    procs = [{"id": f"p{i}", "kind": "process", "zone": ZONES[2 + i % 3]} for i in range(n)]
    exts = [{"id": f"x{i}", "kind": "external", "zone": ZONES[i % 2]} for i in range(max(1, n // 4))]
    stores = [{"id": f"s{i}", "kind": "store", "zone": ZONES[3 + i % 2], "pd": i % 3 == 0} for i in range(max(1, n // 4))]
    flows = []
    for i in range(3 * n):
        r = i % 3
        if r == 0:  # external -> process (inbound API call)
            src, dst = rnd.choice(exts)["id"], rnd.choice(procs)["id"]
        elif r == 1:  # process -> process
            src, dst = rnd.choice(procs)["id"], rnd.choice(procs)["id"]
            while dst == src:
                dst = rnd.choice(procs)["id"]
        else:  # process -> store
            src, dst = rnd.choice(procs)["id"], rnd.choice(stores)["id"]
        flows.append({"id": f"f{i}", "source": src, "target": dst, "weak": rnd.random() < 0.2, "asset": rnd.randrange(5)})
    return {"n": n, "elements": procs + exts + stores, "flows": flows}


ASSETS = [("bank_secrecy", "general"), ("payment", "none"), ("credentials", "none"), ("internal", "none"),
          ("confidential", "special")]


def tmodel_doc(desc: dict) -> dict:
    tech = {"process": "backend_service", "external": "partner_system", "store": "database"}
    kind = {"process": "process", "external": "external_entity", "store": "data_store"}
    elements = []
    for i, e in enumerate(desc["elements"]):
        el = {"id": e["id"], "title": f"Element {e['id']}", "kind": kind[e["kind"]], "technology": tech[e["kind"]],
              "boundary": e["zone"], "logging": "central" if i % 3 else "local"}
        if e["kind"] != "external":
            el.update(least_privilege=bool(i % 2), vulnerability_scanning=bool(i % 4), integrity_control=True)
        elements.append(el)
    flows = []
    for f in desc["flows"]:
        weak = f["weak"]
        auth = {"method": "api_key" if weak else "oauth2", "sender_constrained": "none" if weak else "mtls"}
        if not weak:
            auth["client_auth"] = "private_key_jwt"
        flows.append({"id": f["id"], "title": f"Flow {f['id']}", "from": f["source"], "to": f["target"], "protocol": "https",
                      "tls": {"min_version": "1.1" if weak else "1.2", "forward_secrecy": not weak,
                              "mutual": not weak, "client_cert_verified": not weak},
                      "authentication": auth,
                      "authorization": {"scopes": [] if weak else ["s"], "object_level": not weak},
                      "data": [f"a{f['asset']}"], "rate_limit": not weak, "replay_protection": not weak,
                      "schema_validation": not weak, "injection_protection": True,
                      "identifiers": "incremental" if weak else "uuid", "logging": "central"})
    return {"format_version": 1,
            "metadata": {"id": f"scale-{desc['n']}", "title": "Scale benchmark", "owner": "bench", "pd_level": "uz2"},
            "data_assets": [{"id": f"a{i}", "title": f"Asset {i}", "classification": c, "pd_category": p}
                            for i, (c, p) in enumerate(ASSETS)],
            "boundaries": [{"id": z, "title": z, "zone": z} for z in ZONES],
            "elements": elements, "flows": flows}


# ---------------------------------------------------------------- workers (run in fresh interpreters)

def _usage() -> dict:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024}


def worker_pytm(spec_path: str) -> dict:
    """Build the pytm model from the neutral description, then check + resolve. Runs in pytm's venv."""
    desc = json.loads(Path(spec_path).read_text())
    c0, w0 = time.process_time(), time.perf_counter()
    from pytm import TM, Boundary, Classification, Data, Dataflow, Datastore, ExternalEntity, Process, TLSVersion

    TM.reset()
    tm = TM(f"scale-{desc['n']}", description="Scale benchmark")
    tm.isOrdered = False
    bounds = {z: Boundary(z) for z in ZONES}
    cls = [Classification.SECRET, Classification.RESTRICTED, Classification.SECRET, Classification.RESTRICTED,
           Classification.TOP_SECRET]
    data = [Data(f"Asset {i}", classification=cls[i], isPII=(p != "none")) for i, (c, p) in enumerate(ASSETS)]
    objs = {}
    for e in desc["elements"]:
        if e["kind"] == "process":
            o = Process(f"Element {e['id']}", implementsAPI=True, sanitizesInput=True, hasAccessControl=True)
        elif e["kind"] == "external":
            o = ExternalEntity(f"Element {e['id']}")
        else:
            o = Datastore(f"Element {e['id']}", storesPII=e.get("pd", False), isEncrypted=True)
        o.inBoundary = bounds[e["zone"]]
        objs[e["id"]] = o
    for f in desc["flows"]:
        weak = f["weak"]
        df = Dataflow(objs[f["source"]], objs[f["target"]], f"Flow {f['id']}")
        df.protocol = "HTTPS"
        df.dstPort = 443
        df.tlsVersion = TLSVersion.TLSv11 if weak else TLSVersion.TLSv12
        df.isEncrypted = True
        df.authenticatesSource = not weak
        df.data = data[f["asset"]]
    c1, w1 = time.process_time(), time.perf_counter()
    tm.check()
    tm.resolve()
    c2, w2 = time.process_time(), time.perf_counter()
    return {"cpu": c2 - c0, "wall": w2 - w0, "build_cpu": c1 - c0, "findings": len(tm.findings),
            "rss_mb": _usage()["rss_mb"]}


def worker_tmodel(model_path: str) -> dict:
    """load + validate + facts + analyze of one YAML model with the shipped catalogs (loaded first, not timed)."""
    sys.path.insert(0, str(ROOT))
    from tmodel.analysis.engine import analyze
    from tmodel.catalog.load import load_catalogs
    from tmodel.model import yamlsafe
    from tmodel.model.load import load_model

    yamlsafe.MAX_BYTES, yamlsafe.MAX_NODES = 1 << 30, 1 << 30  # the benchmark's own models may be large
    try:  # the garbage-collector settings every CLI command runs with
        from tmodel.batchgc import batch_gc
    except ImportError:  # an older tmodel: Python's defaults
        from contextlib import nullcontext as batch_gc  # type: ignore[assignment]
    cat = load_catalogs()
    with batch_gc():
        c0, w0 = time.process_time(), time.perf_counter()
        lm = load_model(model_path)
        assert lm.model is not None, [p.format() for p in lm.errors][:3]
        c1 = time.process_time()
        result = analyze(lm.model, cat, path=model_path, located=lm.located)
        c2, w2 = time.process_time(), time.perf_counter()
    return {"cpu": c2 - c0, "wall": w2 - w0, "load_cpu": c1 - c0, "findings": len(result.threats),
            "members": sum(len(t.members) for t in result.threats), "rss_mb": _usage()["rss_mb"]}


def run_child(argv: list[str], env: dict | None = None) -> dict:
    """Run a child interpreter; its own rusage (os.wait4: this child only) gives CPU time and peak memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        w0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - w0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv[:4])}... failed ({proc.returncode}):\n{stderr[-3000:]}")
    result = {"proc_wall": wall, "proc_cpu": ru.ru_utime + ru.ru_stime, "proc_rss_mb": ru.ru_maxrss / 1024}
    line = stdout.strip().splitlines()[-1] if stdout.strip() else "{}"
    try:
        result.update(json.loads(line))
    except json.JSONDecodeError:
        pass
    return result


# ---------------------------------------------------------------- the driver

def ensure_pytm() -> Path:
    py = PYTM_VENV / "bin" / "python"
    if not py.exists():
        print(f"creating {PYTM_VENV.relative_to(ROOT)} with pytm=={PYTM_VERSION} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(PYTM_VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", f"pytm=={PYTM_VERSION}"], check=True)
    return py


def fit_exponent(ns: list[int], costs: list[float]) -> float:
    """Least-squares slope of log(cost) against log(N)."""
    xs, ys = [math.log(n) for n in ns], [math.log(max(c, 1e-9)) for c in costs]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else float("nan")


def med(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 3000, 10000])
    ap.add_argument("--quick", action="store_true", help="N = 100 and 1000 only, no CLI run at N > 1000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--no-cli", action="store_true", help="skip the end-to-end CLI runs")
    ap.add_argument("--no-extras", action="store_true", help="skip check over 200 models and the 10k-threat register")
    ap.add_argument("--worker", nargs=2, metavar=("TOOL", "FILE"), help=argparse.SUPPRESS)
    ap.add_argument("--generate", nargs=4, metavar=("N", "SEED", "SPEC", "MODEL"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.generate:
        import yaml

        n, seed, spec_path, model_path = args.generate
        desc = describe(int(n), int(seed))
        Path(spec_path).write_text(json.dumps(desc))
        Path(model_path).write_text(yaml.safe_dump(tmodel_doc(desc), sort_keys=False))
        return 0
    if args.worker:
        tool, path = args.worker
        print(json.dumps(worker_pytm(path) if tool == "pytm" else worker_tmodel(path)))
        return 0
    sizes = [100, 1000] if args.quick else args.sizes
    pytm_py = ensure_pytm()
    cli_help = subprocess.run([sys.executable, "-m", "tmodel", "--help"], capture_output=True, text=True, cwd=ROOT)
    raise_limit = ["--max-size", "1GB"] if "--max-size" in cli_help.stdout else []  # older tmodel: no option
    rows = []
    with tempfile.TemporaryDirectory(prefix="tmodel-vs-pytm-") as tmp:
        for n in sizes:
            spec = Path(tmp) / f"spec-{n}.json"
            model = Path(tmp) / f"scale-{n}.yaml"
            # written by a child: Linux children inherit the peak memory of the process they are started from,
            # so this driver stays small (dumping a 10,000-process model with PyYAML takes over 1 GB)
            subprocess.run([sys.executable, __file__, "--generate", str(n), str(args.seed), str(spec), str(model)],
                           check=True, cwd=ROOT)
            desc = json.loads(spec.read_text())
            res: dict[str, list[dict]] = {"pytm": [], "tmodel": [], "cli": []}
            for _ in range(args.runs):  # interleaved: pytm, tmodel, CLI, pytm, ...
                res["pytm"].append(run_child([str(pytm_py), __file__, "--worker", "pytm", str(spec)]))
                res["tmodel"].append(run_child([sys.executable, __file__, "--worker", "tmodel", str(model)]))
                if not args.no_cli and not (args.quick and n > 1000) and (raise_limit or n <= 1000):
                    res["cli"].append(run_child([sys.executable, "-m", "tmodel", *raise_limit, "analyze", str(model),
                                                 "--format", "json"]))
            row = {"n": n, "flows": len(desc["flows"]), "elements": len(desc["elements"]),
                   "size_mb": model.stat().st_size / 1e6}
            for tool in ("pytm", "tmodel"):
                row[tool] = {"cpu": med(res[tool], "cpu"), "wall": med(res[tool], "wall"),
                             "rss": med(res[tool], "proc_rss_mb"), "findings": res[tool][0]["findings"]}
            if res["cli"]:
                row["cli"] = {"cpu": med(res["cli"], "proc_cpu"), "wall": med(res["cli"], "proc_wall"),
                              "rss": med(res["cli"], "proc_rss_mb")}
            rows.append(row)
            print(f"  N={n}: pytm {row['pytm']['cpu']:.2f} s CPU, tmodel {row['tmodel']['cpu']:.2f} s CPU"
                  + (f", CLI {row['cli']['cpu']:.2f} s" if "cli" in row else ""), file=sys.stderr, flush=True)
    print_table(rows, args)
    if not args.no_extras:
        extras()
    return 0


def print_table(rows: list[dict], args: argparse.Namespace) -> None:
    print(f"\ntmodel vs pytm {PYTM_VERSION}: seed {args.seed}, {args.runs} interleaved fresh processes per tool, medians")
    print(f"{'N':>6} {'flows':>6} | {'pytm CPU':>9} {'wall':>7} {'RSS MB':>7} {'finds':>7} | "
          f"{'tmodel CPU':>10} {'wall':>7} {'RSS MB':>7} {'threats':>7} | {'ratio':>5} | "
          f"{'CLI CPU':>8} {'wall':>7} {'RSS MB':>7} | {'pytm µs/flow':>12} {'tmodel µs/flow':>14}")
    for r in rows:
        p, t, c = r["pytm"], r["tmodel"], r.get("cli")
        cli = f"{c['cpu']:8.2f} {c['wall']:7.2f} {c['rss']:7.0f}" if c else f"{'-':>8} {'-':>7} {'-':>7}"
        print(f"{r['n']:>6} {r['flows']:>6} | {p['cpu']:9.2f} {p['wall']:7.2f} {p['rss']:7.0f} {p['findings']:>7} | "
              f"{t['cpu']:10.2f} {t['wall']:7.2f} {t['rss']:7.0f} {t['findings']:>7} | {t['cpu'] / p['cpu']:5.2f} | {cli} | "
              f"{1e6 * p['cpu'] / r['flows']:12.0f} {1e6 * t['cpu'] / r['flows']:14.0f}")
    if len(rows) >= 2:
        ns = [r["n"] for r in rows]
        line = (f"fitted exponent b (CPU ~ N^b): pytm {fit_exponent(ns, [r['pytm']['cpu'] for r in rows]):.2f}, "
                f"tmodel {fit_exponent(ns, [r['tmodel']['cpu'] for r in rows]):.2f}")
        cli_rows = [r for r in rows if "cli" in r]
        if len(cli_rows) >= 2:
            line += f", CLI {fit_exponent([r['n'] for r in cli_rows], [r['cli']['cpu'] for r in cli_rows]):.2f}"
        print(line)


def extras() -> None:
    """`tmodel check` over 200 example-size models, and the register of about 10k threats."""
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="tmodel-bench-") as tmp:
        models = Path(tmp) / "models"
        models.mkdir()
        text = (ROOT / "tests" / "fixtures" / "base.yaml").read_text(encoding="utf-8")
        for i in range(200):
            (models / f"model-{i:03d}.yaml").write_text(text, encoding="utf-8")
        r = run_child([sys.executable, "-m", "tmodel", "check", str(models), "--fail-on", "critical"], env)
        print(f"tmodel check over 200 example-size models: {r['proc_cpu']:.2f} s CPU, {r['proc_wall']:.2f} s wall, "
              f"{r['proc_rss_mb']:.0f} MB")
        model = Path(tmp) / "register.yaml"  # about 10k threats
        subprocess.run([sys.executable, __file__, "--generate", "2500", "16", str(Path(tmp) / "register.json"), str(model)],
                       check=True, cwd=ROOT)
        # the export's collector settings (as `tmodel export` has them): the context manager is kept in a
        # variable, else it is collected at once and its exit restores the default settings
        code = ("import sys,time,resource;sys.path.insert(0,%r)\n"
                "from tmodel.model import yamlsafe\nyamlsafe.MAX_BYTES=yamlsafe.MAX_NODES=1<<30\n"
                "from tmodel.catalog.load import load_catalogs\nfrom tmodel.model.load import load_model\n"
                "from tmodel.analysis.engine import analyze\nfrom tmodel.export.register import write_register\n"
                "from tmodel.batchgc import batch_gc\ngc_settings=batch_gc();gc_settings.__enter__()\n"
                "cat=load_catalogs();lm=load_model(%r);a=analyze(lm.model,cat)\n"
                "n=sum(len(t.members) for t in a.threats)\n"
                "c0,w0=time.process_time(),time.perf_counter();write_register(a,lm.model,%r)\n"
                "print('{\"cpu\": %%f, \"wall\": %%f, \"threats\": %%d, \"rows\": %%d}' %% "
                "(time.process_time()-c0, time.perf_counter()-w0, n, len(a.threats)))\n"
                % (str(ROOT), str(model), str(Path(tmp) / "register.xlsx")))
        r = run_child([sys.executable, "-c", code], env)
        if "cpu" in r:
            print(f"xlsx register, {r['threats']:,} threats ({r['rows']:,} findings): {r['cpu']:.2f} s CPU, "
                  f"{r['wall']:.2f} s wall")
    # the app: first screen and edit latency (benchmarks/app.py, fresh processes of its own)
    app = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "app.py"), "--runs", "3"], cwd=ROOT,
                         capture_output=True, text=True)
    print(app.stdout.rstrip() if app.returncode == 0 else f"app benchmark failed:\n{app.stderr[-2000:]}")


if __name__ == "__main__":
    sys.exit(main())
