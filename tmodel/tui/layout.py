"""Lay out a model's data-flow graph on a character grid (no textual import).

With Graphviz ``dot`` installed, ``dot -Tplain`` places the boxes (one cluster per trust
boundary, left to right) and routes the edges; the splines are rasterised into box-drawing
lines. Without it, a simple layered layout puts one column per zone, in trust order.
Boundary frames are drawn around their members; every label comes from the model and is only
ever placed as text (the widget never parses it as markup). Node ids given to dot are generated
(``n0``, ``e0``), and the graph is built and rendered by the exports' one DOT builder (``graphviz``,
labels through ``export.safe``) and one renderer (``export.diagram.render``), so a model cannot inject DOT.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from typing import Any

import graphviz

from tmodel.export.diagram import RenderError, render
from tmodel.export.safe import dot_label, dot_text
from tmodel.model.enums import ZONE_TRUST, Zone
from tmodel.model.types import Model

CX, CY = 8.0, 4.0  # grid cells per inch: columns, rows
BOX_H = 4
MAX_LABEL = 26
# style keys the widget maps to colours
FRAME, EDGE, ARROW, LABEL, BOX, TITLE, SUB, RISK = "frame", "edge", "arrow", "label", "box", "title", "sub", "risk"
RISK_MARK = "●"

_DIRS = {(1, 0): "R", (-1, 0): "L", (0, 1): "D", (0, -1): "U"}
_LINE = {
    frozenset("LR"): "─", frozenset("UD"): "│", frozenset("RD"): "┌", frozenset("LD"): "┐", frozenset("RU"): "└",
    frozenset("LU"): "┘", frozenset("LRD"): "┬", frozenset("LRU"): "┴", frozenset("UDR"): "├", frozenset("UDL"): "┤",
    frozenset("LRUD"): "┼", frozenset("L"): "─", frozenset("R"): "─", frozenset("U"): "│", frozenset("D"): "│",
}
_ARROW = {"R": "▶", "L": "◀", "D": "▼", "U": "▲"}
# DFD shapes: processes rounded, external entities heavy, data stores with double rules
_BOX_CHARS = {
    "process": (("╭", "╮", "╰", "╯"), "─", "│"),
    "external_entity": (("┏", "┓", "┗", "┛"), "━", "┃"),
    "data_store": (("╒", "╕", "╘", "╛"), "═", "│"),
}


@dataclass
class Box:
    id: str
    title: str
    sub: str
    kind: str
    zone: str | None
    x: int = 0
    y: int = 0
    w: int = 0
    h: int = BOX_H

    def contains(self, cx: int, cy: int) -> bool:
        return self.x <= cx < self.x + self.w and self.y <= cy < self.y + self.h

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)


@dataclass
class Frame:
    id: str
    label: str
    zone: str
    depth: int
    x: int = 0
    y: int = 0
    w: int = 0
    h: int = 0


@dataclass
class Edge:
    id: str
    source: str
    target: str
    cells: list[tuple[int, int]] = field(default_factory=list)
    label_at: tuple[int, int] | None = None


@dataclass
class Diagram:
    engine: str
    boxes: list[Box]
    frames: list[Frame]
    edges: list[Edge]
    width: int = 0
    height: int = 0
    grid: list[list[tuple[str, str, str]]] = field(default_factory=list)  # (char, style, owner id)

    def box_at(self, x: int, y: int) -> Box | None:
        return next((b for b in self.boxes if b.contains(x, y)), None)

    def lines(self) -> list[str]:
        return ["".join(c for c, _, _ in row).rstrip() for row in self.grid]


def _clip(text: str, n: int = MAX_LABEL) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _boxes(model: Model) -> list[Box]:
    zones = {b.id: b.zone.value for b in model.boundaries}
    out = []
    for e in sorted(model.elements, key=lambda e: e.id):
        title, sub = _clip(e.title), _clip(f"{e.id} · {e.technology.value}")
        out.append(Box(e.id, title, sub, e.kind.value, zones.get(e.boundary or ""), w=max(len(title), len(sub)) + 4))
    return out


def _parents(model: Model) -> dict[str, str | None]:
    ids = {b.id for b in model.boundaries}
    return {b.id: (b.parent if b.parent in ids and b.parent != b.id else None) for b in model.boundaries}


def _depths(parents: dict[str, str | None]) -> dict[str, int]:
    out: dict[str, int] = {}
    for b in parents:
        d, cur, seen = 0, parents[b], {b}
        while cur is not None and cur not in seen:
            seen.add(cur)
            d += 1
            cur = parents.get(cur)
        out[b] = d
    return out


def prefer_layered(model: Model) -> bool:
    """The layered layout reads better when every element sits in a zone: trust zones become
    columns left to right, in trust order, which is how the bank reads a data flow. Graphviz is
    better when elements lie outside every boundary (it has no zone to place them by)."""
    return bool(model.elements) and all(e.boundary for e in model.elements)


def layout(model: Model, *, use_dot: bool | None = None, risk: dict[str, str] | None = None) -> Diagram:
    """Place the model's elements, flows and boundaries on a grid. ``risk`` maps an element or
    flow id to the worst residual level of its unresolved threats: boxes show it on their bottom
    border, flows as a marker before their label."""
    if use_dot is None:
        use_dot = shutil.which("dot") is not None
    diagram = None
    if use_dot:
        try:
            diagram = _dot_layout(model)
        except ValueError:  # dot's output not as expected
            diagram = None
    if diagram is None:
        diagram = _layered_layout(model)
    _frames(model, diagram)
    _rasterise(diagram, risk or {})
    return diagram


# -- dot ------------------------------------------------------------------------------------
def _dot_source(model: Model, boxes: list[Box], nid: dict[str, str]) -> str:
    """The layout graph, built like the exported diagrams (graphviz.Digraph, labels through export.safe)."""
    parents = _parents(model)
    children: dict[str | None, list[str]] = {}
    for b in sorted(parents):
        children.setdefault(parents[b], []).append(b)
    members: dict[str | None, list[Box]] = {}
    for bx in boxes:
        el = model.element(bx.id)
        members.setdefault(el.boundary if el and el.boundary in parents else None, []).append(bx)
    g = graphviz.Digraph(name="g")
    g.attr("graph", rankdir="LR", nodesep="0.35", ranksep="1.1", splines="spline")
    g.attr("node", shape="box", fixedsize="true", label="")
    g.attr("edge", arrowsize="0.3")

    def node(sub: graphviz.Digraph, bx: Box) -> None:
        sub.node(nid[bx.id], width=f"{bx.w / CX:.3f}", height=f"{bx.h / CY:.3f}")

    def cluster(parent: graphviz.Digraph, bid: str, seen: set[str]) -> None:
        if bid in seen:
            return
        seen.add(bid)
        with parent.subgraph(name=f"cluster_{len(seen)}") as sub:
            sub.attr(margin="22", label="")
            for bx in members.get(bid, []):
                node(sub, bx)
            for child in children.get(bid, []):
                cluster(sub, child, seen)

    seen: set[str] = set()
    for root in children.get(None, []):
        cluster(g, root, seen)
    for bx in members.get(None, []):
        node(g, bx)
    ids = {bx.id for bx in boxes}
    for i, f in enumerate(sorted(model.flows, key=lambda f: f.id)):
        if f.source in ids and f.target in ids:
            g.edge(nid[f.source], nid[f.target], id=f"e{i}", label=dot_label(dot_text(_clip(f.id, 18), width=80, max_lines=1)))
    return g.source


def _dot_layout(model: Model) -> Diagram | None:
    boxes = _boxes(model)
    nid = {bx.id: f"n{i}" for i, bx in enumerate(boxes)}
    back = {v: k for k, v in nid.items()}
    try:
        plain = render(_dot_source(model, boxes, nid), "plain", timeout=20).decode("utf-8", "replace")
    except RenderError:
        return None
    height = 0.0
    by_id = {bx.id: bx for bx in boxes}
    raw_edges: list[tuple[str, str, list[tuple[float, float]], tuple[float, float] | None]] = []
    for line in plain.splitlines():
        parts = _split_plain(line)
        if not parts:
            continue
        if parts[0] == "graph":
            height = float(parts[3])
        elif parts[0] == "node":
            bx = by_id[back[parts[1]]]
            x, y = float(parts[2]), float(parts[3])
            bx.x = round(x * CX - bx.w / 2) + 2
            bx.y = round((height - y) * CY - bx.h / 2) + 2
        elif parts[0] == "edge":
            n = int(parts[3])
            pts = [(float(parts[4 + 2 * i]), float(parts[5 + 2 * i])) for i in range(n)]
            rest = parts[4 + 2 * n:]
            label_pos = (float(rest[1]), float(rest[2])) if len(rest) >= 5 else None
            raw_edges.append((back[parts[1]], back[parts[2]], pts, label_pos))
    # dot lists edges in its own order: match them back to flows by their ends (ties in id order)
    pending: dict[tuple[str, str], list[str]] = {}
    for f in sorted(model.flows, key=lambda f: f.id):
        if f.source in by_id and f.target in by_id:
            pending.setdefault((f.source, f.target), []).append(f.id)
    edges = []
    for s, t, pts, lp in raw_edges:
        queue = pending.get((s, t))
        if not queue:
            continue
        fid = queue.pop(0)
        cells = _bezier_cells([(x * CX + 2, (height - y) * CY + 2) for x, y in pts])
        label_at = (round(lp[0] * CX + 2 - len(_clip(fid, 18)) / 2), round((height - lp[1]) * CY + 2)) if lp else None
        edges.append(Edge(fid, s, t, cells, label_at))
    edges.sort(key=lambda e: e.id)
    return Diagram("dot", boxes, [], edges)


def _split_plain(line: str) -> list[str]:
    out, cur, quoted = [], "", False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == " " and not quoted:
            if cur:
                out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def _bezier_cells(pts: list[tuple[float, float]]) -> list[tuple[int, int]]:
    samples: list[tuple[float, float]] = []
    for i in range(0, len(pts) - 3, 3):
        p0, p1, p2, p3 = pts[i : i + 4]
        for k in range(25):
            t = k / 24
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t**3
            samples.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    if not samples:
        samples = list(pts)
    cells: list[tuple[int, int]] = []
    for x, y in samples:
        _step_to(cells, (round(x), round(y)))
    return cells


def _step_to(cells: list[tuple[int, int]], cell: tuple[int, int]) -> None:
    """Append ``cell`` with 4-connected steps from the last one (horizontal first)."""
    if not cells:
        cells.append(cell)
        return
    x, y = cells[-1]
    while (x, y) != cell:
        if x != cell[0]:
            x += 1 if cell[0] > x else -1
        else:
            y += 1 if cell[1] > y else -1
        cells.append((x, y))


# -- layered fallback -----------------------------------------------------------------------
def _layered_layout(model: Model) -> Diagram:
    boxes = _boxes(model)
    parents = _parents(model)

    def root_of(bid: str | None) -> str | None:
        seen: set[str] = set()
        while bid is not None and parents.get(bid) is not None and bid not in seen:
            seen.add(bid)
            bid = parents[bid]
        return bid

    zones = {b.id: b.zone.value for b in model.boundaries}
    order = {z.value: ZONE_TRUST[z] for z in Zone}
    columns: dict[int, list[tuple[tuple[Any, ...], Box]]] = {}
    for bx in boxes:
        el = model.element(bx.id)
        bid = el.boundary if el and el.boundary in parents else None
        root = root_of(bid)
        col = order.get(zones.get(root or ""), len(order)) if root else len(order)
        path: list[str] = []
        cur = bid
        while cur is not None and cur not in path:
            path.insert(0, cur)
            cur = parents.get(cur)
        columns.setdefault(col, []).append((tuple(path) + ("~", bx.id), bx))
    by_id = {bx.id: bx for bx in boxes}
    order_cols = sorted(columns)
    col_of = {bx.id: order_cols.index(col) for col in order_cols for _, bx in columns[col]}
    flows = [f for f in sorted(model.flows, key=lambda f: f.id) if f.source in by_id and f.target in by_id]
    # flows that skip a column or go backwards run along their own corridor row above the boxes
    long = [f.id for f in flows if col_of[f.target] - col_of[f.source] not in (0, 1)]
    top = 4 + len(long)
    x = 3
    left: list[int] = []
    right: list[int] = []
    for col in order_cols:
        items = sorted(columns[col], key=lambda it: it[0])
        width = max(bx.w for _, bx in items)
        y, last = top, None
        for key, bx in items:
            group = key[:-2]
            if last is not None and group != last:
                y += 3  # room for the frames between groups
            bx.x, bx.y = x + (width - bx.w) // 2, y
            y += bx.h + 2
            last = group
        left.append(x)
        right.append(x + width)
        x += width + 18
    edges = []
    lanes: dict[tuple[int, str], int] = {}

    def lane(col: int, side: str) -> int:
        k = lanes.get((col, side), 0)
        lanes[(col, side)] = k + 1
        return (right[col] + 4 + (k * 2) % 12) if side == "R" else (left[col] - 4 - (k * 2) % 12)

    for n, f in enumerate(flows):
        s, t = by_id[f.source], by_id[f.target]
        sc, tc = col_of[s.id], col_of[t.id]
        sy, ty = s.y + 1 + (n % 2), t.y + 2 - (n % 2)
        if tc == sc + 1:
            cx = lane(sc, "R")
            pts = [(s.x + s.w, sy), (cx, sy), (cx, ty), (t.x - 1, ty)]
            label_at = (cx + 1, (sy + ty) // 2) if sy != ty else (cx - len(f.id) // 2, sy - 1)
        elif tc == sc:
            cx = max(lane(sc, "R"), max(s.x + s.w, t.x + t.w) + 2)
            pts = [(s.x + s.w, sy), (cx, sy), (cx, ty), (t.x + t.w, ty)]
            label_at = (cx + 1, (sy + ty) // 2)
        else:
            row = 1 + long.index(f.id)
            forward = tc > sc
            ce = lane(sc, "R" if forward else "L")
            ct = lane(tc, "L" if forward else "R")
            sx, tx = (s.x + s.w, t.x - 1) if forward else (s.x - 1, t.x + t.w)
            pts = [(sx, sy), (ce, sy), (ce, row), (ct, row), (ct, ty), (tx, ty)]
            label_at = (min(ce, ct) + 2, row)
        cells: list[tuple[int, int]] = []
        for pt in pts:
            _step_to(cells, pt)
        edges.append(Edge(f.id, f.source, f.target, cells, label_at))
    return Diagram("layered", boxes, [], edges)


# -- frames and rasterising -----------------------------------------------------------------
def _frames(model: Model, d: Diagram) -> None:
    parents = _parents(model)
    depths = _depths(parents)
    zones = {b.id: b.zone.value for b in model.boundaries}
    titles = {b.id: b.title for b in model.boundaries}
    members: dict[str, list[tuple[int, int, int, int]]] = {}
    for bx in d.boxes:
        el = model.element(bx.id)
        if el and el.boundary in parents:
            members.setdefault(el.boundary, []).append((bx.x, bx.y, bx.x + bx.w, bx.y + bx.h))
    frames: dict[str, Frame] = {}
    # deepest first, so a parent's frame encloses its children's frames
    for bid in sorted(parents, key=lambda b: (-depths[b], b)):
        rects = list(members.get(bid, []))
        rects += [(f.x, f.y, f.x + f.w, f.y + f.h) for cid, f in frames.items() if parents.get(cid) == bid]
        if not rects:
            continue
        x0, y0 = min(r[0] for r in rects) - 2, min(r[1] for r in rects) - 2
        x1, y1 = max(r[2] for r in rects) + 2, max(r[3] for r in rects) + 1
        frames[bid] = Frame(bid, _clip(f"{titles[bid]} · {zones[bid]}", 40), zones[bid], depths[bid], x0, y0, x1 - x0, y1 - y0)
    d.frames = sorted(frames.values(), key=lambda f: (f.depth, f.id))


def _rasterise(d: Diagram, risk: dict[str, str]) -> None:
    xs = [0] + [b.x + b.w for b in d.boxes] + [f.x + f.w for f in d.frames] + [x for e in d.edges for x, _ in e.cells]
    ys = [0] + [b.y + b.h for b in d.boxes] + [f.y + f.h for f in d.frames] + [y for e in d.edges for _, y in e.cells]
    minx = min([0] + [b.x for b in d.boxes] + [f.x for f in d.frames] + [x for e in d.edges for x, _ in e.cells])
    miny = min([0] + [b.y for b in d.boxes] + [f.y for f in d.frames] + [y for e in d.edges for _, y in e.cells])
    dx, dy = (1 - minx if minx < 1 else 0), (1 - miny if miny < 1 else 0)
    if dx or dy:
        for b in d.boxes:
            b.x, b.y = b.x + dx, b.y + dy
        for f in d.frames:
            f.x, f.y = f.x + dx, f.y + dy
        for e in d.edges:
            e.cells = [(x + dx, y + dy) for x, y in e.cells]
            if e.label_at:
                e.label_at = (e.label_at[0] + dx, e.label_at[1] + dy)
    d.width, d.height = max(xs) + dx + 2, max(ys) + dy + 2
    grid = [[(" ", "", "") for _ in range(d.width)] for _ in range(d.height)]

    def put(x: int, y: int, ch: str, style: str, owner: str = "") -> None:
        if 0 <= y < d.height and 0 <= x < d.width:
            grid[y][x] = (ch, style, owner)

    for f in d.frames:
        st = f"{FRAME}:{f.zone}"
        for x in range(f.x + 1, f.x + f.w - 1):
            put(x, f.y, "╌", st, f.id)
            put(x, f.y + f.h - 1, "╌", st, f.id)
        for y in range(f.y + 1, f.y + f.h - 1):
            put(f.x, y, "┆", st, f.id)
            put(f.x + f.w - 1, y, "┆", st, f.id)
        for (x, y), ch in (((f.x, f.y), "┌"), ((f.x + f.w - 1, f.y), "┐"), ((f.x, f.y + f.h - 1), "└"), ((f.x + f.w - 1, f.y + f.h - 1), "┘")):
            put(x, y, ch, st, f.id)
        for i, ch in enumerate(f" {f.label} "):
            if f.x + 2 + i < f.x + f.w - 2:
                put(f.x + 2 + i, f.y, ch, f"{LABEL}:{f.zone}", f.id)

    by_id = {b.id: b for b in d.boxes}
    dirs: dict[tuple[int, int], set[str]] = {}
    arrows: dict[tuple[int, int], str] = {}
    for e in d.edges:
        src, dst = by_id[e.source], by_id[e.target]
        cells = [c for c in e.cells if not src.contains(*c) and not dst.contains(*c)]
        # drop the cells dot leaves inside the boxes, and walk the end up to the target's border
        if cells:
            (px, py) = cells[-2] if len(cells) > 1 else cells[-1]
            lx, ly = cells[-1]
            step = (lx - px, ly - py) if (lx, ly) != (px, py) else _towards(cells[-1], dst)
            for _ in range(40):
                nxt = (cells[-1][0] + step[0], cells[-1][1] + step[1])
                if dst.contains(*nxt):
                    break
                if not (dst.x - 1 <= nxt[0] <= dst.x + dst.w and dst.y - 1 <= nxt[1] <= dst.y + dst.h):
                    step = _towards(cells[-1], dst)
                    nxt = (cells[-1][0] + step[0], cells[-1][1] + step[1])
                    if dst.contains(*nxt):
                        break
                cells.append(nxt)
        _enter_through_side(cells, dst)
        e.cells = cells
        for i, c in enumerate(cells):
            around = set()
            for j in (i - 1, i + 1):
                if 0 <= j < len(cells):
                    delta = (cells[j][0] - c[0], cells[j][1] - c[1])
                    if delta in _DIRS:
                        around.add(_DIRS[delta])
            dirs.setdefault(c, set()).update(around)
        if len(cells) >= 2:
            last, prev = cells[-1], cells[-2]
            arrows[last] = _ARROW.get(_DIRS.get((last[0] - prev[0], last[1] - prev[1]), "R"), "▶")
        elif cells:
            arrows[cells[-1]] = _ARROW[_DIRS.get(_towards(cells[-1], dst), "R")]
    for (x, y), ds in dirs.items():
        put(x, y, _LINE.get(frozenset(ds), "·"), EDGE)
    for (x, y), ch in arrows.items():
        put(x, y, ch, ARROW)
    for e in d.edges:
        if e.label_at:
            x, y = e.label_at
            level = risk.get(e.id)
            text = (RISK_MARK if level else "") + _clip(e.id, 18)
            if all(0 <= x + i < d.width and 0 <= y < d.height
                   and (grid[y][x + i][1] in ("", EDGE) or grid[y][x + i][1].startswith(FRAME)) for i in range(len(text))):
                for i, ch in enumerate(text):
                    put(x + i, y, ch, f"{RISK}:{level}" if level and i == 0 else LABEL, e.id)
    for b in d.boxes:
        st = f"{BOX}:{b.kind}"
        corners, hline, vline = _BOX_CHARS.get(b.kind, _BOX_CHARS["process"])
        for x in range(b.x + 1, b.x + b.w - 1):
            put(x, b.y, hline, st, b.id)
            put(x, b.y + b.h - 1, hline, st, b.id)
        for y in range(b.y + 1, b.y + b.h - 1):
            put(b.x, y, vline, st, b.id)
            put(b.x + b.w - 1, y, vline, st, b.id)
            for x in range(b.x + 1, b.x + b.w - 1):
                put(x, y, " ", st, b.id)
        put(b.x, b.y, corners[0], st, b.id)
        put(b.x + b.w - 1, b.y, corners[1], st, b.id)
        put(b.x, b.y + b.h - 1, corners[2], st, b.id)
        put(b.x + b.w - 1, b.y + b.h - 1, corners[3], st, b.id)
        for i, ch in enumerate(b.title):
            put(b.x + 2 + i, b.y + 1, ch, f"{TITLE}:{b.kind}", b.id)
        for i, ch in enumerate(b.sub):
            put(b.x + 2 + i, b.y + 2, ch, SUB, b.id)
        level = risk.get(b.id)
        tag = f" {RISK_MARK}{level} " if level else ""
        if tag and len(tag) <= b.w - 4:
            for i, ch in enumerate(tag):
                put(b.x + 2 + i, b.y + b.h - 1, ch, f"{RISK}:{level}", b.id)
    d.grid = grid


def _enter_through_side(cells: list[tuple[int, int]], box: Box) -> None:
    """An arrow arriving from the side on a box's top or bottom border row looks like it hits a
    corner: bend the last steps so it enters at a middle row."""
    if len(cells) < 3:
        return
    x, y = cells[-1]
    if y not in (box.y, box.y + box.h - 1) or x not in (box.x - 1, box.x + box.w):
        return
    side = -1 if x == box.x - 1 else 1
    row = box.y + 1 if y == box.y else box.y + box.h - 2
    cells.pop()
    _step_to(cells, (x + side, y))
    _step_to(cells, (x + side, row))
    cells.append((x, row))


def _towards(cell: tuple[int, int], box: Box) -> tuple[int, int]:
    cx, cy = box.center
    dx, dy = cx - cell[0], cy - cell[1]
    if abs(dx) / 2 >= abs(dy):
        return (1 if dx > 0 else -1, 0)
    return (0, 1 if dy > 0 else -1)
