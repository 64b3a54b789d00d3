"""What the notification pages and API do: the signed-in user's e-mail choices, the
one-click unsubscribe, the links in messages (accept a duty, answer a booking, set a
password), and the administrators' view of the outbox.

Routes parse and render; every query and every change is here. Changes go through the
services that own them (assignments, events, accounts), so their rules and audit apply.
"""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.accounts.models import User
from app.accounts.principal import Principal
from app.assignments import service as assignments
from app.assignments.models import Assignment
from app.audit import service as audit
from app.audit.service import Actor
from app.clock import utcnow
from app.enums import AssignmentStatus, EventStatus, PartnerStatus, Role, label
from app.errors import Conflict, NotFound
from app.events import service as events
from app.events.models import Event
from app.notifications import links, outbox, preferences
from app.notifications.links import LinkGone
from app.notifications.models import PENDING, ActionLink, OutboxMessage
from app.notifications.preferences import CATEGORIES, Category
from app.notifications.triggers import recipients_of_venues
from app.pages.rendering import span
from app.people.models import Person
from app.venues.models import Venue

# --- e-mail choices ----------------------------------------------------------------------

ALWAYS_SENT = (
    "Messages that a duty is cancelled are always sent, and so are messages about your "
    "sign-in (an invitation, a new password)."
)


def preference_email(*, session: Session, principal: Principal) -> str:
    """The address the signed-in user's choices are kept under: where their messages go.

    Staff hear about their duties at their person's address when it has one."""
    if principal.role == Role.staff and principal.person_id is not None:
        person = session.get(Person, principal.person_id)
        if person is not None and person.email.strip():
            return preferences.normalise(person.email)
    return preferences.normalise(principal.email)


def categories_for(principal: Principal) -> list[Category]:
    """The kinds of message this user may get, and so may switch off."""
    if principal.role == Role.staff:
        keys = {"duty_updates", "reminders"}
    elif principal.role == Role.partner:
        keys = {"bookings"}
    else:
        keys = {"digest"} | ({"duty_updates", "reminders"} if principal.person_id is not None else set())
    return [c for c in CATEGORIES if c.key in keys]


@dataclass(frozen=True)
class MyChoices:
    email: str
    categories: list[Category]
    muted: list[str]
    reminder_hours: list[int]
    morning_reminder: bool

    @property
    def has_reminders(self) -> bool:
        return any(c.key == "reminders" for c in self.categories)


def my_choices(*, session: Session, principal: Principal) -> MyChoices:
    email = preference_email(session=session, principal=principal)
    found = preferences.get_preference(session, email)
    return MyChoices(
        email=email,
        categories=categories_for(principal),
        muted=sorted(found.muted or []),
        reminder_hours=list(found.reminder_hours or []),
        morning_reminder=bool(found.morning_reminder),
    )


def muted_after(choices: MyChoices, receive: list[str]) -> list[str]:
    """From the page's "send me" boxes: the user's kinds not ticked are muted; kinds the
    page does not offer this user keep whatever they were."""
    offered = {c.key for c in choices.categories}
    kept = [key for key in choices.muted if key not in offered]
    return sorted({*kept, *(key for key in offered if key not in receive)})


def save_my_choices(
    *,
    session: Session,
    principal: Principal,
    muted: list[str],
    reminder_hours: list[int] | None,
    morning_reminder: bool | None,
) -> MyChoices:
    """Replace the user's choices (``None`` keeps reminder settings as they are).

    Unknown kinds, more than four reminders or one outside 1 hour–14 days are refused (422)."""
    email = preference_email(session=session, principal=principal)
    preferences.save_preference(
        session,
        email=email,
        muted=muted,
        reminder_hours=reminder_hours,
        morning_reminder=morning_reminder,
    )
    return my_choices(session=session, principal=principal)


# --- one-click unsubscribe -----------------------------------------------------------------


@dataclass(frozen=True)
class Unsubscribe:
    email: str
    category: Category
    already: bool


def read_unsubscribe(*, session: Session, token: str) -> Unsubscribe:
    """What an unsubscribe link would switch off; ``Invalid`` for a link that is not ours."""
    email, key = preferences.read_unsubscribe_token(token)
    category = next(c for c in CATEGORIES if c.key == key)
    already = preferences.is_muted(session, email, key)
    return Unsubscribe(email=email, category=category, already=already)


def unsubscribe(*, session: Session, token: str) -> Unsubscribe:
    email, category = preferences.unsubscribe(session, token)
    return Unsubscribe(email=email, category=category, already=True)


# --- links in messages ---------------------------------------------------------------------

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


def _duty_blocked(link: ActionLink, assignment: Assignment, event: Event, person: Person) -> str:
    status = AssignmentStatus(assignment.status)
    if link.recipient and not _same_address(link.recipient, person.email):
        return (
            "This link was sent to an e-mail address that is no longer on your record. "
            "Sign in to Muster to answer."
        )
    if event.status == EventStatus.cancelled:
        return "This event has been cancelled, so there is nothing to answer."
    if event.status == EventStatus.completed or event.ends_at <= utcnow():
        return "This event is over, so there is nothing to answer."
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
    if event.status == EventStatus.cancelled:
        return "This event has been cancelled, so there is nothing to answer."
    if event.status == EventStatus.completed or event.ends_at <= utcnow():
        return "This event is over, so there is nothing to answer."
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
        events.respond_as_partner(
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


# --- the outbox, for administrators ---------------------------------------------------------


def list_messages(
    *, session: Session, status: str | None = None, search: str = "", limit: int, offset: int
) -> tuple[list[OutboxMessage], int]:
    """Messages newest first, of one status and/or to addresses containing ``search``."""
    query = select(OutboxMessage)
    if status:
        query = query.where(OutboxMessage.status == status)
    search = search.strip().lower()
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            sa.or_(
                func.lower(col(OutboxMessage.recipient)).like(pattern, escape="\\"),
                func.lower(col(OutboxMessage.to_address)).like(pattern, escape="\\"),
            )
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), int(total)


def status_counts(*, session: Session) -> dict[str, int]:
    """How many messages have each status (every status listed, 0 when none)."""
    rows = session.exec(select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))).all()
    found = {status: int(count) for status, count in rows}
    return {status: found.get(status, 0) for status in outbox.STATUSES}


def get_message(*, session: Session, message_id: int) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(f"outbox message {message_id} does not exist")
    return message


def waiting_on_topic(*, session: Session, message: OutboxMessage) -> OutboxMessage | None:
    """Another message about the same topic, waiting to be sent (at most one can be)."""
    return session.exec(
        select(OutboxMessage).where(
            OutboxMessage.topic == message.topic,
            OutboxMessage.status == PENDING,
            OutboxMessage.id != message.id,
        )
    ).first()


def _already_waiting(message_id: int, waiting_id: int | None) -> Conflict:
    which = f" (message {waiting_id})" if waiting_id else ""
    return Conflict(
        f"a newer message about the same thing is already waiting to be sent{which}; it will say "
        f"the latest, so message {message_id} is not sent again"
    )


def retry_message(*, session: Session, actor: Actor, message_id: int) -> OutboxMessage:
    """Send a failed message again, composed afresh from the state now."""
    message = get_message(session=session, message_id=message_id)
    if message.status != outbox.FAILED:
        raise Conflict(f"message {message_id} is {message.status}; only failed messages are sent again")
    waiting = waiting_on_topic(session=session, message=message)
    if waiting is not None:
        raise _already_waiting(message_id, waiting.id)
    before = {"status": message.status, "attempts": message.attempts, "last_error": message.last_error}
    retried = outbox.retry(session, message_id)
    assert retried is not None
    audit.record(
        session=session,
        actor=actor,
        action="retry",
        record_type="outbox_message",
        record_id=message_id,
        summary=f"message to {message.recipient or message.to_address or 'nobody yet'} sent again",
        before=before,
        after={"status": retried.status, "attempts": retried.attempts, "last_error": retried.last_error},
    )
    try:
        session.commit()
    except IntegrityError:
        # Another message about the topic was added between the check and the commit.
        session.rollback()
        raise _already_waiting(message_id, None) from None
    return retried
