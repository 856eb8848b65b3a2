"""Diagrams as Graphviz DOT (always) and SVG/PNG (where ``dot`` is installed).

Two diagrams per model:
- the data-flow diagram: trust boundaries as nested clusters styled by zone (greys, teal, blue,
  dashed for less trusted zones: never a risk colour), DFD shapes by element kind, nodes and
  flows coloured by their highest unresolved residual risk level; flows between the same two
  elements in the same direction merged into one edge labelled with their count and worst level;
  a legend for shapes, risk colours and zones;
- the data-asset diagram: which data goes where (each asset -> the elements it reaches, in
  their zones), sensitive data in its own colour, with a legend.

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
from tmodel.export.record_ru import RecordWords
from tmodel.export.palette import LEVEL_COLOR, NO_RISK, NO_ZONE, ZONE_STYLE, highest
from tmodel.export.safe import dot_label, dot_text
from tmodel.i18n import terms
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
# Graphviz lays out a few hundred nodes in seconds; past this many elements (with their clusters and flows) its
# layout can run for minutes or fail, so exports write the DOT file and say so instead of trying
MAX_LAYOUT_ELEMENTS = 400
INSTALL_HINT = "install Graphviz to render SVG/PNG: 'apt-get install graphviz' (Debian/Ubuntu) or 'brew install graphviz' (macOS)"


class RenderError(Exception):
    pass


class LayoutTooLarge(RenderError):
    """A diagram Graphviz cannot lay out in time: the export writes its DOT source instead, with a note."""


def too_large_to_lay_out(model: Model) -> str | None:
    """Why the model's diagrams are not rendered (too many elements), or None."""
    n = len(model.elements)
    if n > MAX_LAYOUT_ELEMENTS:
        return (f"{n:,} elements are more than Graphviz lays out in reasonable time ({MAX_LAYOUT_ELEMENTS:,}); "
                "the diagram is written as DOT: render a part of it, or open it in a DOT viewer")
    return None


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


def _zone_cluster(c: graphviz.Digraph, b: Boundary, w: RecordWords) -> None:
    z = ZONE_STYLE.get(b.zone.value, NO_ZONE)
    zone = f"{b.zone.value} zone" if not w.ru else terms.ZONE[b.zone.value]
    c.attr(label=dot_label(dot_text(f"{b.title} ({zone})", 44)), color=f"#{z.border}",
           fillcolor=f"#{z.fill}", fontcolor="#263238", style=z.style, penwidth=z.penwidth, labeljust="l",
           labelloc="t", margin="14")


def _zone_clusters(g: graphviz.Digraph, model: Model, members: dict[str | None, list], add_node,  # noqa: ANN001
                   w: RecordWords) -> None:
    """Trust boundaries as nested clusters styled by zone; ``add_node(container, element)`` draws each element."""
    counter = itertools.count(1)
    top, children = boundary_tree(model)

    def add_cluster(parent: graphviz.Digraph, b: Boundary, depth: int) -> None:
        with parent.subgraph(name=f"cluster_{next(counter)}") as c:
            _zone_cluster(c, b, w)
            for e in members.get(b.id, []):
                add_node(c, e)
            if depth < 32:
                for child in children.get(b.id, []):
                    add_cluster(c, child, depth + 1)

    for b in top:
        add_cluster(g, b, 0)
    for e in members.get(None, []):
        add_node(g, e)


def _by_boundary(model: Model, elements: list) -> dict[str | None, list]:
    known = {b.id for b in model.boundaries}
    out: dict[str | None, list] = {}
    for e in elements:
        out.setdefault(e.boundary if e.boundary in known else None, []).append(e)
    return out


def merged_flows(model: Model, risk: dict[str, str]) -> list[tuple[str, str, list, str | None]]:
    """Flows between the same two elements in the same direction, as one edge each:
    (source, target, flows in model order, worst unresolved level)."""
    groups: dict[tuple[str, str], list] = {}
    for f in model.flows:
        groups.setdefault((f.source, f.target), []).append(f)
    return [(src, dst, fs, highest([risk[f.id] for f in fs if f.id in risk])) for (src, dst), fs in groups.items()]


def _flow_label(fs: list, level: str | None, w: RecordWords) -> str:
    if len(fs) == 1:
        f = fs[0]
        parts = [dot_text(f"{f.id}: {f.protocol.value}", 40)]
        if f.data:
            parts.append(dot_text("[" + ", ".join(f.data) + "]", 40))
    else:
        protocols = ", ".join(sorted({f.protocol.value for f in fs}))
        ids = [f.id for f in fs]
        shown = ", ".join(ids[:3]) + (w(", +{n} more", n=len(ids) - 3) if len(ids) > 3 else "")
        parts = [dot_text(w("{n} flows ({protocols})", n=len(fs), protocols=protocols), 40), dot_text(shown, 40, max_lines=2)]
    if level:
        parts.append(dot_text(w("worst risk: {level}" if len(fs) > 1 else "risk: {level}", level=w.level(level))))
    return dot_label(*parts)


def dataflow_dot(a: Analysis, model: Model, lang: str = "en") -> str:
    """The data-flow diagram in DOT; ``lang``: the language of its legend and labels (model data as written)."""
    w = RecordWords(lang)
    risk = risk_by_target(a)
    g = _graph("dataflow", dot_label(dot_text(w("{title} — data flow", title=model.metadata.title), 80),
                                     dot_text(w("as of {date}", date=a.as_of.isoformat()))))
    node_id = {e.id: f"n{i}" for i, e in enumerate(model.elements, 1)}

    def add_node(container: graphviz.Digraph, e) -> None:  # noqa: ANN001
        shape, style = SHAPES[e.kind]
        level = risk.get(e.id)
        strong, light = _colors(level)
        parts = [dot_text(e.title, 28), dot_text(f"[{e.id}]", 40)]
        if level:
            parts.append(dot_text(w("risk: {level}", level=w.level(level))))
        container.node(node_id[e.id], label=dot_label(*parts), shape=shape,
                       style=",".join(x for x in ("filled", style) if x), fillcolor=light, color=strong,
                       penwidth="2" if level else "1")

    _zone_clusters(g, model, _by_boundary(model, model.elements), add_node, w)
    for src, dst, fs, level in merged_flows(model, risk):
        if src not in node_id or dst not in node_id:
            continue
        strong, _ = _colors(level)
        width = "2" if level else "1"
        if len(fs) > 1:
            width = str(min(5, 2 + len(fs) // 4))
        g.edge(node_id[src], node_id[dst], label=_flow_label(fs, level, w), color=strong, fontcolor=strong, penwidth=width)

    _legend(g, model, risk.get("model"), w, zones=True)
    return g.source


def _legend(g: graphviz.Digraph, model: Model, model_level: str | None, w: RecordWords, *, zones: bool, risk: bool = True,
            data: bool = False) -> None:
    """Columns of sample nodes (invisible edges make the rows): element shapes; risk colours (or
    data sensitivity); trust zones used by the model."""
    with g.subgraph(name="cluster_legend") as c:
        c.attr(label=w("Legend"), color="#90A4AE", fontcolor="#455A64", style="rounded", labeljust="l", fillcolor="#FFFFFF")
        columns: list[list[str]] = []
        col: list[str] = []
        for i, kind in enumerate(ElementKind, 1):
            shape, style = SHAPES[kind]
            c.node(f"legend_shape{i}", label=dot_label(dot_text(SHAPE_NAMES[kind] if not w.ru else terms.KIND[kind.value])), shape=shape,
                   style=",".join(x for x in ("filled", style) if x))
            col.append(f"legend_shape{i}")
        columns.append(col)
        if risk:
            col = []
            strong, light = _colors(None)
            c.node("legend_none", label=dot_label(dot_text(w("no unresolved risk"))), shape="box", fillcolor=light, color=strong)
            col.append("legend_none")
            for i, lv in enumerate(reversed(list(Level)), 1):
                strong, light = _colors(lv.value)
                c.node(f"legend_level{i}", label=dot_label(dot_text(w("unresolved {level} risk (node or flow)", level=w.level(lv.value)), 24)),
                       shape="box", fillcolor=light, color=strong, fontcolor=strong, penwidth="2")
                col.append(f"legend_level{i}")
            if model_level:
                strong, light = _colors(model_level)
                c.node("legend_model", label=dot_label(dot_text(w("model-wide risk: {level}", level=w.level(model_level)))), shape="note",
                       fillcolor=light, color=strong)
                col.append("legend_model")
            columns.append(col)
        if data:
            col = []
            c.node("legend_sensitive", label=dot_label(dot_text(w("sensitive data (bank secrecy, payment, credentials, "
                                                                  "special or biometric PD)"), 26, max_lines=4)),
                   shape="note", fillcolor=f"#{SENSITIVE[1]}", color=f"#{SENSITIVE[0]}", penwidth="2")
            c.node("legend_data", label=dot_label(dot_text(w("other data"))), shape="note")
            columns.append(["legend_sensitive", "legend_data"])
        if zones:
            used = [z for z in ZONE_STYLE if any(b.zone.value == z for b in model.boundaries)] or list(ZONE_STYLE)
            col = []
            for i, z in enumerate(used, 1):
                st = ZONE_STYLE[z]
                c.node(f"legend_zone{i}", label=dot_label(dot_text(w("{zone} zone", zone=z) if not w.ru else terms.ZONE[z], 24),
                                                              dot_text(w(st.meaning), 24)), shape="box",
                       style=st.style, fillcolor=f"#{st.fill}", color=f"#{st.border}", penwidth=st.penwidth)
                col.append(f"legend_zone{i}")
            columns.append(col)
        for left, right in zip(columns, columns[1:]):  # each column one rank to the right of the previous one
            for j, y in enumerate(right):
                c.edge(left[min(j, len(left) - 1)], y, style="invis")
        for column in columns:  # one rank per column, top to bottom in the order written
            with c.subgraph() as same:  # (left to right, a flat edge draws its head above its tail)
                same.attr(rank="same")
                for n in column:
                    same.node(n)
                for top, below in zip(column, column[1:]):
                    same.edge(below, top, style="invis")


SENSITIVE = ("6D4C41", "FFF8E1")  # strong, light: a data colour, not a risk colour


def data_dot(a: Analysis, model: Model, lang: str = "en") -> str:
    """The data-asset diagram in DOT: each data asset -> every element it reaches, the elements in
    their trust zones; no edge labels (the register's Assets sheet lists the flows), so it stays
    readable with ten assets and more."""
    w = RecordWords(lang)
    reach = asset_reach(model)
    g = _graph("data", dot_label(dot_text(w("{title} — where the data goes", title=model.metadata.title), 80),
                                 dot_text(w("as of {date}", date=a.as_of.isoformat()))))
    g.attr("graph", ranksep="1.6", nodesep="0.25")
    node_id = {e.id: f"n{i}" for i, e in enumerate(model.elements, 1)}
    with g.subgraph(name="cluster_assets") as c:
        c.attr(label=w("Data assets"), color="#90A4AE", fontcolor="#455A64", style="rounded")
        for i, asset in enumerate(model.data_assets, 1):
            parts = [dot_text(asset.title, 28), dot_text(f"[{asset.id}]", 40),
                     dot_text(w("class: {value}", value=w.value(terms.CLASSIFICATION, asset.classification.value)))]
            if asset.pd_category.value != "none":
                parts.append(dot_text(w("personal data: {value}", value=w.value(terms.PD_CATEGORY, asset.pd_category.value))))
            if asset.cross_border.transfer:
                countries = ", ".join(asset.cross_border.countries) or w("abroad")
                parts.append(dot_text(w("cross-border: {countries}", countries=countries)
                                      + ("" if asset.cross_border.rkn_notified else w(" (not notified)")), 40))
            sensitive = asset.classification.value in ("bank_secrecy", "payment", "credentials") or asset.pd_category.value in ("special", "biometric")
            c.node(f"a{i}", label=dot_label(*parts), shape="note", fillcolor=f"#{SENSITIVE[1]}" if sensitive else "#FFFFFF",
                   color=f"#{SENSITIVE[0]}" if sensitive else "#455A64", penwidth="2" if sensitive else "1")
    used = [e for e in model.elements if any(e.id in r.elements for r in reach.values())]

    def add_node(container: graphviz.Digraph, e) -> None:  # noqa: ANN001
        shape, style = SHAPES[e.kind]
        container.node(node_id[e.id], label=dot_label(dot_text(e.title, 28), dot_text(f"[{e.id}]", 40)), shape=shape,
                       style=",".join(x for x in ("filled", style) if x))

    _zone_clusters(g, model, _by_boundary(model, used), add_node, w)
    sensitive_ids = {f"a{i}" for i, asset in enumerate(model.data_assets, 1)
                     if asset.classification.value in ("bank_secrecy", "payment", "credentials")
                     or asset.pd_category.value in ("special", "biometric")}
    for i, asset in enumerate(model.data_assets, 1):
        for eid in reach[asset.id].elements:
            if eid in node_id:
                strong = f"#{SENSITIVE[0]}" if f"a{i}" in sensitive_ids else "#90A4AE"
                g.edge(f"a{i}", node_id[eid], color=strong, arrowsize="0.6")
    _legend(g, model, None, w, zones=True, risk=False, data=True)
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
        raise LayoutTooLarge(f"dot -T{fmt} took longer than {timeout:g} s to lay out the diagram") from None
    except OSError as exc:
        raise RenderError(f"cannot run dot: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        raise RenderError(f"dot -T{fmt} failed: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout
