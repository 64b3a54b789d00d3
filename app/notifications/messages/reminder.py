"""A reminder before a confirmed duty: where to go, how to get in and park, what to bring,
who leads the team and who to call.

Scheduled ahead (scheduling.py), so everything is checked again when it is sent: a duty
declined, an event cancelled or moved since then gets no reminder for the old plan.
"""

from datetime import datetime, timedelta
from urllib.parse import quote

from sqlmodel import Session

from app.assignments.models import Assignment
from app.clock import to_london, utcnow
from app.enums import AssignmentStatus, label
from app.events.models import Event
from app.notifications import links
from app.notifications.composed import Composed, Skip
from app.notifications.messages.duty import LIVE_EVENT, coordinator_contact, lead_of
from app.notifications.models import OutboxMessage
from app.notifications.render import render_email
from app.notifications.scheduling import reminder_key
from app.people.models import Person
from app.venues.models import Venue

CATEGORY = "reminders"
ROLE_WORDS = {"ambassador": "an ambassador", "recruiter": "a recruiter", "lead": "the team lead"}


def lead_time_of(key: str) -> str:
    """The lead ("48h", "morning") of a reminder key made by scheduling.reminder_key."""
    parts = key.split(":")
    if len(parts) != 4 or parts[0] != "reminder":
        raise Skip(f"'{key}' is not a reminder's key")
    return parts[2]


def day_words(starts_at: datetime, now: datetime) -> str:
    """'today', 'tomorrow' or 'Wed 9 Dec', by the London calendar."""
    day = to_london(starts_at).date()
    today = to_london(now).date()
    if day == today:
        return "today"
    if day == today + timedelta(days=1):
        return "tomorrow"
    return f"{to_london(starts_at):%a %-d %b}"


def map_url(venue: Venue) -> str:
    """A plain link to the postcode on OpenStreetMap; nothing in the message loads it."""
    if not venue.postcode.strip():
        return ""
    return f"https://www.openstreetmap.org/search?query={quote(venue.postcode.strip())}"


def compose(session: Session, message: OutboxMessage) -> Composed:
    assignment = session.get(Assignment, message.subject_id or 0)
    if assignment is None:
        raise Skip("the assignment no longer exists")
    if assignment.status != AssignmentStatus.confirmed:
        raise Skip(f"the duty is no longer confirmed (it is {assignment.status})")
    event = session.get(Event, assignment.event_id)
    person = session.get(Person, assignment.person_id)
    assert event is not None and person is not None and event.id is not None and person.id is not None
    if event.status not in LIVE_EVENT:
        raise Skip(f"the event is {event.status}")
    now = utcnow()
    if event.starts_at <= now:
        raise Skip("the event has started")
    lead_time = lead_time_of(message.idempotency_key)
    if reminder_key(assignment.id or 0, lead_time, event.starts_at) != message.idempotency_key:
        raise Skip("the event has moved since this reminder was planned; the new time has its own reminder")
    venue = session.get(Venue, event.venue_id)
    assert venue is not None

    lead = lead_of(session, event.id)
    day = day_words(event.starts_at, now)
    at = f"{to_london(event.starts_at):%H:%M}"
    context = {
        "person": person,
        "event": event,
        "venue": venue,
        "role": ROLE_WORDS.get(str(assignment.role), label(assignment.role).lower()),
        "day": day,
        "at": at,
        "address": venue.full_address,
        "map_url": map_url(venue),
        "lead": lead if lead and lead.id != person.id else None,
        "is_lead": lead is not None and lead.id == person.id,
        "coordinator": coordinator_contact(session, event),
        "event_url": f"{links.base_url()}/my/events/{event.id}",
        "my_url": f"{links.base_url()}/my",
    }
    text, html = render_email("reminder", context)
    return Composed(
        kind="reminder",
        to_email=person.email,
        to_name=person.name,
        subject=f"Reminder: {event.title}, {day} at {at}",
        text=text,
        html=html,
        category=CATEGORY,
    )
