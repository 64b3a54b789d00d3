"""The report and "where to go next" over JSON, read from the plain data in ``report.py`` and
``where_next.py``. A hidden count is sent as the words that replace it, never as its value."""

from datetime import date, datetime

from pydantic import BaseModel

from app.api_common import Public
from app.reports.report import CampaignReport
from app.reports.where_next import TownChoice

Shown = int | float | str


class ReportRow(Public):
    label: str
    group: str = ""
    values: list[Shown]


class ReportTable(Public):
    key: str
    title: str
    label_heading: str
    group_heading: str
    columns: list[str]
    rows: list[ReportRow]
    total: ReportRow | None
    note: str


class ReportTarget(Public):
    measure: str
    unit: str
    baseline: str
    latest: str
    target: str
    expected_now: str
    on_track: bool | None
    sentence: str


class ReportHeadline(BaseModel):
    label: str
    value: Shown


class CampaignReportPublic(BaseModel):
    campaign_id: int
    campaign: str
    starts_on: date
    ends_on: date
    suppressed: bool
    generated_at: datetime
    headlines: list[ReportHeadline]
    targets: list[ReportTarget]
    tables: list[ReportTable]


class TownChoicePublic(Public):
    town: str
    rank: int
    gap_rank: int | None
    yield_rank: int | None
    gap_points: float | None
    gap_group: str
    community_percent: float | None
    workforce_percent: float | None
    online_interest: int
    paper_interest: int
    interest: int
    hours: float
    interest_per_hour: float | None
    venue_ids: list[int]
    book_href: str
    why: str


def report_public(report: CampaignReport) -> CampaignReportPublic:
    return CampaignReportPublic(
        campaign_id=report.campaign_id,
        campaign=report.campaign,
        starts_on=report.starts_on,
        ends_on=report.ends_on,
        suppressed=report.board,
        generated_at=report.generated_at,
        headlines=[ReportHeadline(label=h.label, value=h.cell.shown) for h in report.headlines],
        targets=[ReportTarget.model_validate(t) for t in report.targets],
        tables=[ReportTable.model_validate(t) for t in report.tables],
    )


def town_public(choice: TownChoice) -> TownChoicePublic:
    return TownChoicePublic.model_validate(choice)
