"""Colours shared by the exports, so a level looks the same in the register, the diagram and the record."""

from __future__ import annotations

from tmodel.model.enums import LEVEL_ORDER, Level, Zone

# strong colour (text, borders, edges) and light tint (fills), RRGGBB
LEVEL_COLOR = {
    Level.CRITICAL.value: ("7B1FA2", "E1BEE7"),
    Level.HIGH.value: ("C62828", "FFCDD2"),
    Level.MEDIUM.value: ("EF6C00", "FFE0B2"),
    Level.LOW.value: ("2E7D32", "C8E6C9"),
}
NO_RISK = ("455A64", "FFFFFF")  # nothing unresolved

STATUS_COLOR = {  # control and requirement statuses
    "met": ("2E7D32", "C8E6C9"),
    "partial": ("EF6C00", "FFE0B2"),
    "gap": ("C62828", "FFCDD2"),
    "needs_answer": ("1565C0", "BBDEFB"),
    "not_applicable": ("616161", "EEEEEE"),
}

ZONE_COLOR = {
    Zone.INTERNET.value: "C62828",
    Zone.PARTNER.value: "EF6C00",
    Zone.DMZ.value: "F9A825",
    Zone.INTERNAL.value: "1565C0",
    Zone.RESTRICTED.value: "6A1B9A",
}


def highest(levels: list[str]) -> str | None:
    """The highest of some level values, or None."""
    return max(levels, key=lambda lv: LEVEL_ORDER[Level(lv)]) if levels else None
