from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from app import records
from app.accounts.deps import AnyUser, Planner
from app.api_common import (
    Email,
    Latitude,
    Longitude,
    MediumText,
    Name,
    Page,
    PageParams,
    Patch,
    PathId,
    Phone,
    Postcode,
    ProblemRoute,
    ShortText,
    Strict,
    Town,
    problems,
)
from app.clock import LondonDateTime
from app.db import SessionDep
from app.enums import EventStatus, Role, VenueKind
from app.venues import service

router = APIRouter(prefix="/api/v1/venues", tags=["venues"], route_class=ProblemRoute)


class VenueCreate(Strict):
    name: Name
    kind: VenueKind
    address: MediumText = ""
    town: Town = ""
    postcode: Postcode = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    accessibility_notes: MediumText = ""
    parking_notes: MediumText = ""
    opening_notes: MediumText = ""
    partner_organisation: ShortText = ""
    contact_name: ShortText = ""
    contact_phone: Phone = ""
    contact_email: Email = ""


class VenueUpdate(Patch):
    NULLABLE = frozenset({"latitude", "longitude"})

    name: Name | None = None
    kind: VenueKind | None = None
    address: MediumText | None = None
    town: Town | None = None
    postcode: Postcode | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    accessibility_notes: MediumText | None = None
    parking_notes: MediumText | None = None
    opening_notes: MediumText | None = None
    partner_organisation: ShortText | None = None
    contact_name: ShortText | None = None
    contact_phone: Phone | None = None
    contact_email: Email | None = None
    active: bool | None = None


class VenuePublic(BaseModel):
    id: int
    name: str
    kind: VenueKind
    address: str
    town: str
    postcode: str
    latitude: float | None
    longitude: float | None
    accessibility_notes: str
    parking_notes: str
    opening_notes: str
    partner_organisation: str
    contact_name: str
    contact_phone: str
    contact_email: str
    active: bool
    revision: int


class AffectedEvent(BaseModel):
    event_id: int
    title: str
    starts_at: LondonDateTime
    ends_at: LondonDateTime
    status: EventStatus
    public: bool


class VenueDeactivation(BaseModel):
    venue_id: int
    name: str
    active: bool
    summary: str
    events: list[AffectedEvent]


def _out(venue: object) -> VenuePublic:
    return VenuePublic.model_validate(venue, from_attributes=True)


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
    return Page(items=[_out(r) for r in rows], total=total, **page.model_dump())


@router.post("", response_model=VenuePublic, status_code=201)
def create_venue(session: SessionDep, principal: Planner, body: VenueCreate) -> VenuePublic:
    return _out(service.create_venue(session=session, actor=principal.actor, data=body.model_dump()))


@router.get("/{venue_id}", response_model=VenuePublic)
def read_venue(session: SessionDep, principal: AnyUser, venue_id: PathId, response: Response) -> VenuePublic:
    venue = service.get_venue(session=session, venue_id=venue_id)
    service.check_can_see(principal, venue_id)
    response.headers["ETag"] = records.etag(venue.revision)
    return _out(venue)


@router.patch("/{venue_id}", response_model=VenuePublic, responses=problems(412))
def update_venue(
    session: SessionDep,
    principal: AnyUser,
    venue_id: PathId,
    body: VenueUpdate,
    response: Response,
    if_match: records.IfMatch = None,
) -> VenuePublic:
    """Coordinators change anything; a partner only their venue's access, parking and opening notes.

    ``active: false`` takes the venue out of use and its upcoming events off public view
    (see ``GET /api/v1/venues/{venue_id}/deactivation`` first)."""
    from app.errors import Forbidden

    if principal.role == Role.staff:
        raise Forbidden("staff cannot change venues")
    venue = service.update_venue(
        session=session,
        principal=principal,
        venue_id=venue_id,
        changes=body.changes(),
        expected=records.expected_revisions(if_match),
    )
    response.headers["ETag"] = records.etag(venue.revision)
    return _out(venue)


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
