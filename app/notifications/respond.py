"""Answering through a link in a message: accept or decline a duty, confirm or decline a
booking, set a password. :func:`land` says what a link would do; :func:`act` does it,
through the service that owns the change, so its rules and audit apply.
"""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from app.accounts import service as accounts
from app.accounts.models import User
from app.accounts.principal import Principal
from app.assignments import service as assignments
from app.assignments.models import Assignment
from app.audit.service import Actor
from app.clock import utcnow
from app.enums import AssignmentStatus, EventStatus, PartnerStatus, Role, label
from app.errors import Conflict, NotFound
from app.events import flows
from app.events.models import Event
from app.notifications import links, preferences
from app.notifications.links import LinkGone
from app.notifications.models import ActionLink
from app.notifications.triggers import recipients_of_venues
from app.pages.rendering import span
from app.people.models import Person
from app.venues.models import Venue

DUTY_PURPOSES = ("duty_accept", "duty_decline")
BOOKING_PURPOSES = ("booking_confirm", "booking_decline")
ACCOUNT_PURPOSES = ("invitation", "password_reset")
ROLE_WORDS = {"lead": "team lead"}


class LinkPrincipal(Principal):
    """The person a link was sent to, acting through it without signing in: the audit
    trail names them and says how ("Aisha Hussain (via e-mail link)")."""

    @property
    def actor(self) -> Actor:
        who = self.name or self.email
        return Actor(user_id=self.user_id or None, label=f"{who} (via e-mail link)", role=self.role.value)


@dataclass
class Landing:
    """What a link will do, in words, before it does it; ``blocked`` says why it cannot."""

    link: ActionLink
    purpose: str
    question: str
    blocked: str = ""
    event: Event | None = None
    venue: Venue | None = None
    person: Person | None = None
    assignment: Assignment | None = None
    user: User | None = None
    role: str = ""
    when: str = ""
    where: str = ""


def _where(venue: Venue | None) -> str:
    if venue is None:
        return ""
    return ", ".join(part for part in (venue.name, venue.town) if part)


def _same_address(a: str, b: str) -> bool:
    return preferences.normalise(a) == preferences.normalise(b)


def _duty_landing(session: Session, link: ActionLink) -> Landing:
    assignment = session.get(Assignment, link.subject_id)
    if assignment is None:
        raise NotFound("the duty this link answers no longer exists")
    event = session.get(Event, assignment.event_id)
    person = session.get(Person, assignment.person_id)
    if event is None or person is None:
        raise NotFound("the duty this link answers no longer exists")
    venue = session.get(Venue, event.venue_id)
    role = ROLE_WORDS.get(str(assignment.role), label(assignment.role).lower())
    when, where = span(event.starts_at, event.ends_at), _where(venue)
    if link.purpose == "duty_accept":
        question = f"Accept your place as {role} at {event.title}, {when}, {where}?"
    else:
        question = f"Decline your place as {role} at {event.title}, {when}, {where}?"
    landing = Landing(
        link=link,
        purpose=link.purpose,
        question=question,
        event=event,
        venue=venue,
        person=person,
        assignment=assignment,
        role=role,
        when=when,
        where=where,
    )
    landing.blocked = _duty_blocked(link, assignment, event, person)
    return landing


def _event_gone(event: Event) -> str:
    """Why no link about this event can be answered any more, or "" while it can."""
    if event.status == EventStatus.cancelled:
        return "This event has been cancelled, so there is nothing to answer."
    if event.status == EventStatus.completed or event.ends_at <= utcnow():
        return "This event is over, so there is nothing to answer."
    return ""


def _duty_blocked(link: ActionLink, assignment: Assignment, event: Event, person: Person) -> str:
    status = AssignmentStatus(assignment.status)
    if link.recipient and not _same_address(link.recipient, person.email):
        return (
            "This link was sent to an e-mail address that is no longer on your record. "
            "Sign in to Muster to answer."
        )
    if gone := _event_gone(event):
        return gone
    if event.starts_at <= utcnow():
        return "This event has started. Speak to the coordinator or the team lead."
    if link.purpose == "duty_accept":
        if status == AssignmentStatus.confirmed:
            return "You have already accepted this place. There is nothing more to do."
        if status == AssignmentStatus.declined:
            return "You declined this place. If you can go after all, ask the coordinator."
        if status == AssignmentStatus.withdrawn:
            return "The coordinator has taken you off this event, so there is nothing to accept."
    else:
        if status == AssignmentStatus.declined:
            return "You have already declined this place. There is nothing more to do."
        if status == AssignmentStatus.withdrawn:
            return "The coordinator has already taken you off this event."
    return ""


def _booking_landing(session: Session, link: ActionLink) -> Landing:
    event = session.get(Event, link.subject_id)
    if event is None:
        raise NotFound("the booking this link answers no longer exists")
    venue = session.get(Venue, event.venue_id)
    when, where = span(event.starts_at, event.ends_at), _where(venue)
    verb = "Confirm" if link.purpose == "booking_confirm" else "Decline"
    landing = Landing(
        link=link,
        purpose=link.purpose,
        question=f"{verb} the booking of {event.title} at {where}, {when}?",
        event=event,
        venue=venue,
        when=when,
        where=where,
    )
    landing.blocked = _booking_blocked(session, link, event)
    return landing


def _booking_blocked(session: Session, link: ActionLink, event: Event) -> str:
    speakers = recipients_of_venues(session, {event.venue_id}).get(event.venue_id, set())
    if preferences.normalise(link.recipient) not in speakers:
        return (
            "This booking has moved to another venue, or your address no longer speaks for the "
            "venue, so this link cannot answer it. Sign in to Muster to see your bookings."
        )
    if gone := _event_gone(event):
        return gone
    target = PartnerStatus.confirmed if link.purpose == "booking_confirm" else PartnerStatus.declined
    if event.partner_status == target:
        return f"You have already {target.value} this booking. There is nothing more to do."
    return ""


def _account_landing(session: Session, link: ActionLink) -> Landing:
    user = session.get(User, link.subject_id)
    if user is None:
        raise NotFound("the sign-in this link is for no longer exists")
    question = (
        "Choose a password to finish setting up your sign-in to Muster"
        if link.purpose == "invitation"
        else "Choose a new password for your sign-in to Muster"
    )
    blocked = (
        "" if user.active else "This sign-in has been turned off. Ask a Muster administrator in your force."
    )
    return Landing(link=link, purpose=link.purpose, question=question, user=user, blocked=blocked)


def land(*, session: Session, token: str) -> Landing:
    """What the link in a message would do, changing nothing.

    ``NotFound`` (404) for a link that is not ours, ``LinkGone`` (410) for a used or
    expired one."""
    link = links.find(session, token)
    if link.purpose in DUTY_PURPOSES:
        return _duty_landing(session, link)
    if link.purpose in BOOKING_PURPOSES:
        return _booking_landing(session, link)
    if link.purpose in ACCOUNT_PURPOSES:
        return _account_landing(session, link)
    raise NotFound("this link is not one of Muster's (check it was copied whole)")


def _claim(session: Session, link: ActionLink) -> None:
    """Mark the link used in the transaction of the change it makes, only if it is still
    unused: of two answers sent at the same moment, the second finds it used (410)."""
    table: sa.Table = ActionLink.__table__  # type: ignore[attr-defined]
    result: Any = session.execute(
        sa.update(table).where(table.c.id == link.id, table.c.used_at.is_(None)).values(used_at=utcnow())
    )
    if not result.rowcount:
        raise LinkGone("this link has been used already; each link in a message works once")


@dataclass(frozen=True)
class Done:
    landing: Landing
    message: str
    user: User | None = None


def _duty_principal(session: Session, person: Person, link: ActionLink) -> LinkPrincipal:
    assert person.id is not None
    user = session.exec(select(User).where(User.person_id == person.id)).first()
    return LinkPrincipal(
        user_id=(user.id or 0) if user else 0,
        email=person.email or link.recipient,
        role=Role.staff,
        name=person.name,
        person_id=person.id,
    )


def _partner_principal(session: Session, event: Event, link: ActionLink) -> LinkPrincipal:
    user = accounts.get_by_email(session=session, email=link.recipient)
    venue = session.get(Venue, event.venue_id)
    name = ""
    if user is not None:
        name = user.full_name
    elif venue is not None and venue.contact_name and _same_address(venue.contact_email, link.recipient):
        name = venue.contact_name
    return LinkPrincipal(
        user_id=(user.id or 0) if user else 0,
        email=preferences.normalise(link.recipient),
        role=Role.partner,
        name=name,
        venue_ids=frozenset({event.venue_id}),
    )


def act(
    *, session: Session, landing: Landing, reason: str = "", message: str = "", password: str = ""
) -> Done:
    """Do what the link (as found by :func:`land`) says, through the service that owns the
    change, and mark the link used in the same transaction. ``Conflict`` (409) when it can
    no longer be done; the services' own refusals (``Invalid``, ``Conflict``) roll back
    with the link still unused."""
    if landing.blocked:
        raise Conflict(landing.blocked)
    link = landing.link
    if link.purpose in DUTY_PURPOSES:
        assert landing.assignment is not None and landing.person is not None and landing.event is not None
        principal = _duty_principal(session, landing.person, link)
        accept = link.purpose == "duty_accept"
        _claim(session, link)
        assignments.update_assignment(
            session=session,
            principal=principal,
            assignment_id=link.subject_id,
            changes={
                "status": AssignmentStatus.confirmed if accept else AssignmentStatus.declined,
                "reason": "" if accept else reason[:500],
            },
        )
        if accept:
            text = f"Thank you: you are confirmed as {landing.role} at {landing.event.title}, {landing.when}."
        else:
            text = f"You have declined {landing.event.title}. The coordinator will ask someone else."
        return Done(landing=landing, message=text)
    if link.purpose in BOOKING_PURPOSES:
        assert landing.event is not None and landing.event.id is not None
        principal = _partner_principal(session, landing.event, link)
        confirm = link.purpose == "booking_confirm"
        _claim(session, link)
        flows.respond_as_partner(
            session=session,
            principal=principal,
            event_id=landing.event.id,
            status=PartnerStatus.confirmed if confirm else PartnerStatus.declined,
            message=message[:2000],
        )
        if confirm:
            text = f"Thank you: you have confirmed {landing.event.title} at {landing.where}."
        else:
            text = f"You have declined {landing.event.title}. The coordinator will see your message."
        return Done(landing=landing, message=text)
    user = landing.user
    assert user is not None and user.id is not None
    actor = Actor(user_id=user.id, label=f"{user.email} (via e-mail link)", role=str(user.role))
    _claim(session, link)
    updated = accounts.update_user(
        session=session, actor=actor, user_id=user.id, changes={"password": password}
    )
    return Done(landing=landing, message="Your password is set and you are signed in.", user=updated)
