"""The campaign report and "where to go next": load the aggregate rows, build the plain data.

Every figure is a GROUP BY statement (``queries.py``, the interest and representation
services), so the statements a report costs do not grow with the data.
"""

from datetime import datetime

from markupsafe import Markup
from sqlmodel import Session

from app.campaigns import service as campaigns
from app.interest.service import interest_counts
from app.records import where_in
from app.reports import queries, suppression
from app.reports.report import (
    CampaignReport,
    Headline,
    TargetLine,
    events_tables,
    for_print,
    hours_table,
    interest_tables,
    spoken_to_table,
)
from app.reports.suppression import FEWER_THAN, is_small
from app.representation import charts
from app.representation.service import TargetProgress, campaign_progress, figure_words
from app.venues.models import Venue


def _bar_chart(rows: list[tuple[str, float]], title: str) -> Markup:
    return charts.bar_chart(rows, title=title, unit="")


def _printed_bar_chart(rows: list[tuple[str, float]], title: str) -> Markup:
    return for_print(_bar_chart(rows, title))


def _figure(value: float | None, unit: str, *, board: bool) -> str:
    if value is None:
        return "–"
    if board and unit == "count" and is_small(round(value)):
        return FEWER_THAN
    return figure_words(value, unit)


def _maybe_printed(svg: Markup, printed: bool) -> Markup:
    return for_print(svg) if printed else svg


def target_line(progress: TargetProgress, *, board: bool, printed: bool = False) -> TargetLine:
    """One target for the report. Targets are force-wide head counts (97 officers), so they
    are rarely small; when one is, the board sees "fewer than 5" and no chart to read it from."""
    target, latest = progress.target, progress.latest
    counts = [target.baseline_value, target.target_value] if target.unit == "count" else []
    if latest is not None:
        counts += [latest.value] if target.unit == "count" else []
        counts += [latest.numerator] if latest.numerator is not None else []
    hidden = board and any(is_small(round(v)) for v in counts)
    return TargetLine(
        measure=target.measure,
        unit=target.unit,
        baseline=_figure(target.baseline_value, target.unit, board=board),
        latest=_figure(latest.value if latest else None, target.unit, board=board),
        target=_figure(target.target_value, target.unit, board=board),
        expected_now=_figure(progress.expected_now, target.unit, board=board),
        sentence=(
            "Some of these figures are of fewer than 5 people, so they are not shown."
            if hidden
            else progress.sentence[:1].upper() + progress.sentence[1:] + "."
        ),
        on_track=progress.on_track,
        chart=None if hidden else _maybe_printed(charts.target_chart(progress), printed),
    )


def campaign_report(
    *,
    session: Session,
    campaign_id: int,
    board: bool,
    now: datetime,
    force_name: str,
    printed: bool = False,
) -> CampaignReport:
    """The campaign's board report: exact for the coordinator's screen, protected (``board``)
    for anything printed, exported or shared; ``printed`` styles the charts for the PDF."""
    campaign = campaigns.get_campaign(session=session, campaign_id=campaign_id)
    progress = campaign_progress(session, campaign_id=campaign_id)
    figures = queries.venue_figures(session=session, campaign_id=campaign_id, now=now)
    online = interest_counts(session, by="venue", campaign_id=campaign_id)
    venue_ids = {f.venue_id for f in figures}
    unseen = [k for k in online if isinstance(k, int) and k not in venue_ids]
    places = (
        {v.id: (v.name, v.town) for v in where_in(session, Venue, Venue.id, unseen) if v.id} if unseen else {}
    )
    online_by_venue = {k if isinstance(k, int) else None: n for k, n in online.items()}
    networks = queries.hours_by_network(session=session, campaign_id=campaign_id)
    everyone = queries.all_hours(session=session, campaign_id=campaign_id)

    chart = _printed_bar_chart if printed else _bar_chart
    tables = [
        *events_tables(figures, chart=chart),
        spoken_to_table(figures, board=board, chart=chart),
        *interest_tables(figures, online_by_venue, places, board=board, chart=chart),
        hours_table(networks, everyone, board=board, chart=chart),
    ]
    held = sum(f.events_held for f in figures)
    spoken = sum(f.people_spoken_to for f in figures)
    interest = sum(f.interest_on_paper for f in figures) + sum(online.values())
    headlines = (
        Headline("Events held", suppression.exact(held)),
        Headline("People spoken to", suppression.cell(spoken, board=board)),
        Headline("Expressions of interest", suppression.cell(interest, board=board)),
        Headline("Hours on duty", suppression.Cell(everyone[1])),
    )
    assert campaign.id is not None
    return CampaignReport(
        campaign_id=campaign.id,
        campaign=campaign.name,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        board=board,
        generated_at=now,
        force_name=force_name,
        headlines=headlines,
        targets=tuple(target_line(p, board=board, printed=printed) for p in progress),
        tables=tuple(tables),
    )
