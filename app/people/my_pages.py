"""A person's own record: their time away, what Muster holds about them, and the networks
they choose to represent."""

from dataclasses import replace
from datetime import time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.principal import Principal
from app.assignments import service as assignments
from app.clock import utcnow
from app.db import SessionDep
from app.enums import UnavailabilityReason, label
from app.networks import service as networks
from app.pages.common import options
from app.pages.flow import done
from app.pages.forms import FormInput, PostedForm
from app.pages.rendering import render
from app.people import confirming
from app.people import service as people
from app.people.deps import Ambassador
from app.people.models import Representation

router = APIRouter(tags=["pages"], include_in_schema=False)

MY_WITHDRAWAL = confirming.Asking(
    heading="Events you are on ask for this network",
    intro="You are on duties at events that ask for this network. Withdraw, and the coordinator "
    "sees each duty flagged; tick any you want to be released from.",
    action="",
    back="/my/data",
    button="Withdraw and tell the coordinator",
    event_link="/my/events/",
)

MY_AWAY = confirming.Asking(
    heading="You are already on duty then",
    intro="The time away covers duties you already hold. Save it, and the coordinator sees each "
    "duty flagged; tick any you want to be released from.",
    action="/my/unavailability",
    back="/my/unavailability",
    button="Save and tell the coordinator",
    event_link="/my/events/",
)

WHOLE_DAY_END = time(23, 59)
"""The end time that means "to the end of the last day" (a time input cannot say 24:00)."""


def _person_id(principal: Principal) -> int:
    assert principal.person_id is not None  # Ambassador guarantees it
    return principal.person_id


# --- time away -----------------------------------------------------------------------


def parse_away(form: FormInput) -> dict[str, Any]:
    """From (date, time) to (date, time), a reason and a note: times default to whole days."""
    first = form.date_value("start_date", "the first day")
    last = form.date_value("end_date", "the last day")
    start_time = form.time_value("start_time", "the start time", required=False)
    end_time = form.time_value("end_time", "the end time", required=False)
    starts_at = form.london(first, start_time or time(0, 0), "start_time", "the start time")
    ends_at = None
    if last is not None:
        if end_time is None or end_time == WHOLE_DAY_END:
            ends_at = form.london(last + timedelta(days=1), time(0, 0), "end_time", "the end time")
        else:
            ends_at = form.london(last, end_time, "end_time", "the end time")
    if starts_at and ends_at and ends_at <= starts_at:
        form.error("end_date", "The last day must be the same as or after the first day")
    reason = form.choice("reason", UnavailabilityReason, "a reason")
    note = form.text("note", "the note", max_length=500)
    return {"starts_at": starts_at, "ends_at": ends_at, "reason": reason, "note": note}


def _away_page(
    request: Request, session: Session, principal: Principal, form: FormInput, status: int = 200
) -> Response:
    rows, _ = people.list_unavailability(
        session=session,
        limit=200,
        offset=0,
        person_id=_person_id(principal),
        start=utcnow() - timedelta(days=1),
    )
    context = {
        "rows": rows,
        "away_spans": people.away_spans(rows),
        "form": form,
        "reason_pairs": options(UnavailabilityReason),
    }
    return render(request, "my/unavailability.html", context, status=status)


@router.get("/my/unavailability", response_class=HTMLResponse)
def unavailability(request: Request, session: SessionDep, principal: Ambassador) -> Response:
    form = FormInput()
    form.values.update({"start_time": "00:00", "end_time": "23:59", "reason": "annual_leave"})
    return _away_page(request, session, principal, form)


@router.post("/my/unavailability", response_class=HTMLResponse)
def add_unavailability(
    request: Request, session: SessionDep, principal: Ambassador, form: PostedForm
) -> Response:
    data = {**parse_away(form), "person_id": _person_id(principal)}
    affected = form.submit(session, lambda: people.away_conflicts(session=session, data=data)) or []
    if affected and not confirming.confirmed(form):
        return confirming.confirmation(request, form, affected, MY_AWAY)
    release = confirming.released(form)
    saved = form.submit(
        session,
        lambda: people.add_unavailability(
            session=session, actor=principal.actor, data=data, accept_conflicts=True, release=release
        ),
    )
    if saved is None:
        return _away_page(request, session, principal, form, status=400)
    message = (
        f"Saved: {label(saved.reason).lower()}, {people.away_spans([saved])[saved.id]}. "
        "Coordinators will not be offered you for events then."
    )
    return done(request, "/my/unavailability", message + confirming.said(affected, release))


@router.post("/my/unavailability/{row_id:id}/delete")
def remove_unavailability(
    request: Request, session: SessionDep, principal: Ambassador, row_id: int, _form: PostedForm
) -> Response:
    # Even a coordinator's own page removes only their own time away.
    people.belonging_to(
        people.get_unavailability(session=session, unavailability_id=row_id), principal.person_id
    )
    people.remove_unavailability(session=session, actor=principal.actor, unavailability_id=row_id)
    return done(request, "/my/unavailability", "Removed.")


# --- what Muster holds -----------------------------------------------------------------


def _data_page(
    request: Request, session: Session, principal: Principal, form: FormInput, status: int = 200
) -> Response:
    person = people.get_person(session=session, person_id=_person_id(principal))
    reps = people.representations_of(session=session, person_id=_person_id(principal))
    every_network = networks.all_networks(session=session)
    by_id = {n.id: n for n in every_network}
    mine = {r.network_id for r in reps}
    context = {
        "person": person,
        "user": accounts.get_user(session=session, user_id=principal.user_id),
        "reps": [(r, by_id.get(r.network_id)) for r in reps],
        "others": [(n.id, n.name) for n in every_network if n.id not in mine],
        "form": form,
        "away_count": people.list_unavailability(
            session=session, limit=1, offset=0, person_id=_person_id(principal)
        )[1],
        "duty_count": assignments.list_assignments(
            session=session, limit=1, offset=0, person_id=_person_id(principal)
        )[1],
    }
    return render(request, "my/data.html", context, status=status)


@router.get("/my/data", response_class=HTMLResponse)
def my_data(request: Request, session: SessionDep, principal: Ambassador) -> Response:
    return _data_page(request, session, principal, FormInput())


@router.post("/my/data/networks", response_class=HTMLResponse)
def opt_in(request: Request, session: SessionDep, principal: Ambassador, form: PostedForm) -> Response:
    network_id = form.ident("network_id", "a network")
    saved = form.submit(
        session,
        lambda: people.opt_in(
            session=session,
            actor=principal.actor,
            person_id=_person_id(principal),
            network_id=network_id or 0,
            public_naming=form.flag("public_naming"),
        ),
        field="network_id",
    )
    if saved is None:
        return _data_page(request, session, principal, form, status=400)
    network = networks.get_network(session=session, network_id=saved.network_id)
    return done(request, "/my/data", f"Thank you. You now represent the {network.name} at outreach events.")


def _own_representation(session: Session, principal: Principal, rep_id: int) -> Representation:
    # Even a coordinator's own page changes only their own opt-ins.
    rep = people.get_representation(session=session, representation_id=rep_id)
    return people.belonging_to(rep, principal.person_id)


@router.post("/my/data/networks/{rep_id:id}/naming")
def change_naming(
    request: Request, session: SessionDep, principal: Ambassador, rep_id: int, form: PostedForm
) -> Response:
    _own_representation(session, principal, rep_id)
    allow = form.flag("public_naming")
    people.set_public_naming(
        session=session, actor=principal.actor, representation_id=rep_id, public_naming=allow
    )
    if allow:
        return done(request, "/my/data", "You may now be named on public event pages for this network.")
    return done(request, "/my/data", "You will no longer be named on public pages for this network.")


@router.post("/my/data/networks/{rep_id:id}/withdraw")
def withdraw(
    request: Request, session: SessionDep, principal: Ambassador, rep_id: int, form: PostedForm
) -> Response:
    message = "Withdrawn. Muster no longer holds that you represent this network."
    return confirming.withdrawal(
        request,
        session,
        form,
        actor=principal.actor,
        rep=_own_representation(session, principal, rep_id),
        asking=replace(MY_WITHDRAWAL, action=f"/my/data/networks/{rep_id}/withdraw"),
        then=lambda said: done(request, "/my/data", message + said),
    )
