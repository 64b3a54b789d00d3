"""The outcome form: after an event, its lead or a coordinator records what it achieved and
who of the team attended. Linked from the planner's event page and from the lead's My outreach."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts.deps import AnyUser
from app.accounts.principal import Principal
from app.db import SessionDep
from app.enums import AttendanceStatus
from app.events import queries
from app.outcomes import service
from app.outcomes.service import COUNT_WORDS, COUNTS, MAX_COUNT, AttendanceIn, Outcome
from app.pages.flow import done
from app.pages.forms import FormInput, PostedForm, opened_at
from app.pages.rendering import render

router = APIRouter(tags=["pages"], include_in_schema=False)

ATTENDANCE_CHOICES = [
    (AttendanceStatus.attended.value, "Attended"),
    (AttendanceStatus.absent.value, "Did not attend"),
]


def _values(outcome: Outcome) -> FormInput:
    """The form as first shown: what is recorded, or empty counts and no attendance chosen."""
    form = FormInput()
    record = outcome.record
    for name in COUNTS:
        form.values[name] = str(getattr(record, name)) if record else ""
    form.values["what_worked"] = record.what_worked if record else ""
    form.values["revision"] = str(outcome.revision)
    for a, p in outcome.team:
        form.values[f"attendance-{p.id}"] = str(a.attendance) if a.attendance else ""
        form.values[f"reason-{p.id}"] = a.absence_reason
    return form


def _parse(form: FormInput, outcome: Outcome) -> tuple[dict[str, Any], list[AttendanceIn]]:
    # Leaflets may be left empty (none handed out); the other counts are the point of the form.
    data: dict[str, Any] = {
        name: form.integer(name, COUNT_WORDS[name], minimum=0, maximum=MAX_COUNT, required=name != "leaflets")
        for name in COUNTS
    }
    data["leaflets"] = data["leaflets"] or 0
    data["what_worked"] = form.text("what_worked", "what worked", max_length=4000)
    attendance = []
    for _, p in outcome.team:
        assert p.id is not None
        status = form.choice(f"attendance-{p.id}", AttendanceStatus, f"whether {p.name} attended")
        reason = form.text(f"reason-{p.id}", f"the reason {p.name} did not attend", max_length=500)
        if status == AttendanceStatus.absent and not reason:
            form.error(f"reason-{p.id}", f"Enter the reason {p.name} did not attend")
        if status is not None:
            attendance.append(AttendanceIn(p.id, status, reason))
    return data, attendance


def _page(
    request: Request,
    session: Session,
    outcome: Outcome,
    principal: Principal,
    form: FormInput,
    status: int = 200,
) -> Response:
    venue, _ = queries.venue_and_campaign(session=session, event=outcome.event)
    context = {
        "event": outcome.event,
        "venue": venue,
        "outcome": outcome,
        "form": form,
        "choices": ATTENDANCE_CHOICES,
        "back": _back(outcome, principal),
    }
    return render(request, "outcomes/form.html", context, status=status)


def _back(outcome: Outcome, principal: Principal) -> str:
    return f"/plan/events/{outcome.event.id}" if principal.is_planner else "/my"


@router.get("/events/{event_id:id}/outcome", response_class=HTMLResponse)
def outcome_form(request: Request, session: SessionDep, principal: AnyUser, event_id: int) -> Response:
    outcome = service.outcome_to_record(session=session, principal=principal, event_id=event_id)
    return _page(request, session, outcome, principal, _values(outcome))


@router.post("/events/{event_id:id}/outcome", response_class=HTMLResponse)
def save_outcome(
    request: Request, session: SessionDep, principal: AnyUser, event_id: int, form: PostedForm
) -> Response:
    outcome = service.outcome_to_record(session=session, principal=principal, event_id=event_id)
    data, attendance = _parse(form, outcome)
    saved = form.submit(
        session,
        lambda: service.record_outcome(
            session=session,
            principal=principal,
            event_id=event_id,
            data=data,
            attendance=attendance,
            expected=opened_at(form),
        ),
        record="outcome",
    )
    if saved is None:
        return _page(request, session, outcome, principal, form, status=400)
    return done(request, _back(outcome, principal), f"Saved the outcome of '{outcome.event.title}'.")
