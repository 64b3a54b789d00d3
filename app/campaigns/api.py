"""Campaigns over JSON; their fields are declared in ``app.campaigns.schemas``."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app import records
from app.accounts.deps import Planner, PlannerOrStaff
from app.api_common import Page, PageParams, PathId, ProblemRoute, problems
from app.campaigns import service
from app.campaigns.schemas import CampaignCreate, CampaignPublic, CampaignUpdate
from app.db import SessionDep

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"], route_class=ProblemRoute)


def _out(campaign: object) -> CampaignPublic:
    return CampaignPublic.model_validate(campaign, from_attributes=True)


@router.get("", response_model=Page[CampaignPublic])
def list_campaigns(
    session: SessionDep,
    _user: PlannerOrStaff,
    page: PageParams,
    active_on: Annotated[date | None, Query(description="Only campaigns running on this date")] = None,
) -> Page[CampaignPublic]:
    rows, total = service.list_campaigns(
        session=session, limit=page.limit, offset=page.offset, active_on=active_on
    )
    return Page(items=[_out(r) for r in rows], total=total, **page.model_dump())


@router.post("", response_model=CampaignPublic, status_code=201)
def create_campaign(session: SessionDep, principal: Planner, body: CampaignCreate) -> CampaignPublic:
    return _out(service.create_campaign(session=session, actor=principal.actor, data=body.model_dump()))


@router.get("/{campaign_id}", response_model=CampaignPublic)
def read_campaign(
    session: SessionDep, _user: PlannerOrStaff, campaign_id: PathId, response: Response
) -> CampaignPublic:
    campaign = service.get_campaign(session=session, campaign_id=campaign_id)
    response.headers["ETag"] = records.etag(campaign.revision)
    return _out(campaign)


@router.patch("/{campaign_id}", response_model=CampaignPublic, responses=problems(412))
def update_campaign(
    session: SessionDep,
    principal: Planner,
    campaign_id: PathId,
    body: CampaignUpdate,
    response: Response,
    if_match: records.IfMatch = None,
) -> CampaignPublic:
    campaign = service.update_campaign(
        session=session,
        actor=principal.actor,
        campaign_id=campaign_id,
        changes=body.changes(),
        expected=records.expected_revisions(if_match),
    )
    response.headers["ETag"] = records.etag(campaign.revision)
    return _out(campaign)
