"""The event pages of the coordinator: the event form (new, edit), status, cancel and
duplicate, and the event page with its team and people picker."""

from datetime import datetime, timedelta
from functools import partial
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
from app.enums import ACTIVE_ASSIGNMENT_STATUSES, AssignmentRole, AssignmentStatus, EventStatus
from app.errors import Conflict, Invalid
from app.events import flows, queries, team_picker, warned
from app.events import service as events
from app.events.models import Event
from app.events.staffing import StaffingState
from app.events.warnings_pages import gate_from, held_for_warnings, warnings_context
from app.networks.models import Network
from app.pages import calendar
from app.pages.common import (
    all_campaigns,
    all_networks,
    all_venues,
    choice_param,
    date_param,
    int_param,
    query_string,
    see_other,
    text_param,
)
from app.pages.flow import attempt, done
from app.pages.forms import (
    FormInput,
    PostedForm,
    london_parts,
    opened_at,
    service_errors,
    unless_changed_meanwhile,
)
from app.pages.rendering import render
from app.people import service as people
from app.planning.acknowledge import Unacknowledged
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
def create_event(request: Request, session: SessionDep, principal: Planner, form: PostedForm) -> Response:
    networks = all_networks(session)
    data = parse_event_form(form, networks)
    data["status"] = form.choice("status", EventStatus, "draft or confirmed") or EventStatus.draft
    if data["status"] not in (EventStatus.draft, EventStatus.confirmed):
        form.error("status", "A new event is either a draft or confirmed")
    warned: dict[str, Any] = {}
    event = None
    if form.ok:
        with service_errors(form, session), held_for_warnings(session, warned):
            gate = gate_from(form)
            event = events.create_event(session=session, actor=principal.actor, data=data, warnings=gate)
    if event is None or warned:
        context = event_form_context(session, form, event=None, **warned)
        return render(request, "planner/event_form.html", context, status=409 if warned else 400)
    return done(request, f"/plan/events/{event.id}", f"Booked '{event.title}'.")


@router.get("/plan/events/{event_id:id}/edit", response_class=HTMLResponse)
def edit_event_form(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    form = _event_values(session, event)
    return render(request, "planner/event_form.html", event_form_context(session, form, event=event))


@router.post("/plan/events/{event_id:id}/edit", response_class=HTMLResponse)
def update_event(
    request: Request, session: SessionDep, principal: Planner, event_id: int, form: PostedForm
) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    networks = all_networks(session)
    data = parse_event_form(form, networks)
    if form.raw("action") == "revise":
        # Back from the conflicts dialog to the form, with everything as it was typed.
        return render(request, "planner/event_form.html", event_form_context(session, form, event=event))
    accept = form.flag("accept_conflicts")
    found: dict[int, Any] = {}
    warned: dict[str, Any] = {}
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
                    warnings=gate_from(form),
                )
                saved = True
        except Unacknowledged as exc:
            session.rollback()
            warned = warnings_context(exc)
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
        context = event_form_context(session, form, event=event, **warned)
        return render(request, "planner/event_form.html", context, status=409 if warned else 400)
    if found:
        clashing = (
            f"Moved '{event.title}'. {len(found)} of the team now clash and are marked on the team list."
        )
        return done(request, f"/plan/events/{event_id}", clashing, kind="warning")
    return done(request, f"/plan/events/{event_id}", "Saved your changes.")


# --- status, cancel, duplicate ---------------------------------------------------


@router.post("/plan/events/{event_id:id}/status")
def change_status(
    request: Request, session: SessionDep, principal: Planner, event_id: int, form: PostedForm
) -> Response:
    status = form.choice("status", EventStatus, "a status")
    if status is None or status == EventStatus.cancelled:
        return done(
            request, f"/plan/events/{event_id}", "Choose confirm, back to draft or completed.", kind="error"
        )
    event = attempt(
        request,
        session,
        lambda: events.set_status(session=session, actor=principal.actor, event_id=event_id, status=status),
    )
    if event is None:
        return see_other(f"/plan/events/{event_id}")
    words = {
        EventStatus.confirmed: "Confirmed",
        EventStatus.draft: "Moved back to draft:",
        EventStatus.completed: "Marked as completed:",
    }
    return done(request, f"/plan/events/{event_id}", f"{words.get(status, 'Changed')} '{event.title}'.")


@router.post("/plan/events/{event_id:id}/ask-venue")
def ask_venue_again(
    request: Request, session: SessionDep, principal: Planner, event_id: int, form: PostedForm
) -> Response:
    """After the venue declined: ask it again about the same booking."""
    back = f"/plan/events/{event_id}"
    ask = partial(flows.ask_venue_again, session=session, actor=principal.actor, event_id=event_id)
    if (asked := attempt(request, session, ask)) is None:
        return see_other(back)
    message = f"Asked the venue again about '{asked.title}'. It is waiting for their answer."
    return done(request, back, message)


def _cancel_page(
    request: Request, session: Session, event: Event, form: FormInput, status: int = 200
) -> Response:
    """The cancel form, listing who is proposed or confirmed (they will be told)."""
    assert event.id is not None
    team = assignments.team_of(session=session, event_ids=[event.id])[event.id]
    active = [(a, p) for a, p in team if a.status in ACTIVE_ASSIGNMENT_STATUSES]
    return render(
        request, "planner/cancel.html", {"event": event, "form": form, "team": active}, status=status
    )


@router.get("/plan/events/{event_id:id}/cancel", response_class=HTMLResponse)
def cancel_form(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    return _cancel_page(request, session, events.get_event(session=session, event_id=event_id), FormInput())


@router.post("/plan/events/{event_id:id}/cancel", response_class=HTMLResponse)
def cancel(
    request: Request, session: SessionDep, principal: Planner, event_id: int, form: PostedForm
) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    reason = form.text("reason", "a reason", required=True, max_length=500)
    cancelled = form.submit(
        session,
        lambda: events.cancel_event(session=session, actor=principal.actor, event_id=event_id, reason=reason),
    )
    if cancelled is None:
        return _cancel_page(request, session, event, form, status=400)
    return done(
        request,
        f"/plan/events/{event_id}",
        f"Cancelled '{event.title}'. Calendars and the public page now say so.",
    )


@router.get("/plan/events/{event_id:id}/duplicate", response_class=HTMLResponse)
def duplicate_form(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    form = FormInput()
    start_date, start_time = london_parts(event.starts_at + timedelta(days=7))
    form.values.update({"start_date": start_date, "start_time": start_time})
    return render(request, "planner/duplicate.html", {"event": event, "form": form})


@router.post("/plan/events/{event_id:id}/duplicate", response_class=HTMLResponse)
def duplicate(
    request: Request, session: SessionDep, principal: Planner, event_id: int, form: PostedForm
) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    day = form.date_value("start_date", "the date")
    at = form.time_value("start_time", "the start time")
    starts_at = form.london(day, at, "start_time", "the start time")
    copy = None
    to_read: dict[str, Any] = {}
    if starts_at is not None and form.ok:  # None only with an error on the form
        with service_errors(form, session), held_for_warnings(session, to_read):
            gate = gate_from(form)
            copy = flows.duplicate_event(
                session=session, actor=principal.actor, event_id=event_id, starts_at=starts_at, warnings=gate
            )
    if copy is None:
        context = {"event": event, "form": form, **to_read}
        return render(request, "planner/duplicate.html", context, status=409 if to_read else 400)
    return done(
        request,
        f"/plan/events/{copy.id}",
        f"Made a draft copy of '{event.title}'. Check it and add the team.",
    )


# --- the event page: details, staffing, team, picker -------------------------------


HISTORY_SHOWN = 8
"""The latest changes to the event and its team on its page; the rest are a link away."""


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
    history, history_total = audit.event_history(session=session, event_id=event_id, limit=HISTORY_SHOWN)
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
        "planning_warnings": warned.event_warnings(session=session, events=[event])[event.id],
    }
    return render(request, "planner/event.html", context)


@router.post("/plan/events/{event_id:id}/team", response_class=HTMLResponse)
def add_to_team(
    request: Request, session: SessionDep, principal: Planner, event_id: int, form: PostedForm
) -> Response:
    person_id = form.ident("person_id", "a person")
    role = form.choice("role", AssignmentRole, "a role") or AssignmentRole.ambassador
    status = form.choice("status", AssignmentStatus, "a status", required=False) or AssignmentStatus.proposed
    back = f"/plan/events/{event_id}" + _picker_query(form) + "#team"
    if not form.ok or person_id is None:
        return done(request, back, "Choose a person and a role.", kind="error")
    assignment = attempt(
        request,
        session,
        lambda: booking.assign(
            session=session,
            actor=principal.actor,
            event_id=event_id,
            person_id=person_id,
            role=role,
            status=status,
        ),
    )
    if assignment is None:
        return see_other(back)
    names = team_picker.names_for(session=session, person_ids={assignment.person_id})
    name = names.get(assignment.person_id, "They")
    return done(request, back, f"Added {name} as {role.value} ({status.value}).")


def _search_from(request: Request) -> team_picker.Search:
    """The picker's search as the page's query asks for it; unknown choices fall back."""
    return team_picker.Search(
        q=text_param(request, "q", 80),
        network=int_param(request, "network"),
        show=choice_param(request, "show", ("available", "all"), "available"),
        order=choice_param(request, "order", ("best", "near"), "best"),
    )


def _picker_query(form: FormInput) -> str:
    keep = {k: form.raw(k) for k in ("q", "network", "order")}
    text = query_string(**keep)
    return "?" + text.rstrip("&") if text else ""


@router.post("/plan/assignments/{assignment_id:id}", response_class=HTMLResponse)
def change_assignment(
    request: Request, session: SessionDep, principal: Planner, assignment_id: int, form: PostedForm
) -> Response:
    assignment = assignments.get_assignment(session=session, assignment_id=assignment_id)
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
        return done(request, back, "Nothing to change.", kind="error")
    changed = attempt(
        request,
        session,
        lambda: assignments.update_assignment(
            session=session, principal=principal, assignment_id=assignment_id, changes=changes
        ),
    )
    return done(request, back, "Updated the team.") if changed is not None else see_other(back)


@router.post("/plan/events/{event_id:id}/plan-staffing", response_class=HTMLResponse)
def plan_staffing(
    request: Request, session: SessionDep, principal: Planner, event_id: int, _form: PostedForm
) -> Response:
    """A fair team for the event's gaps, as a preview: who and why, then apply all or some."""
    job = attempt(
        request,
        session,
        lambda: staffing_jobs.preview_event(session=session, principal=principal, event_id=event_id),
    )
    if job is None:
        return see_other(f"/plan/events/{event_id}#team")
    if not job.proposals:
        return done(
            request,
            f"/plan/events/{event_id}#team",
            "Nobody more could be proposed: the places are filled or nobody suitable is free.",
        )
    return see_other(f"/plan/staffing/jobs/{job.id}#review")
