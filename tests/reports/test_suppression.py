"""Small-number suppression: the rule alone, on the values that decide it."""

from app.reports.suppression import (
    FEWER_THAN,
    WITHHELD,
    Cell,
    cell,
    group_cells,
    nested_cells,
    protect,
    total_cell,
)


def test_protect_hides_one_to_four_and_keeps_zero_and_five() -> None:
    shown = {n: protect(n).shown for n in (0, 1, 2, 3, 4, 5, 12)}

    assert shown == {0: 0, 1: FEWER_THAN, 2: FEWER_THAN, 3: FEWER_THAN, 4: FEWER_THAN, 5: 5, 12: 12}


def test_cell_for_the_coordinator_is_exact() -> None:
    assert cell(3, board=False).shown == 3
    assert cell(3, board=True).shown == "fewer than 5"


def test_group_with_one_small_cell_withholds_the_next_smallest() -> None:
    cells = group_cells({"Bacup": 3, "Burnley": 9, "Nelson": 7, "Darwen": 0}, board=True)

    assert {k: c.shown for k, c in cells.items()} == {
        "Bacup": FEWER_THAN,
        "Burnley": 9,
        "Nelson": WITHHELD,
        "Darwen": 0,
    }


def test_group_with_two_small_cells_withholds_nothing_more() -> None:
    cells = group_cells({"a": 1, "b": 2, "c": 30}, board=True)

    assert [c.shown for c in cells.values()] == [FEWER_THAN, FEWER_THAN, 30]


def test_total_of_a_lone_small_cell_is_itself_hidden() -> None:
    counts = {"Bacup": 2, "Burnley": 0}

    assert [c.shown for c in group_cells(counts, board=True).values()] == [FEWER_THAN, 0]
    assert total_cell(counts, board=True).shown == FEWER_THAN
    assert total_cell({"x": 0}, board=True).shown == 0


def test_children_of_a_hidden_parent_are_hidden_so_their_sum_cannot_recover_it() -> None:
    towns = group_cells({"Bacup": 3, "Nelson": 12, "Burnley": 40}, board=True)
    venues = nested_cells(
        {("Nelson", "Library"): 12, ("Nelson", "Mosque"): 0, ("Burnley", "JCP"): 40},
        parents=towns,
        board=True,
    )

    assert towns["Nelson"].shown == WITHHELD
    assert venues[("Nelson", "Library")].shown == WITHHELD
    assert venues[("Nelson", "Mosque")].shown == 0
    assert venues[("Burnley", "JCP")].shown == 40


def test_chart_draws_no_bar_for_a_hidden_cell() -> None:
    assert Cell(3, small=True).chartable is None
    assert Cell(7).chartable == 7.0
