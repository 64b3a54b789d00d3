"""The coordinator's venue pages: the list, one venue, the form, taking one out of use."""

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlmodel import Session

from app.accounts.deps import Planner
from app.campaigns.models import Campaign
from app.clock import utcnow
from app.db import SessionDep
from app.enums import VenueKind
from app.events import service as events
from app.events.service import EventFilters
from app.pages.common import (
    by_id,
    choice_param,
    options,
    page_from,
    query_string,
    see_other,
    text_param,
)
from app.pages.flow import done
from app.pages.forms import FormInput, PostedForm, opened_at
from app.pages.rendering import render
from app.pages.retiring import Affected, Retiring
from app.venues import hours
from app.venues import service as venues
from app.venues.models import Venue
from app.venues.schemas import VenueCreate

router = APIRouter(tags=["pages"], include_in_schema=False)

RETIRING = Retiring(
    pages="/plan/venues",
    heading="Take {name} out of use",
    affected_title="Events booked there",
    button="Take out of use",
    button_affecting="Take out of use and hide these events",
    confirm="Confirm that the {count} upcoming events at {name} should come off public view",
    done="{name} is no longer in use. Its {count} upcoming events are off public view "
    "and flagged on the dashboard: move or cancel them.",
    done_alone="{name} is no longer in use.",
)


def _venue_form(
    request: Request,
    form: FormInput,
    venue: Venue | None,
    status: int = 200,
    affected: Affected | None = None,
) -> Response:
    context = {
        "form": form,
        "venue": venue,
        "kinds": options(VenueKind),
        "affected": affected or [],
        "weekdays": list(enumerate(hours.WEEKDAYS)),
    }
    return render(request, "venues/form.html", context, status=status)


def parse_with_hours(
    form: FormInput, model: type[BaseModel], fields: Iterable[str] | None = None
) -> dict[str, Any]:
    """A venue form read: its ``fields``, and the opening hours from one pair of boxes a
    weekday (opens_0, closes_0 … for Monday …); a day left empty is closed, and a week left
    empty means the hours are not recorded. The planner's and the partner's forms both."""
    days = [d for d in range(7) if form.raw(f"opens_{d}") or form.raw(f"closes_{d}")]
    # A box left empty is left out, so that the refusal asks for it ("Enter Monday's …").
    week = [{"weekday": d} | {k: v for k in ("opens", "closes") if (v := form.raw(f"{k}_{d}"))} for d in days]

    def where(loc: tuple[int | str, ...]) -> tuple[str, str] | None:
        if loc[0] != "opening_hours" or len(loc) < 3 or not isinstance(loc[1], int):
            return None
        day, field = days[loc[1]], str(loc[2])
        words = "opening" if field == "opens" else "closing"
        return (f"{field}_{day}", f"{hours.WEEKDAYS[day]}'s {words} time")

    return form.parse(model, fields=fields, extra={"opening_hours": week}, where=where)


def _parse_venue(form: FormInput) -> dict[str, Any]:
    return parse_with_hours(form, VenueCreate)


def with_hours(session: Session, venue: Venue, form: FormInput) -> FormInput:
    """The form with the venue's opening hours in its boxes."""
    for day in hours.week_of(session=session, venue_id=venue.id or 0):
        form.values.update({f"opens_{day.weekday}": day.opens, f"closes_{day.weekday}": day.closes})
    return form


def _opened_on(session: Session, venue: Venue) -> FormInput:
    return with_hours(session, venue, FormInput.opened_on(venue))


@router.get("/plan/venues", response_class=HTMLResponse)
def venue_list(request: Request, session: SessionDep, principal: Planner) -> Response:
    town = text_param(request, "town", 120)
    kind = choice_param(request, "kind", VenueKind.__members__)
    page = page_from(request)
    rows, total = venues.list_venues(
        session=session, limit=page.size, offset=page.offset, town=town or None, kind=kind or None
    )
    context = {
        "rows": rows,
        "counts": venues.upcoming_counts(session=session, venue_ids=[v.id for v in rows if v.id]),
        "page": page.with_total(total),
        "town": town,
        "kind": kind,
        "towns": venues.towns(session=session),
        "kinds": options(VenueKind),
        "base_query": query_string(town=town, kind=kind),
    }
    return render(request, "venues/list.html", context)


@router.get("/plan/venues/new", response_class=HTMLResponse)
def new_venue(request: Request, principal: Planner) -> Response:
    form = FormInput()
    form.values.update({"kind": "job_centre", "active": "yes"})
    return _venue_form(request, form, None)


@router.post("/plan/venues/new", response_class=HTMLResponse)
def create_venue(request: Request, session: SessionDep, principal: Planner, form: PostedForm) -> Response:
    data = _parse_venue(form)
    venue = form.submit(
        session, lambda: venues.create_venue(session=session, actor=principal.actor, data=data)
    )
    if venue is None:
        return _venue_form(request, form, None, status=400)
    return done(request, f"/plan/venues/{venue.id}", f"Added {venue.name}.")


@router.get("/plan/venues/{venue_id:id}", response_class=HTMLResponse)
def venue_page(request: Request, session: SessionDep, principal: Planner, venue_id: int) -> Response:
    venue = venues.get_venue(session=session, venue_id=venue_id)
    upcoming, upcoming_total = events.list_events(
        session=session, filters=EventFilters(start=utcnow(), venue_id=venue_id), limit=20, offset=0
    )
    context = {
        "venue": venue,
        "upcoming": upcoming,
        "upcoming_total": upcoming_total,
        "states": events.staffing_states(session=session, events=upcoming),
        "partners": venues.partners_of(session=session, venue_id=venue_id),
        "opening_hours": hours.describe(hours.week_of(session=session, venue_id=venue_id)),
        "campaigns_by_id": by_id(session, Campaign, {e.campaign_id for e in upcoming}),
        "still_booked": [] if venue.active else venues.upcoming_events(session=session, venue_id=venue_id),
    }
    return render(request, "venues/detail.html", context)


@router.get("/plan/venues/{venue_id:id}/edit", response_class=HTMLResponse)
def edit_venue(request: Request, session: SessionDep, principal: Planner, venue_id: int) -> Response:
    venue = venues.get_venue(session=session, venue_id=venue_id)
    return _venue_form(request, _opened_on(session, venue), venue)


@router.post("/plan/venues/{venue_id:id}/edit", response_class=HTMLResponse)
def update_venue(
    request: Request, session: SessionDep, principal: Planner, venue_id: int, form: PostedForm
) -> Response:
    venue = venues.get_venue(session=session, venue_id=venue_id)
    data = _parse_venue(form)
    affected = _venue_affected(session, venue) if venue.active and not form.flag("active") else []
    RETIRING.ask_on(form, venue, affected)
    saved = form.submit(
        session,
        lambda: venues.update_venue(
            session=session, principal=principal, venue_id=venue_id, changes=data, expected=opened_at(form)
        ),
        record="venue",
    )
    if saved is None:
        return _venue_form(request, form, venue, status=400, affected=affected)
    return done(
        request,
        f"/plan/venues/{venue_id}",
        RETIRING.said(venue, affected) if affected else "Saved the venue.",
    )


def _venue_affected(session: Session, venue: Venue) -> Affected:
    """The upcoming events that taking the venue out of use affects, for the confirmation."""
    return [
        {"event": e, "status": e.status, "detail": "Shown to the public" if e.public else "Not public"}
        for e in venues.upcoming_events(session=session, venue_id=venue.id or 0)
    ]


@router.get("/plan/venues/{venue_id:id}/deactivate", response_class=HTMLResponse)
def confirm_venue_deactivation(
    request: Request, session: SessionDep, principal: Planner, venue_id: int
) -> Response:
    venue = venues.get_venue(session=session, venue_id=venue_id)
    if not venue.active:
        return see_other(f"/plan/venues/{venue_id}")
    affected = _venue_affected(session, venue)
    summary = venues.deactivation_summary(venue, [item["event"] for item in affected])
    return RETIRING.confirmation(request, venue, summary, affected)


@router.post("/plan/venues/{venue_id:id}/deactivate")
def deactivate_venue(
    request: Request, session: SessionDep, principal: Planner, venue_id: int, _form: PostedForm
) -> Response:
    venue = venues.get_venue(session=session, venue_id=venue_id)
    affected = _venue_affected(session, venue) if venue.active else []
    venues.update_venue(session=session, principal=principal, venue_id=venue_id, changes={"active": False})
    return done(request, f"/plan/venues/{venue_id}", RETIRING.said(venue, affected))
