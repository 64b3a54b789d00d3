"""Campaigns over JSON; their fields are declared in ``app.campaigns.schemas``."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from app.accounts.deps import Planner, PlannerOrStaff
from app.api_common import ChangeRevision, Page, PageParams, PathId, ProblemRoute, ReadRevision, problems
from app.campaigns import service
from app.campaigns.schemas import CampaignCreate, CampaignPublic, CampaignUpdate
from app.db import SessionDep

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"], route_class=ProblemRoute)


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
    return Page(items=[CampaignPublic.model_validate(r) for r in rows], total=total, **page.model_dump())


@router.post("", response_model=CampaignPublic, status_code=201)
def create_campaign(session: SessionDep, principal: Planner, body: CampaignCreate) -> CampaignPublic:
    return CampaignPublic.model_validate(
        service.create_campaign(session=session, actor=principal.actor, data=body.model_dump())
    )


@router.get("/{campaign_id}", response_model=CampaignPublic)
def read_campaign(
    session: SessionDep, _user: PlannerOrStaff, campaign_id: PathId, revision: ReadRevision
) -> CampaignPublic:
    campaign = service.get_campaign(session=session, campaign_id=campaign_id)
    return CampaignPublic.model_validate(revision.tag(campaign))


@router.patch("/{campaign_id}", response_model=CampaignPublic, responses=problems(412))
def update_campaign(
    session: SessionDep,
    principal: Planner,
    campaign_id: PathId,
    body: CampaignUpdate,
    revision: ChangeRevision,
) -> CampaignPublic:
    campaign = service.update_campaign(
        session=session,
        actor=principal.actor,
        campaign_id=campaign_id,
        changes=body.changes(),
        expected=revision.expected,
    )
    return CampaignPublic.model_validate(revision.tag(campaign))
