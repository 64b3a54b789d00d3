"""The planning calendar's demo data: loaded after the demo's venues, and safe to load again."""

from datetime import datetime

from sqlmodel import Session, select

from app.clock import from_london
from app.planning import service
from app.planning.demo import load_demo
from app.planning.warnings import planning_warnings
from app.venues import hours
from app.venues.models import Venue
from tests.factories import Factory


def test_demo_adds_places_of_worship_hours_patterns_and_a_local_date(db: Session, make: Factory) -> None:
    job_centre = make.venue("Jobcentre Plus Nelson", kind="job_centre", town="Nelson")

    load_demo(db)
    load_demo(db)

    kinds = {v.name: v.kind for v in db.exec(select(Venue)).all()}
    assert kinds == {
        "Jobcentre Plus Nelson": "job_centre",
        "Blackburn Central Mosque": "mosque",
        "Burnley Gurdwara": "gurdwara",
    }
    assert hours.describe(hours.week_of(session=db, venue_id=job_centre.id or 0)) == (
        "Mon 09:00–17:00, Tue 09:00–17:00, Wed 09:00–17:00, Thu 09:00–17:00, Fri 09:00–17:00; closed Sat, Sun"
    )
    assert [p.name for p in service.list_patterns(session=db)] == [
        "Sunday services",
        "Friday prayers",
        "Sabbath",
    ]
    assert len(service.list_local_dates(session=db)) == 1
    mosque = db.exec(select(Venue).where(Venue.name == "Blackburn Central Mosque")).one()
    friday = planning_warnings(
        db,
        venue=mosque,
        starts_at=from_london(datetime(2027, 6, 4, 12)),
        ends_at=from_london(datetime(2027, 6, 4, 15)),
    )
    assert [w.text for w in friday] == [
        "Friday 12:00–15:00 at a mosque overlaps Friday prayers (13:00–14:00)"
    ]
