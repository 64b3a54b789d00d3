"""Pages for everyone, without sign-in: upcoming public events, an event, a venue.

Nothing personal is shown here beyond the names of team members who consented to be
named publicly as representing a network; internal notes and partner contacts never are.
"""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from app.accounts.deps import OptionalUser
from app.assignments.models import Assignment
from app.campaigns.models import Campaign
from app.clock import utcnow
from app.db import SessionDep
from app.enums import AssignmentStatus, EventStatus, Role
from app.errors import NotFound
from app.events import service as events
from app.events.models import Event
from app.events.service import EventFilters
from app.networks.models import Network
from app.pages.common import by_id, page_from, query_string, see_other, text_param
from app.pages.rendering import render
from app.people.models import Person, Representation
from app.venues import service as venues
from app.venues.models import Venue

router = APIRouter(tags=["pages"], include_in_schema=False)

PUBLIC_PAGE_SIZE = 20


@router.get("/", response_class=HTMLResponse)
def home(principal: OptionalUser) -> Response:
    """Everyone starts where their work is."""
    if principal is None:
        return see_other("/events")
    if principal.is_planner:
        return see_other("/plan")
    if principal.role == Role.partner:
        return see_other("/partner")
    if principal.role == Role.staff:
        return see_other("/my")
    return see_other("/events")


def public_towns(session: Session) -> list[str]:
    """Towns that have an upcoming public event: the filter offers no empty choices."""
    now = utcnow()
    rows = session.exec(
        select(Venue.town)
        .join(Event, col(Event.venue_id) == Venue.id)
        .where(
            col(Event.public).is_(True),
            Event.status != EventStatus.draft,
            Event.ends_at > now,
            Venue.town != "",
        )
        .distinct()
        .order_by(col(Venue.town))
    ).all()
    return [t for t in rows if t]


@router.get("/events", response_class=HTMLResponse)
def upcoming(request: Request, session: SessionDep, principal: OptionalUser) -> Response:
    town = text_param(request, "town", 120)
    page = page_from(request, PUBLIC_PAGE_SIZE)
    rows, total = events.list_events(
        session=session,
        filters=EventFilters(start=utcnow(), town=town or None, public_only=True),
        limit=page.size,
        offset=page.offset,
    )
    context = {
        "rows": rows,
        "town": town,
        "towns": public_towns(session),
        "page": page.with_total(total),
        "base_query": query_string(town=town),
        "venues_by_id": by_id(session, Venue, {e.venue_id for e in rows}),
        "campaigns_by_id": by_id(session, Campaign, {e.campaign_id for e in rows}),
    }
    return render(request, "public/events.html", context)


def get_public_event(session: Session, event_id: int) -> Event:
    """A public event that is not a draft; anything else does not exist for the public."""
    event = session.get(Event, event_id)
    if event is None or not event.public or event.status == EventStatus.draft:
        raise NotFound(f"there is no public event {event_id}")
    return event


@dataclass(frozen=True)
class PublicName:
    name: str
    networks: list[str]


def consented_names(session: Session, event_id: int) -> list[PublicName]:
    """Confirmed team members who agreed to be named publicly for a network, with only
    those networks (in one query)."""
    rows = session.exec(
        select(Person.id, Person.name, Person.rank_or_title, Network.name)
        .join(Assignment, col(Assignment.person_id) == Person.id)
        .join(Representation, col(Representation.person_id) == Person.id)
        .join(Network, col(Network.id) == Representation.network_id)
        .where(
            Assignment.event_id == event_id,
            Assignment.status == AssignmentStatus.confirmed,
            col(Representation.public_naming).is_(True),
        )
        .order_by(col(Person.name), col(Network.name))
    ).all()
    found: dict[int, PublicName] = {}
    for person_id, name, title, network in rows:
        assert person_id is not None
        shown = f"{title} {name}".strip() if title else name
        found.setdefault(person_id, PublicName(shown, [])).networks.append(network)
    return list(found.values())


@router.get("/events/{event_id:id}", response_class=HTMLResponse)
def public_event(request: Request, session: SessionDep, principal: OptionalUser, event_id: int) -> Response:
    event = get_public_event(session, event_id)
    venue = session.get(Venue, event.venue_id)
    campaign = session.get(Campaign, event.campaign_id)
    context = {
        "event": event,
        "venue": venue,
        "campaign": campaign,
        "names": consented_names(session, event_id) if event.status != EventStatus.cancelled else [],
        "cancelled": event.status == EventStatus.cancelled,
        "past": event.ends_at < utcnow(),
    }
    return render(request, "public/event.html", context)


@router.get("/venues/{venue_id:id}", response_class=HTMLResponse)
def public_venue(request: Request, session: SessionDep, principal: OptionalUser, venue_id: int) -> Response:
    venue = venues.get_venue(session=session, venue_id=venue_id)
    page = page_from(request, PUBLIC_PAGE_SIZE)
    rows, total = events.list_events(
        session=session,
        filters=EventFilters(start=utcnow(), venue_id=venue_id, public_only=True),
        limit=page.size,
        offset=page.offset,
    )
    if not venue.active and not rows:
        raise NotFound(f"venue {venue_id} is no longer in use")
    context = {
        "venue": venue,
        "rows": rows,
        "page": page.with_total(total),
        "campaigns_by_id": by_id(session, Campaign, {e.campaign_id for e in rows}),
    }
    return render(request, "public/venue.html", context)
