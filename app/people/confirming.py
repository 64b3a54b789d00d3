"""Asking before a person's change that puts their duties at risk is saved: the page lists the
duties, lets the person ask to be released from each, and sends the same form again with
``confirm_conflicts`` ticked."""

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app.assignments.conflicts import Affected
from app.audit.service import Actor
from app.pages.forms import FormInput
from app.pages.rendering import render
from app.people import service as people
from app.people.models import Representation

CONFIRM = "confirm_conflicts"
RELEASE = "release"
# Never carried into the confirming form: the page adds its own.
_NOT_CARRIED = frozenset({"csrf_token", CONFIRM, RELEASE})


@dataclass(frozen=True)
class Asking:
    """The words and links of one confirmation: ``action`` is where the form goes again."""

    heading: str
    intro: str
    action: str
    back: str
    button: str
    event_link: str  # "/my/events/" or "/plan/events/", followed by the event id


def confirmed(form: FormInput) -> bool:
    return form.flag(CONFIRM)


def released(form: FormInput) -> list[int]:
    """The assignment ids the person asks to be released from."""
    return form.ids(RELEASE, "a duty")


def confirmation(request: Request, form: FormInput, affected: list[Affected], asking: Asking) -> Response:
    """The page that lists the duties at risk and saves the change once confirmed (409: the
    change was not saved yet)."""
    carried = [
        (name, value)
        for name in form.values
        if name not in _NOT_CARRIED
        for value in form.values.getlist(name)
    ]
    context = {"asking": asking, "affected": affected, "carried": carried}
    return render(request, "people/confirm_conflicts.html", context, status=409)


def said(affected: list[Affected], release: list[int]) -> str:
    """What the next page adds about the duties, once the change is saved."""
    if not affected:
        return ""
    count = f"{len(affected)} duty" + ("" if len(affected) == 1 else "s")
    words = f" The coordinator can now see the clash with {count}"
    asked = len([a for a in affected if a.assignment.id in release])
    if asked:
        words += f", and that you asked to be released from {asked}"
    return words + "."


def withdrawal(
    request: Request,
    session: Session,
    form: FormInput,
    *,
    actor: Actor,
    rep: Representation,
    asking: Asking,
    then: Callable[[str], Response],
) -> Response:
    """Withdraw the opt-in once the duties it affects have been seen; ``then`` is given what
    to add about them."""
    affected = people.withdrawal_conflicts(session=session, rep=rep)
    if affected and not confirmed(form):
        return confirmation(request, form, affected, asking)
    release = released(form)
    people.withdraw(
        session=session, actor=actor, representation_id=rep.id or 0, accept_conflicts=True, release=release
    )
    return then(said(affected, release))
