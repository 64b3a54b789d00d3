"""Pages for everyone, without sign-in: upcoming public events, an event, a venue.

What the public may see is decided in ``app.events.public``: internal notes and partner
contacts never show, and people only by their consent.
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import OptionalUser
from app.campaigns import service as campaigns
from app.clock import utcnow
from app.db import SessionDep
from app.enums import EventStatus, Role
from app.errors import NotFound
from app.events import public
from app.events import service as events
from app.events.service import EventFilters
from app.pages.common import page_from, query_string, see_other, text_param
from app.pages.rendering import render
from app.venues import hours
from app.venues import service as venues

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
        "towns": public.public_towns(session=session),
        "page": page.with_total(total),
        "base_query": query_string(town=town),
        "venues_by_id": events.venues_of(session=session, events=rows),
        "campaigns_by_id": events.campaigns_of(session=session, events=rows),
    }
    return render(request, "public/events.html", context)


@router.get("/events/{event_id:id}", response_class=HTMLResponse)
def public_event(request: Request, session: SessionDep, principal: OptionalUser, event_id: int) -> Response:
    event, withdrawn = public.get_public_event(session=session, event_id=event_id)
    venue = venues.get_venue(session=session, venue_id=event.venue_id)
    if withdrawn:
        # 410: search engines and link checkers drop it; people read why and where to go.
        return render(request, "public/withdrawn.html", {"event": event, "venue": venue}, status=410)
    cancelled = event.status == EventStatus.cancelled
    context = {
        "event": event,
        "venue": venue,
        "campaign": campaigns.get_campaign(session=session, campaign_id=event.campaign_id),
        "names": [] if cancelled else public.publicly_named(session=session, event_id=event_id),
        "cancelled": cancelled,
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
    week = hours.week_of(session=session, venue_id=venue_id)
    context = {
        "venue": venue,
        "opening_hours": hours.describe(week) if week else "",
        "rows": rows,
        "page": page.with_total(total),
        "campaigns_by_id": events.campaigns_of(session=session, events=rows),
    }
    return render(request, "public/venue.html", context)
