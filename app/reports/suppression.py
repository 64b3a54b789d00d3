"""Small-number suppression: the one place that decides how a count of people leaves Muster.

A count of 1 to 4 people in anything that leaves the coordinator's own screens (the PDF, the
CSV, the board version of the page, the API's board view) is shown as "fewer than 5", as
official statistics do: one person at one venue can be recognised. Zero stays 0 (nobody can be
recognised in nobody), and 5 or more is shown as it is.

A total beside its parts could give a hidden part away (total minus the others), so within
any group whose total is shown, a lone hidden cell takes the next smallest non-zero cell of
the group with it ("secondary suppression", marked differently because it is not small).
Groups nest (venues within their town, towns within the campaign): when a town is hidden,
its venues are hidden too, so adding them up cannot recover it.

Pure: no FastAPI, no session.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

THRESHOLD = 5
FEWER_THAN = f"fewer than {THRESHOLD}"
# Shown where a cell of 5 or more is hidden only so that a small one stays hidden.
WITHHELD = "withheld"
WITHHELD_NOTE = (
    f"“{WITHHELD}”: not a small number, hidden so that a “{FEWER_THAN}” figure "
    "cannot be worked out from the total"
)

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Cell:
    """A count and how it may be shown: exact on the coordinator's screens, protected on the board's."""

    value: int | float
    small: bool = False  # 1 to 4: hidden in its own right
    withheld: bool = False  # hidden to protect a small cell of its group

    @property
    def hidden(self) -> bool:
        return self.small or self.withheld

    @property
    def text(self) -> str:
        if self.small:
            return FEWER_THAN
        if self.withheld:
            return WITHHELD
        return f"{self.value:,.1f}" if isinstance(self.value, float) else f"{self.value:,}"

    @property
    def shown(self) -> int | float | str:
        """The cell as an export writes it: a number, or the words that replace it."""
        return self.text if self.hidden else self.value

    @property
    def chartable(self) -> float | None:
        """The bar a chart may draw, or None when drawing it would show the figure."""
        return None if self.hidden else float(self.value)


def is_small(count: int) -> bool:
    return 0 < count < THRESHOLD


def exact(count: int) -> Cell:
    """A count for the coordinator's own screen: never hidden."""
    return Cell(count)


def protect(count: int) -> Cell:
    """A count standing alone (no total beside it): hidden when 1 to 4."""
    return Cell(count, small=is_small(count))


def cell(count: int, *, board: bool) -> Cell:
    return protect(count) if board else exact(count)


def protect_group(counts: Mapping[K, int], *, hide_all: bool = False) -> dict[K, Cell]:
    """The cells of one group whose total is shown beside them.

    ``hide_all``: the group's own total is hidden (its parent suppressed it), so every
    non-zero part is withheld as well.
    """
    cells = {key: Cell(value, small=is_small(value)) for key, value in counts.items()}
    if hide_all:
        return {k: c if c.small or not c.value else Cell(c.value, withheld=True) for k, c in cells.items()}
    small = [k for k, c in cells.items() if c.small]
    if len(small) == 1:
        others = sorted((c.value, str(k), k) for k, c in cells.items() if c.value and not c.small)
        if others:
            key = others[0][2]
            cells[key] = Cell(cells[key].value, withheld=True)
    return cells


def group_cells(counts: Mapping[K, int], *, board: bool, hide_all: bool = False) -> dict[K, Cell]:
    """A group's cells, exact for the coordinator, protected for the board."""
    if not board:
        return {key: exact(value) for key, value in counts.items()}
    return protect_group(counts, hide_all=hide_all)


def total_cell(counts: Sequence[int] | Mapping[K, int], *, board: bool) -> Cell:
    """A group's total. A total of 1 to 4 is itself small and hidden."""
    values = counts.values() if isinstance(counts, Mapping) else counts
    return cell(sum(values), board=board)


def nested_cells(
    counts: Mapping[tuple[K, K], int], *, parents: Mapping[K, Cell], board: bool
) -> dict[tuple[K, K], Cell]:
    """Cells of (parent, child) counts, protected within each parent; the children of a
    hidden parent are all hidden, so their sum cannot recover it."""
    by_parent: dict[K, dict[tuple[K, K], int]] = {}
    for key, value in counts.items():
        by_parent.setdefault(key[0], {})[key] = value
    out: dict[tuple[K, K], Cell] = {}
    for parent, children in by_parent.items():
        parent_cell = parents.get(parent)
        hide = bool(parent_cell and parent_cell.hidden)
        out.update(group_cells(children, board=board, hide_all=hide))
    return out
