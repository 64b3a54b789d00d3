"""A booking at a venue, told to the people who speak for it: requested, changed or
cancelled, with single-use links to confirm or decline it.

Like duty messages, each one brings the recipient up to date with the event as it is now,
against what the last message about it said. Partners see the booking, never the team:
no names, and above all no staff networks.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.accounts.models import User, UserVenue
from app.clock import to_london, utcnow
from app.enums import EventStatus, PartnerStatus, Role
from app.events.models import Event
from app.notifications import links
from app.notifications.composed import Composed, Skip, muted_reason
from app.notifications.messages.duty import (
    LIVE_EVENT,
    coordinator_contact,
    event_state,
    time_and_place_changes,
)
from app.notifications.models import OutboxMessage
from app.notifications.outbox import SKIPPED, last_told
from app.notifications.preferences import normalise
from app.notifications.render import render_email
from app.pages.rendering import span
from app.venues.models import Venue

CATEGORY = "bookings"
# composed.py's reason for a message the recipient switched off: the booking was still
# shown to them in the partner portal, so its cancellation is news to them.
MUTED_REASON = muted_reason(CATEGORY)

SUBJECTS = {
    "booking_requested": "New booking",
    "booking_asked_again": "Booking request, asked again",
    "booking_declined": "You declined a booking",
    "booking_changed": "Booking changed",
    "booking_cancelled": "Booking cancelled",
}


def venues_spoken_for(session: Session, email: str) -> set[int]:
    """The venues this address speaks for: an active partner sign-in's venues, and the
    venues whose contact address it is."""
    address = normalise(email)
    by_sign_in = session.exec(
        select(UserVenue.venue_id)
        .join(User, col(User.id) == UserVenue.user_id)
        .where(User.email == address, col(User.active).is_(True), User.role == Role.partner)
    ).all()
    by_contact = session.exec(
        select(Venue.id).where(sa.func.lower(sa.func.trim(col(Venue.contact_email))) == address)
    ).all()
    return {int(v) for v in [*by_sign_in, *by_contact] if v is not None}


def _name_of(session: Session, email: str, venue: Venue) -> str:
    address = normalise(email)
    user = session.exec(
        select(User).where(User.email == address, col(User.active).is_(True), User.role == Role.partner)
    ).first()
    if user is not None and user.full_name:
        return user.full_name
    if normalise(venue.contact_email) == address:
        return venue.contact_name
    return ""


def _state(event: Event, venue: Venue, booked: bool) -> dict[str, Any]:
    # To the recipient, "booked" means live at a venue they speak for.
    return {**event_state(event, venue), "booked": booked, "answer": str(event.partner_status)}


def _changes(told: dict[str, Any], now: dict[str, Any]) -> list[str]:
    # A new venue is the recipient's own too (else this would be a request or a cancellation).
    found = time_and_place_changes(told, now)
    if told["title"] != now["title"]:
        found.append(f"The event is now called '{now['title']}' (it was '{told['title']}').")
    return found


def _muted_since(session: Session, message: OutboxMessage, told: OutboxMessage | None) -> bool:
    """Whether a request or change about this booking was held back because the recipient
    switched bookings off, after the last message they did get."""
    query = select(OutboxMessage.id).where(
        OutboxMessage.topic == message.topic,
        OutboxMessage.status == SKIPPED,
        OutboxMessage.last_error == MUTED_REASON,
        col(OutboxMessage.id) != message.id,
    )
    if told is not None:
        query = query.where(col(OutboxMessage.id) > told.id)
    return session.exec(query.limit(1)).first() is not None


def _kind(told: dict[str, Any] | None, knew_silently: bool, now: dict[str, Any]) -> tuple[str, list[str]]:
    knew = (told is not None and told.get("booked", False)) or knew_silently
    if not now["booked"]:
        if not knew:
            raise Skip(
                "nothing to tell: the recipient never heard of this booking, or already heard it is off"
            )
        return "booking_cancelled", []
    if told is None or not told.get("booked", False):
        return "booking_requested", []
    declined = PartnerStatus.declined.value
    if now["answer"] == declined and told.get("answer") != declined:
        return "booking_declined", []
    if told.get("answer") == declined and now["answer"] == PartnerStatus.pending.value:
        return "booking_asked_again", _changes(told, now)
    changes = _changes(told, now)
    if changes:
        return "booking_changed", changes
    raise Skip("nothing new to tell since the last message about this booking")


def compose(session: Session, message: OutboxMessage) -> Composed:
    event = session.get(Event, message.subject_id or 0)
    if event is None or event.id is None:
        raise Skip("the event no longer exists")
    venue = session.get(Venue, event.venue_id)
    assert venue is not None
    if event.ends_at <= utcnow():
        raise Skip("the event is over")
    recipient = normalise(message.recipient)
    theirs = venues_spoken_for(session, recipient)
    now_state = _state(event, venue, event.status in LIVE_EVENT and event.venue_id in theirs)
    told = last_told(session, message.topic)
    told_state = told.state if told is not None and told.state else None
    knew_silently = _muted_since(session, message, told)
    kind, changes = _kind(told_state, knew_silently, now_state)

    cancelled = kind == "booking_cancelled"
    # A booking cancelled at their venue is shown as it stands (as their portal showed it);
    # one moved away as they last heard of it, since its new time and place are not theirs.
    at_their_venue = event.venue_id in theirs
    shown = now_state
    if cancelled and not at_their_venue:
        if told_state is not None and told_state.get("booked"):
            shown = told_state
        else:
            shown = {**now_state, "starts_at": "", "ends_at": "", "venue": ""}
    if event.status == EventStatus.cancelled:
        reason = event.cancelled_reason.strip().rstrip(".")
        why_off = "The event has been cancelled" + (f": {reason}." if reason else ".")
    else:
        why_off = "The event will no longer take place at " + (
            f"{shown['venue']}." if shown["venue"] else "your venue."
        )

    actions: dict[str, str | None] = {"confirm": None, "decline": None}
    expires: datetime | None = None
    if not cancelled:
        # After a decline, only a change of mind is offered.
        for action in ["confirm"] if kind == "booking_declined" else list(actions):
            issued = links.issue(
                session,
                purpose=f"booking_{action}",
                subject_id=event.id,
                recipient=recipient,
                expires_at=event.starts_at,
            )
            actions[action] = issued.url
            expires = issued.expires_at

    when = (
        span(datetime.fromisoformat(shown["starts_at"]), datetime.fromisoformat(shown["ends_at"]))
        if shown["starts_at"]
        else ""
    )
    context = {
        "kind": kind,
        "name": _name_of(session, recipient, venue),
        "title": shown["title"],
        "when": when,
        "venue": None if cancelled else venue,
        "venue_name": shown["venue"],
        "description": event.public_description if not cancelled else "",
        "changes": changes,
        "why_off": why_off if cancelled else "",
        "draft": event.status == EventStatus.draft,
        "coordinator": coordinator_contact(session, event),
        "actions": actions,
        "expires": expires,
        "booking_url": f"{links.base_url()}/partner/events/{event.id}",
        "portal_url": f"{links.base_url()}/partner",
        "show_booking": not cancelled or at_their_venue,
    }
    text, html = render_email("booking", context)
    subject = f"{SUBJECTS[kind]}: {shown['title']}"
    if shown["starts_at"]:
        subject += f", {to_london(datetime.fromisoformat(shown['starts_at'])):%a %-d %b}"
    return Composed(
        kind=kind,
        to_email=recipient,
        to_name=context["name"],
        subject=subject,
        text=text,
        html=html,
        category=None if cancelled else CATEGORY,
        state=now_state,
    )
