"""Events: book, move, confirm, cancel; the team and the staffing state."""

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.accounts.deps import AnyUser, Planner
from app.accounts.principal import Principal
from app.api_common import (
    ChangeRevision,
    Count,
    IdQuery,
    Language,
    LongText,
    MediumText,
    Name,
    Page,
    PageParams,
    Patch,
    PathId,
    ProblemRoute,
    ReadRevision,
    Reason,
    RefId,
    Strict,
    problems,
)
from app.assignments.service import team_of
from app.booking import service as booking
from app.clock import EARLIEST, LATEST, LondonDateTime, from_london
from app.db import SessionDep
from app.enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    EventStatus,
    PartnerStatus,
    Role,
)
from app.errors import Forbidden, Invalid
from app.events import flows, service
from app.events.models import Event
from app.events.staffing import StaffingState
from app.events.warned import event_warnings
from app.planning.acknowledge import Gate, as_json

router = APIRouter(prefix="/api/v1/events", tags=["events"], route_class=ProblemRoute)


ACKNOWLEDGE = (
    "Book (or move) it even though it raises planning warnings (a bank holiday, a religious date, "
    "prayer times, the venue's opening hours). Without it, such a request answers 409 listing "
    "the warnings and nothing is saved; with it, the acknowledgement is kept in the audit trail."
)


class NetworkNeedIn(Strict):
    network_id: RefId
    min_count: Annotated[int, Field(ge=1, le=20)] = 1


NetworkNeeds = Annotated[list[NetworkNeedIn], Field(max_length=20)]
Languages = Annotated[list[Language], Field(max_length=10)]


class EventFields(Strict):
    campaign_id: RefId
    starts_at: LondonDateTime
    ends_at: LondonDateTime
    status: EventStatus = EventStatus.draft
    public: bool = False
    public_description: LongText = ""
    internal_notes: LongText = ""
    what_to_bring: MediumText = ""
    ambassadors_needed: Count = 0
    recruiters_needed: Count = 0
    network_needs: NetworkNeeds = []
    wanted_languages: Languages = []
    acknowledge_warnings: bool = Field(default=False, description=ACKNOWLEDGE)


class EventCreate(EventFields):
    venue_id: RefId
    title: Name


class BulkBooking(EventFields):
    venue_ids: Annotated[list[RefId], Field(min_length=1, max_length=200)]
    title: Name | None = Field(
        default=None, description="Empty: 'Police recruitment at' and the venue's name"
    )


class EventUpdate(Patch):
    campaign_id: RefId | None = None
    venue_id: RefId | None = None
    title: Name | None = None
    starts_at: LondonDateTime | None = None
    ends_at: LondonDateTime | None = None
    status: EventStatus | None = None
    public: bool | None = None
    public_description: LongText | None = None
    internal_notes: LongText | None = None
    what_to_bring: MediumText | None = None
    ambassadors_needed: Count | None = None
    recruiters_needed: Count | None = None
    network_needs: NetworkNeeds | None = None
    wanted_languages: Languages | None = None
    accept_conflicts: bool = Field(
        default=False,
        description="Move the event even though it clashes with its team's other duties; "
        "the clashing assignments are marked, never deleted.",
    )
    acknowledge_warnings: bool = Field(default=False, description=ACKNOWLEDGE)


class CancelBody(Strict):
    reason: Reason = ""


class PartnerAnswer(Strict):
    status: PartnerStatus
    message: MediumText = ""


class VenueBrief(BaseModel):
    id: int
    name: str
    town: str
    address: str
    postcode: str


class TeamMemberOut(BaseModel):
    assignment_id: int
    person_id: int
    name: str
    role: AssignmentRole
    status: AssignmentStatus
    conflict_note: str | None = None


class NetworkNeedOut(BaseModel):
    network_id: int
    name: str
    min_count: int


class StaffingOut(BaseModel):
    filled: bool
    summary: str
    unmet: list[str]
    ambassadors_needed: int
    ambassadors: int
    recruiters_needed: int
    recruiters: int
    awaiting_reply: int
    networks: list[dict[str, object]]
    languages: list[dict[str, object]]


class WarningOut(BaseModel):
    kind: str = Field(
        description="observance, bank_holiday, weekly_pattern, local_date, opening_hours or after_sunset"
    )
    text: str = Field(description="The warning in words")
    day: date
    expected: bool = Field(description="The date depends on the sighting of the moon: ±1 day")


class EventOut(BaseModel):
    id: int
    campaign_id: int
    campaign_name: str
    venue: VenueBrief
    title: str
    starts_at: LondonDateTime
    ends_at: LondonDateTime
    status: EventStatus
    public: bool
    public_description: str
    what_to_bring: str
    ambassadors_needed: int
    recruiters_needed: int
    wanted_languages: list[str]
    revision: int
    partner_status: PartnerStatus
    partner_message: str
    cancelled_reason: str
    team: list[TeamMemberOut]
    # For coordinators and staff; never for venue partners.
    internal_notes: str | None = None
    # For coordinators and administrators only: needs by network hint at who represents what.
    network_needs: list[NetworkNeedOut] | None = None
    staffing: StaffingOut | None = None
    # For coordinators and administrators: what to know about its date, time and place.
    planning_warnings: list[WarningOut] | None = None


class EventMoved(EventOut):
    conflicts_accepted: list[dict[str, object]] = []


class VenueBookingOut(BaseModel):
    venue_id: int
    venue_name: str
    booked: bool
    reason: str = Field(description="Why this venue was not booked; empty when it was")
    planning_warnings: list[WarningOut] = Field(description="Acknowledged when it was booked")
    event: EventOut | None


class BulkBooked(BaseModel):
    booked: int
    venues: list[VenueBookingOut]


def staffing_out(state: StaffingState) -> StaffingOut:
    return StaffingOut(
        summary=state.summary, **{k: getattr(state, k) for k in StaffingOut.model_fields if k != "summary"}
    )


def present(session: Session, events: list[Event], principal: Principal) -> list[EventOut]:
    """Events as the caller may see them, loading related rows in a fixed number of queries."""
    ids = [e.id for e in events if e.id is not None]
    venues = service.venues_of(session=session, events=events)
    campaigns = service.campaigns_of(session=session, events=events)
    teams = team_of(session=session, event_ids=ids)
    planner = principal.is_planner
    needs = service.network_needs_of(session=session, event_ids=ids) if planner else {}
    states = service.staffing_states(session=session, events=events) if planner else {}
    warned = event_warnings(session=session, events=events, venues=venues) if planner else {}
    result = []
    for event in events:
        assert event.id is not None
        venue = venues[event.venue_id]
        team = [
            TeamMemberOut(
                assignment_id=a.id or 0,
                person_id=p.id or 0,
                name=p.name,
                role=a.role,
                status=a.status,
                conflict_note=a.conflict_note if planner else None,
            )
            for a, p in teams[event.id]
            if planner or a.status in ACTIVE_ASSIGNMENT_STATUSES
        ]
        result.append(
            EventOut(
                id=event.id,
                campaign_id=event.campaign_id,
                campaign_name=campaigns[event.campaign_id].name,
                venue=VenueBrief.model_validate(venue, from_attributes=True),
                title=event.title,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                status=event.status,
                public=event.public,
                public_description=event.public_description,
                what_to_bring=event.what_to_bring,
                ambassadors_needed=event.ambassadors_needed,
                recruiters_needed=event.recruiters_needed,
                wanted_languages=list(event.wanted_languages or []),
                revision=event.revision,
                partner_status=event.partner_status,
                partner_message=event.partner_message,
                cancelled_reason=event.cancelled_reason,
                team=team,
                internal_notes=None if principal.role == Role.partner else event.internal_notes,
                network_needs=[
                    NetworkNeedOut(network_id=n.network_id, name=n.name, min_count=n.min_count)
                    for n in needs[event.id]
                ]
                if planner
                else None,
                staffing=staffing_out(states[event.id]) if planner else None,
                planning_warnings=[WarningOut(**as_json(w)) for w in warned[event.id]] if planner else None,
            )
        )
    return result


# Dates the filters accept: the day after LAST_DAY must still be a representable date.
FIRST_DAY = EARLIEST.date()
LAST_DAY = LATEST.date() - timedelta(days=1)


def _day_start(value: date | None) -> datetime | None:
    return from_london(datetime.combine(value, time.min)) if value else None


@router.get("", response_model=Page[EventOut])
def list_events(
    session: SessionDep,
    principal: AnyUser,
    page: PageParams,
    start: Annotated[
        date | None, Query(ge=FIRST_DAY, le=LAST_DAY, description="First London date (inclusive)")
    ] = None,
    end: Annotated[
        date | None, Query(ge=FIRST_DAY, le=LAST_DAY, description="Last London date (inclusive)")
    ] = None,
    town: Annotated[str | None, Query(max_length=120)] = None,
    venue_id: IdQuery = None,
    campaign_id: IdQuery = None,
    status: EventStatus | None = None,
    person_id: IdQuery = None,
) -> Page[EventOut]:
    """Events by date range, town, venue, campaign, status or person; partners see only their venues'."""
    if start and end and end < start:
        raise Invalid(f"end ({end}) is before start ({start})")
    if person_id is not None and principal.role == Role.partner:
        raise Forbidden("partners cannot look people up")
    filters = service.EventFilters(
        start=_day_start(start),
        end=_day_start(end + timedelta(days=1)) if end else None,
        town=town,
        venue_id=venue_id,
        campaign_id=campaign_id,
        status=status,
        person_id=person_id,
        venue_ids=principal.venue_ids if principal.role == Role.partner else None,
    )
    rows, total = service.list_events(session=session, filters=filters, limit=page.limit, offset=page.offset)
    return Page(items=present(session, rows, principal), total=total, **page.model_dump())


@router.post("", response_model=EventOut, status_code=201)
def create_event(session: SessionDep, principal: Planner, body: EventCreate) -> EventOut:
    """Book an event. One that raises planning warnings answers 409 listing them, unless
    ``acknowledge_warnings`` is true; the answer lists them either way."""
    data = body.model_dump(exclude={"acknowledge_warnings"})
    data["network_needs"] = [n.model_dump() for n in body.network_needs]
    gate = Gate(acknowledged=body.acknowledge_warnings)
    event = service.create_event(session=session, actor=principal.actor, data=data, warnings=gate)
    return present(session, [event], principal)[0]


@router.post("/bulk", response_model=BulkBooked)
def book_at_venues(session: SessionDep, principal: Planner, body: BulkBooking) -> BulkBooked:
    """Book the same session at many venues, each on its own: a venue already booked then, or
    refused, is named with the reason, and the others are booked. When any venue's booking
    raises planning warnings, the whole request answers 409 listing them by venue, unless
    ``acknowledge_warnings`` is true."""
    data = body.model_dump(exclude={"acknowledge_warnings", "venue_ids"})
    data["network_needs"] = [n.model_dump() for n in body.network_needs]
    gate = Gate(acknowledged=body.acknowledge_warnings)
    results = flows.book_at_venues(
        session=session, actor=principal.actor, data=data, venue_ids=body.venue_ids, warnings=gate
    )
    made = [r.event for r in results if r.event is not None]
    shown = {e.id: e for e in present(session, made, principal)}
    venues = [
        VenueBookingOut(
            venue_id=r.venue_id,
            venue_name=r.venue_name,
            booked=r.booked,
            reason=r.reason,
            planning_warnings=[WarningOut(**as_json(w)) for w in r.warnings],
            event=shown[r.event.id] if r.event is not None and r.event.id is not None else None,
        )
        for r in results
    ]
    return BulkBooked(booked=len(made), venues=venues)


@router.get("/{event_id}", response_model=EventOut)
def read_event(session: SessionDep, principal: AnyUser, event_id: PathId, revision: ReadRevision) -> EventOut:
    """The event, with its revision (also the ``ETag``: send it back as ``If-Match``)."""
    event = service.get_event(session=session, event_id=event_id)
    service.check_can_see(principal, event)
    return present(session, [revision.tag(event)], principal)[0]


@router.patch("/{event_id}", response_model=EventMoved, responses=problems(412))
def update_event(
    session: SessionDep,
    principal: Planner,
    event_id: PathId,
    body: EventUpdate,
    revision: ChangeRevision,
) -> EventMoved:
    """Change an event. A move that clashes with its team's duties answers 409 naming the
    clashes, unless ``accept_conflicts`` is true, and one that raises planning warnings
    answers 409 listing them, unless ``acknowledge_warnings`` is true. With ``If-Match``, a
    change to an event that has moved on since answers 412 naming what changed."""
    changes = body.changes()
    accept = bool(changes.pop("accept_conflicts", False))
    gate = Gate(acknowledged=bool(changes.pop("acknowledge_warnings", False)))
    if "network_needs" in changes:
        changes["network_needs"] = [n.model_dump() for n in body.network_needs or []]
    event, found = service.update_event(
        session=session,
        actor=principal.actor,
        event_id=event_id,
        changes=changes,
        accept_conflicts=accept,
        expected=revision.expected,
        warnings=gate,
    )
    out = present(session, [revision.tag(event)], principal)[0]
    return EventMoved(**out.model_dump(), conflicts_accepted=booking.clashes_body(found))


@router.post("/{event_id}/cancel", response_model=EventOut, responses=problems(412))
def cancel_event(
    session: SessionDep,
    principal: Planner,
    event_id: PathId,
    body: CancelBody,
    revision: ChangeRevision,
) -> EventOut:
    """Cancel the event; it and its assignments stay on record, and calendars show it cancelled."""
    event = service.cancel_event(
        session=session,
        actor=principal.actor,
        event_id=event_id,
        reason=body.reason,
        expected=revision.expected,
    )
    return present(session, [revision.tag(event)], principal)[0]


@router.post("/{event_id}/partner-response", response_model=EventOut)
def partner_response(
    session: SessionDep, principal: AnyUser, event_id: PathId, body: PartnerAnswer
) -> EventOut:
    """The venue partner confirms or declines the booking, with a message to the coordinator."""
    event = flows.respond_as_partner(
        session=session, principal=principal, event_id=event_id, status=body.status, message=body.message
    )
    return present(session, [event], principal)[0]


@router.get("/{event_id}/staffing", response_model=StaffingOut)
def event_staffing(session: SessionDep, _principal: Planner, event_id: PathId) -> StaffingOut:
    """Filled, or the unmet needs in words."""
    return staffing_out(service.staffing_of(session=session, event_id=event_id))
