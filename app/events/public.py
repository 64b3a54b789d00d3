"""What the public may see of events: published events, the towns they are in, and who
agreed to be named at them.

Drafts and private events do not exist for the public. Nothing personal is shown beyond
the names of confirmed team members who consented to be named publicly as representing a
network, with only those networks.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.assignments.models import Assignment
from app.clock import utcnow
from app.enums import AssignmentStatus, EventStatus
from app.errors import NotFound
from app.events.models import Event
from app.networks.models import Network
from app.people.models import Person, Representation
from app.venues.models import Venue


def get_public_event(*, session: Session, event_id: int) -> Event:
    """A public event that is not a draft; anything else does not exist for the public."""
    event = session.get(Event, event_id)
    if event is None or not event.public or event.status == EventStatus.draft:
        raise NotFound(f"there is no public event {event_id}")
    return event


def public_towns(*, session: Session) -> list[str]:
    """Towns that have an upcoming public event: a filter by town offers no empty choices."""
    rows = session.exec(
        select(Venue.town)
        .join(Event, col(Event.venue_id) == Venue.id)
        .where(
            col(Event.public).is_(True),
            Event.status != EventStatus.draft,
            Event.ends_at > utcnow(),
            Venue.town != "",
        )
        .distinct()
        .order_by(col(Venue.town))
    ).all()
    return [town for town in rows if town]


@dataclass(frozen=True)
class PublicName:
    """A team member as the public may see them: name (with title) and consented networks."""

    name: str
    networks: list[str] = field(default_factory=list)


def publicly_named(*, session: Session, event_id: int) -> list[PublicName]:
    """The event's confirmed team members who agreed to be named publicly for a network,
    with only those networks, in one query."""
    rows = session.exec(
        select(Person.id, Person.name, Person.rank_or_title, Network.name)
        .join(Assignment, col(Assignment.person_id) == Person.id)
        .join(Representation, col(Representation.person_id) == Person.id)
        .join(Network, col(Network.id) == Representation.network_id)
        .where(
            Assignment.event_id == event_id,
            Assignment.status == AssignmentStatus.confirmed,
            col(Representation.public_naming).is_(True),
        )
        .order_by(col(Person.name), col(Network.name))
    ).all()
    found: dict[int, PublicName] = {}
    for person_id, name, title, network in rows:
        assert person_id is not None
        shown = f"{title} {name}".strip() if title else name
        found.setdefault(person_id, PublicName(shown)).networks.append(network)
    return list(found.values())
