"""The event pages of the coordinator: the event form (new, edit), status, cancel and
duplicate, and the event page with its team and people picker."""

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts.deps import Planner
from app.assignments import service as assignments
from app.audit import service as audit
from app.booking import service as booking
from app.clock import utcnow
from app.db import SessionDep
from app.enums import AssignmentRole, AssignmentStatus, EventStatus
from app.errors import Conflict, Invalid
from app.events import flows, queries, team_picker
from app.events import service as events
from app.events.models import Event
from app.events.staffing import StaffingState
from app.networks.models import Network
from app.pages import calendar
from app.pages.common import (
    all_campaigns,
    all_networks,
    all_venues,
    date_param,
    int_param,
    query_string,
    see_other,
    text_param,
)
from app.pages.csrf import checked_form
from app.pages.forms import FormInput, london_parts, opened_at, service_errors, unless_changed_meanwhile
from app.pages.rendering import flash, render
from app.people import service as people
from app.staffing import jobs as staffing_jobs

router = APIRouter(tags=["pages"], include_in_schema=False)


# --- the event form (create, edit) ------------------------------------------------


def event_form_context(session: Session, form: FormInput, **extra: Any) -> dict[str, Any]:
    """What the event form (and bulk booking, which shares it) needs besides the form."""
    campaigns = all_campaigns(session)
    venues = all_venues(session, active_only=True)
    return {
        "form": form,
        "campaign_options": [(c.id, c.name) for c in campaigns],
        "venue_options": [(v.id, f"{v.name} ({v.town})" if v.town else v.name) for v in venues],
        "venues": venues,
        "networks": all_networks(session),
        "bulk": False,
        "show_status": extra.get("event") is None,
        **extra,
    }


def parse_when(form: FormInput) -> tuple[datetime | None, datetime | None]:
    """Start date and time, end time, and an end date only when it runs past midnight."""
    start_day = form.date_value("start_date", "the date")
    start_time = form.time_value("start_time", "the start time")
    end_day = form.date_value("end_date", "the end date", required=False) or start_day
    end_time = form.time_value("end_time", "the end time")
    starts_at = form.london(start_day, start_time, "start_time", "the start time")
    ends_at = form.london(end_day, end_time, "end_time", "the end time")
    if starts_at and ends_at and ends_at <= starts_at:
        form.error("end_time", "The end time must be after the start time")
    return starts_at, ends_at


def parse_event_form(form: FormInput, networks: list[Network], *, with_place: bool = True) -> dict[str, Any]:
    """The fields of an event, in the words people type them; errors go on the form."""
    data: dict[str, Any] = {}
    data["campaign_id"] = form.ident("campaign_id", "a campaign")
    if with_place:
        data["venue_id"] = form.ident("venue_id", "a venue")
        data["title"] = form.text("title", "a title", required=True, max_length=200)
    else:
        data["title"] = form.text("title", "a title", max_length=200)
    data["starts_at"], data["ends_at"] = parse_when(form)
    data["ambassadors_needed"] = form.integer(
        "ambassadors_needed", "the number of ambassadors", maximum=50, default=0
    )
    data["recruiters_needed"] = form.integer(
        "recruiters_needed", "the number of recruiters", maximum=50, default=0
    )
    data["wanted_languages"] = form.words("wanted_languages", "languages")
    needs = []
    for network in networks:
        count = form.integer(
            f"need_{network.id}", f"the number from the {network.name}", maximum=20, default=0
        )
        if count:
            needs.append({"network_id": network.id, "min_count": count})
    data["network_needs"] = needs
    data["public"] = form.flag("public")
    data["public_description"] = form.text("public_description", "the public description", max_length=4000)
    data["what_to_bring"] = form.text("what_to_bring", "what to bring", max_length=2000)
    data["internal_notes"] = form.text("internal_notes", "the internal notes", max_length=4000)
    return data


def _event_values(session: Session, event: Event) -> FormInput:
    assert event.id is not None
    form = FormInput()
    start_date, start_time = london_parts(event.starts_at)
    end_date, end_time = london_parts(event.ends_at)
    needs = events.network_needs_of(session=session, event_ids=[event.id])[event.id]
    form.values.update(
        {
            "campaign_id": str(event.campaign_id),
            "venue_id": str(event.venue_id),
            "title": event.title,
            "start_date": start_date,
            "start_time": start_time,
            "end_date": end_date if end_date != start_date else "",
            "end_time": end_time,
            "ambassadors_needed": str(event.ambassadors_needed),
            "recruiters_needed": str(event.recruiters_needed),
            "wanted_languages": ", ".join(event.wanted_languages or []),
            "public": "yes" if event.public else "",
            "public_description": event.public_description,
            "what_to_bring": event.what_to_bring,
            "internal_notes": event.internal_notes,
            "revision": str(event.revision),
            **{f"need_{n.network_id}": str(n.min_count) for n in needs},
        }
    )
    return form


def blank_event_form(request: Request, session: Session) -> FormInput:
    """A new event's form: two weeks ahead by default, or the day and place the link chose."""
    form = FormInput()
    campaigns = all_campaigns(session)
    day = date_param(request, "date") or calendar.today_in_london() + timedelta(days=14)
    form.values.update(
        {
            "campaign_id": str(int_param(request, "campaign") or (campaigns[0].id if campaigns else "")),
            "venue_id": str(int_param(request, "venue") or ""),
            "start_date": day.isoformat(),
            "start_time": "10:00",
            "end_time": "17:00",
            "ambassadors_needed": "2",
            "recruiters_needed": "1",
            "status": "draft",
            "public": "yes",
        }
    )
    return form


@router.get("/plan/events/new", response_class=HTMLResponse)
def new_event_form(request: Request, session: SessionDep, principal: Planner) -> Response:
    form = blank_event_form(request, session)
    return render(request, "planner/event_form.html", event_form_context(session, form, event=None))


@router.post("/plan/events/new", response_class=HTMLResponse)
async def create_event(request: Request, session: SessionDep, principal: Planner) -> Response:
    form = FormInput(await checked_form(request))
    networks = all_networks(session)
    data = parse_event_form(form, networks)
    data["status"] = form.choice("status", EventStatus, "draft or confirmed") or EventStatus.draft
    if data["status"] not in (EventStatus.draft, EventStatus.confirmed):
        form.error("status", "A new event is either a draft or confirmed")
    event = None
    if form.ok:
        with service_errors(form, session):
            event = events.create_event(session=session, actor=principal.actor, data=data)
    if event is None:
        context = event_form_context(session, form, event=None)
        return render(request, "planner/event_form.html", context, status=400)
    flash(request, f"Booked '{event.title}'.")
    return see_other(f"/plan/events/{event.id}")


@router.get("/plan/events/{event_id:id}/edit", response_class=HTMLResponse)
def edit_event_form(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    form = _event_values(session, event)
    return render(request, "planner/event_form.html", event_form_context(session, form, event=event))


@router.post("/plan/events/{event_id:id}/edit", response_class=HTMLResponse)
async def update_event(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    form = FormInput(await checked_form(request))
    networks = all_networks(session)
    data = parse_event_form(form, networks)
    if form.raw("action") == "revise":
        # Back from the conflicts dialog to the form, with everything as it was typed.
        return render(request, "planner/event_form.html", event_form_context(session, form, event=event))
    accept = form.flag("accept_conflicts")
    found: dict[int, Any] = {}
    saved = False
    if form.ok:
        try:
            with unless_changed_meanwhile(form, session, "event"):
                _, found = events.update_event(
                    session=session,
                    actor=principal.actor,
                    event_id=event_id,
                    changes=data,
                    accept_conflicts=accept,
                    expected=opened_at(form),
                )
                saved = True
        except Conflict as exc:
            session.rollback()
            conflicts = exc.extra.get("conflicts")
            if conflicts:
                names = team_picker.names_for(session=session, person_ids={c["person_id"] for c in conflicts})
                context = {"event": event, "form": form, "conflicts": conflicts, "names": names}
                return render(request, "planner/move_conflicts.html", context, status=409)
            form.error("form", exc.detail)
        except Invalid as exc:
            session.rollback()
            form.error("form", exc.detail[:1].upper() + exc.detail[1:])
    if not saved:
        context = event_form_context(session, form, event=event)
        return render(request, "planner/event_form.html", context, status=400)
    if found:
        flash(
            request,
            f"Moved '{event.title}'. {len(found)} of the team now clash and are marked on the team list.",
            kind="warning",
        )
    else:
        flash(request, "Saved your changes.")
    return see_other(f"/plan/events/{event_id}")


# --- status, cancel, duplicate ---------------------------------------------------


@router.post("/plan/events/{event_id:id}/status")
async def change_status(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    form = FormInput(await checked_form(request))
    status = form.choice("status", EventStatus, "a status")
    if status is None or status == EventStatus.cancelled:
        flash(request, "Choose confirm, back to draft or completed.", kind="error")
        return see_other(f"/plan/events/{event_id}")
    try:
        event = events.set_status(session=session, actor=principal.actor, event_id=event_id, status=status)
    except (Invalid, Conflict) as exc:
        session.rollback()
        flash(request, exc.detail[:1].upper() + exc.detail[1:], kind="error")
        return see_other(f"/plan/events/{event_id}")
    words = {
        EventStatus.confirmed: "Confirmed",
        EventStatus.draft: "Moved back to draft:",
        EventStatus.completed: "Marked as completed:",
    }
    flash(request, f"{words.get(status, 'Changed')} '{event.title}'.")
    return see_other(f"/plan/events/{event_id}")


@router.get("/plan/events/{event_id:id}/cancel", response_class=HTMLResponse)
def cancel_form(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    team = assignments.team_of(session=session, event_ids=[event_id])[event_id]
    active = [(a, p) for a, p in team if a.status in (AssignmentStatus.proposed, AssignmentStatus.confirmed)]
    context = {"event": event, "form": FormInput(), "team": active}
    return render(request, "planner/cancel.html", context)


@router.post("/plan/events/{event_id:id}/cancel", response_class=HTMLResponse)
async def cancel(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    form = FormInput(await checked_form(request))
    reason = form.text("reason", "a reason", required=True, max_length=500)
    done = False
    if form.ok:
        with service_errors(form, session):
            events.cancel_event(session=session, actor=principal.actor, event_id=event_id, reason=reason)
            done = True
    if not done:
        team = assignments.team_of(session=session, event_ids=[event_id])[event_id]
        active = [
            (a, p) for a, p in team if a.status in (AssignmentStatus.proposed, AssignmentStatus.confirmed)
        ]
        context = {"event": event, "form": form, "team": active}
        return render(request, "planner/cancel.html", context, status=400)
    flash(request, f"Cancelled '{event.title}'. Calendars and the public page now say so.")
    return see_other(f"/plan/events/{event_id}")


@router.get("/plan/events/{event_id:id}/duplicate", response_class=HTMLResponse)
def duplicate_form(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    form = FormInput()
    start_date, start_time = london_parts(event.starts_at + timedelta(days=7))
    form.values.update({"start_date": start_date, "start_time": start_time})
    return render(request, "planner/duplicate.html", {"event": event, "form": form})


@router.post("/plan/events/{event_id:id}/duplicate", response_class=HTMLResponse)
async def duplicate(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    form = FormInput(await checked_form(request))
    day = form.date_value("start_date", "the date")
    at = form.time_value("start_time", "the start time")
    starts_at = form.london(day, at, "start_time", "the start time")
    copy = None
    if form.ok and starts_at is not None:
        with service_errors(form, session):
            copy = flows.duplicate_event(
                session=session, actor=principal.actor, event_id=event_id, starts_at=starts_at
            )
    if copy is None:
        return render(request, "planner/duplicate.html", {"event": event, "form": form}, status=400)
    flash(request, f"Made a draft copy of '{event.title}'. Check it and add the team.")
    return see_other(f"/plan/events/{copy.id}")


# --- the event page: details, staffing, team, picker -------------------------------


@router.get("/plan/events/{event_id:id}", response_class=HTMLResponse)
def event_page(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    assert event.id is not None
    state: StaffingState = events.staffing_states(session=session, events=[event])[event.id]
    team = assignments.team_of(session=session, event_ids=[event.id])[event.id]
    venue, campaign = queries.venue_and_campaign(session=session, event=event)
    search = _search_from(request)
    candidates = team_picker.candidates(session=session, event=event, team=team, search=search)
    team_networks = people.network_names_by_person(
        session=session, person_ids={p.id for _, p in team if p.id}
    )
    history, history_total = audit.history(session=session, record_type="event", record_id=event_id, limit=5)
    context = {
        "event": event,
        "venue": venue,
        "campaign": campaign,
        "state": state,
        "team": team,
        "team_networks": team_networks,
        "picker": candidates,
        "search": search,
        "networks": all_networks(session),
        "roles": list(AssignmentRole),
        "history": history,
        "history_total": history_total,
        "open": event.status in (EventStatus.draft, EventStatus.confirmed),
        "ended": event.ends_at <= utcnow(),
        "ranked": candidates.ranked,
    }
    return render(request, "planner/event.html", context)


@router.post("/plan/events/{event_id:id}/team", response_class=HTMLResponse)
async def add_to_team(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    form = FormInput(await checked_form(request))
    person_id = form.ident("person_id", "a person")
    role = form.choice("role", AssignmentRole, "a role") or AssignmentRole.ambassador
    status = form.choice("status", AssignmentStatus, "a status", required=False) or AssignmentStatus.proposed
    back = f"/plan/events/{event_id}" + _picker_query(form) + "#team"
    if not form.ok or person_id is None:
        flash(request, "Choose a person and a role.", kind="error")
        return see_other(back)
    try:
        assignment = booking.assign(
            session=session,
            actor=principal.actor,
            event_id=event_id,
            person_id=person_id,
            role=role,
            status=status,
        )
    except (Invalid, Conflict) as exc:
        session.rollback()
        flash(request, exc.detail[:1].upper() + exc.detail[1:], kind="error")
        return see_other(back)
    names = team_picker.names_for(session=session, person_ids={assignment.person_id})
    name = names.get(assignment.person_id, "They")
    flash(request, f"Added {name} as {role.value} ({status.value}).")
    return see_other(back)


def _search_from(request: Request) -> team_picker.Search:
    """The picker's search as the page's query asks for it; unknown choices fall back."""
    show = request.query_params.get("show", "available")
    order = request.query_params.get("order", "near")
    return team_picker.Search(
        q=text_param(request, "q", 80),
        network=int_param(request, "network"),
        show=show if show in ("available", "all") else "available",
        order=order if order in ("near", "best") else "near",
    )


def _picker_query(form: FormInput) -> str:
    keep = {k: form.raw(k) for k in ("q", "network", "order")}
    text = query_string(**keep)
    return "?" + text.rstrip("&") if text else ""


@router.post("/plan/assignments/{assignment_id:id}", response_class=HTMLResponse)
async def change_assignment(
    request: Request, session: SessionDep, principal: Planner, assignment_id: int
) -> Response:
    assignment = assignments.get_assignment(session=session, assignment_id=assignment_id)
    form = FormInput(await checked_form(request))
    changes: dict[str, Any] = {}
    role = form.choice("role", AssignmentRole, "a role", required=False)
    status = form.choice("status", AssignmentStatus, "a status", required=False)
    if role is not None:
        changes["role"] = role
    if status is not None:
        changes["status"] = status
        changes["reason"] = form.text("reason", "a reason", max_length=500)
    back = f"/plan/events/{assignment.event_id}#team"
    if not changes or not form.ok:
        flash(request, "Nothing to change.", kind="error")
        return see_other(back)
    try:
        assignments.update_assignment(
            session=session, principal=principal, assignment_id=assignment_id, changes=changes
        )
    except (Invalid, Conflict) as exc:
        session.rollback()
        flash(request, exc.detail[:1].upper() + exc.detail[1:], kind="error")
        return see_other(back)
    flash(request, "Updated the team.")
    return see_other(back)


@router.post("/plan/events/{event_id:id}/plan-staffing", response_class=HTMLResponse)
async def plan_staffing(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    """A fair team for the event's gaps, as a preview: who and why, then apply all or some."""
    await checked_form(request)
    try:
        job = staffing_jobs.preview_event(session=session, principal=principal, event_id=event_id)
    except (Invalid, Conflict) as exc:
        session.rollback()
        flash(request, exc.detail[:1].upper() + exc.detail[1:], kind="error")
        return see_other(f"/plan/events/{event_id}#team")
    if not job.proposals:
        flash(request, "Nobody more could be proposed: the places are filled or nobody suitable is free.")
        return see_other(f"/plan/events/{event_id}#team")
    return see_other(f"/plan/staffing/jobs/{job.id}#review")
