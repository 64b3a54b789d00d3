"""The planning calendar's part of the demo: places of worship with their weekly times, the
job centres' opening hours, and a local date, so the warnings have something to say."""

from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.audit.service import Actor
from app.clock import to_london, utcnow
from app.enums import VenueKind
from app.planning import service
from app.venues import service as venues
from app.venues.hours import OpenHours
from app.venues.models import Venue

DEMO_ACTOR = Actor(user_id=None, label="demo loader", role="admin")

PLACES_OF_WORSHIP = [
    {
        "name": "Blackburn Central Mosque",
        "kind": VenueKind.mosque,
        "town": "Blackburn",
        "address": "Audley Range, Blackburn",
        "postcode": "BB1 1TF",
        "latitude": 53.7442,
        "longitude": -2.4665,
        "partner_organisation": "Mosque committee",
        "accessibility_notes": "Community hall on the ground floor; shoes off in the prayer hall only.",
    },
    {
        "name": "Burnley Gurdwara",
        "kind": VenueKind.gurdwara,
        "town": "Burnley",
        "address": "Cog Lane, Burnley",
        "postcode": "BB11 5AA",
        "latitude": 53.7826,
        "longitude": -2.2651,
        "partner_organisation": "Gurdwara committee",
        "accessibility_notes": "Heads covered and shoes off inside; langar hall on the ground floor.",
    },
]
WEEKDAYS_9_TO_5 = [OpenHours(day, "09:00", "17:00") for day in range(5)]


def load_demo(session: Session) -> None:
    """Add the planning calendar's demo data; run after the demo's venues exist. Safe to run
    again: what is there already is left alone."""
    have = set(session.exec(select(Venue.name)).all())
    for data in PLACES_OF_WORSHIP:
        if data["name"] not in have:
            venues.create_venue(session=session, actor=DEMO_ACTOR, data=dict(data))
    job_centres = session.exec(
        select(Venue).where(Venue.kind == VenueKind.job_centre).order_by(col(Venue.id))
    )
    for venue in job_centres.all():
        venues.set_opening_hours(
            session=session, actor=DEMO_ACTOR, venue_id=venue.id or 0, week=WEEKDAYS_9_TO_5
        )
    service.add_standard_patterns(session=session, actor=DEMO_ACTOR)
    _school_holidays(session)


def _school_holidays(session: Session) -> None:
    """The coming summer's school holidays, everywhere: roughly the fourth Wednesday of July
    to the first Tuesday of September, as Lancashire's usually fall (demo dates)."""
    today = to_london(utcnow()).date()
    year = today.year if today < date(today.year, 7, 20) else today.year + 1
    starts = date(year, 7, 22) - timedelta(days=(date(year, 7, 22).weekday() - 2) % 7)
    ends = date(year, 9, 1) + timedelta(days=(1 - date(year, 9, 1).weekday()) % 7)
    name = f"School summer holidays {year}"
    if any(row.name == name for row in service.list_local_dates(session=session)):
        return
    service.create_local_date(
        session=session,
        actor=DEMO_ACTOR,
        data={
            "name": name,
            "starts_on": starts,
            "ends_on": ends,
            "scope": "everywhere",
            "note": "Demo dates: check the local authority's published term dates.",
        },
    )
