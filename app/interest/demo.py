"""Illustrative expressions of interest for the demo force: fictitious people with
example.org addresses, spread over the demo's public events and the follow-up statuses.

Call after ``app.demo.load`` has made the events: ``load_demo(session, today=today)``.
"""

from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.clock import from_london, utcnow
from app.enums import EventStatus, InterestRole, InterestStatus
from app.events.models import Event
from app.events.public import LISTED_PUBLICLY
from app.interest.models import InterestRecord
from app.interest.service import retention
from app.venues.models import Venue

LABEL = "Illustrative demo record."

# (name, contact, roles, status, note): each sent from the next event in turn.
PEOPLE: tuple[tuple[str, str, tuple[InterestRole, ...], InterestStatus, str], ...] = (
    (
        "Ada Example",
        "ada.example@example.org",
        (InterestRole.police_constable,),
        InterestStatus.applied,
        "Applied online.",
    ),
    (
        "Ben Sample",
        "07700 900001",
        (InterestRole.special_constable,),
        InterestStatus.contacted,
        "Rang; sending the specials pack.",
    ),
    (
        "Cara Placeholder",
        "cara@example.org",
        (InterestRole.pcso, InterestRole.police_staff),
        InterestStatus.new,
        "",
    ),
    (
        "Dev Fictitious",
        "dev@example.org",
        (InterestRole.control_room,),
        InterestStatus.contacted,
        "Asked about shift patterns.",
    ),
    (
        "Eli Madeup",
        "07700 900002",
        (InterestRole.detective,),
        InterestStatus.not_interested,
        "Decided to stay in current job.",
    ),
    (
        "Fay Invented",
        "fay@example.org",
        (InterestRole.police_constable, InterestRole.detective),
        InterestStatus.new,
        "",
    ),
    ("Gus Notreal", "gus@example.org", (), InterestStatus.new, ""),
    (
        "Hana Example",
        "hana@example.org",
        (InterestRole.police_staff,),
        InterestStatus.applied,
        "Applied for a call handler post.",
    ),
    ("Ivo Sample", "07700 900003", (InterestRole.special_constable,), InterestStatus.new, ""),
    (
        "Jo Placeholder",
        "jo@example.org",
        (InterestRole.police_constable,),
        InterestStatus.contacted,
        "Invited to the insight evening.",
    ),
    ("Kai Fictitious", "kai@example.org", (InterestRole.other,), InterestStatus.new, ""),
    ("Lee Madeup", "07700 900004", (InterestRole.pcso,), InterestStatus.new, ""),
)


def _sent_at(event: Event | None, today: date, n: int) -> datetime:
    """On the event's day if it has happened, else over the last few days (never ahead)."""
    now = utcnow()
    if event is not None and event.starts_at < now:
        return min(event.starts_at + timedelta(hours=1 + n % 5), now)
    return min(from_london(datetime.combine(today - timedelta(days=n % 6), time(12 + n % 6))), now)


def load_demo(session: Session, *, today: date) -> list[InterestRecord]:
    """Twelve fictitious expressions of interest, kept like any others (and erased on time)."""
    events = list(
        session.exec(
            select(Event)
            .where(LISTED_PUBLICLY, Event.status != EventStatus.cancelled)
            .order_by(col(Event.starts_at), col(Event.id))
        ).all()
    )
    # The past, completed drop-ins first: that is where interest has already come from.
    events.sort(key=lambda e: (e.status != EventStatus.completed, e.starts_at))
    towns = {v.id: v.town for v in session.exec(select(Venue)).all()}
    made = []
    for n, (name, contact, roles, status, note) in enumerate(PEOPLE):
        # Every fourth person used the general form; the others an event's page or poster.
        event = events[n % len(events)] if events and n % 4 != 3 else None
        sent = _sent_at(event, today, n)
        made.append(
            InterestRecord(
                event_id=event.id if event else None,
                venue_id=event.venue_id if event else None,
                campaign_id=event.campaign_id if event else None,
                town=towns.get(event.venue_id, "") if event else "",
                full_name=name,
                email=contact if "@" in contact else "",
                phone="" if "@" in contact else contact,
                roles=[str(role) for role in roles],
                message=LABEL,
                consent_given_at=sent,
                created_at=sent,
                erase_after=sent + retention(),
                status=status,
                status_changed_at=sent + timedelta(days=1) if status != InterestStatus.new else None,
                coordinator_note=note,
                revision=0 if status == InterestStatus.new else 1,
            )
        )
    session.add_all(made)
    session.flush()
    for row in made:
        audit.note(
            session, audit.SYSTEM, "create", row, "illustrative expression of interest loaded with the demo"
        )
    session.commit()
    return made
