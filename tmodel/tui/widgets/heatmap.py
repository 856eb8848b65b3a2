"""The 5x5 risk heat map: likelihood up, impact across, each cell coloured by the risk matrix."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tmodel.analysis.risk import IMPACT_NAMES, LIKELIHOOD_NAMES, MATRIX
from tmodel.tui.widgets.common import LEVEL_STYLE

CELL = 7


def heatmap_text(grid: list[list[int]]) -> Text:
    """``grid[likelihood-1][impact-1]`` counts of unresolved threats."""
    out = Text()
    out.append("Unresolved threats by likelihood x impact (inherent)\n", style="bold")
    for lk in range(5, 0, -1):
        out.append(f"{LIKELIHOOD_NAMES[lk][:14]:>14} {lk} ", style="dim")
        for im in range(1, 6):
            n = grid[lk - 1][im - 1]
            style = LEVEL_STYLE[MATRIX[lk - 1][im - 1].value]
            label = str(n) if n else "·"
            out.append(f"{label:^{CELL}}", style=style + ("" if n else " dim"))
        out.append("\n")
    out.append(" " * 17)
    for im in range(1, 6):
        out.append(f"{im:^{CELL}}", style="dim")
    out.append("\n" + " " * 17)
    for im in range(1, 6):
        name = IMPACT_NAMES[im]
        out.append(f"{name if len(name) < CELL else name[:CELL - 2] + '.':^{CELL}}", style="dim")
    out.append("\n" + " " * 17 + "impact →", style="dim")
    return out


class HeatMap(Static):
    def show(self, grid: list[list[int]]) -> None:
        self.update(heatmap_text(grid))
