"""Matching: ranked suggestions for one event, and automatic staffing of many (planners only).

Both show network membership in their reasons, so only coordinators and administrators may
call them.
"""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.accounts.deps import Planner
from app.api_common import PathId, ProblemRoute, RefId, Strict, problems
from app.clock import LondonDateTime
from app.db import SessionDep
from app.staffing import service

router = APIRouter(prefix="/api/v1", tags=["staffing"], route_class=ProblemRoute)


class SuggestionOut(BaseModel):
    rank: int
    person_id: int
    name: str
    score: float
    roles: list[str]
    covers: list[str]
    distance_km: float | None
    last_30_days: int
    next_30_days: int
    this_month: int
    monthly_limit: int
    venue_visits: int
    reasons: list[str]


class UnbookableOut(BaseModel):
    person_id: int
    name: str
    codes: list[str]
    reasons: list[str]


class SuggestionsOut(BaseModel):
    event_id: int
    title: str
    starts_at: LondonDateTime
    ends_at: LondonDateTime
    venue_name: str
    staffing: list[str]
    candidates: list[SuggestionOut]
    unbookable: list[UnbookableOut]


# 409: the event is cancelled, completed or already started.
@router.get("/events/{event_id}/suggestions", response_model=SuggestionsOut, responses=problems(409))
def event_suggestions(
    session: SessionDep,
    _principal: Planner,
    event_id: PathId,
    limit: Annotated[int | None, Query(ge=1, le=1000, description="At most this many candidates")] = None,
) -> SuggestionsOut:
    """Who could take a place on the event, best first with reasons; who cannot, and why."""
    found = service.suggestions_for_event(session=session, event_id=event_id, limit=limit)
    return SuggestionsOut.model_validate(found, from_attributes=True)


class PlanIn(Strict):
    campaign_id: RefId | None = Field(default=None, description="Plan this campaign's open events")
    start: LondonDateTime | None = Field(default=None, description="Plan events starting from here…")
    end: LondonDateTime | None = Field(default=None, description="…until here (at most 184 days later)")
    seed: Annotated[int, Field(ge=0, le=2_147_483_647)] = 0
    time_limit_seconds: Annotated[float | None, Field(gt=0, le=120)] = Field(
        default=None,
        description="The solver's time limit (default: the MUSTER_SOLVER_TIME_LIMIT_SECONDS setting)",
    )
    dry_run: bool = Field(default=False, description="Report the plan without writing it")
    reproducible: bool = Field(
        default=False,
        description=(
            "Solve with one worker, so that the same input and seed give the same plan whenever "
            "every solve ends by proof or by its work budget (large plans may come out less good "
            "in the time limit); by default large models use every worker"
        ),
    )


class ObjectiveOut(BaseModel):
    name: str
    words: str
    value: int
    bound: int
    proven: bool
    gap: float


class UnmetOut(BaseModel):
    event_id: int
    title: str
    starts_at: LondonDateTime
    needs: list[str]


class LoadOut(BaseModel):
    person_id: int
    name: str
    before: int
    proposed: int
    after: int
    monthly_limit: int


class ProposedOut(BaseModel):
    assignment_id: int | None
    event_id: int
    event_title: str
    starts_at: LondonDateTime
    person_id: int
    person_name: str
    role: str
    travel_km: int


class BaselineOut(BaseModel):
    places_filled: int
    priority_unmet: int
    fairness: int
    worst_gap: int
    worst_network_gap: int
    travel_km: int


class PlanOut(BaseModel):
    scope: str
    campaign_id: int | None
    start: LondonDateTime | None
    end: LondonDateTime | None
    written: bool
    events: int
    people: int
    places_needed: int
    places_filled: int
    priority_needed: int
    priority_unmet: int
    proposed: int
    status: str
    gap: float
    objective: list[ObjectiveOut]
    fairness: int
    worst_gap: int
    worst_network_gap: int
    network_gaps: dict[str, int]
    travel_km: int
    seconds: float
    time_limit: float
    seed: int
    components: int
    periods: list[str]
    variables: int
    pairs_considered: int
    pairs_total: int
    unmet: list[UnmetOut]
    loads: list[LoadOut]
    assignments: list[ProposedOut]
    greedy: BaselineOut
    notes: list[str]


@router.post("/staffing/plan", response_model=PlanOut)
def staffing_plan(session: SessionDep, principal: Planner, body: PlanIn) -> PlanOut:
    """Propose a fair staffing of a campaign's or a date range's open events.

    Proposals are written as `proposed` assignments for coordinators to review; nothing is
    confirmed automatically, and confirmed assignments are kept as they are.
    """
    report = service.plan(
        session=session,
        actor=principal.actor,
        campaign_id=body.campaign_id,
        start=body.start,
        end=body.end,
        seed=body.seed,
        time_limit=body.time_limit_seconds,
        dry_run=body.dry_run,
        reproducible=body.reproducible,
    )
    return PlanOut.model_validate(report, from_attributes=True)
