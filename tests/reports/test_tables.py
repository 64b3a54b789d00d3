"""The report's tables built from aggregate rows: what the board sees in each cell."""

from markupsafe import Markup

from app.reports.queries import NetworkHours
from app.reports.report import hours_table


def _no_chart(rows: list[tuple[str, float]], title: str) -> Markup:
    return Markup(f"<svg>{len(rows)} bars</svg>")


def test_hours_table_withholds_a_second_network_beside_a_lone_small_one() -> None:
    networks = [
        NetworkHours(1, "Black Police Association", 2, 10.0),
        NetworkHours(2, "Muslim Police Association", 6, 30.0),
        NetworkHours(3, "Women's Network", 9, 50.0),
    ]

    table = hours_table(networks, (15, 80.0), board=True, chart=_no_chart)

    assert [(r.label, [c.text for c in r.cells]) for r in table.rows] == [
        ("Black Police Association", ["fewer than 5", "withheld"]),
        ("Muslim Police Association", ["withheld", "withheld"]),
        ("Women's Network", ["9", "50.0"]),
    ]
    assert table.total is not None and [c.text for c in table.total.cells] == ["15", "80.0"]
    assert table.chart == Markup("<svg>1 bars</svg>")  # only the shown network is drawn


def test_hours_table_for_the_coordinator_is_exact() -> None:
    table = hours_table(
        [NetworkHours(1, "Black Police Association", 2, 10.0)], (2, 10.0), board=False, chart=_no_chart
    )

    assert [c.text for c in table.rows[0].cells] == ["2", "10.0"]
