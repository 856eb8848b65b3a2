"""The DOT diagrams, read back by Graphviz itself (``dot -Tjson``)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from tmodel.export.diagram import data_dot, dataflow_dot, render
from tmodel.export.palette import LEVEL_COLOR, NO_RISK

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")


def graph_json(source: str) -> dict:
    proc = subprocess.run(["dot", "-Tjson"], input=source.encode(), capture_output=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


def texts(obj: dict) -> list[str]:
    """The text lines Graphviz drew for a node, edge or cluster label."""
    return [op["text"] for op in obj.get("_ldraw_", []) if op.get("op") == "T"]


def nodes(g: dict) -> dict[str, dict]:
    return {o["name"]: o for o in g["objects"] if "nodes" not in o and "subgraphs" not in o and not o["name"].startswith("cluster")}


def clusters(g: dict) -> dict[str, dict]:
    return {o["name"]: o for o in g["objects"] if o["name"].startswith("cluster")}


@needs_dot
def test_dataflow_nodes_shapes_and_colours(demo):
    a, model = demo
    g = graph_json(dataflow_dot(a, model))
    ns = nodes(g)
    by_id = {texts(n)[-1] if not texts(n)[-1].startswith("risk:") else texts(n)[-2]: n for k, n in ns.items() if k.startswith("n")}
    assert set(by_id) == {f"[{e.id}]" for e in model.elements}
    assert sorted(k for k in ns if re.fullmatch(r"n\d+", k)) == sorted(f"n{i}" for i in range(1, 7))  # generated ids
    assert by_id["[app]"]["shape"] == "box" and "rounded" not in by_id["[app]"]["style"]
    assert by_id["[gw]"]["shape"] == "box" and "rounded" in by_id["[gw]"]["style"]
    assert by_id["[db]"]["shape"] == "cylinder"
    # db has an expired acceptance (unresolved, residual high); gw has no unresolved threat
    assert by_id["[db]"]["color"] == f"#{LEVEL_COLOR['high'][0]}" and texts(by_id["[db]"])[-1] == "risk: high"
    assert by_id["[gw]"]["color"] == f"#{NO_RISK[0]}"
    assert texts(by_id["[app]"]) == ["Mobile app", "[app]"]


@needs_dot
def test_dataflow_edges_labelled_and_coloured(demo):
    a, model = demo
    g = graph_json(dataflow_dot(a, model))
    edges = {tuple(texts(e))[0]: e for e in g["edges"] if texts(e)}
    assert set(edges) == {f"{f.id}: {f.protocol.value}" for f in model.flows}
    pg = edges["partner-gw: https"]
    assert texts(pg) == ["partner-gw: https", "[payments, kyc-profile]", "risk: critical"]
    assert pg["color"] == f"#{LEVEL_COLOR['critical'][0]}"
    # the transferred threat on app-gw is resolved: no colour
    assert edges["app-gw: https"]["color"] == f"#{NO_RISK[0]}"


@needs_dot
def test_dataflow_boundaries_are_nested_clusters_with_zones(demo):
    a, model = demo
    g = graph_json(dataflow_dot(a, model))
    cl = clusters(g)
    labels = {tuple(texts(c)): c for c in cl.values()}
    assert ("Внутренняя сеть (internal zone)",) in labels
    internal = labels[("Внутренняя сеть (internal zone)",)]
    restricted = labels[("Закрытый сегмент (restricted zone)",)]
    assert restricted["_gvid"] in internal["subgraphs"]  # nested, as in the model
    assert ("Legend",) in labels
    legend_nodes = [nodes(g)[g["objects"][i]["name"]] for i in labels[("Legend",)]["nodes"]]
    legend = {" ".join(texts(n)) for n in legend_nodes}
    assert legend >= {"external entity", "process", "data store", "unresolved critical risk (node or flow)",
                      "no unresolved risk", "internet zone anyone can connect", "restricted zone restricted: cards, keys, core"}


@needs_dot
def test_zones_never_wear_a_risk_colour(demo):
    a, model = demo
    g = graph_json(dataflow_dot(a, model))
    risk_colours = {c.lower() for pair in LEVEL_COLOR.values() for c in pair}
    frames = [c for c in clusters(g).values() if c["name"] != "cluster_legend"]
    assert len(frames) == len(model.boundaries)
    for c in frames:
        assert c["color"].lstrip("#").lower() not in risk_colours and c["fillcolor"].lstrip("#").lower() not in risk_colours


@needs_dot
def test_parallel_flows_become_one_edge_with_count_and_worst_level(demo):
    a, model = demo
    pg = next(f for f in model.flows if f.id == "partner-gw")
    more = [pg.model_copy(update={"id": f"partner-gw-{i}", "data": []}) for i in range(2, 6)]
    wide = model.model_copy(update={"flows": [*model.flows, *more]})
    g = graph_json(dataflow_dot(a, wide))
    between = [e for e in g["edges"] if texts(e) and texts(e)[0].startswith("5 flows")]
    assert len(between) == 1, [texts(e) for e in g["edges"]]
    label = texts(between[0])
    assert label[0] == "5 flows (https)" and label[-1] == "worst risk: critical"
    assert " ".join(label[1:-1]) == "partner-gw, partner-gw-2, partner-gw-3, +2 more"
    assert between[0]["color"] == f"#{LEVEL_COLOR['critical'][0]}"
    assert len([e for e in g["edges"] if texts(e)]) == len(model.flows)  # the others stay one edge each


@needs_dot
def test_data_diagram_assets_to_elements(demo):
    a, model = demo
    g = graph_json(data_dot(a, model))
    ns = nodes(g)
    names = {n["name"]: texts(n) for n in ns.values()}
    kyc = next(k for k, t in names.items() if "[kyc-profile]" in t)
    assert "cross-border: KZ, AE (not" in " ".join(names[kyc])
    targets = sorted(names[g["objects"][e["head"]]["name"]][1] for e in g["edges"] if g["objects"][e["tail"]]["name"] == kyc)
    assert targets == ["[gw]", "[partner]"]
    legend = {" ".join(texts(n)) for k, n in ns.items() if k.startswith("legend_")}
    assert "other data" in legend and any(x.startswith("sensitive data") for x in legend)
    assert any(x.startswith("partner zone") for x in legend)


def test_dot_is_deterministic(demo):
    a, model = demo
    assert dataflow_dot(a, model) == dataflow_dot(a, model)
    assert data_dot(a, model) == data_dot(a, model)


@needs_dot
def test_render_svg_and_png(demo):
    a, model = demo
    svg = render(dataflow_dot(a, model), "svg")
    assert svg.startswith(b"<?xml") and b"<svg" in svg and "Платёжный".encode() in svg
    assert render(data_dot(a, model), "png").startswith(b"\x89PNG")
