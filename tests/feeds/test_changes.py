"""Change counters: each write bumps exactly the feeds that can show it, atomically."""

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session

from app.accounts.models import User
from app.accounts.service import principal_for
from app.assignments import service as assignments
from app.audit.service import SYSTEM
from app.enums import AssignmentStatus
from app.events import service as events
from app.feeds import changes
from app.people import service as people
from app.people.models import Person
from tests.dates import london, summer_day
from tests.factories import Factory

JULY = london(summer_day(), 10)


def counters(db: Session, *scopes: str) -> dict[str, int]:
    db.rollback()  # read what is committed now, not an older snapshot
    return {
        scope: version for scope, (version, _) in zip(scopes, changes.read_versions(db, scopes), strict=True)
    }


def test_assignment_change_bumps_its_team_venue_campaign_and_event(db: Session, make: Factory):
    event = make.event(starts_at=JULY)
    mine, teammate, stranger = make.person(), make.person(), make.person()
    assignment = make.assign(event, mine)
    make.assign(event, teammate)
    make.assign(make.event(starts_at=JULY + timedelta(days=6)), stranger)
    scopes = (
        "all",
        f"person:{mine.id}",
        f"person:{teammate.id}",
        f"person:{stranger.id}",
        f"venue:{event.venue_id}",
        f"campaign:{event.campaign_id}",
        f"event:{event.id}",
    )
    coordinator = principal_for(session=db, user=make.user("coordinator"))
    before = counters(db, *scopes)

    assert assignment.id is not None
    assignments.update_assignment(
        session=db, principal=coordinator, assignment_id=assignment.id, changes={"status": "confirmed"}
    )

    after = counters(db, *scopes)
    assert {s: after[s] - before[s] for s in scopes} == {
        "all": 0,
        f"person:{mine.id}": 1,
        f"person:{teammate.id}": 1,
        f"person:{stranger.id}": 0,
        f"venue:{event.venue_id}": 1,
        f"campaign:{event.campaign_id}": 1,
        f"event:{event.id}": 1,
    }


def test_moving_an_event_bumps_the_old_and_the_new_venue(db: Session, make: Factory):
    event = make.event(starts_at=JULY)
    old_venue = event.venue_id
    new_venue = make.venue()
    before = counters(db, f"venue:{old_venue}", f"venue:{new_venue.id}")

    assert event.id is not None
    events.update_event(session=db, actor=SYSTEM, event_id=event.id, changes={"venue_id": new_venue.id})

    after = counters(db, f"venue:{old_venue}", f"venue:{new_venue.id}")
    assert [after[k] - before[k] for k in before] == [1, 1]


def test_renaming_a_person_bumps_everything(db: Session, make: Factory):
    person = make.person()
    before = counters(db, "all")

    assert person.id is not None
    people.update_person(session=db, actor=SYSTEM, person_id=person.id, changes={"name": "New Name"})

    assert counters(db, "all")["all"] == before["all"] + 1


def test_signing_in_or_changing_a_password_bumps_nothing(db: Session, make: Factory):
    user = make.user("coordinator")
    before = counters(db, "all")

    user.session_version += 1
    user.password_hash = "changed"
    db.add(user)
    db.commit()

    assert counters(db, "all") == before


def test_renaming_a_coordinator_bumps_everything(db: Session, make: Factory):
    user = make.user("coordinator")
    before = counters(db, "all")

    user.full_name = "Sgt Sam Patel"
    db.add(user)
    db.commit()

    assert counters(db, "all")["all"] == before["all"] + 1


def test_rolled_back_change_bumps_nothing(db: Session, make: Factory):
    person = make.person()
    before = counters(db, "all")

    row = db.get(Person, person.id)
    assert row is not None
    row.name = "Never saved"
    db.add(row)
    db.flush()
    db.rollback()
    db.commit()

    assert counters(db, "all") == before


def test_bulk_orm_statement_bumps_everything(db: Session, make: Factory):
    make.user("staff")
    before = counters(db, "all")

    db.execute(sa.update(User).values(active=True))
    db.commit()

    assert counters(db, "all")["all"] == before["all"] + 1


def test_new_event_bumps_its_venue_and_campaign(db: Session, make: Factory):
    venue, campaign = make.venue(), make.campaign()
    before = counters(db, f"venue:{venue.id}", f"campaign:{campaign.id}", "all")

    make.event(venue=venue, campaign=campaign, starts_at=JULY)

    after = counters(db, f"venue:{venue.id}", f"campaign:{campaign.id}", "all")
    assert [after[k] - before[k] for k in before] == [1, 1, 0]


def test_confirming_an_assignment_records_one_bump_per_commit(db: Session, make: Factory):
    event = make.event(starts_at=JULY)
    person = make.person()
    before = counters(db, f"person:{person.id}")

    make.assign(event, person, status=AssignmentStatus.confirmed)

    assert counters(db, f"person:{person.id}")[f"person:{person.id}"] == before[f"person:{person.id}"] + 1
