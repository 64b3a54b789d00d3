"""Venues over JSON; their fields are declared in ``app.venues.schemas``."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import Session

from app.accounts.deps import AnyUser, Planner
from app.api_common import ChangeRevision, Page, PageParams, PathId, ProblemRoute, ReadRevision, problems
from app.db import SessionDep
from app.enums import Role, VenueKind
from app.errors import Forbidden
from app.venues import hours, service
from app.venues.models import Venue
from app.venues.schemas import (
    AffectedEvent,
    OpeningHoursDay,
    VenueCreate,
    VenueDeactivation,
    VenuePublic,
    VenueUpdate,
)


def _public(session: Session, venues: list[Venue]) -> list[VenuePublic]:
    """The venues as answered, each with its opening hours (read in one query)."""
    weeks = hours.hours_of(session=session, venue_ids=[v.id for v in venues if v.id is not None])
    answers = []
    for venue in venues:
        week = weeks.get(venue.id or 0, {})
        days = [
            OpeningHoursDay(weekday=d.weekday, opens=d.opens, closes=d.closes)
            for _, d in sorted(week.items())
        ]
        answers.append(VenuePublic.model_validate(venue).model_copy(update={"opening_hours": days}))
    return answers


def _one(session: Session, venue: Venue) -> VenuePublic:
    return _public(session, [venue])[0]


router = APIRouter(prefix="/api/v1/venues", tags=["venues"], route_class=ProblemRoute)


@router.get("", response_model=Page[VenuePublic])
def list_venues(
    session: SessionDep,
    principal: AnyUser,
    page: PageParams,
    town: Annotated[str | None, Query(max_length=120)] = None,
    kind: VenueKind | None = None,
) -> Page[VenuePublic]:
    """Venues; a partner sees only their own."""
    only = principal.venue_ids if principal.role == Role.partner else None
    rows, total = service.list_venues(
        session=session, limit=page.limit, offset=page.offset, town=town, kind=kind, only_ids=only
    )
    return Page(items=_public(session, rows), total=total, **page.model_dump())


@router.post("", response_model=VenuePublic, status_code=201)
def create_venue(session: SessionDep, principal: Planner, body: VenueCreate) -> VenuePublic:
    return _one(session, service.create_venue(session=session, actor=principal.actor, data=body.model_dump()))


@router.get("/{venue_id}", response_model=VenuePublic)
def read_venue(
    session: SessionDep, principal: AnyUser, venue_id: PathId, revision: ReadRevision
) -> VenuePublic:
    venue = service.get_venue(session=session, venue_id=venue_id)
    service.check_can_see(principal, venue_id)
    return _one(session, revision.tag(venue))


@router.patch("/{venue_id}", response_model=VenuePublic, responses=problems(412))
def update_venue(
    session: SessionDep,
    principal: AnyUser,
    venue_id: PathId,
    body: VenueUpdate,
    revision: ChangeRevision,
) -> VenuePublic:
    """Coordinators change anything; a partner only their venue's access, parking and opening notes.

    ``active: false`` takes the venue out of use and its upcoming events off public view
    (see ``GET /api/v1/venues/{venue_id}/deactivation`` first)."""
    if principal.role == Role.staff:
        raise Forbidden("staff cannot change venues")
    venue = service.update_venue(
        session=session,
        principal=principal,
        venue_id=venue_id,
        changes=body.changes(),
        expected=revision.expected,
    )
    return _one(session, revision.tag(venue))


@router.get("/{venue_id}/deactivation", response_model=VenueDeactivation)
def venue_deactivation(session: SessionDep, _principal: Planner, venue_id: PathId) -> VenueDeactivation:
    """What taking the venue out of use would affect: its upcoming draft and confirmed
    events, which would be taken off public view and flagged on the dashboard."""
    venue = service.get_venue(session=session, venue_id=venue_id)
    upcoming = service.upcoming_events(session=session, venue_id=venue_id)
    return VenueDeactivation(
        venue_id=venue_id,
        name=venue.name,
        active=venue.active,
        summary=service.deactivation_summary(venue, upcoming),
        events=[
            AffectedEvent(
                event_id=e.id or 0,
                title=e.title,
                starts_at=e.starts_at,
                ends_at=e.ends_at,
                status=e.status,
                public=e.public,
            )
            for e in upcoming
        ],
    )
