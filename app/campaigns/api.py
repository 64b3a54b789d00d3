from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from app import records
from app.accounts.deps import Planner, PlannerOrStaff
from app.api_common import (
    LongText,
    MediumText,
    Name,
    Page,
    PageParams,
    Patch,
    PathId,
    ProblemRoute,
    ShortText,
    Strict,
    problems,
)
from app.campaigns import service
from app.db import SessionDep

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"], route_class=ProblemRoute)


class Target(Strict):
    label: ShortText
    target: Annotated[int, Field(ge=0, le=1_000_000)]
    baseline: Annotated[int, Field(ge=0, le=1_000_000)] | None = None


class CampaignCreate(Strict):
    name: Name
    description: LongText = ""
    roles_recruited: Annotated[list[ShortText], Field(max_length=20)] = []
    target_groups: Annotated[list[ShortText], Field(max_length=20)] = []
    starts_on: date
    ends_on: date
    targets_text: MediumText = ""
    targets: Annotated[list[Target], Field(max_length=20)] = []


class CampaignUpdate(Patch):
    name: Name | None = None
    description: LongText | None = None
    roles_recruited: Annotated[list[ShortText], Field(max_length=20)] | None = None
    target_groups: Annotated[list[ShortText], Field(max_length=20)] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    targets_text: MediumText | None = None
    targets: Annotated[list[Target], Field(max_length=20)] | None = None


class CampaignPublic(BaseModel):
    id: int
    name: str
    description: str
    roles_recruited: list[str]
    target_groups: list[str]
    starts_on: date
    ends_on: date
    targets_text: str
    targets: list[dict[str, object]]
    revision: int


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
