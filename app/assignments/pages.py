"""My outreach: a person's duties, answering a proposed one, and the briefing for one event."""

from dataclasses import dataclass, field
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts.deps import Planner
from app.accounts.principal import Principal
from app.assignments import service as assignments
from app.assignments.models import Assignment
from app.clock import utcnow
from app.db import SessionDep
from app.enums import ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus, EventStatus
from app.errors import NotFound
from app.events import service as events
from app.events.models import Event
from app.pages.common import see_other
from app.pages.flow import attempt, done
from app.pages.forms import FormInput, PostedForm
from app.pages.rendering import render
from app.people import service as people
from app.people.deps import Ambassador
from app.venues import service as venues
from app.venues.models import Venue

router = APIRouter(tags=["pages"], include_in_schema=False)

PAST_SHOWN = 20

Duty = tuple[Assignment, Event, Venue]


@dataclass
class Duties:
    """A person's duties as My outreach groups them."""

    to_answer: list[Duty] = field(default_factory=list)
    confirmed: list[Duty] = field(default_factory=list)
    declined: list[Duty] = field(default_factory=list)
    cancelled: list[Duty] = field(default_factory=list)
    past: list[Duty] = field(default_factory=list)


def _grouped(duties: list[Duty], now: datetime) -> Duties:
    """Upcoming duties by what the person has to do about them; the latest past ones they did."""
    grouped = Duties()
    for duty in duties:
        assignment, event, _ = duty
        status = AssignmentStatus(assignment.status)
        if event.ends_at <= now:
            if status == AssignmentStatus.confirmed and event.status != EventStatus.cancelled:
                grouped.past.append(duty)
        elif status in ACTIVE_ASSIGNMENT_STATUSES and event.status == EventStatus.cancelled:
            # Whatever the person answered, the event's state is what they need to know.
            grouped.cancelled.append(duty)
        elif status == AssignmentStatus.proposed:
            grouped.to_answer.append(duty)
        elif status in ACTIVE_ASSIGNMENT_STATUSES:
            grouped.confirmed.append(duty)
        else:
            grouped.declined.append(duty)
    grouped.past = list(reversed(grouped.past))[:PAST_SHOWN]
    return grouped


@router.get("/my", response_class=HTMLResponse)
def my_outreach(request: Request, session: SessionDep, principal: Ambassador) -> Response:
    assert principal.person_id is not None
    person = people.get_person(session=session, person_id=principal.person_id)
    now = utcnow()
    duties = _grouped(assignments.duties_of(session=session, person_id=principal.person_id), now)
    shown_ids = [e.id for _, e, _ in duties.to_answer + duties.confirmed if e.id is not None]
    away, _ = people.list_unavailability(
        session=session, limit=5, offset=0, person_id=principal.person_id, start=now
    )
    context = {
        "person": person,
        "to_answer": duties.to_answer,
        "confirmed": duties.confirmed,
        "declined": duties.declined,
        "cancelled": duties.cancelled,
        "past": duties.past,
        "teams": assignments.team_of(session=session, event_ids=shown_ids),
        "away": away,
        "away_spans": people.away_spans(away),
    }
    return render(request, "my/outreach.html", context)


def _own_assignment(session: Session, principal: Principal, assignment_id: int) -> Assignment:
    assignment = assignments.get_assignment(session=session, assignment_id=assignment_id)
    return people.belonging_to(assignment, principal.person_id)


@router.post("/my/assignments/{assignment_id:id}/accept")
def accept(
    request: Request, session: SessionDep, principal: Ambassador, assignment_id: int, _form: PostedForm
) -> Response:
    assignment = _own_assignment(session, principal, assignment_id)
    event = events.get_event(session=session, event_id=assignment.event_id)
    accepted = attempt(
        request,
        session,
        lambda: assignments.update_assignment(
            session=session,
            principal=principal,
            assignment_id=assignment_id,
            changes={"status": AssignmentStatus.confirmed},
        ),
    )
    if accepted is None:
        return see_other("/my")
    return done(
        request, "/my", f"Thank you: you are confirmed for '{event.title}'. It is in your calendar feed."
    )


@router.get("/my/assignments/{assignment_id:id}/decline", response_class=HTMLResponse)
def decline_form(
    request: Request, session: SessionDep, principal: Ambassador, assignment_id: int
) -> Response:
    assignment = _own_assignment(session, principal, assignment_id)
    event = events.get_event(session=session, event_id=assignment.event_id)
    context = {"assignment": assignment, "event": event, "form": FormInput()}
    return render(request, "my/decline.html", context)


@router.post("/my/assignments/{assignment_id:id}/decline", response_class=HTMLResponse)
def decline(
    request: Request, session: SessionDep, principal: Ambassador, assignment_id: int, form: PostedForm
) -> Response:
    assignment = _own_assignment(session, principal, assignment_id)
    event = events.get_event(session=session, event_id=assignment.event_id)
    reason = form.text("reason", "a reason", required=True, max_length=500)
    declined = form.submit(
        session,
        lambda: assignments.update_assignment(
            session=session,
            principal=principal,
            assignment_id=assignment_id,
            changes={"status": AssignmentStatus.declined, "reason": reason},
        ),
    )
    if declined is None:
        context = {"assignment": assignment, "event": event, "form": form}
        return render(request, "my/decline.html", context, status=400)
    return done(request, "/my", f"You have declined '{event.title}'. The coordinator can see your reason.")


@router.post("/plan/assignments/{assignment_id:id}/clear-flag")
def clear_flag(
    request: Request, session: SessionDep, principal: Planner, assignment_id: int, _form: PostedForm
) -> Response:
    """The coordinator has resolved a flagged duty (kept the person on, or agreed otherwise)."""
    assignment = assignments.clear_flag(session=session, actor=principal.actor, assignment_id=assignment_id)
    return done(request, f"/plan/events/{assignment.event_id}#team", "Cleared the flag.")


@router.get("/my/events/{event_id:id}", response_class=HTMLResponse)
def my_event(request: Request, session: SessionDep, principal: Ambassador, event_id: int) -> Response:
    """The briefing for one of the person's events: where, what to bring, who else is going."""
    assert principal.person_id is not None
    event = events.get_event(session=session, event_id=event_id)
    mine = assignments.assignment_of(session=session, event_id=event_id, person_id=principal.person_id)
    if mine is None:
        raise NotFound(f"you are not on event {event_id}")
    team = assignments.team_of(session=session, event_ids=[event_id])[event_id]
    context = {
        "event": event,
        "mine": mine,
        "team": [(a, p) for a, p in team if a.status in ACTIVE_ASSIGNMENT_STATUSES],
        "venue": venues.get_venue(session=session, venue_id=event.venue_id),
        "coordinator": events.coordinator_contact(session=session, event=event),
    }
    return render(request, "my/event.html", context)
