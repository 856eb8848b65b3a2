"""Benchmarks (not timed tests): how long the importers and the configuration audit take on real files.

    .venv/bin/python benchmarks/importers.py [--repeat 5]

Uses the public files in ../shared/testdata (the largest OpenAPI documents are 0.5 MB with over 2,000
$refs). Each figure is the median wall-clock time in this interpreter (catalogs already loaded), from
reading the file to a validated model; the last lines time an analysis with a linked deployment.toml
against the same model without it. Numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TESTDATA = ROOT.parent / "shared" / "testdata"


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if not TESTDATA.is_dir():
        sys.exit(f"{TESTDATA} not found: the benchmark reads the shared test data")

    from tmodel.analysis.config_facts import _audit_cached
    from tmodel.analysis.config_findings import analyze_config
    from tmodel.analysis.engine import analyze
    from tmodel.catalog.load import load_catalogs
    from tmodel.importers import openapi, threagile, threat_dragon, wso2_project
    from tmodel.importers.common import render
    from tmodel.model.load import load_model, load_model_text
    from tmodel.sources import wso2_config

    def to_model(draft) -> None:  # noqa: ANN001 - what `tmodel import` does after building the draft
        lm = load_model_text(render(draft), "bench.yaml")
        assert lm.ok, [p.format() for p in lm.errors]

    cases: list[tuple[str, Callable[[], object]]] = []
    for rel in ("openapi/OpenBankingUK-read-write-api-specs/account-info-openapi.yaml",
                "openapi/wso2-reference-implementation-nextgenpsd2/psd2-api_1.3.6_20200327.yaml",
                "openapi/ConsumerDataStandardsAustralia-standards/cds_banking.json"):
        path = str(TESTDATA / rel)
        cases.append((f"import openapi {Path(rel).name} ({(TESTDATA / rel).stat().st_size // 1024} KB)",
                      lambda p=path: to_model(openapi.build_draft(openapi.load_spec(p)))))
    project = str(TESTDATA / "wso2-apictl/wso2-product-apim-tooling/PizzaShackAPI-1.0.0")
    cases.append(("import wso2 PizzaShackAPI-1.0.0", lambda: to_model(wso2_project.build(project))))
    tg = str(TESTDATA / "threagile/Threagile-threagile/example/threagile.yaml")
    cases.append(("import threagile example (60 KB)", lambda: to_model(threagile.import_threagile(tg))))
    td = str(TESTDATA / "threat-dragon/OWASP-threat-dragon/v2-threat-model.json")
    cases.append(("import threat-dragon v2 demo (65 KB)", lambda: to_model(threat_dragon.import_threat_dragon(td))))
    cat = load_catalogs()
    toml = str(TESTDATA / "wso2-config/wso2-product-apim-4.7.0/deployment.toml")
    cases.append(("audit wso2-config 4.7.0 deployment.toml (read + the wso2-config rules' analysis)",
                  lambda: analyze_config(wso2_config.audit_file(toml), cat)))

    linked = load_model(str(ROOT / "models/loan-marketplace.yaml"))
    plain = linked.model.model_copy(update={"configs": []})

    def analyse_linked() -> None:
        _audit_cached.cache_clear()  # audit the file every time, as a fresh process would
        analyze(linked.model, cat, path=linked.path)

    cases.append(("analyze loan-marketplace, config linked (audited each time)", analyse_linked))
    cases.append(("analyze loan-marketplace, no config", lambda: analyze(plain, cat, path=linked.path)))

    width = max(len(name) for name, _ in cases)
    for name, fn in cases:
        fn()  # warm up imports
        print(f"{name:<{width}}  {median_ms(fn, args.repeat):8.1f} ms")


if __name__ == "__main__":
    main()
