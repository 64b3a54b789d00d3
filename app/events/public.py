"""What the public may see of events: published events, the towns they are in, and who
agreed to be named at them.

Drafts and private events do not exist for the public, nor does a booking its venue
declined until the coordinator asks again, moves or cancels it. Nothing personal is shown
beyond the names of confirmed team members who consented to be named publicly as
representing a network, with only those networks.

``listed_publicly`` and ``LISTED_PUBLICLY`` are the one definition of what the public
sees, used by the public pages, the public feeds, the exports and the posters.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from app.assignments.models import Assignment
from app.clock import utcnow
from app.enums import AssignmentStatus, EventStatus, PartnerStatus
from app.errors import NotFound
from app.events.models import Event
from app.networks.models import Network
from app.people.models import Person, Representation
from app.venues.models import Venue

if TYPE_CHECKING:  # a roster row is judged as its event is
    from app.printouts.roster import RosterEvent

# A cancelled or completed event stays listed as such even if its venue had declined:
# people who saved it should read that it is off, not find it gone.
_ANSWER_STANDS = (EventStatus.cancelled, EventStatus.completed)

LISTED_PUBLICLY = and_(
    col(Event.public).is_(True),
    col(Event.status) != EventStatus.draft,
    or_(col(Event.partner_status) != PartnerStatus.declined, col(Event.status).in_(_ANSWER_STANDS)),
)
"""The SQL twin of :func:`listed_publicly`, for a ``where`` over Event."""


def listed_publicly(event: "Event | RosterEvent") -> bool:
    """Whether the public may see the event: public, not a draft, and not a booking the
    venue declined (a declined one is withdrawn until it is asked again, moved or cancelled)."""
    if not event.public or event.status == EventStatus.draft:
        return False
    return event.partner_status != PartnerStatus.declined or event.status in _ANSWER_STANDS


def withdrawn(event: "Event | RosterEvent") -> bool:
    """A public event taken off public view only because its venue declined it."""
    return event.public and event.status != EventStatus.draft and not listed_publicly(event)


def get_public_event(*, session: Session, event_id: int) -> tuple[Event, bool]:
    """An event the public may see, or one they saw until its venue declined it (then
    True: the page says kindly that it is not going ahead there); anything else does not
    exist for the public."""
    event = session.get(Event, event_id)
    if event is not None and withdrawn(event):
        return event, True
    if event is None or not listed_publicly(event):
        raise NotFound(f"there is no public event {event_id}")
    return event, False


def public_towns(*, session: Session) -> list[str]:
    """Towns that have an upcoming public event: a filter by town offers no empty choices."""
    rows = session.exec(
        select(Venue.town)
        .join(Event, col(Event.venue_id) == Venue.id)
        .where(
            LISTED_PUBLICLY,
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
