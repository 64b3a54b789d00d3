"""Matching: ranked suggestions for one event, and automatic staffing of many (planners only).

Both show network membership in their reasons, so only coordinators and administrators may
call them. A plan that may take longer than a few seconds runs as a background job: watch
it, stop it, then apply all or some of its proposals.
"""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, model_validator

from app.accounts.deps import Planner
from app.api_common import PathId, ProblemRoute, Public, RefId, Strict, problems
from app.clock import LondonDateTime
from app.db import SessionDep
from app.staffing import applying, jobs, service, suggestions

router = APIRouter(prefix="/api/v1", tags=["staffing"], route_class=ProblemRoute)


class SuggestionOut(Public):
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


class UnbookableOut(Public):
    person_id: int
    name: str
    codes: list[str]
    reasons: list[str]


class SuggestionsOut(Public):
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
    found = suggestions.suggestions_for_event(session=session, event_id=event_id, limit=limit)
    return SuggestionsOut.model_validate(found)


MAX_LIMIT = 600  # seconds; MUSTER_SOLVER_TIME_LIMIT_SECONDS has the same ceiling


class PlanIn(Strict):
    campaign_id: RefId | None = Field(default=None, description="Plan this campaign's open events")
    start: LondonDateTime | None = Field(default=None, description="Plan events starting from here…")
    end: LondonDateTime | None = Field(default=None, description="…until here (at most 184 days later)")
    event_ids: Annotated[list[RefId], Field(min_length=1, max_length=service.MAX_PLAN_EVENTS)] | None = Field(
        default=None,
        description="Or plan exactly these events together (their open places; past, cancelled and "
        "completed events are left out)",
    )
    seed: Annotated[int, Field(ge=0, le=2_147_483_647)] = 0
    time_limit_seconds: Annotated[float | None, Field(gt=0, le=MAX_LIMIT)] = Field(
        default=None,
        description="The solver's time limit (default: the MUSTER_SOLVER_TIME_LIMIT_SECONDS setting, "
        "or, unset, a limit that grows with the plan's size: a few seconds for a handful of events, "
        "up to 120 s for a quarter)",
    )
    dry_run: bool = Field(
        default=False,
        description="Report the plan without writing it (a plan run as a job is always a preview)",
    )
    reproducible: bool = Field(
        default=False,
        description=(
            "Solve with one worker, so that the same input and seed give the same plan whenever "
            "every solve ends by proof or by its work budget (large plans may come out less good "
            "in the time limit); by default large models use every worker"
        ),
    )

    def request(self) -> jobs.PlanRequest:
        return jobs.PlanRequest(
            campaign_id=self.campaign_id,
            start=self.start,
            end=self.end,
            event_ids=tuple(self.event_ids) if self.event_ids is not None else None,
            seed=self.seed,
            time_limit=self.time_limit_seconds,
            reproducible=self.reproducible,
            dry_run=self.dry_run,
        )


class ObjectiveOut(Public):
    name: str
    words: str
    value: int
    bound: int
    proven: bool
    gap: float


class UnmetOut(Public):
    event_id: int
    title: str
    starts_at: LondonDateTime
    needs: list[str]


class LoadOut(Public):
    person_id: int
    name: str
    before: int
    proposed: int
    after: int
    monthly_limit: int


class ProposedOut(Public):
    assignment_id: int | None
    event_id: int
    event_title: str
    starts_at: LondonDateTime
    person_id: int
    person_name: str
    role: str
    travel_km: int
    reasons: list[str] = Field(description="Why this person, in the words the suggestions use")


class BaselineOut(Public):
    places_filled: int
    priority_unmet: int
    fairness: int
    worst_gap: int
    worst_network_gap: int
    travel_km: int


class PlanOut(Public):
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
    stopped: bool = Field(description="Stopped on request: the best plan found by then")


class FigureOut(Public):
    name: str
    words: str
    value: int = Field(description="The best plan so far")
    bound: int = Field(description="No plan can do better than this (as far as proven so far)")
    proven: bool


class StartedByOut(BaseModel):
    user_id: int | None
    name: str


class PlanJobOut(BaseModel):
    id: int
    url: str = Field(description="This job in the API")
    page: str = Field(description="This job on the planner's pages")
    status: str = Field(
        description="queued, running, done, failed, or stopped (asked to stop before it started)"
    )
    stop_requested: bool
    stopped: bool = Field(description="Done early on request, with the best plan found by then")
    scope: str
    started_by: StartedByOut
    created_at: LondonDateTime
    started_at: LondonDateTime | None
    finished_at: LondonDateTime | None
    phase: str | None = Field(description="starting, greedy, needs, places, fairness, travel, done")
    seconds: float | None = Field(description="The solver's seconds when it last reported")
    elapsed_seconds: float = Field(description="Since a worker took it, loading included")
    time_limit: float | None
    figures: list[FigureOut] = Field(description="The best plan so far against its bounds")
    error: str | None = Field(description="Why it failed")
    applied: int = Field(description="How many of its proposals have been applied")
    result: PlanOut | None = Field(description="When done: the plan, a preview until applied")


def _job_out(job: jobs.PlanJob) -> PlanJobOut:
    return PlanJobOut(
        id=job.id,
        url=f"/api/v1/staffing/jobs/{job.id}",
        page=f"/plan/staffing/jobs/{job.id}",
        status=job.status,
        stop_requested=job.stop_requested,
        stopped=job.stopped,
        scope=job.scope,
        started_by=StartedByOut(user_id=job.started_by_user_id, name=job.started_by),
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        phase=job.phase,
        seconds=job.seconds,
        elapsed_seconds=round(job.elapsed, 1),
        time_limit=job.time_limit,
        figures=[FigureOut.model_validate(f) for f in job.figures],
        error=job.error or None,
        applied=len(job.applied),
        result=PlanOut.model_validate(job.report) if job.report else None,
    )


@router.post(
    "/staffing/plan",
    response_model=PlanOut,
    responses={202: {"model": PlanJobOut, "description": "Too long to wait for: a plan job was started"}},
)
def staffing_plan(session: SessionDep, principal: Planner, body: PlanIn) -> PlanOut | JSONResponse:
    """Propose a fair staffing of a campaign's, a date range's or the chosen open events.

    A plan whose time limit (as asked, or by default) is at most 5 seconds is made at once:
    200, with its proposals written as `proposed` assignments (unless `dry_run`). A longer one
    is started as a background job: 202 Accepted, with the job's URL in `Location` and in
    the body; GET it to follow its progress and read the plan when done, then apply all or
    some of it (`POST …/apply`). Nothing is confirmed automatically, and confirmed
    assignments are kept as they are.
    """
    made = jobs.plan_now_or_later(session=session, principal=principal, request=body.request())
    if isinstance(made, jobs.PlanJob):
        out = _job_out(made)
        return JSONResponse(out.model_dump(mode="json"), status_code=202, headers={"Location": out.url})
    return PlanOut.model_validate(made)


@router.get("/staffing/jobs/{job_id}", response_model=PlanJobOut)
def plan_job(session: SessionDep, _principal: Planner, job_id: PathId) -> PlanJobOut:
    """A plan job: its status, phase and time, the figures and bounds of the best plan so far,
    who started it, and when done the plan itself (a preview until applied)."""
    return _job_out(jobs.get_plan_job(session=session, job_id=job_id))


# 409: the plan has already ended.
@router.post("/staffing/jobs/{job_id}/stop", response_model=PlanJobOut, responses=problems(409))
def stop_plan_job(session: SessionDep, _principal: Planner, job_id: PathId) -> PlanJobOut:
    """Ask a plan to stop: a running one ends within a few seconds with the best plan found
    so far (done, `stopped: true`); a queued one never starts (stopped)."""
    return _job_out(jobs.stop_plan_job(session=session, job_id=job_id))


class PairIn(Strict):
    event_id: RefId
    person_id: RefId


class ApplyIn(Strict):
    proposals: (
        Annotated[list[Annotated[int, Field(ge=0, le=1_000_000)]], Field(max_length=100_000)] | None
    ) = Field(default=None, description="Apply these proposals, by their place in the plan's list (from 0)")
    pairs: Annotated[list[PairIn], Field(max_length=100_000)] | None = Field(
        default=None, description="Or apply the proposals of these people for these events"
    )

    @model_validator(mode="after")
    def _one_way(self) -> "ApplyIn":
        if self.proposals is not None and self.pairs is not None:
            raise ValueError("choose proposals by their numbers or by event and person, not both")
        return self


class AppliedOut(BaseModel):
    job_id: int
    written: int
    already_applied: int = Field(description="Chosen proposals applied before: left as they are")
    assignments: list[ProposedOut] = Field(description="The assignments written now")


# 409: the plan has not finished, or is out of date (someone booked or changed something).
@router.post("/staffing/jobs/{job_id}/apply", response_model=AppliedOut, responses=problems(409))
def apply_plan_job(
    session: SessionDep, principal: Planner, job_id: PathId, body: ApplyIn | None = None
) -> AppliedOut:
    """Write all of a finished plan's proposals, or the chosen ones, as `proposed`
    assignments. Each is re-checked under the booking lock: if any now clashes, nothing is
    written (409, with every reason in `refused`). Proposals applied before are not written
    again."""
    choice = body or ApplyIn()
    applied = applying.apply_plan_job(
        session=session,
        actor=principal.actor,
        job_id=job_id,
        indices=choice.proposals,
        pairs=[(p.event_id, p.person_id) for p in choice.pairs] if choice.pairs is not None else None,
    )
    return AppliedOut(
        job_id=job_id,
        written=len(applied.written),
        already_applied=len(applied.already),
        assignments=[ProposedOut.model_validate(a) for a in applied.written],
    )
