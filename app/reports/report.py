"""A campaign's board report as plain data: tables of cells, each with its chart, built from the
aggregate rows ``service.py`` loads. The page, the PDF, the CSV and the API read only these.

Pure: no FastAPI, no session. Every count of people goes through ``suppression``: exact for
the coordinator's screen, protected for the board (``board=True``).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from markupsafe import Markup

from app.enums import label
from app.reports import suppression
from app.reports.queries import NetworkHours, VenueFigures
from app.reports.suppression import Cell

# Bars without a unit word: a chart's title names what is counted, and long words get clipped.
Chart = Callable[[list[tuple[str, float]], str], Markup]
NO_VENUE = "Not at a venue"


# WeasyPrint does not apply the page's stylesheet inside an inline SVG, so a printed chart
# carries its own: the screen's look (app/static/muster.css) in black, grey and navy.
PRINT_CHART_STYLE = (
    "<style>"
    "text{font-family:'DejaVu Sans',sans-serif;font-size:13px;fill:#111}"
    ".chart__tick,.chart__note{fill:#444;font-size:12px}"
    ".chart__grid{stroke:#ccc;stroke-width:1}"
    ".chart__axis{stroke:#111;stroke-width:1}"
    ".chart__today{stroke:#666;stroke-width:1;stroke-dasharray:2 3}"
    ".chart__trajectory{stroke:#666;stroke-width:2;stroke-dasharray:6 4;fill:none}"
    ".chart__recorded{stroke:#1d2b4f;stroke-width:3;fill:none}"
    ".chart__point,.chart__baseline{fill:#1d2b4f;stroke:#fff;stroke-width:1.5}"
    ".chart__target{fill:none;stroke:#111;stroke-width:2}"
    ".chart__bar{fill:#1d2b4f}"
    "</style>"
)


def for_print(svg: Markup) -> Markup:
    """The chart with its print style inside its own ``<svg>`` element."""
    opening, close, rest = str(svg).partition(">")
    return Markup(opening + close + PRINT_CHART_STYLE + rest)


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]
    group: str = ""  # the town of a venue row, in a table grouped by town

    @property
    def values(self) -> list[int | float | str]:
        """What each cell shows: its number, or the words that replace a hidden one."""
        return [c.shown for c in self.cells]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    label_heading: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    total: Row | None = None
    group_heading: str = ""
    chart: Markup | None = None
    note: str = ""

    @property
    def all_rows(self) -> tuple[Row, ...]:
        """The rows and then the total, if there is one."""
        return (*self.rows, self.total) if self.total else self.rows

    @property
    def cells(self) -> list[Cell]:
        return [c for r in self.all_rows for c in r.cells]


@dataclass(frozen=True)
class TargetLine:
    """One target as the board reads it: where it started, where it is, where it must get to."""

    measure: str
    unit: str
    baseline: str
    latest: str
    target: str
    expected_now: str
    sentence: str
    on_track: bool | None
    chart: Markup | None = None


@dataclass(frozen=True)
class Headline:
    label: str
    cell: Cell


@dataclass(frozen=True)
class CampaignReport:
    campaign_id: int
    campaign: str
    starts_on: date
    ends_on: date
    board: bool
    generated_at: datetime
    force_name: str
    headlines: tuple[Headline, ...]
    targets: tuple[TargetLine, ...]
    tables: tuple[Table, ...] = field(default=())

    @property
    def withheld_any(self) -> bool:
        return any(c.withheld for t in self.tables for c in t.cells)


def _sum_by(
    figures: Sequence[VenueFigures], key: Callable[[VenueFigures], str], value: Callable[[VenueFigures], int]
) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in figures:
        out[key(f)] = out.get(key(f), 0) + value(f)
    return out


def _town(f: VenueFigures) -> str:
    return f.town or "No town recorded"


def _bars(rows: Sequence[Row], column: int = 0) -> list[tuple[str, float]]:
    """The bars a chart may draw: a hidden cell gets none, so the chart never shows more than the table."""
    bars = []
    for row in rows:
        value = row.cells[column].chartable
        if value is not None:
            bars.append((row.label, value))
    return bars


def events_tables(figures: Sequence[VenueFigures], *, chart: Chart) -> list[Table]:
    """Events held by venue kind and by town: events, not people, so never suppressed."""
    by_kind = _sum_by(figures, lambda f: label(f.kind), lambda f: f.events_held)
    by_town = _sum_by(figures, _town, lambda f: f.events_held)
    with_outcome = _sum_by(figures, _town, lambda f: f.with_outcome)
    total = sum(by_kind.values())
    kind_rows = tuple(Row(k, (suppression.exact(n),)) for k, n in sorted(by_kind.items()))
    town_rows = tuple(
        Row(t, (suppression.exact(n), suppression.exact(with_outcome[t]))) for t, n in sorted(by_town.items())
    )
    outcomes = sum(with_outcome.values())
    return [
        Table(
            "events_by_kind",
            "Events held, by kind of venue",
            "Kind of venue",
            ("Events held",),
            kind_rows,
            Row("All venues", (suppression.exact(total),)),
            chart=chart(_bars(kind_rows), "Events held, by kind of venue"),
        ),
        Table(
            "events_by_town",
            "Events held, by town",
            "Town",
            ("Events held", "Outcome recorded"),
            town_rows,
            Row("All towns", (suppression.exact(total), suppression.exact(outcomes))),
            chart=chart(_bars(town_rows), "Events held, by town"),
        ),
    ]


def spoken_to_table(figures: Sequence[VenueFigures], *, board: bool, chart: Chart) -> Table:
    by_town = _sum_by(figures, _town, lambda f: f.people_spoken_to)
    cells = suppression.group_cells(by_town, board=board)
    rows = tuple(Row(t, (cells[t],)) for t in sorted(by_town))
    return Table(
        "people_spoken_to",
        "People spoken to, by town",
        "Town",
        ("People spoken to",),
        rows,
        Row("All towns", (suppression.total_cell(by_town, board=board),)),
        chart=chart(_bars(rows), "People spoken to, by town"),
        note="As the team counted them at each event whose outcome is recorded.",
    )


def interest_tables(
    figures: Sequence[VenueFigures],
    online_by_venue: Mapping[int | None, int],
    venue_places: Mapping[int, tuple[str, str]],
    *,
    board: bool,
    chart: Chart,
) -> list[Table]:
    """Expressions of interest (online plus paper forms) by town, and by venue within its town."""
    per_venue: dict[tuple[str, str], int] = {}
    for f in figures:
        key = (_town(f), f.name)
        per_venue[key] = per_venue.get(key, 0) + f.interest_on_paper + online_by_venue.get(f.venue_id, 0)
    seen = {f.venue_id for f in figures}
    for venue_id, n in online_by_venue.items():
        if venue_id is None:
            key = (NO_VENUE, "Online, without a venue")
        elif venue_id in seen:
            continue
        else:
            name, town = venue_places.get(venue_id, (f"Venue {venue_id}", ""))
            key = (town or "No town recorded", name)
        per_venue[key] = per_venue.get(key, 0) + n
    by_town: dict[str, int] = {}
    for (town, _), n in per_venue.items():
        by_town[town] = by_town.get(town, 0) + n
    town_cells = suppression.group_cells(by_town, board=board)
    venue_cells = suppression.nested_cells(per_venue, parents=town_cells, board=board)
    town_rows = tuple(Row(t, (town_cells[t],)) for t in sorted(by_town))
    venue_rows = tuple(Row(v, (venue_cells[(t, v)],), group=t) for (t, v) in sorted(per_venue))
    total = Row("All towns", (suppression.total_cell(by_town, board=board),))
    note = "Registered online from an event's page or poster, plus paper forms counted at the event."
    return [
        Table(
            "interest_by_town",
            "Expressions of interest, by town",
            "Town",
            ("Expressions of interest",),
            town_rows,
            total,
            chart=chart(_bars(town_rows), "Expressions of interest, by town"),
            note=note,
        ),
        Table(
            "interest_by_venue",
            "Expressions of interest, by venue",
            "Venue",
            ("Expressions of interest",),
            venue_rows,
            total,
            group_heading="Town",
            note=note,
        ),
    ]


def hours_table(
    networks: Sequence[NetworkHours], everyone: tuple[int, float], *, board: bool, chart: Chart
) -> Table:
    """Duty hours by staff network. A network's hours are withheld with its head count when
    fewer than 5 people gave them: a network and a few hours can name a person. The networks
    are protected as a group, so a lone hidden one cannot be had from everyone's hours minus
    the others' (when nobody is in two networks)."""
    heads = suppression.group_cells({n.network_id: n.people for n in networks}, board=board)
    rows = []
    for n in networks:
        people = heads[n.network_id]
        rows.append(Row(n.name, (people, Cell(n.hours, withheld=people.hidden))))
    people_all, hours_all = everyone
    total = Row("Everyone on duty", (suppression.cell(people_all, board=board), Cell(hours_all)))
    built = tuple(rows)
    return Table(
        "hours_by_network",
        "Ambassador hours, by staff network",
        "Network",
        ("People", "Hours on duty"),
        built,
        total,
        chart=chart(_bars(built, column=1), "Ambassador hours, by staff network"),
        note=(
            "Hours of duties done at events whose outcome is recorded (no-shows left out), for "
            "everyone on the team. A person in two networks counts in both, so the networks do "
            "not add up to everyone."
        ),
    )
