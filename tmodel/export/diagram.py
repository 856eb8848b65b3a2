"""Diagrams as Graphviz DOT (always) and SVG/PNG (where ``dot`` is installed).

Two diagrams per model:
- the data-flow diagram: trust boundaries as nested clusters (labelled with their zone), DFD
  shapes by element kind, flows labelled with protocol and the data asset ids they carry, nodes
  and edges coloured by their highest unresolved residual risk level, and a legend;
- the data-asset diagram: which data goes where (each asset -> the elements it reaches).

Safety: node and cluster ids are generated (n1, n2, ..., cluster_1, ...), never taken from the
model; every label is a plain quoted string escaped by ``safe.dot_text`` (no HTML labels), and
no attribute other than labels carries model text, so a model cannot add attributes such as
``image=`` or make ``dot`` read files. The DOT text is deterministic: same model, same bytes.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess

import graphviz

from tmodel.analysis.result import Analysis
from tmodel.export.common import asset_reach, boundary_tree, risk_by_target
from tmodel.export.palette import LEVEL_COLOR, NO_RISK, ZONE_COLOR
from tmodel.export.safe import dot_label, dot_text
from tmodel.model.enums import ElementKind, Level
from tmodel.model.types import Boundary, Model

FONT = "Helvetica,Arial,sans-serif"
SHAPES = {
    ElementKind.EXTERNAL_ENTITY: ("box", ""),
    ElementKind.PROCESS: ("box", "rounded"),
    ElementKind.DATA_STORE: ("cylinder", ""),
}
SHAPE_NAMES = {
    ElementKind.EXTERNAL_ENTITY: "external entity",
    ElementKind.PROCESS: "process",
    ElementKind.DATA_STORE: "data store",
}
RENDER_TIMEOUT = 120  # seconds
INSTALL_HINT = "install Graphviz to render SVG/PNG: 'apt-get install graphviz' (Debian/Ubuntu) or 'brew install graphviz' (macOS)"


class RenderError(Exception):
    pass


def dot_available() -> bool:
    return shutil.which("dot") is not None


def _colors(level: str | None) -> tuple[str, str]:
    strong, light = LEVEL_COLOR.get(level or "", NO_RISK)
    return f"#{strong}", f"#{light}"


def _graph(name: str, title: str) -> graphviz.Digraph:
    g = graphviz.Digraph(name=name)
    g.attr("graph", label=title, labelloc="t", fontname=FONT, fontsize="14", rankdir="LR",
           nodesep="0.4", ranksep="0.8", compound="true")
    g.attr("node", fontname=FONT, fontsize="10", style="filled", fillcolor="#FFFFFF", color="#455A64")
    g.attr("edge", fontname=FONT, fontsize="9", color="#455A64", fontcolor="#263238")
    return g


def dataflow_dot(a: Analysis, model: Model) -> str:
    """The data-flow diagram in DOT."""
    risk = risk_by_target(a)
    g = _graph("dataflow", dot_label(dot_text(f"{model.metadata.title} — data flow", 80), dot_text(f"as of {a.as_of.isoformat()}")))
    node_id = {e.id: f"n{i}" for i, e in enumerate(model.elements, 1)}
    by_boundary: dict[str | None, list] = {}
    known = {b.id for b in model.boundaries}
    for e in model.elements:
        by_boundary.setdefault(e.boundary if e.boundary in known else None, []).append(e)

    def add_node(container: graphviz.Digraph, e) -> None:
        shape, style = SHAPES[e.kind]
        level = risk.get(e.id)
        strong, light = _colors(level)
        parts = [dot_text(e.title, 28), dot_text(f"[{e.id}]", 40)]
        if level:
            parts.append(dot_text(f"risk: {level}"))
        container.node(node_id[e.id], label=dot_label(*parts), shape=shape,
                       style=",".join(x for x in ("filled", style) if x), fillcolor=light, color=strong,
                       penwidth="2" if level else "1")

    counter = itertools.count(1)
    top, children = boundary_tree(model)

    def add_cluster(parent: graphviz.Digraph, b: Boundary, depth: int) -> None:
        with parent.subgraph(name=f"cluster_{next(counter)}") as c:
            color = f"#{ZONE_COLOR.get(b.zone.value, '455A64')}"
            c.attr(label=dot_label(dot_text(b.title, 40), dot_text(f"zone: {b.zone.value}")), color=color, fontcolor=color,
                   style="dashed" if b.zone.value in ("internet", "partner") else "rounded", penwidth="1.5", labeljust="l")
            for e in by_boundary.get(b.id, []):
                add_node(c, e)
            if depth < 32:
                for child in children.get(b.id, []):
                    add_cluster(c, child, depth + 1)

    for b in top:
        add_cluster(g, b, 0)
    for e in by_boundary.get(None, []):
        add_node(g, e)

    for f in model.flows:
        if f.source not in node_id or f.target not in node_id:
            continue
        level = risk.get(f.id)
        strong, _ = _colors(level)
        parts = [dot_text(f"{f.id}: {f.protocol.value}", 40)]
        if f.data:
            parts.append(dot_text("[" + ", ".join(f.data) + "]", 40))
        if level:
            parts.append(dot_text(f"risk: {level}"))
        g.edge(node_id[f.source], node_id[f.target], label=dot_label(*parts), color=strong, fontcolor=strong,
               penwidth="2" if level else "1")

    _legend(g, risk.get("model"))
    return g.source


def _legend(g: graphviz.Digraph, model_level: str | None) -> None:
    """Shapes in the left column, level colours in the right one (invisible edges make the rows)."""
    with g.subgraph(name="cluster_legend") as c:
        c.attr(label="Legend", color="#90A4AE", fontcolor="#455A64", style="rounded", labeljust="l")
        left: list[str] = []
        for i, kind in enumerate(ElementKind, 1):
            shape, style = SHAPES[kind]
            c.node(f"legend_shape{i}", label=dot_label(dot_text(SHAPE_NAMES[kind])), shape=shape,
                   style=",".join(x for x in ("filled", style) if x))
            left.append(f"legend_shape{i}")
        strong, light = _colors(None)
        c.node("legend_none", label=dot_label(dot_text("no unresolved risk")), shape="box", fillcolor=light, color=strong)
        left.append("legend_none")
        right: list[str] = []
        for i, lv in enumerate(reversed(list(Level)), 1):
            strong, light = _colors(lv.value)
            c.node(f"legend_level{i}", label=dot_label(dot_text(f"unresolved {lv.value}")), shape="box",
                   fillcolor=light, color=strong, fontcolor=strong, penwidth="2")
            right.append(f"legend_level{i}")
        if model_level:
            strong, light = _colors(model_level)
            c.node("legend_model", label=dot_label(dot_text(f"model-wide risk: {model_level}")), shape="note",
                   fillcolor=light, color=strong)
            left.append("legend_model")
        for x, y in zip(left, right):
            c.edge(x, y, style="invis")


def data_dot(a: Analysis, model: Model) -> str:
    """The data-asset diagram in DOT: each data asset -> every element it reaches."""
    reach = asset_reach(model)
    g = _graph("data", dot_label(dot_text(f"{model.metadata.title} — where the data goes", 80), dot_text(f"as of {a.as_of.isoformat()}")))
    elements = {e.id: e for e in model.elements}
    node_id = {e.id: f"n{i}" for i, e in enumerate(model.elements, 1)}
    zone = {b.id: b.zone.value for b in model.boundaries}
    with g.subgraph(name="cluster_assets") as c:
        c.attr(label="Data assets", color="#90A4AE", fontcolor="#455A64", style="rounded")
        for i, asset in enumerate(model.data_assets, 1):
            parts = [dot_text(asset.title, 28), dot_text(f"[{asset.id}]", 40), dot_text(f"class: {asset.classification.value}")]
            if asset.pd_category.value != "none":
                parts.append(dot_text(f"personal data: {asset.pd_category.value}"))
            if asset.cross_border.transfer:
                countries = ", ".join(asset.cross_border.countries) or "abroad"
                parts.append(dot_text(f"cross-border: {countries}" + ("" if asset.cross_border.rkn_notified else " (not notified)"), 40))
            sensitive = asset.classification.value in ("bank_secrecy", "payment", "credentials") or asset.pd_category.value in ("special", "biometric")
            c.node(f"a{i}", label=dot_label(*parts), shape="note", fillcolor="#FFF8E1" if sensitive else "#FFFFFF",
                   color="#C62828" if sensitive else "#455A64")
    used = [e for e in model.elements if any(e.id in r.elements for r in reach.values())]
    for e in used:
        shape, style = SHAPES[e.kind]
        z = zone.get(e.boundary or "", None)
        parts = [dot_text(e.title, 28), dot_text(f"[{e.id}]", 40)]
        if z:
            parts.append(dot_text(f"zone: {z}"))
        color = f"#{ZONE_COLOR.get(z or '', '455A64')}"
        g.node(node_id[e.id], label=dot_label(*parts), shape=shape, style=",".join(x for x in ("filled", style) if x),
               color=color)
    for i, asset in enumerate(model.data_assets, 1):
        r = reach[asset.id]
        for eid in r.elements:
            if eid in elements:
                g.edge(f"a{i}", node_id[eid], label=dot_label(dot_text("via " + ", ".join(r.via[eid]), 36)))
    return g.source


def render(source: str, fmt: str, *, timeout: float = RENDER_TIMEOUT) -> bytes:
    """Render DOT with Graphviz's ``dot``: the one place that runs it (no shell; the DOT text goes through
    stdin). ``svg``/``png`` for the exports, ``plain`` for the app's layout (node and edge coordinates)."""
    exe = shutil.which("dot")
    if exe is None:
        raise RenderError(f"Graphviz 'dot' was not found on PATH; {INSTALL_HINT}")
    if fmt not in ("svg", "png", "plain"):
        raise ValueError(fmt)
    try:
        proc = subprocess.run([exe, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RenderError(f"dot -T{fmt} took longer than {timeout} s") from None
    except OSError as exc:
        raise RenderError(f"cannot run dot: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        raise RenderError(f"dot -T{fmt} failed: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout
