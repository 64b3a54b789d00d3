"""A past event with a team (a lead, two ambassadors), as the outcome tests need it."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from app.enums import AssignmentRole, AssignmentStatus
from app.events.models import Event
from app.people.models import Person
from app.venues.models import Venue
from tests.factories import Factory


@dataclass
class Ran:
    event: Event
    venue: Venue
    lead: Person
    aisha: Person
    ben: Person


def ago(hours: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours)


def run_event(make: Factory, *, venue: Venue | None = None, hours_ago: float = 30, title: str = "") -> Ran:
    """An event that ended ``hours_ago`` (booked by an administrator, who may record the past)."""
    venue = venue or make.venue("Jobcentre Plus Burnley")
    event = make.event(
        venue=venue, starts_at=ago(hours_ago + 5), hours=5, title=title or f"Drop-in {hours_ago}h ago"
    )
    lead, aisha, ben = make.person("Lena Lead"), make.person("Aisha Hussain"), make.person("Ben Clarke")
    make.assign(event, lead, AssignmentRole.lead, AssignmentStatus.confirmed)
    make.assign(event, aisha, AssignmentRole.ambassador, AssignmentStatus.confirmed)
    make.assign(event, ben, AssignmentRole.ambassador, AssignmentStatus.confirmed)
    return Ran(event, venue, lead, aisha, ben)


@pytest.fixture()
def ran(make: Factory) -> Ran:
    return run_event(make)


def body(ran: Ran, **changes: object) -> dict[str, object]:
    """A complete outcome: Ben did not turn up."""
    return {
        "people_spoken_to": 42,
        "interest_on_paper": 7,
        "leaflets": 60,
        "what_worked": "The stand by the entrance",
        "attendance": [
            {"person_id": ran.lead.id, "attendance": "attended"},
            {"person_id": ran.aisha.id, "attendance": "attended"},
            {"person_id": ran.ben.id, "attendance": "absent", "absence_reason": "Called in sick"},
        ],
        **changes,
    }
