"""Colours shared by the exports, so a level looks the same in the register, the diagram and the record."""

from __future__ import annotations

from dataclasses import dataclass

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

# Trust zones are drawn in greys, teal and blue, never in a risk colour: a red frame would read
# as "high risk". Less trusted zones get dashed frames; the restricted segment a heavy one.
@dataclass(frozen=True)
class ZoneStyle:
    fill: str  # RRGGBB tint of the frame
    border: str  # RRGGBB
    style: str  # Graphviz cluster style
    penwidth: str
    meaning: str  # for the legend


ZONE_STYLE = {
    Zone.INTERNET.value: ZoneStyle("F5F5F5", "757575", "filled,dashed", "1.5", "anyone can connect"),
    Zone.PARTNER.value: ZoneStyle("EFEBE9", "6D4C41", "filled,dashed", "1.5", "a partner's network"),
    Zone.DMZ.value: ZoneStyle("E0F7FA", "00838F", "filled,rounded", "1.5", "the bank's perimeter"),
    Zone.INTERNAL.value: ZoneStyle("E3F2FD", "1565C0", "filled,rounded", "1.5", "the bank's internal network"),
    Zone.RESTRICTED.value: ZoneStyle("ECEFF1", "263238", "filled,bold", "2.5", "restricted: cards, keys, core"),
}
NO_ZONE = ZoneStyle("FFFFFF", "90A4AE", "rounded", "1", "")


def highest(levels: list[str]) -> str | None:
    """The highest of some level values, or None."""
    return max(levels, key=lambda lv: LEVEL_ORDER[Level(lv)]) if levels else None
