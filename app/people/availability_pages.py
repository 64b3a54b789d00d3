"""What a coordinator records for a person, from the person's page: the networks they ask to
represent (special-category data, only at their request) and their time away."""

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts.deps import Planner
from app.db import SessionDep
from app.pages.flow import done
from app.pages.forms import PostedForm
from app.people import confirming
from app.people import service as people
from app.people.my_pages import parse_away
from app.people.pages import person_page

router = APIRouter(tags=["pages"], include_in_schema=False)

AWAY = confirming.Asking(
    heading="They are already on duty then",
    intro="The time away covers duties this person already holds. Save it, and each duty is "
    "flagged on the dashboard and the event until it is resolved; tick any they ask to be released from.",
    action="",
    back="",
    button="Save and flag the duties",
    event_link="/plan/events/",
)
WITHDRAWAL = replace(
    AWAY,
    heading="Events they are on ask for this network",
    intro="This person is on duties at events that ask for this network. Withdraw, and each duty is "
    "flagged on the dashboard and the event until it is resolved; tick any they ask to be released from.",
    button="Withdraw and flag the duties",
)


@router.post("/plan/people/{person_id:id}/networks", response_class=HTMLResponse)
def record_opt_in(
    request: Request, session: SessionDep, principal: Planner, person_id: int, form: PostedForm
) -> Response:
    person = people.get_person(session=session, person_id=person_id)
    network_id = form.ident("network_id", "a network")
    if not form.flag("confirmed_by_person"):
        form.error("confirmed_by_person", "Confirm that the person asked for this themselves")
    saved = form.submit(
        session,
        lambda: people.opt_in(
            session=session,
            actor=principal.actor,
            person_id=person_id,
            network_id=network_id or 0,
            public_naming=form.flag("public_naming"),
        ),
        field="network_id",
    )
    if saved is None:
        return person_page(request, session, person, {"rep": form}, status=400)
    return done(request, f"/plan/people/{person_id}#networks", "Recorded the opt-in.")


def _check_own_representation(session: Session, person_id: int, rep_id: int) -> None:
    """Another person's opt-in, reached through this person's address, reads as missing."""
    people.belonging_to(people.get_representation(session=session, representation_id=rep_id), person_id)


@router.post("/plan/people/{person_id:id}/networks/{rep_id:id}/naming")
def record_naming(
    request: Request, session: SessionDep, principal: Planner, person_id: int, rep_id: int, form: PostedForm
) -> Response:
    _check_own_representation(session, person_id, rep_id)
    people.set_public_naming(
        session=session,
        actor=principal.actor,
        representation_id=rep_id,
        public_naming=form.flag("public_naming"),
    )
    return done(request, f"/plan/people/{person_id}#networks", "Changed the public-naming consent.")


@router.post("/plan/people/{person_id:id}/networks/{rep_id:id}/withdraw")
def record_withdrawal(
    request: Request, session: SessionDep, principal: Planner, person_id: int, rep_id: int, form: PostedForm
) -> Response:
    _check_own_representation(session, person_id, rep_id)
    where = f"/plan/people/{person_id}"
    return confirming.withdrawal(
        request,
        session,
        form,
        actor=principal.actor,
        rep=people.get_representation(session=session, representation_id=rep_id),
        asking=replace(WITHDRAWAL, action=f"{where}/networks/{rep_id}/withdraw", back=f"{where}#networks"),
        then=lambda said: done(
            request, f"{where}#networks", "Withdrawn and deleted." + said.replace(" you ", " they ")
        ),
    )


@router.post("/plan/people/{person_id:id}/unavailability", response_class=HTMLResponse)
def record_away(
    request: Request, session: SessionDep, principal: Planner, person_id: int, form: PostedForm
) -> Response:
    person = people.get_person(session=session, person_id=person_id)
    data = {**parse_away(form), "person_id": person_id}
    affected = form.submit(session, lambda: people.away_conflicts(session=session, data=data)) or []
    if affected and not confirming.confirmed(form):
        where = f"/plan/people/{person_id}"
        asking = replace(AWAY, action=f"{where}/unavailability", back=f"{where}#away")
        return confirming.confirmation(request, form, affected, asking)
    release = confirming.released(form)
    saved = form.submit(
        session,
        lambda: people.add_unavailability(
            session=session, actor=principal.actor, data=data, accept_conflicts=True, release=release
        ),
    )
    if saved is None:
        return person_page(request, session, person, {"away": form}, status=400)
    message = f"Recorded the time away: {people.away_spans([saved])[saved.id]}."
    message += confirming.said(affected, release).replace(" you ", " they ")
    return done(request, f"/plan/people/{person_id}#away", message)


@router.post("/plan/people/{person_id:id}/unavailability/{row_id:id}/delete")
def remove_away(
    request: Request, session: SessionDep, principal: Planner, person_id: int, row_id: int, _form: PostedForm
) -> Response:
    people.belonging_to(people.get_unavailability(session=session, unavailability_id=row_id), person_id)
    people.remove_unavailability(session=session, actor=principal.actor, unavailability_id=row_id)
    return done(request, f"/plan/people/{person_id}#away", "Removed the time away.")
