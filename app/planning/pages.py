"""The planning calendar pages: what is coming up, and the administrator's local dates and
weekly patterns (add, change, remove). Coordinators read; administrators write."""

from collections.abc import Callable
from datetime import timedelta
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts.deps import Admin, Planner
from app.audit.service import Actor
from app.clock import to_london, utcnow
from app.db import SessionDep
from app.enums import VenueKind
from app.pages.common import options
from app.pages.flow import done
from app.pages.forms import FormInput, PostedForm, opened_at
from app.pages.rendering import render
from app.planning import calendar, service
from app.planning.calendar import scope_words
from app.planning.dates import EXPECTED, day_words
from app.planning.models import LocalDate, WeeklyPattern
from app.planning.schemas import LocalDateCreate, LocalDateScope, WeeklyPatternCreate
from app.venues import service as venues
from app.venues.hours import WEEKDAYS

router = APIRouter(tags=["pages"], include_in_schema=False)

HOME = "/admin/planning-calendar"
AHEAD_DAYS = 365
SCOPES = [
    (LocalDateScope.everywhere.value, "Everywhere"),
    (LocalDateScope.town.value, "In one town"),
    (LocalDateScope.venue.value, "At one venue"),
    (LocalDateScope.venue_kind.value, "At every venue of one kind"),
]
WEEKDAY_OPTIONS = [(str(i), name) for i, name in enumerate(WEEKDAYS)]


@router.get(HOME, response_class=HTMLResponse)
def calendar_page(request: Request, session: SessionDep, principal: Planner) -> Response:
    today = to_london(utcnow()).date()
    coming = calendar.planning_dates(session, start=today, end=today + timedelta(days=AHEAD_DAYS - 1))
    context = {
        "coming": coming,
        "day_words": day_words,
        "expected_words": EXPECTED,
        "local_dates": service.list_local_dates(session=session, start=today - timedelta(days=31)),
        "patterns": service.list_patterns(session=session),
        "where": {row.id: _where(session, row) for row in service.list_local_dates(session=session)},
        "weekdays": WEEKDAYS,
        "can_change": principal.role == "admin",
    }
    return render(request, "planning/calendar.html", context)


def _where(session: Session, row: LocalDate) -> str:
    if row.scope == LocalDateScope.venue and row.venue_id is not None:
        return f"at {venues.get_venue(session=session, venue_id=row.venue_id).name}"
    return scope_words(row)


# ---- local dates -------------------------------------------------------------------------


def _local_form(
    request: Request, session: Session, form: FormInput, row: LocalDate | None, status: int = 200
) -> Response:
    context = {
        "form": form,
        "row": row,
        "scopes": SCOPES,
        "kinds": options(VenueKind),
        "venues": [
            (str(v.id), f"{v.name}, {v.town}" if v.town else v.name)
            for v in venues.all_venues(session=session)
        ],
    }
    return render(request, "planning/local_date_form.html", context, status=status)


@router.get(f"{HOME}/local-dates/new", response_class=HTMLResponse)
def new_local_date(request: Request, session: SessionDep, principal: Admin) -> Response:
    form = FormInput()
    form.values.update({"scope": "everywhere"})
    return _local_form(request, session, form, None)


@router.post(f"{HOME}/local-dates/new", response_class=HTMLResponse)
def create_local_date(request: Request, session: SessionDep, principal: Admin, form: PostedForm) -> Response:
    return _save_local_date(request, session, principal.actor, form, None)


@router.get(f"{HOME}/local-dates/{{local_date_id:id}}/edit", response_class=HTMLResponse)
def edit_local_date(request: Request, session: SessionDep, principal: Admin, local_date_id: int) -> Response:
    row = service.get_local_date(session=session, local_date_id=local_date_id)
    return _local_form(request, session, FormInput.opened_on(row), row)


@router.post(f"{HOME}/local-dates/{{local_date_id:id}}/edit", response_class=HTMLResponse)
def update_local_date(
    request: Request, session: SessionDep, principal: Admin, local_date_id: int, form: PostedForm
) -> Response:
    row = service.get_local_date(session=session, local_date_id=local_date_id)
    return _save_local_date(request, session, principal.actor, form, row)


def _save_local_date(
    request: Request, session: Session, actor: Actor, form: FormInput, row: LocalDate | None
) -> Response:
    data = form.parse(LocalDateCreate)

    def save() -> LocalDate:
        if row is None or row.id is None:
            return service.create_local_date(session=session, actor=actor, data=data)
        return service.update_local_date(
            session=session, actor=actor, local_date_id=row.id, changes=data, expected=opened_at(form)
        )

    again = partial(_local_form, request, session, form, row, status=400)
    return _saved(request, session, form, row, save, again, record="local_date")


@router.post(f"{HOME}/local-dates/{{local_date_id:id}}/remove")
def remove_local_date(
    request: Request, session: SessionDep, principal: Admin, local_date_id: int, _form: PostedForm
) -> Response:
    row = service.get_local_date(session=session, local_date_id=local_date_id)
    service.remove_local_date(session=session, actor=principal.actor, local_date_id=local_date_id)
    return done(request, HOME, f"Removed {row.name}.")


# ---- weekly patterns ---------------------------------------------------------------------


def _pattern_form(
    request: Request, form: FormInput, row: WeeklyPattern | None, status: int = 200
) -> Response:
    context = {"form": form, "row": row, "kinds": options(VenueKind), "weekdays": WEEKDAY_OPTIONS}
    return render(request, "planning/pattern_form.html", context, status=status)


@router.get(f"{HOME}/weekly-patterns/new", response_class=HTMLResponse)
def new_pattern(request: Request, principal: Admin) -> Response:
    form = FormInput()
    form.values.update({"active": "yes", "weekday": "4", "end_weekday": "4"})
    return _pattern_form(request, form, None)


@router.post(f"{HOME}/weekly-patterns/new", response_class=HTMLResponse)
def create_pattern(request: Request, session: SessionDep, principal: Admin, form: PostedForm) -> Response:
    return _save_pattern(request, session, principal.actor, form, None)


@router.get(f"{HOME}/weekly-patterns/{{pattern_id:id}}/edit", response_class=HTMLResponse)
def edit_pattern(request: Request, session: SessionDep, principal: Admin, pattern_id: int) -> Response:
    row = service.get_pattern(session=session, pattern_id=pattern_id)
    return _pattern_form(request, FormInput.opened_on(row), row)


@router.post(f"{HOME}/weekly-patterns/{{pattern_id:id}}/edit", response_class=HTMLResponse)
def update_pattern(
    request: Request, session: SessionDep, principal: Admin, pattern_id: int, form: PostedForm
) -> Response:
    row = service.get_pattern(session=session, pattern_id=pattern_id)
    return _save_pattern(request, session, principal.actor, form, row)


def _save_pattern(
    request: Request, session: Session, actor: Actor, form: FormInput, row: WeeklyPattern | None
) -> Response:
    data = form.parse(WeeklyPatternCreate)

    def save() -> WeeklyPattern:
        if row is None or row.id is None:
            return service.create_pattern(session=session, actor=actor, data=data)
        return service.update_pattern(
            session=session, actor=actor, pattern_id=row.id, changes=data, expected=opened_at(form)
        )

    again = partial(_pattern_form, request, form, row, status=400)
    return _saved(request, session, form, row, save, again, record="weekly_pattern")


@router.post(f"{HOME}/weekly-patterns/{{pattern_id:id}}/remove")
def remove_pattern(
    request: Request, session: SessionDep, principal: Admin, pattern_id: int, _form: PostedForm
) -> Response:
    row = service.get_pattern(session=session, pattern_id=pattern_id)
    service.remove_pattern(session=session, actor=principal.actor, pattern_id=pattern_id)
    return done(request, HOME, f"Removed {row.name}.")


def _saved(
    request: Request,
    session: Session,
    form: FormInput,
    row: LocalDate | WeeklyPattern | None,
    save: Callable[[], LocalDate | WeeklyPattern],
    again: Callable[[], Response],
    *,
    record: str,
) -> Response:
    """Back to the calendar ("Added …" a new row, "Saved …" a change) once ``save`` has saved;
    the form ``again``, with its errors, when the form or the service refused."""
    saved = form.submit(session, save, record=record)
    if saved is None:
        return again()
    return done(request, HOME, f"{'Saved' if row else 'Added'} {saved.name}.")
