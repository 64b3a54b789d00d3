"""The venue partner's portal: bookings at their venues, their answers, their venue notes.

Partners see the event as the public would plus the booking itself: never the team's
networks, internal notes, or other venues.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts.deps import require
from app.accounts.principal import Principal
from app.campaigns import service as campaigns
from app.clock import utcnow
from app.db import SessionDep
from app.enums import EventStatus, PartnerStatus, Role
from app.errors import NotFound
from app.events import flows, public
from app.events import service as events
from app.events.models import Event
from app.events.service import EventFilters
from app.outcomes import service as outcomes
from app.pages.common import page_from, see_other
from app.pages.csrf import checked_form
from app.pages.forms import FormInput, service_errors
from app.pages.rendering import flash, render
from app.reports import suppression
from app.venues import hours
from app.venues import service as venues
from app.venues.models import Venue
from app.venues.pages import parse_with_hours, with_hours
from app.venues.schemas import VenueUpdate

router = APIRouter(tags=["pages"], include_in_schema=False)

Partner = Annotated[Principal, Depends(require(Role.partner))]

PAST_SHOWN = 25

# Bookings a partner may still answer: not cancelled, not completed.
ANSWERABLE = (EventStatus.draft, EventStatus.confirmed)


@router.get("/partner", response_class=HTMLResponse)
def bookings(request: Request, session: SessionDep, principal: Partner) -> Response:
    now = utcnow()
    page = page_from(request)
    theirs = principal.venue_ids
    upcoming, upcoming_total = events.list_events(
        session=session,
        filters=EventFilters(start=now, venue_ids=theirs),
        limit=page.size,
        offset=page.offset,
    )
    # Started before now, newest first; one still running is upcoming, not past.
    recent = events.latest_events(
        session=session, filters=EventFilters(end=now, venue_ids=theirs), limit=PAST_SHOWN
    )
    past = [e for e in recent if e.ends_at <= now]
    own_venues, _ = venues.list_venues(session=session, limit=max(1, len(theirs)), offset=0, only_ids=theirs)
    context = {
        "upcoming": upcoming,
        "to_answer": [
            e for e in upcoming if e.partner_status == PartnerStatus.pending and e.status in ANSWERABLE
        ],
        "past": past,
        "page": page.with_total(upcoming_total),
        "venues": own_venues,
        "venues_by_id": {v.id: v for v in own_venues},
        "campaigns_by_id": events.campaigns_of(session=session, events=upcoming + past),
    }
    return render(request, "partner/bookings.html", context)


def _own_event(session: Session, principal: Principal, event_id: int) -> Event:
    event = events.get_event(session=session, event_id=event_id)
    if event.venue_id not in principal.venue_ids:
        # Not "forbidden": a partner should not even learn that another venue's event exists.
        raise NotFound(f"there is no booking {event_id} at your venues")
    return event


def _booking_page(
    request: Request,
    session: Session,
    principal: Principal,
    event: Event,
    form: FormInput,
    status: int = 200,
) -> Response:
    assert event.id is not None
    ended = event.ends_at <= utcnow() and event.status != EventStatus.cancelled
    context: dict[str, Any] = {
        "event": event,
        "venue": venues.get_venue(session=session, venue_id=event.venue_id),
        "campaign": campaigns.get_campaign(session=session, campaign_id=event.campaign_id),
        "form": form,
        "answerable": event.status in ANSWERABLE and event.ends_at > utcnow(),
        "team": venues.team_coming(session=session, event_id=event.id),
        "listed": public.listed_publicly(event),
        "headline": _how_it_went(session, principal, event.id) if ended else None,
    }
    return render(request, "partner/booking.html", context, status=status)


def _how_it_went(session: Session, principal: Principal, event_id: int) -> list[tuple[str, str]]:
    """The outcome's counts for the venue that hosted it (small ones hidden, as the service
    says); empty until the outcome is recorded."""
    found = outcomes.headline(session=session, principal=principal, event_id=event_id)
    if not found.recorded:
        return []
    rows = [
        ("People the team spoke to", found.people_spoken_to),
        ("Expressions of interest on paper", found.interest_on_paper),
        ("Expressions of interest online", found.interest_online),
    ]
    return [(name, suppression.FEWER_THAN if n is None else f"{n:,}") for name, n in rows]


@router.get("/partner/events/{event_id:id}", response_class=HTMLResponse)
def booking(request: Request, session: SessionDep, principal: Partner, event_id: int) -> Response:
    event = _own_event(session, principal, event_id)
    form = FormInput()
    form.values["message"] = event.partner_message
    return _booking_page(request, session, principal, event, form)


@router.post("/partner/events/{event_id:id}", response_class=HTMLResponse)
async def answer(request: Request, session: SessionDep, principal: Partner, event_id: int) -> Response:
    event = _own_event(session, principal, event_id)
    form = FormInput(await checked_form(request))
    choice = form.choice("answer", PartnerStatus, "confirm or decline")
    if choice == PartnerStatus.pending:
        form.error("answer", "Select confirm or decline")
    message = form.text("message", "a message", max_length=2000)
    if choice == PartnerStatus.declined and not message:
        form.error("message", "Tell the coordinator why, or suggest another date")
    saved = False
    if form.ok and choice is not None:
        with service_errors(form, session):
            flows.respond_as_partner(
                session=session, principal=principal, event_id=event_id, status=choice, message=message
            )
            saved = True
    if not saved:
        return _booking_page(request, session, principal, event, form, status=400)
    flash(
        request,
        f"Thank you. You confirmed '{event.title}'."
        if choice == PartnerStatus.confirmed
        else f"You declined '{event.title}'. The coordinator will see your message.",
    )
    return see_other("/partner")


def _own_venue(session: Session, principal: Principal, venue_id: int) -> Venue:
    if venue_id not in principal.venue_ids:
        raise NotFound(f"venue {venue_id} is not one of yours")
    return venues.get_venue(session=session, venue_id=venue_id)


def _venue_page(request: Request, venue: Venue, form: FormInput, status: int = 200) -> Response:
    context = {"venue": venue, "form": form, "weekdays": list(enumerate(hours.WEEKDAYS))}
    return render(request, "partner/venue.html", context, status=status)


@router.get("/partner/venues/{venue_id:id}", response_class=HTMLResponse)
def venue_notes(request: Request, session: SessionDep, principal: Partner, venue_id: int) -> Response:
    venue = _own_venue(session, principal, venue_id)
    form = FormInput()
    form.values.update({name: getattr(venue, name) for name in sorted(venues.PARTNER_EDITABLE)})
    return _venue_page(request, venue, with_hours(session, venue, form))


@router.post("/partner/venues/{venue_id:id}", response_class=HTMLResponse)
async def save_venue_notes(
    request: Request, session: SessionDep, principal: Partner, venue_id: int
) -> Response:
    venue = _own_venue(session, principal, venue_id)
    form = FormInput(await checked_form(request))
    changes = parse_with_hours(form, VenueUpdate, sorted(venues.PARTNER_EDITABLE))
    saved = False
    if form.ok:
        with service_errors(form, session):
            venues.update_venue(session=session, principal=principal, venue_id=venue_id, changes=changes)
            saved = True
    if not saved:
        return _venue_page(request, venue, form, status=400)
    flash(request, f"Saved the notes for {venue.name}. Visitors and the team see them.")
    return see_other("/partner")
