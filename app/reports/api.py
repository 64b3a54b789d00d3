"""The campaign report and "where to go next" over JSON, for coordinators and administrators.

The API's report is the board version unless ``for=coordinator`` is asked: what a program
fetches may end up anywhere, so small numbers are protected unless the caller says it is
for their own eyes.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app.accounts.deps import Planner
from app.api_common import IdQuery, PathId, ProblemRoute, problems
from app.clock import utcnow
from app.config import get_settings
from app.db import SessionDep
from app.reports import service
from app.reports.schemas import CampaignReportPublic, TownChoicePublic, report_public, town_public
from app.reports.where_next import where_next

router = APIRouter(prefix="/api/v1", tags=["reports"], route_class=ProblemRoute)

ForQuery = Annotated[
    Literal["board", "coordinator"],
    Query(
        alias="for",
        description="board (default): counts of 1 to 4 people shown as 'fewer than 5'; "
        "coordinator: exact figures, for your own screen",
    ),
]


@router.get("/campaigns/{campaign_id}/report", response_model=CampaignReportPublic)
def campaign_report(
    session: SessionDep, _user: Planner, campaign_id: PathId, audience: ForQuery = "board"
) -> CampaignReportPublic:
    report = service.campaign_report(
        session=session,
        campaign_id=campaign_id,
        board=audience == "board",
        now=utcnow(),
        force_name=get_settings().force_name,
    )
    return report_public(report)


@router.get(
    "/where-next",
    response_model=list[TownChoicePublic],
    responses=problems(404),  # the campaign asked for does not exist
)
def towns_to_visit(
    session: SessionDep, _user: Planner, campaign_id: IdQuery = None
) -> list[TownChoicePublic]:
    """Towns ranked by the workforce's shortfall against the community and by past interest
    per ambassador-hour; ``campaign_id`` only fills the booking links' campaign."""
    return [town_public(c) for c in where_next(session=session, campaign_id=campaign_id)]
