"""A person's place on an event: proposed, confirmed, changed or cancelled, with an
iTIP invitation that puts the duty in their own calendar and keeps it up to date.

The message brings the person up to date with the duty as it is now, against what the
last message about it said (its ``state``): a proposal withdrawn before it was sent says
nothing; a move and a new lead within the same few minutes are one "changed" message.
"""

from datetime import datetime
from email.utils import parseaddr
from typing import Any

from sqlmodel import Session, col, select

from app.assignments.models import Assignment
from app.campaigns.models import Campaign
from app.clock import to_london, utcnow
from app.config import get_settings
from app.enums import ACTIVE_ASSIGNMENT_STATUSES, AssignmentRole, AssignmentStatus, EventStatus, label
from app.events.models import Event
from app.feeds import content
from app.feeds.ical import Party, build_invitation
from app.notifications import links
from app.notifications.composed import Composed, Skip
from app.notifications.models import OutboxMessage
from app.notifications.outbox import last_told
from app.notifications.render import render_email
from app.pages.rendering import span
from app.people.models import Person
from app.venues.models import Venue

LIVE_EVENT = (EventStatus.draft, EventStatus.confirmed)


def lead_of(session: Session, event_id: int) -> Person | None:
    """The event's team lead (proposed or confirmed), if it has one."""
    return session.exec(
        select(Person)
        .join(Assignment, col(Assignment.person_id) == Person.id)
        .where(
            Assignment.event_id == event_id,
            Assignment.role == AssignmentRole.lead,
            col(Assignment.status).in_(ACTIVE_ASSIGNMENT_STATUSES),
        )
        .order_by(col(Person.name))
        .limit(1)
    ).first()


def coordinator_contact(session: Session, event: Event) -> str:
    campaign = session.get(Campaign, event.campaign_id)
    user_id = event.coordinator_user_id or (campaign.coordinator_user_id if campaign else None)
    if user_id is None:
        return ""
    return content.coordinator_contacts(session, {user_id}).get(user_id, "")


def event_state(event: Event, venue: Venue) -> dict[str, Any]:
    """What a duty or booking message says about the event, kept with the message so the
    next one can say what changed (:func:`time_and_place_changes`)."""
    return {
        "event_status": str(event.status),
        "title": event.title,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "venue_id": event.venue_id,
        "venue": venue.name,
    }


def _state(assignment: Assignment, event: Event, venue: Venue, lead: Person | None) -> dict[str, Any]:
    return {
        "assignment_status": str(assignment.status),
        "role": str(assignment.role),
        **event_state(event, venue),
        "lead_id": lead.id if lead else None,
        "lead": lead.name if lead else "",
    }


def _live(state: dict[str, Any]) -> bool:
    return state["assignment_status"] in ACTIVE_ASSIGNMENT_STATUSES and state["event_status"] in LIVE_EVENT


def time_and_place_changes(told: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """A new time or a new venue since the last message, in plain words (duty and booking
    messages say these alike)."""
    found = []
    if (told["starts_at"], told["ends_at"]) != (now["starts_at"], now["ends_at"]):
        before = span(datetime.fromisoformat(told["starts_at"]), datetime.fromisoformat(told["ends_at"]))
        after = span(datetime.fromisoformat(now["starts_at"]), datetime.fromisoformat(now["ends_at"]))
        found.append(f"The time has changed: it was {before}; it is now {after}.")
    if told["venue_id"] != now["venue_id"]:
        found.append(f"The place has changed: it was {told['venue']}; it is now {now['venue']}.")
    return found


def changes_between(told: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What changed since the last message, in plain words."""
    found = time_and_place_changes(told, now)
    if told["lead_id"] != now["lead_id"]:
        if now["lead"]:
            found.append(
                f"The team lead is now {now['lead']}" + (f" (was {told['lead']})." if told["lead"] else ".")
            )
        else:
            found.append(
                f"{told['lead']} is no longer leading the team; the coordinator will name a new lead."
            )
    if told["role"] != now["role"]:
        found.append(f"Your role is now {label(now['role']).lower()} (was {label(told['role']).lower()}).")
    if told["title"] != now["title"]:
        found.append(f"The event is now called '{now['title']}'.")
    return found


def _kind(told: dict[str, Any] | None, now: dict[str, Any]) -> tuple[str, list[str]]:
    if not _live(now):
        if told is None or not _live(told):
            raise Skip("nothing to tell: the person never heard of this duty, or already heard it is off")
        return "duty_cancelled", []
    if told is None or not _live(told):
        return ("duty_confirmed" if now["assignment_status"] == "confirmed" else "duty_proposed"), []
    changes = changes_between(told, now)
    if told["assignment_status"] == "proposed" and now["assignment_status"] == "confirmed":
        return "duty_confirmed", changes
    if changes:
        return "duty_changed", changes
    raise Skip("nothing new to tell since the last message about this duty")


def _why_off(assignment: Assignment, event: Event) -> str:
    if event.status == EventStatus.cancelled:
        return "The event has been cancelled" + (
            f": {event.cancelled_reason}" if event.cancelled_reason else "."
        )
    if assignment.status == AssignmentStatus.declined:
        return "You declined this duty" + (
            f" ({assignment.decline_reason})." if assignment.decline_reason else "."
        )
    if event.status == EventStatus.completed:
        return "The event has been closed."
    return "The coordinator has taken you off this duty."


SUBJECTS = {
    "duty_proposed": "Can you do this? {title}, {day}",
    "duty_confirmed": "Confirmed: {title}, {day}",
    "duty_changed": "Changed: {title}, {day}",
    "duty_cancelled": "Cancelled: {title}, {day}",
}


def compose(session: Session, message: OutboxMessage) -> Composed:
    assignment = session.get(Assignment, message.subject_id or 0)
    if assignment is None:
        raise Skip("the assignment no longer exists")
    event = session.get(Event, assignment.event_id)
    person = session.get(Person, assignment.person_id)
    assert event is not None and person is not None and event.id is not None and person.id is not None
    venue = session.get(Venue, event.venue_id)
    assert venue is not None
    if event.ends_at <= utcnow():
        raise Skip("the event is over")
    lead = lead_of(session, event.id)
    now_state = _state(assignment, event, venue, lead)
    told = last_told(session, message.topic)
    kind, changes = _kind(told.state if told and told.state else None, now_state)

    settings = get_settings()
    entry = content.person_calendar(session, person.id, content.Window.today(), event_id=event.id).events[0]
    coordinator = coordinator_contact(session, event)
    organizer = Party(email=parseaddr(settings.mail_from)[1], name=f"{settings.force_name} outreach (Muster)")
    partstat = {"duty_proposed": "NEEDS-ACTION", "duty_cancelled": "DECLINED"}.get(kind, "ACCEPTED")
    attendee = Party(email=person.email, name=person.name, partstat=partstat)
    method = "CANCEL" if kind == "duty_cancelled" else "REQUEST"

    actions: dict[str, str | None] = {"accept": None, "decline": None}
    if kind != "duty_cancelled":
        # A place already accepted can still be declined, not accepted again.
        offered = ("accept", "decline") if assignment.status == AssignmentStatus.proposed else ("decline",)
        for action in offered:
            actions[action] = links.issue(
                session,
                purpose=f"duty_{action}",
                subject_id=assignment.id or 0,
                recipient=person.email,
                expires_at=event.starts_at,
            ).url

    context = {
        "kind": kind,
        "person": person,
        "event": event,
        "venue": venue,
        "role": label(assignment.role).lower(),
        "changes": changes,
        "why_off": _why_off(assignment, event) if kind == "duty_cancelled" else "",
        "lead": lead if lead and lead.id != person.id else None,
        "is_lead": lead is not None and lead.id == person.id,
        "coordinator": coordinator,
        "actions": actions,
        "event_url": f"{links.base_url()}/my/events/{event.id}",
        "my_url": f"{links.base_url()}/my",
        "draft": event.status == EventStatus.draft,
    }
    text, html = render_email("duty", context)
    return Composed(
        kind=kind,
        to_email=person.email,
        to_name=person.name,
        subject=SUBJECTS[kind].format(title=event.title, day=f"{to_london(event.starts_at):%a %-d %b}"),
        text=text,
        html=html,
        category=None if kind == "duty_cancelled" else "duty_updates",
        calendar=build_invitation(entry, method=method, organizer=organizer, attendee=attendee),
        calendar_method=method,
        state=now_state,
    )
