"""The planning calendar over JSON: its dates, local dates, weekly patterns and warnings."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.accounts.deps import Admin, Planner
from app.api_common import ChangeRevision, IdQuery, PathId, ProblemRoute, ReadRevision, problems
from app.clock import LondonDateTime
from app.db import SessionDep
from app.planning import calendar, service
from app.planning.schemas import (
    LocalDateCreate,
    LocalDatePublic,
    LocalDateUpdate,
    PlanningCalendar,
    PlanningDatePublic,
    PlanningWarningPublic,
    PlanningWarnings,
    WeeklyPatternCreate,
    WeeklyPatternPublic,
    WeeklyPatternUpdate,
)
from app.planning.warnings import planning_warnings
from app.venues import service as venues

router = APIRouter(prefix="/api/v1/planning-calendar", tags=["planning calendar"], route_class=ProblemRoute)

DayQuery = Annotated[date, Query(description="A day, like 2027-02-08")]
OptionalDay = Annotated[date | None, Query(description="A day, like 2027-02-08")]


@router.get("", response_model=PlanningCalendar)
def read_calendar(
    session: SessionDep, _principal: Planner, start: DayQuery, end: DayQuery, venue_id: IdQuery = None
) -> PlanningCalendar:
    """Observances, bank holidays and local dates from ``start`` to ``end`` (inclusive, at
    most 400 days), and the weekly patterns; with ``venue_id``, only what matters there.
    Dates waiting on the moon are ``expected`` (±1 day)."""
    calendar.check_span(start=start, end=end)
    venue = venues.get_venue(session=session, venue_id=venue_id) if venue_id is not None else None
    dates = calendar.planning_dates(session, start=start, end=end, venue=venue)
    patterns = service.list_patterns(
        session=session, venue_kind=str(venue.kind) if venue else None, active_only=True
    )
    return PlanningCalendar(
        start=start,
        end=end,
        venue_id=venue_id,
        dates=[PlanningDatePublic.of(d) for d in dates],
        weekly_patterns=[WeeklyPatternPublic.model_validate(p) for p in patterns],
    )


@router.get("/warnings", response_model=PlanningWarnings)
def read_warnings(
    session: SessionDep,
    _principal: Planner,
    venue_id: Annotated[int, Query(ge=1, le=2_147_483_647)],
    starts_at: Annotated[LondonDateTime, Query()],
    ends_at: Annotated[LondonDateTime, Query()],
) -> PlanningWarnings:
    """What a sergeant should know before booking the venue at that time: sentences, never a block."""
    calendar.check_instants(starts_at=starts_at, ends_at=ends_at)
    venue = venues.get_venue(session=session, venue_id=venue_id)
    found = planning_warnings(session, venue=venue, starts_at=starts_at, ends_at=ends_at)
    return PlanningWarnings(
        venue_id=venue_id,
        starts_at=starts_at,
        ends_at=ends_at,
        warnings=[
            PlanningWarningPublic(kind=w.kind, text=w.text, day=w.day, expected=w.expected) for w in found
        ],
    )


# ---- local dates -------------------------------------------------------------------------


@router.get("/local-dates", response_model=list[LocalDatePublic])
def list_local_dates(
    session: SessionDep, _principal: Planner, start: OptionalDay = None, end: OptionalDay = None
) -> list[LocalDatePublic]:
    """Local dates overlapping ``start``..``end`` (either may be left out), soonest first."""
    rows = service.list_local_dates(session=session, start=start, end=end)
    return [LocalDatePublic.model_validate(r) for r in rows]


@router.post("/local-dates", response_model=LocalDatePublic, status_code=201)
def create_local_date(session: SessionDep, principal: Admin, body: LocalDateCreate) -> LocalDatePublic:
    row = service.create_local_date(session=session, actor=principal.actor, data=body.model_dump())
    return LocalDatePublic.model_validate(row)


@router.get("/local-dates/{local_date_id}", response_model=LocalDatePublic)
def read_local_date(
    session: SessionDep, _principal: Planner, local_date_id: PathId, revision: ReadRevision
) -> LocalDatePublic:
    row = service.get_local_date(session=session, local_date_id=local_date_id)
    return revision.tag(LocalDatePublic.model_validate(row))


@router.patch("/local-dates/{local_date_id}", response_model=LocalDatePublic, responses=problems(412))
def update_local_date(
    session: SessionDep,
    principal: Admin,
    local_date_id: PathId,
    body: LocalDateUpdate,
    revision: ChangeRevision,
) -> LocalDatePublic:
    row = service.update_local_date(
        session=session,
        actor=principal.actor,
        local_date_id=local_date_id,
        changes=body.changes(),
        expected=revision.expected,
    )
    return revision.tag(LocalDatePublic.model_validate(row))


@router.delete("/local-dates/{local_date_id}", status_code=204)
def remove_local_date(session: SessionDep, principal: Admin, local_date_id: PathId) -> Response:
    service.remove_local_date(session=session, actor=principal.actor, local_date_id=local_date_id)
    return Response(status_code=204)


# ---- weekly patterns ---------------------------------------------------------------------


@router.get("/weekly-patterns", response_model=list[WeeklyPatternPublic])
def list_patterns(session: SessionDep, _principal: Planner) -> list[WeeklyPatternPublic]:
    """Every weekly pattern, in use or not, by kind of venue and weekday."""
    return [WeeklyPatternPublic.model_validate(p) for p in service.list_patterns(session=session)]


@router.post("/weekly-patterns", response_model=WeeklyPatternPublic, status_code=201)
def create_pattern(session: SessionDep, principal: Admin, body: WeeklyPatternCreate) -> WeeklyPatternPublic:
    row = service.create_pattern(session=session, actor=principal.actor, data=body.model_dump())
    return WeeklyPatternPublic.model_validate(row)


@router.get("/weekly-patterns/{pattern_id}", response_model=WeeklyPatternPublic)
def read_pattern(
    session: SessionDep, _principal: Planner, pattern_id: PathId, revision: ReadRevision
) -> WeeklyPatternPublic:
    row = service.get_pattern(session=session, pattern_id=pattern_id)
    return revision.tag(WeeklyPatternPublic.model_validate(row))


@router.patch("/weekly-patterns/{pattern_id}", response_model=WeeklyPatternPublic, responses=problems(412))
def update_pattern(
    session: SessionDep,
    principal: Admin,
    pattern_id: PathId,
    body: WeeklyPatternUpdate,
    revision: ChangeRevision,
) -> WeeklyPatternPublic:
    row = service.update_pattern(
        session=session,
        actor=principal.actor,
        pattern_id=pattern_id,
        changes=body.changes(),
        expected=revision.expected,
    )
    return revision.tag(WeeklyPatternPublic.model_validate(row))


@router.delete("/weekly-patterns/{pattern_id}", status_code=204)
def remove_pattern(session: SessionDep, principal: Admin, pattern_id: PathId) -> Response:
    service.remove_pattern(session=session, actor=principal.actor, pattern_id=pattern_id)
    return Response(status_code=204)
