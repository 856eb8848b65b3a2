"""Benchmarks (not timed tests): how long the engine takes on large models.

    make bench            # or: .venv/bin/python benchmarks/run.py [--elements 1000]

Prints wall-clock times for: loading every shipped catalog (first, uncached load), loading and
validating a generated model, computing graph facts, and matching every shipped rule.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tmodel.analysis.engine import analyze  # noqa: E402
from tmodel.catalog.load import _load, load_catalogs  # noqa: E402
from tmodel.graph import compute_facts  # noqa: E402
from tmodel.model.load import load_model  # noqa: E402

ZONES = ["internet", "partner", "dmz", "internal", "restricted"]
TECH = ["partner_system", "wso2_gateway", "backend_service", "database", "message_queue", "file_storage"]
KIND = {"partner_system": "external_entity", "database": "data_store", "message_queue": "data_store",
        "file_storage": "data_store"}


def generate(n: int) -> dict:
    """A large, valid model with a mix of hardened and weak flows (about 2 flows per element)."""
    assets = [{"id": f"a{i}", "title": f"Asset {i}", "classification": c, "pd_category": p}
              for i, (c, p) in enumerate([("bank_secrecy", "general"), ("payment", "none"), ("credentials", "none"),
                                          ("internal", "none"), ("confidential", "special")])]
    boundaries = [{"id": z, "title": z, "zone": z} for z in ZONES]
    elements = []
    for i in range(n):
        tech = TECH[i % len(TECH)]
        elements.append({"id": f"e{i}", "title": f"Element {i}", "kind": KIND.get(tech, "process"), "technology": tech,
                         "boundary": ZONES[min(i % len(TECH), 4)], "logging": "central" if i % 3 else "local",
                         "least_privilege": bool(i % 2), "vulnerability_scanning": bool(i % 4), "integrity_control": True})
    flows = []
    for i in range(2 * n):
        a, b = i % n, (i * 7 + 1) % n
        if a == b:
            b = (b + 1) % n
        weak = i % 5 == 0
        flows.append({"id": f"f{i}", "title": f"Flow {i}", "from": f"e{a}", "to": f"e{b}", "protocol": "https",
                      "tls": {"min_version": "1.1" if weak else "1.2", "forward_secrecy": not weak,
                              "mutual": not weak, "client_cert_verified": not weak},
                      "authentication": {"method": "api_key" if weak else "oauth2",
                                         "client_auth": None if weak else "private_key_jwt",
                                         "sender_constrained": "none" if weak else "mtls"},
                      "authorization": {"scopes": [] if weak else ["s"], "object_level": not weak},
                      "data": [f"a{i % 5}"], "rate_limit": not weak, "replay_protection": not weak,
                      "schema_validation": not weak, "injection_protection": True,
                      "identifiers": "incremental" if weak else "uuid", "logging": "central"})
        if weak:
            flows[-1]["authentication"].pop("client_auth")
    return {"format_version": 1,
            "metadata": {"id": "bench", "title": "Benchmark", "owner": "bench", "pd_level": "uz2"},
            "data_assets": assets, "boundaries": boundaries, "elements": elements, "flows": flows}


def timed(fn, repeat: int = 5):
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return result, statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--elements", type=int, default=1000)
    args = ap.parse_args()
    _load.cache_clear()
    t0 = time.perf_counter()
    cat = load_catalogs()
    t_cat = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "bench.yaml"
        path.write_text(yaml.safe_dump(generate(args.elements), sort_keys=False))
        lm, t_load = timed(lambda: load_model(str(path)))
        size = path.stat().st_size
    assert lm.model is not None, [p.format() for p in lm.errors][:5]
    facts, t_facts = timed(lambda: compute_facts(lm.model))
    result, t_match = timed(lambda: analyze(lm.model, cat, facts=facts))
    _, t_total = timed(lambda: analyze(lm.model, cat))
    print(f"catalogs: {len(cat.rules)} rules, {len(cat.controls)} controls, {len(cat.requirements)} requirements")
    print(f"model: {len(lm.model.elements)} elements, {len(lm.model.flows)} flows ({size / 1e6:.1f} MB)")
    print(f"load catalogs (uncached)     {t_cat * 1000:8.1f} ms")
    print(f"load + validate model        {t_load * 1000:8.1f} ms")
    print(f"graph facts                  {t_facts * 1000:8.1f} ms")
    print(f"match + score ({len(result.threats)} threats) {t_match * 1000:8.1f} ms")
    print(f"analyze (facts + match)      {t_total * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
