"""A campaign that has run: held events in four towns with outcomes, interest online and on
paper, a team with network representatives and a no-show, and a target with a snapshot.

The figures are chosen so that suppression decides something in every table (see the
comments beside them)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from app.campaigns.models import Campaign
from app.enums import AssignmentRole, AssignmentStatus, AttendanceStatus, EventStatus, VenueKind
from app.events.models import Event
from app.interest.models import InterestRecord
from app.outcomes.models import EventOutcome
from app.people.models import Person
from app.representation.models import CampaignTarget, TargetSnapshot
from app.venues.models import Venue
from tests.factories import Factory


def ago(days: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(days=days)


@dataclass
class Scene:
    campaign: Campaign
    venues: dict[str, Venue]
    events: dict[str, Event]
    people: dict[str, Person]


def held(make: Factory, venue: Venue, campaign: Campaign, *, days_ago: float, hours: float) -> Event:
    return make.event(
        venue=venue,
        campaign=campaign,
        starts_at=ago(days_ago),
        hours=hours,
        status=EventStatus.confirmed,
        title=f"Drop-in at {venue.name}",
    )


def outcome(db: Session, event: Event, *, spoken: int, paper: int) -> None:
    assert event.id is not None
    db.add(EventOutcome(event_id=event.id, people_spoken_to=spoken, interest_on_paper=paper, leaflets=spoken))
    db.commit()


def interest(db: Session, event: Event | None, campaign: Campaign, venue: Venue | None, n: int) -> None:
    for i in range(n):
        db.add(
            InterestRecord(
                event_id=event.id if event else None,
                venue_id=venue.id if venue else None,
                campaign_id=campaign.id,
                town=venue.town if venue else "",
                full_name=f"Visitor {i}",
                email=f"visitor{i}@example.org",
                roles=["police_constable"],
                erase_after=datetime.now(UTC) + timedelta(days=365),
            )
        )
    db.commit()


def attend(
    db: Session, make: Factory, event: Event, person: Person, attendance: AttendanceStatus | None
) -> None:
    assignment = make.assign(event, person, AssignmentRole.ambassador, AssignmentStatus.confirmed)
    assignment.attendance = attendance
    assignment.absence_reason = "Called to an incident" if attendance == AttendanceStatus.absent else ""
    db.add(assignment)
    db.commit()


def build_scene(db: Session, make: Factory) -> Scene:
    campaign = make.campaign("Constables until April")
    venues = {
        "jcp": make.venue("Jobcentre Plus Blackburn", town="Blackburn"),
        "mosque": make.venue("Masjid-e-Noor", town="Blackburn", kind=VenueKind.place_of_worship),
        "library": make.venue("Bacup Library", town="Bacup", kind=VenueKind.library),
        "asda": make.venue("Asda Nelson", town="Nelson", kind=VenueKind.supermarket),
        "darwen": make.venue("=Darwen Library", town="Darwen", kind=VenueKind.library),
    }
    events = {
        "jcp": held(make, venues["jcp"], campaign, days_ago=20, hours=7),
        "library": held(make, venues["library"], campaign, days_ago=18, hours=4),
        "asda": held(make, venues["asda"], campaign, days_ago=16, hours=4),
        "mosque": held(make, venues["mosque"], campaign, days_ago=14, hours=3),
        "darwen": held(make, venues["darwen"], campaign, days_ago=12, hours=2),
        "ahead": make.event(venue=venues["jcp"], campaign=campaign, status=EventStatus.confirmed),
    }
    cancelled = held(make, venues["asda"], campaign, days_ago=10, hours=4)
    cancelled.status = EventStatus.cancelled
    db.add(cancelled)
    db.commit()
    # People spoken to: Blackburn 40 + 9, Bacup 3 (small), Nelson 12 (withheld with it), Darwen 0.
    outcome(db, events["jcp"], spoken=40, paper=6)
    outcome(db, events["library"], spoken=3, paper=1)
    outcome(db, events["asda"], spoken=12, paper=0)
    outcome(db, events["mosque"], spoken=9, paper=2)
    outcome(db, events["darwen"], spoken=0, paper=0)
    # Interest: Blackburn JCP 6 + 4 = 10, mosque 2 (small), Bacup 1, Nelson 2, no venue 1.
    interest(db, events["jcp"], campaign, venues["jcp"], 4)
    interest(db, events["asda"], campaign, venues["asda"], 2)
    interest(db, None, campaign, None, 1)

    a_net, b_net = make.network("Women's Network"), make.network("Black Police Association")
    people = {name: make.person(name) for name in ("Aisha", "Ben", "Chidi", "Dee")}
    make.represent(people["Aisha"], a_net)
    make.represent(people["Ben"], a_net)
    make.represent(people["Chidi"], b_net)
    # Women's Network: Aisha 7 h + 4 h, Ben 7 h = 18 h by 2 people; Chidi did not turn up.
    attend(db, make, events["jcp"], people["Aisha"], AttendanceStatus.attended)
    attend(db, make, events["jcp"], people["Ben"], AttendanceStatus.attended)
    attend(db, make, events["jcp"], people["Chidi"], AttendanceStatus.absent)
    attend(db, make, events["library"], people["Aisha"], None)
    attend(db, make, events["library"], people["Dee"], AttendanceStatus.attended)
    attend(db, make, events["ahead"], people["Ben"], None)  # not held: no hours

    assert campaign.id is not None
    target = CampaignTarget(
        campaign_id=campaign.id,
        measure="officers from ethnic minorities",
        unit="count",
        baseline_value=97,
        baseline_on=date.today() - timedelta(days=60),
        target_value=111,
        target_on=date.today() + timedelta(days=120),
        source="HR establishment report",
    )
    db.add(target)
    db.commit()
    assert target.id is not None
    db.add(TargetSnapshot(target_id=target.id, recorded_on=date.today() - timedelta(days=5), value=101))
    db.commit()
    return Scene(campaign, venues, events, people)


@pytest.fixture()
def scene(db: Session, make: Factory) -> Scene:
    return build_scene(db, make)
