"""What each feed says: database rows in, calendar entries out.

The personal feed is internal: a person's duties with their team by name and role, what to
bring and the coordinator's contact, never which network anyone represents. The campaign
feed shows every event of a campaign with its staffing state. The venue feed and a single
event's .ics are public: public text only, no phone numbers or internal notes, and staff
named (by name alone) only when they have consented to be named publicly.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.assignments.models import Assignment
from app.assignments.service import team_of
from app.campaigns.models import Campaign
from app.clock import utcnow
from app.config import get_settings
from app.enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    EventStatus,
    PartnerStatus,
    label,
)
from app.errors import NotFound
from app.events.models import Event
from app.events.public import LISTED_PUBLICLY, listed_publicly
from app.events.service import staffing_states
from app.feeds.ical import CalendarEvent, CalendarMeta, Status
from app.people.models import Person, Representation
from app.venues.models import Venue

# How far back feeds reach: long enough for "when did I last do one", short enough that a
# busy person's feed does not grow for ever.
HISTORY_DAYS = 180
NO_FEED = "there is no calendar at this address (the link may have been reset)"

T = TypeVar("T")


def base_url() -> str:
    return get_settings().base_url.rstrip("/")


def venue_feed_url(venue_id: int) -> str:
    """The public subscription URL of a venue's events."""
    return f"{base_url()}/feeds/venues/{venue_id}.ics"


@dataclass(frozen=True)
class Window:
    """What a feed includes today. Day-granular, so a feed's version changes once a day."""

    day: date
    history_start: datetime
    cancelled_since: datetime

    @classmethod
    def today(cls) -> "Window":
        day = utcnow().date()
        start = datetime.combine(day, time(), UTC)
        return cls(
            day=day,
            history_start=start - timedelta(days=HISTORY_DAYS),
            cancelled_since=start - timedelta(days=get_settings().cancelled_feed_days),
        )

    @property
    def starts(self) -> datetime:
        return datetime.combine(self.day, time(), UTC)


def _uid_host() -> str:
    return urlsplit(get_settings().base_url).hostname or "muster"


def _uid(kind: str, event_id: int) -> str:
    """Stable per event and per feed kind, so the same event in a personal and a public
    calendar are two entries a client never merges or confuses."""
    return f"muster-{kind}-event-{event_id}@{_uid_host()}"


def _event_url(event_id: int) -> str:
    return f"{base_url()}/events/{event_id}"


def _lines(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def _location(venue: Venue) -> str:
    return ", ".join(p.strip() for p in (venue.name, venue.address, venue.town, venue.postcode) if p.strip())


def _geo(venue: Venue) -> tuple[float, float] | None:
    if venue.latitude is None or venue.longitude is None:
        return None
    return (venue.latitude, venue.longitude)


def _chunks(items: Sequence[T], size: int = 500) -> Iterable[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _teams(session: Session, event_ids: Sequence[int]) -> dict[int, list[tuple[Assignment, Person]]]:
    teams: dict[int, list[tuple[Assignment, Person]]] = {}
    for ids in _chunks(event_ids):
        teams.update(team_of(session=session, event_ids=ids))
    return teams


# Who runs the stand first, then recruitment staff, then ambassadors.
_ROLE_ORDER = {AssignmentRole.lead: 0, AssignmentRole.recruiter: 1, AssignmentRole.ambassador: 2}


def _team_text(team: list[tuple[Assignment, Person]], *, leave_out: int | None = None) -> str:
    """'Ann Lee (lead), Bob Roy (ambassador, proposed)': names and roles only, never
    which network anyone represents."""
    names = []
    for assignment, person in sorted(team, key=lambda m: (_ROLE_ORDER.get(m[0].role, 9), m[1].name)):
        if person.id == leave_out or assignment.status not in ACTIVE_ASSIGNMENT_STATUSES:
            continue
        role = label(assignment.role).lower()
        pending = ", proposed" if assignment.status == AssignmentStatus.proposed else ""
        names.append(f"{person.name} ({role}{pending})")
    return ", ".join(names)


def coordinator_contacts(session: Session, user_ids: set[int]) -> dict[int, str]:
    """Each coordinator's contact line: name, e-mail and (internal feeds only) phone."""
    if not user_ids:
        return {}
    rows = session.exec(
        select(User, Person)
        .join(Person, col(Person.id) == User.person_id, isouter=True)
        .where(col(User.id).in_(sorted(user_ids)))
    ).all()
    contacts = {}
    for user, person in rows:
        assert user.id is not None
        name = user.full_name or (person.name if person else "")
        phone = person.phone if person else ""
        contacts[user.id] = ", ".join(p for p in (name, user.email, phone) if p)
    return contacts


def _campaigns(session: Session, campaign_ids: set[int]) -> dict[int, Campaign]:
    if not campaign_ids:
        return {}
    rows = session.exec(select(Campaign).where(col(Campaign.id).in_(sorted(campaign_ids)))).all()
    return {c.id: c for c in rows if c.id is not None}


def _status(event: Event, *, tentative: bool = False) -> Status:
    if event.status == EventStatus.cancelled:
        return Status.cancelled
    if event.status == EventStatus.draft or tentative:
        return Status.tentative
    return Status.confirmed


def _recently(window: Window, *stamps: datetime) -> bool:
    return max(stamps) >= window.cancelled_since


def _muster_calendar(
    name: str, description: str, events: list[CalendarEvent], *, source: str = ""
) -> CalendarMeta:
    """A whole feed, pointing at Muster and polled as often as every feed is."""
    return CalendarMeta(
        name=name,
        description=description,
        url=base_url() + "/",
        source=source,
        refresh_minutes=get_settings().feed_refresh_minutes,
        events=events,
    )


# Staff are not stood down when a venue says no: the coordinator may ask again or move it.
VENUE_DECLINED = (
    " The venue has declined this booking: the coordinator will ask again, move or cancel it."
    " Keep the time free until you hear."
)


def venue_declined(event: Event) -> bool:
    """The venue said no to an open event, and the coordinator has not yet acted on it."""
    return (
        event.status in (EventStatus.draft, EventStatus.confirmed)
        and event.partner_status == PartnerStatus.declined
    )


def person_calendar(
    session: Session, person_id: int, window: Window, *, event_id: int | None = None
) -> CalendarMeta:
    """A person's duties; with ``event_id``, only that one, whatever its state (the entry
    an e-mail invitation carries, with the feed's UID and SEQUENCE)."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(NO_FEED)
    query = (
        select(Assignment, Event, Venue)
        .join(Event, col(Event.id) == Assignment.event_id)
        .join(Venue, col(Venue.id) == Event.venue_id)
        .where(Assignment.person_id == person_id)
        .order_by(col(Event.starts_at), col(Event.id))
    )
    if event_id is not None:
        rows = session.exec(query.where(Assignment.event_id == event_id)).all()
    else:
        rows = [
            (a, e, v)
            for a, e, v in session.exec(query.where(Event.ends_at >= window.history_start)).all()
            if (a.status in ACTIVE_ASSIGNMENT_STATUSES and e.status != EventStatus.cancelled)
            or _recently(window, a.updated_at, e.updated_at)
        ]
    event_ids = [e.id for _, e, _ in rows if e.id is not None]
    teams = _teams(session, event_ids)
    campaigns = _campaigns(session, {e.campaign_id for _, e, _ in rows})
    coordinator_of = {
        e.id: e.coordinator_user_id or campaigns[e.campaign_id].coordinator_user_id
        for _, e, _ in rows
        if e.campaign_id in campaigns
    }
    contacts = coordinator_contacts(session, {u for u in coordinator_of.values() if u is not None})
    entries = []
    for assignment, event, venue in rows:
        assert event.id is not None
        role = label(assignment.role)
        off = assignment.status not in ACTIVE_ASSIGNMENT_STATUSES
        status = Status.cancelled if off else _status(event, tentative=assignment.status == "proposed")
        if event.status == EventStatus.cancelled:
            headline = "This event has been cancelled" + (
                f": {event.cancelled_reason}" if event.cancelled_reason else "."
            )
        elif assignment.status == AssignmentStatus.declined:
            headline = "You declined this duty."
        elif assignment.status == AssignmentStatus.withdrawn:
            headline = "You have been taken off this duty."
        elif assignment.status == AssignmentStatus.proposed:
            headline = f"You are proposed as {role.lower()}: please accept or decline in Muster."
        else:
            headline = f"Your role: {role.lower()} (confirmed)."
        if event.status == EventStatus.draft and not off:
            headline += " The event itself is not confirmed yet."
        declined = not off and venue_declined(event)
        if declined:
            headline += VENUE_DECLINED
        team = _team_text(teams.get(event.id, []), leave_out=person_id)
        contact = contacts.get(coordinator_of.get(event.id) or 0, "")
        campaign = campaigns.get(event.campaign_id)
        if status == Status.cancelled:
            summary = f"Cancelled: {event.title}"
        elif assignment.status == AssignmentStatus.proposed:
            summary = f"{event.title} ({role.lower()}, proposed)"
        else:
            summary = f"{event.title} ({role.lower()})"
        if declined:
            summary = f"Venue declined: {summary}"
        entries.append(
            CalendarEvent(
                uid=_uid("duty", event.id),
                summary=summary,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                status=status,
                sequence=event.revision + assignment.revision,
                created=min(event.created_at, assignment.created_at),
                last_modified=max(event.updated_at, assignment.updated_at),
                location=_location(venue),
                geo=_geo(venue),
                description=_lines(
                    headline,
                    assignment.conflict_note and f"Note: {assignment.conflict_note}",
                    f"Team: {team}" if team else "Team: nobody else yet",
                    event.what_to_bring and f"What to bring: {event.what_to_bring}",
                    contact and f"Coordinator: {contact}",
                    f"Venue: {_location(venue)}",
                    venue.accessibility_notes and f"Access: {venue.accessibility_notes}",
                    venue.parking_notes and f"Parking: {venue.parking_notes}",
                    (campaign is not None and f"Campaign: {campaign.name}") or "",
                    f"In Muster: {_event_url(event.id)}",
                ),
                url=_event_url(event.id),
                contact=contact,
                categories=("Outreach", role),
            )
        )
    return _muster_calendar(
        f"Outreach duties: {person.name}",
        f"{person.name}'s positive-action outreach duties ({get_settings().force_name}), from Muster.",
        entries,
    )


def _public_names(session: Session, event_ids: Sequence[int]) -> dict[int, list[str]]:
    """Who may be named on public pages: confirmed, and consented to be named publicly.
    Names only: the network they represent is never said here."""
    named: dict[int, list[str]] = {}
    consenting = select(Representation.person_id).where(col(Representation.public_naming).is_(True))
    for ids in _chunks(event_ids):
        rows = session.execute(
            select(Assignment.event_id, Person.name)
            .join(Person, col(Person.id) == Assignment.person_id)
            .where(
                col(Assignment.event_id).in_(ids),
                Assignment.status == AssignmentStatus.confirmed,
                col(Person.id).in_(consenting),
            )
            .order_by(col(Person.name))
        ).all()
        for event_id, name in rows:
            named.setdefault(event_id, []).append(name)
    return named


def _public_entry(event: Event, venue: Venue, names: list[str]) -> CalendarEvent:
    assert event.id is not None
    status = _status(event)
    cancelled = status == Status.cancelled
    return CalendarEvent(
        uid=_uid("public", event.id),
        summary=("Cancelled: " if cancelled else "") + event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        status=status,
        sequence=event.revision,
        created=event.created_at,
        last_modified=event.updated_at,
        location=_location(venue),
        geo=_geo(venue),
        description=_lines(
            "This event has been cancelled." if cancelled else "",
            event.public_description,
            (names and "Meet: " + ", ".join(names)) or "",
            f"Where: {_location(venue)}",
            venue.accessibility_notes and f"Access: {venue.accessibility_notes}",
            f"More: {_event_url(event.id)}",
        ),
        url=_event_url(event.id),
        categories=("Police recruitment",),
        public=True,
    )


def venue_calendar(session: Session, venue_id: int, window: Window) -> CalendarMeta:
    venue = session.get(Venue, venue_id)
    if venue is None:
        raise NotFound(f"there is no venue {venue_id}")
    events = [
        e
        for e in session.exec(
            select(Event)
            .where(
                Event.venue_id == venue_id,
                LISTED_PUBLICLY,
                Event.ends_at >= window.history_start,
            )
            .order_by(col(Event.starts_at), col(Event.id))
        ).all()
        if e.status != EventStatus.cancelled or _recently(window, e.updated_at)
    ]
    names = _public_names(session, [e.id for e in events if e.id is not None])
    return _muster_calendar(
        f"Police recruitment events at {venue.name}",
        f"{get_settings().force_name} recruitment events at {_location(venue)}.",
        [_public_entry(e, venue, names.get(e.id or 0, [])) for e in events],
        source=venue_feed_url(venue_id),
    )


def event_calendar(session: Session, event_id: int) -> CalendarMeta:
    event = session.get(Event, event_id)
    if event is None or not listed_publicly(event):
        raise NotFound(f"there is no public event {event_id}")
    venue = session.get(Venue, event.venue_id)
    assert venue is not None
    names = _public_names(session, [event_id]).get(event_id, [])
    return CalendarMeta(
        name=event.title,
        url=_event_url(event_id),
        refresh_minutes=get_settings().feed_refresh_minutes,
        events=[_public_entry(event, venue, names)],
    )


def campaign_calendar(session: Session, campaign_id: int, window: Window) -> CalendarMeta:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(NO_FEED)
    rows = [
        (e, v)
        for e, v in session.exec(
            select(Event, Venue)
            .join(Venue, col(Venue.id) == Event.venue_id)
            .where(Event.campaign_id == campaign_id, Event.ends_at >= window.history_start)
            .order_by(col(Event.starts_at), col(Event.id))
        ).all()
        if e.status != EventStatus.cancelled or _recently(window, e.updated_at)
    ]
    events = [e for e, _ in rows]
    states = {}
    for chunk in _chunks(events):
        states.update(staffing_states(session=session, events=chunk))
    teams = _teams(session, [e.id for e in events if e.id is not None])
    entries = []
    for event, venue in rows:
        assert event.id is not None
        state = states[event.id]
        status = _status(event)
        team = _team_text(teams.get(event.id, []))
        last_modified = max(
            [event.updated_at, *(a.updated_at for a, _ in teams.get(event.id, []))],
        )
        prefix = {Status.cancelled: "Cancelled: ", Status.tentative: "Draft: "}.get(status, "")
        staffed = "" if status == Status.cancelled else (" (staffed)" if state.filled else " (needs staff)")
        entries.append(
            CalendarEvent(
                uid=_uid("campaign", event.id),
                summary=f"{prefix}{event.title}{staffed}",
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                status=status,
                sequence=event.revision,
                created=event.created_at,
                last_modified=last_modified,
                location=_location(venue),
                geo=_geo(venue),
                description=_lines(
                    f"Event: {label(event.status)}" + (" (public)" if event.public else " (not public)"),
                    "The venue declined this booking." if venue_declined(event) else "",
                    # A cancelled event needs nobody: no gap to report.
                    "" if status == Status.cancelled else f"Staffing: {state.summary}",
                    ""
                    if status == Status.cancelled
                    else f"Ambassadors: {state.ambassadors} of {state.ambassadors_needed}; "
                    f"recruiters: {state.recruiters} of {state.recruiters_needed}",
                    f"Team: {team}" if team else "Team: nobody yet",
                    f"Venue: {_location(venue)}",
                    f"In Muster: {_event_url(event.id)}",
                ),
                url=_event_url(event.id),
                categories=("Outreach", label(event.status)),
            )
        )
    return _muster_calendar(
        f"Campaign: {campaign.name}",
        f"Every event of the {campaign.name} campaign with its staffing, from Muster.",
        entries,
    )
