"""The ambassador's pages: My outreach, time away, the calendar feed and My data."""

from datetime import timedelta
from types import ModuleType
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from app.accounts.deps import current_principal
from app.accounts.principal import Principal
from app.assignments import service as assignments
from app.assignments.models import Assignment
from app.clock import utcnow
from app.db import SessionDep
from app.enums import AssignmentStatus, EventStatus, UnavailabilityReason, label
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.events import service as events
from app.events.models import Event
from app.networks.models import Network
from app.pages.common import all_networks, see_other
from app.pages.csrf import checked_form
from app.pages.forms import FormInput, service_errors
from app.pages.rendering import flash, render
from app.people import service as people
from app.people.models import Person, Unavailability
from app.venues.models import Venue

router = APIRouter(tags=["pages"], include_in_schema=False)

PAST_SHOWN = 20


def _person_principal(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if principal.person_id is None:
        raise Forbidden(
            "these pages are for people who stand at outreach events, and your sign-in is not "
            "linked to a person in Muster"
        )
    return principal


Ambassador = Annotated[Principal, Depends(_person_principal)]


def _person(session: Session, principal: Principal) -> Person:
    assert principal.person_id is not None
    return people.get_person(session=session, person_id=principal.person_id)


# --- My outreach -------------------------------------------------------------------


def duties_of(session: Session, person_id: int) -> list[tuple[Assignment, Event, Venue]]:
    """The person's assignments with their events and venues, in one query."""
    rows = session.exec(
        select(Assignment, Event, Venue)
        .join(Event, col(Event.id) == Assignment.event_id)
        .join(Venue, col(Venue.id) == Event.venue_id)
        .where(Assignment.person_id == person_id)
        .order_by(col(Event.starts_at))
    ).all()
    return [(a, e, v) for a, e, v in rows]


@router.get("/my", response_class=HTMLResponse)
def my_outreach(request: Request, session: SessionDep, principal: Ambassador) -> Response:
    person = _person(session, principal)
    assert person.id is not None
    now = utcnow()
    duties = duties_of(session, person.id)
    upcoming = [d for d in duties if d[1].ends_at > now]
    to_answer = [
        d
        for d in upcoming
        if d[0].status == AssignmentStatus.proposed and d[1].status != EventStatus.cancelled
    ]
    confirmed = [
        d
        for d in upcoming
        if d[0].status == AssignmentStatus.confirmed
        or (d[0].status == AssignmentStatus.proposed and d[1].status == EventStatus.cancelled)
    ]
    declined = [d for d in upcoming if d[0].status in (AssignmentStatus.declined, AssignmentStatus.withdrawn)]
    past = [d for d in duties if d[1].ends_at <= now and d[0].status == AssignmentStatus.confirmed]
    past = list(reversed(past))[:PAST_SHOWN]
    shown_ids = [e.id for _, e, _ in to_answer + confirmed if e.id is not None]
    teams = assignments.team_of(session=session, event_ids=shown_ids)
    away, _ = people.list_unavailability(session=session, limit=5, offset=0, person_id=person.id, start=now)
    context = {
        "person": person,
        "to_answer": to_answer,
        "confirmed": confirmed,
        "declined": declined,
        "past": past,
        "teams": teams,
        "away": away,
    }
    return render(request, "staff/outreach.html", context)


def _own_assignment(session: Session, principal: Principal, assignment_id: int) -> Assignment:
    assignment = assignments.get_assignment(session=session, assignment_id=assignment_id)
    if assignment.person_id != principal.person_id:
        raise NotFound(f"assignment {assignment_id} does not exist")
    return assignment


@router.post("/my/assignments/{assignment_id:id}/accept")
async def accept(
    request: Request, session: SessionDep, principal: Ambassador, assignment_id: int
) -> Response:
    await checked_form(request)
    assignment = _own_assignment(session, principal, assignment_id)
    event = events.get_event(session=session, event_id=assignment.event_id)
    try:
        assignments.update_assignment(
            session=session,
            principal=principal,
            assignment_id=assignment_id,
            changes={"status": AssignmentStatus.confirmed},
        )
    except (Invalid, Conflict) as exc:
        session.rollback()
        flash(request, exc.detail[:1].upper() + exc.detail[1:], kind="error")
        return see_other("/my")
    flash(request, f"Thank you: you are confirmed for '{event.title}'. It is in your calendar feed.")
    return see_other("/my")


@router.get("/my/assignments/{assignment_id:id}/decline", response_class=HTMLResponse)
def decline_form(
    request: Request, session: SessionDep, principal: Ambassador, assignment_id: int
) -> Response:
    assignment = _own_assignment(session, principal, assignment_id)
    event = events.get_event(session=session, event_id=assignment.event_id)
    context = {"assignment": assignment, "event": event, "form": FormInput()}
    return render(request, "staff/decline.html", context)


@router.post("/my/assignments/{assignment_id:id}/decline", response_class=HTMLResponse)
async def decline(
    request: Request, session: SessionDep, principal: Ambassador, assignment_id: int
) -> Response:
    assignment = _own_assignment(session, principal, assignment_id)
    event = events.get_event(session=session, event_id=assignment.event_id)
    form = FormInput(await checked_form(request))
    reason = form.text("reason", "a reason", required=True, max_length=500)
    done = False
    if form.ok:
        with service_errors(form, session):
            assignments.update_assignment(
                session=session,
                principal=principal,
                assignment_id=assignment_id,
                changes={"status": AssignmentStatus.declined, "reason": reason},
            )
            done = True
    if not done:
        context = {"assignment": assignment, "event": event, "form": form}
        return render(request, "staff/decline.html", context, status=400)
    flash(request, f"You have declined '{event.title}'. The coordinator can see your reason.")
    return see_other("/my")


@router.get("/my/events/{event_id:id}", response_class=HTMLResponse)
def my_event(request: Request, session: SessionDep, principal: Ambassador, event_id: int) -> Response:
    """The briefing for one of the person's events: where, what to bring, who else is going."""
    event = events.get_event(session=session, event_id=event_id)
    mine = session.exec(
        select(Assignment).where(Assignment.event_id == event_id, Assignment.person_id == principal.person_id)
    ).first()
    if mine is None:
        raise NotFound(f"you are not on event {event_id}")
    team = assignments.team_of(session=session, event_ids=[event_id])[event_id]
    active = [(a, p) for a, p in team if a.status in (AssignmentStatus.proposed, AssignmentStatus.confirmed)]
    context = {
        "event": event,
        "mine": mine,
        "team": active,
        "venue": session.get(Venue, event.venue_id),
        "coordinator": _coordinator_name(session, event.coordinator_user_id),
    }
    return render(request, "staff/event.html", context)


def _coordinator_name(session: Session, user_id: int | None) -> str:
    from app.accounts.models import User

    user = session.get(User, user_id) if user_id else None
    return (user.full_name or user.email) if user else ""


# --- unavailability --------------------------------------------------------------


def _away_page(
    request: Request, session: Session, principal: Principal, form: FormInput, status: int = 200
) -> Response:
    assert principal.person_id is not None
    now = utcnow()
    rows, _ = people.list_unavailability(
        session=session, limit=200, offset=0, person_id=principal.person_id, start=now - timedelta(days=1)
    )
    context = {
        "rows": rows,
        "form": form,
        "reason_pairs": [(r.value, label(r.value)) for r in UnavailabilityReason],
    }
    return render(request, "staff/unavailability.html", context, status=status)


@router.get("/my/unavailability", response_class=HTMLResponse)
def unavailability(request: Request, session: SessionDep, principal: Ambassador) -> Response:
    form = FormInput()
    form.values.update({"start_time": "00:00", "end_time": "23:59", "reason": "annual_leave"})
    return _away_page(request, session, principal, form)


def parse_away(form: FormInput) -> dict[str, Any]:
    """From (date, time) to (date, time), a reason and a note: times default to whole days."""
    first = form.date_value("start_date", "the first day")
    last = form.date_value("end_date", "the last day")
    start_time = form.time_value("start_time", "the start time", required=False)
    end_time = form.time_value("end_time", "the end time", required=False)
    from datetime import time as clock

    starts_at = form.london(first, start_time or clock(0, 0), "start_time", "the start time")
    ends_at = None
    if last is not None:
        if end_time is None or end_time == clock(23, 59):
            ends_at = form.london(last + timedelta(days=1), clock(0, 0), "end_time", "the end time")
        else:
            ends_at = form.london(last, end_time, "end_time", "the end time")
    if starts_at and ends_at and ends_at <= starts_at:
        form.error("end_date", "The last day must be the same as or after the first day")
    reason = form.choice("reason", UnavailabilityReason, "a reason")
    note = form.text("note", "the note", max_length=500)
    return {"starts_at": starts_at, "ends_at": ends_at, "reason": reason, "note": note}


@router.post("/my/unavailability", response_class=HTMLResponse)
async def add_unavailability(request: Request, session: SessionDep, principal: Ambassador) -> Response:
    form = FormInput(await checked_form(request))
    data = parse_away(form)
    saved = False
    if form.ok:
        with service_errors(form, session):
            people.add_unavailability(
                session=session, actor=principal.actor, data={**data, "person_id": principal.person_id}
            )
            saved = True
    if not saved:
        return _away_page(request, session, principal, form, status=400)
    flash(request, "Saved. Coordinators will not be offered you for events at that time.")
    return see_other("/my/unavailability")


@router.post("/my/unavailability/{row_id:id}/delete")
async def remove_unavailability(
    request: Request, session: SessionDep, principal: Ambassador, row_id: int
) -> Response:
    await checked_form(request)
    row = session.get(Unavailability, row_id)
    if row is None or row.person_id != principal.person_id:
        raise NotFound(f"unavailability {row_id} does not exist")
    people.remove_unavailability(session=session, actor=principal.actor, unavailability_id=row_id)
    flash(request, "Removed.")
    return see_other("/my/unavailability")


# --- calendar feed ---------------------------------------------------------------


def feeds_service() -> ModuleType | None:
    """The calendar-feed service; the page explains itself if feeds are not installed."""
    try:
        from app.feeds import links
    except ImportError:
        return None
    return links


def qr_svg_data_uri(text: str) -> str:
    """A QR code made here (segno), not by a web service: the link is a secret."""
    import segno

    return str(segno.make(text, error="m").svg_data_uri(scale=4, border=2, dark="#0b0c0c"))


@router.get("/my/calendar", response_class=HTMLResponse)
def calendar_page(request: Request, session: SessionDep, principal: Ambassador) -> Response:
    service = feeds_service()
    link = service.person_feed_link(session=session, principal=principal) if service else None
    context = {
        "link": link,
        "available": service is not None,
        "qr": qr_svg_data_uri(link.webcal_url) if link else "",
    }
    return render(request, "staff/calendar.html", context)


@router.post("/my/calendar")
async def turn_on_calendar(request: Request, session: SessionDep, principal: Ambassador) -> Response:
    await checked_form(request)
    service = feeds_service()
    if service is None:
        raise NotFound("calendar feeds are not installed")
    service.create_person_feed(session=session, principal=principal)
    flash(request, "Your calendar link is ready. Add it to your calendar app below.")
    return see_other("/my/calendar")


@router.post("/my/calendar/reset")
async def reset_calendar(request: Request, session: SessionDep, principal: Ambassador) -> Response:
    await checked_form(request)
    service = feeds_service()
    if service is None:
        raise NotFound("calendar feeds are not installed")
    service.reset_person_feed(session=session, principal=principal)
    flash(
        request,
        "Your old link has stopped working. Remove the old calendar from your apps and add the new link.",
        kind="warning",
    )
    return see_other("/my/calendar")


@router.post("/my/calendar/off")
async def turn_off_calendar(request: Request, session: SessionDep, principal: Ambassador) -> Response:
    await checked_form(request)
    service = feeds_service()
    if service is None:
        raise NotFound("calendar feeds are not installed")
    service.revoke_person_feed(session=session, principal=principal)
    flash(request, "Your calendar link is turned off and no longer works.")
    return see_other("/my/calendar")


# --- My data ---------------------------------------------------------------------


def _data_page(
    request: Request, session: Session, principal: Principal, form: FormInput, status: int = 200
) -> Response:
    person = _person(session, principal)
    assert person.id is not None
    reps = people.representations_of(session=session, person_id=person.id)
    networks = all_networks(session)
    names = {n.id: n for n in networks}
    mine = {r.network_id for r in reps}
    from app.accounts.models import User

    user = session.get(User, principal.user_id)
    context = {
        "person": person,
        "user": user,
        "reps": [(r, names.get(r.network_id)) for r in reps],
        "others": [(n.id, n.name) for n in networks if n.id not in mine],
        "form": form,
        "away_count": people.list_unavailability(session=session, limit=1, offset=0, person_id=person.id)[1],
        "duty_count": len(duties_of(session, person.id)),
    }
    return render(request, "staff/data.html", context, status=status)


@router.get("/my/data", response_class=HTMLResponse)
def my_data(request: Request, session: SessionDep, principal: Ambassador) -> Response:
    return _data_page(request, session, principal, FormInput())


@router.post("/my/data/networks", response_class=HTMLResponse)
async def opt_in(request: Request, session: SessionDep, principal: Ambassador) -> Response:
    form = FormInput(await checked_form(request))
    network_id = form.ident("network_id", "a network")
    public_naming = form.flag("public_naming")
    network = session.get(Network, network_id) if network_id else None
    if network_id is not None and network is None:
        form.error("network_id", "Select a network from the list")
    saved = False
    if form.ok and network_id is not None and principal.person_id is not None:
        with service_errors(form, session, "network_id"):
            people.opt_in(
                session=session,
                actor=principal.actor,
                person_id=principal.person_id,
                network_id=network_id,
                public_naming=public_naming,
            )
            saved = True
    if not saved:
        return _data_page(request, session, principal, form, status=400)
    assert network is not None
    flash(request, f"Thank you. You now represent the {network.name} at outreach events.")
    return see_other("/my/data")


def _own_representation(session: Session, principal: Principal, rep_id: int) -> Any:
    return people.get_representation(session=session, representation_id=rep_id, visible_to=principal)


@router.post("/my/data/networks/{rep_id:id}/naming")
async def change_naming(
    request: Request, session: SessionDep, principal: Ambassador, rep_id: int
) -> Response:
    form = FormInput(await checked_form(request))
    _own_representation(session, principal, rep_id)
    allow = form.flag("public_naming")
    people.set_public_naming(
        session=session, actor=principal.actor, representation_id=rep_id, public_naming=allow
    )
    flash(
        request,
        "You may now be named on public event pages for this network."
        if allow
        else "You will no longer be named on public pages for this network.",
    )
    return see_other("/my/data")


@router.post("/my/data/networks/{rep_id:id}/withdraw")
async def withdraw(request: Request, session: SessionDep, principal: Ambassador, rep_id: int) -> Response:
    await checked_form(request)
    _own_representation(session, principal, rep_id)
    people.withdraw(session=session, actor=principal.actor, representation_id=rep_id)
    flash(request, "Withdrawn. Muster no longer holds that you represent this network.")
    return see_other("/my/data")
