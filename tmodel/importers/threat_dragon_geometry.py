"""Where Threat Dragon cells are on the canvas, for ``tmodel import threat-dragon``: a cell's box,
its centre and area, whether a point is inside a box and how far from it, a flow's end points and
bend points, and whether two polylines cross (a trust boundary curve crossing a flow)."""

from __future__ import annotations

import itertools
import math
from typing import Any

Rect = tuple[float, float, float, float]  # x, y, width, height


MAX_COORDINATE = 1e12  # far beyond any canvas; a larger number is noise (and 10**400 overflows a float)
MAX_VERTICES = 1000  # bend points per edge: crossing tests are quadratic in them


def is_number(v: Any) -> bool:
    """A finite int or float (not a bool) within ``MAX_COORDINATE``."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    if isinstance(v, int):
        return -MAX_COORDINATE <= v <= MAX_COORDINATE
    return math.isfinite(v) and abs(v) <= MAX_COORDINATE


def rect(cell: dict) -> Rect | None:
    """The cell's box from its position and size; None when either is missing or not numbers."""
    pos, size = cell.get("position"), cell.get("size")
    if isinstance(pos, dict) and isinstance(size, dict) and all(is_number(v) for v in (pos.get("x"), pos.get("y"),
                                                                                      size.get("width"), size.get("height"))):
        return (float(pos["x"]), float(pos["y"]), float(size["width"]), float(size["height"]))
    return None


def center(r: Rect) -> tuple[float, float]:
    return (r[0] + r[2] / 2, r[1] + r[3] / 2)


def area(r: Rect) -> float:
    return r[2] * r[3]


def inside(p: tuple[float, float], r: Rect) -> bool:
    return r[0] <= p[0] <= r[0] + r[2] and r[1] <= p[1] <= r[1] + r[3]


def distance(p: tuple[float, float], r: Rect) -> float:
    """How far a point is from a box (0 inside it)."""
    dx = max(r[0] - p[0], 0.0, p[0] - (r[0] + r[2]))
    dy = max(r[1] - p[1], 0.0, p[1] - (r[1] + r[3]))
    return math.hypot(dx, dy)


def end_point(e: Any, node: dict | None) -> tuple[float, float] | None:
    """Where a flow end is: its own x/y when it has them, else the centre of the node it is attached to."""
    if isinstance(e, dict) and is_number(e.get("x")) and is_number(e.get("y")):
        return (float(e["x"]), float(e["y"]))
    if node and node.get("rect"):
        return center(node["rect"])
    return None


def vertices(cell: dict) -> list[tuple[float, float]]:
    """The bend points of an edge (ignoring malformed ones)."""
    v = cell.get("vertices")
    return [(float(p["x"]), float(p["y"])) for p in (v if isinstance(v, list) else [])[:MAX_VERTICES]
            if isinstance(p, dict) and is_number(p.get("x")) and is_number(p.get("y"))]


def crosses(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> bool:
    """Whether two polylines cross (touching at an end does not count)."""
    def orient(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> int:
        v = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
        return (v > 0) - (v < 0)

    for p1, p2 in itertools.pairwise(a):
        for q1, q2 in itertools.pairwise(b):
            if orient(p1, p2, q1) * orient(p1, p2, q2) < 0 and orient(q1, q2, p1) * orient(q1, q2, p2) < 0:
                return True
    return False
