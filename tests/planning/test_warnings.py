"""Planning warnings: the sentences a sergeant reads before booking, from the real database."""

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import migrate
from app.audit.service import SYSTEM
from app.clock import from_london
from app.db import make_engine
from app.planning import service
from app.planning.schemas import LocalDateCreate
from app.planning.warnings import PlanningWarning, planning_warnings, warnings_for_many
from app.venues.models import Venue
from tests.factories import Factory

BLACKBURN = {"latitude": 53.748, "longitude": -2.482, "town": "Blackburn"}


def _at(text: str) -> datetime:
    return from_london(datetime.fromisoformat(text))


def _warn(db: Session, venue: Venue, start: str, end: str) -> list[PlanningWarning]:
    return planning_warnings(db, venue=venue, starts_at=_at(start), ends_at=_at(end))


def _texts(db: Session, venue: Venue, start: str, end: str) -> list[str]:
    return [w.text for w in _warn(db, venue, start, end)]


@pytest.fixture()
def patterns(db: Session) -> None:
    service.add_standard_patterns(session=db, actor=SYSTEM)


def test_ramadan_event_ending_after_sunset_says_when_the_fast_is_broken(db: Session, make: Factory) -> None:
    venue = make.venue("Brookhouse Community Centre", kind="community_centre", **BLACKBURN)

    found = _warn(db, venue, "2027-02-24T10:00", "2027-02-24T18:30")

    assert found == [
        PlanningWarning(
            "after_sunset",
            "Wed 24 Feb 2027 falls in Ramadan (expected); an 18:30 end is after sunset in "
            "Blackburn (17:37), when people break their fast",
            datetime(2027, 2, 24).date(),
            True,
        )
    ]


def test_ramadan_event_ending_before_sunset_says_only_ramadan(db: Session, make: Factory) -> None:
    venue = make.venue(kind="community_centre", **BLACKBURN)

    found = _warn(db, venue, "2027-02-24T10:00", "2027-02-24T16:00")

    assert [(w.kind, w.text, w.expected) for w in found] == [
        ("observance", "Wed 24 Feb 2027 falls in Ramadan (expected)", True)
    ]


def test_ramadan_without_a_place_skips_the_sunset_clause(db: Session, make: Factory) -> None:
    venue = make.venue(kind="community_centre")

    assert _texts(db, venue, "2027-02-24T10:00", "2027-02-24T20:00") == [
        "Wed 24 Feb 2027 falls in Ramadan (expected)"
    ]


def test_eid_on_the_day_is_expected_plus_or_minus_a_day(db: Session, make: Factory) -> None:
    venue = make.venue(kind="supermarket")

    assert _texts(db, venue, "2027-03-09T10:00", "2027-03-09T15:00") == [
        "Tue 9 Mar 2027 is expected to be Eid al-Fitr (±1 day)"
    ]


def test_diwali_on_the_day(db: Session, make: Factory) -> None:
    venue = make.venue(kind="mandir")

    assert _texts(db, venue, "2027-10-29T10:00", "2027-10-29T15:00") == ["Fri 29 Oct 2027 is Diwali"]


def test_bank_holiday_at_a_job_centre_says_it_is_closed(db: Session, make: Factory) -> None:
    job_centre = make.venue(kind="job_centre")
    library = make.venue(kind="library")

    assert _texts(db, job_centre, "2027-05-31T10:00", "2027-05-31T15:00") == [
        "Mon 31 May 2027 is a bank holiday (Spring bank holiday): job centres are closed"
    ]
    assert _texts(db, library, "2027-08-30T10:00", "2027-08-30T15:00") == [
        "Mon 30 Aug 2027 is a bank holiday (Summer bank holiday)"
    ]


def test_friday_prayers_at_a_mosque(db: Session, make: Factory, patterns: None) -> None:
    mosque = make.venue(kind="mosque", **BLACKBURN)
    church = make.venue(kind="church", **BLACKBURN)

    assert _texts(db, mosque, "2027-06-04T13:00", "2027-06-04T15:00") == [
        "Friday 13:00–15:00 at a mosque overlaps Friday prayers (13:00–14:00)"
    ]
    assert _texts(db, mosque, "2027-06-04T10:00", "2027-06-04T13:00") == []
    assert _texts(db, church, "2027-06-04T13:00", "2027-06-04T15:00") == []


def test_sabbath_at_a_synagogue_runs_from_friday_sunset(db: Session, make: Factory, patterns: None) -> None:
    synagogue = make.venue(kind="synagogue", **BLACKBURN)

    saturday = _warn(db, synagogue, "2027-06-05T11:00", "2027-06-05T13:00")
    friday_evening = _warn(db, synagogue, "2027-06-04T20:00", "2027-06-04T22:00")

    assert [w.kind for w in saturday] == ["weekly_pattern"]
    assert saturday[0].text.startswith("Saturday 11:00–13:00 at a synagogue overlaps Sabbath (from sunset (")
    assert saturday[0].text.endswith(") on Saturday)")
    assert [w.kind for w in friday_evening] == ["weekly_pattern"]
    assert _texts(db, synagogue, "2027-06-04T10:00", "2027-06-04T15:00") == []
    assert _texts(db, synagogue, "2027-06-06T10:00", "2027-06-06T15:00") == []


def test_sunday_services_at_a_church(db: Session, make: Factory, patterns: None) -> None:
    church = make.venue(kind="church")

    assert _texts(db, church, "2027-06-06T11:30", "2027-06-06T15:00") == [
        "Sunday 11:30–15:00 at a church overlaps Sunday services (10:00–12:00)"
    ]
    assert _texts(db, church, "2027-06-06T12:00", "2027-06-06T15:00") == []


def test_a_pattern_turned_off_warns_no_more(db: Session, make: Factory, patterns: None) -> None:
    church = make.venue(kind="church")
    sunday = next(p for p in service.list_patterns(session=db) if p.name == "Sunday services")
    service.update_pattern(session=db, actor=SYSTEM, pattern_id=sunday.id or 0, changes={"active": False})

    assert _texts(db, church, "2027-06-06T11:30", "2027-06-06T15:00") == []


def test_opening_hours_flag_closing_time_opening_time_and_closed_days(
    client: TestClient, db: Session, make: Factory
) -> None:
    week = [{"weekday": d, "opens": "09:00", "closes": "16:00"} for d in range(5)]
    venue = make.venue(kind="job_centre", opening_hours=week)
    unknown = make.venue(kind="job_centre")

    assert _texts(db, venue, "2027-06-09T10:00", "2027-06-09T17:00") == ["the venue closes at 16:00"]
    assert _texts(db, venue, "2027-06-09T08:30", "2027-06-09T12:00") == ["the venue opens at 09:00"]
    assert _texts(db, venue, "2027-06-06T10:00", "2027-06-06T12:00") == ["the venue is closed on Sundays"]
    assert _texts(db, venue, "2027-06-09T09:00", "2027-06-09T16:00") == []
    assert _texts(db, unknown, "2027-06-06T10:00", "2027-06-06T20:00") == []


def test_local_dates_warn_only_where_their_scope_reaches(db: Session, make: Factory) -> None:
    nelson_mosque = make.venue("Nelson Central Mosque", kind="mosque", town="Nelson")
    nelson_library = make.venue("Nelson Library", kind="library", town="nelson")
    burnley_mosque = make.venue("Burnley Mosque", kind="mosque", town="Burnley")
    for data in (
        {"name": "Lancashire school summer holidays", "starts_on": "2027-07-22", "ends_on": "2027-09-02"},
        {
            "name": "Nelson Mela",
            "starts_on": "2027-07-24",
            "ends_on": "2027-07-24",
            "scope": "town",
            "town": "Nelson",
        },
        {
            "name": "Mosque AGM",
            "starts_on": "2027-07-24",
            "ends_on": "2027-07-24",
            "scope": "venue_kind",
            "venue_kind": "mosque",
        },
        {
            "name": "Roof repairs",
            "starts_on": "2027-07-24",
            "ends_on": "2027-07-24",
            "starts_time": "09:00",
            "ends_time": "12:00",
            "scope": "venue",
            "venue_id": nelson_library.id,
        },
    ):
        service.create_local_date(
            session=db, actor=SYSTEM, data=LocalDateCreate.model_validate(data).model_dump()
        )

    saturday = ("2027-07-24T10:00", "2027-07-24T14:00")
    assert _texts(db, nelson_mosque, *saturday) == [
        "Sat 24 Jul 2027 falls in Lancashire school summer holidays",
        "Sat 24 Jul 2027 is Nelson Mela",
        "Sat 24 Jul 2027 is Mosque AGM",
    ]
    assert _texts(db, nelson_library, *saturday) == [
        "Sat 24 Jul 2027 falls in Lancashire school summer holidays",
        "Sat 24 Jul 2027 is Nelson Mela",
        "Sat 24 Jul 2027 is Roof repairs (09:00–12:00)",
    ]
    assert _texts(db, nelson_library, "2027-07-24T13:00", "2027-07-24T15:00") == [
        "Sat 24 Jul 2027 falls in Lancashire school summer holidays",
        "Sat 24 Jul 2027 is Nelson Mela",
    ]
    assert _texts(db, burnley_mosque, *saturday) == [
        "Sat 24 Jul 2027 falls in Lancashire school summer holidays",
        "Sat 24 Jul 2027 is Mosque AGM",
    ]


def test_warnings_for_many_reads_the_same_few_queries_for_any_number(
    db: Session, make: Factory, patterns: None, engine: sa.Engine
) -> None:
    venues = [make.venue(kind=kind, **BLACKBURN) for kind in ("mosque", "church", "job_centre", "synagogue")]
    items = [
        (venues[i % 4], _at(f"2027-02-{day:02d}T10:00"), _at(f"2027-02-{day:02d}T18:30"))
        for i, day in enumerate(range(1, 29))
    ]
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        one = warnings_for_many(db, items=items[:1])
        first = len(statements)
        many = warnings_for_many(db, items=items)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)

    assert len(statements) - first == first == 3
    assert len(many) == 28 and many[0] == one[0]
    # Fri 12 Feb 2027 at the synagogue: in Ramadan past sunset, and into the Sabbath.
    assert [w.kind for w in many[11]] == ["after_sunset", "weekly_pattern"]


def test_warnings_over_http(client: TestClient, make: Factory) -> None:
    venue = make.venue(kind="job_centre", **BLACKBURN)

    answer = client.get(
        "/api/v1/planning-calendar/warnings",
        params={"venue_id": venue.id, "starts_at": "2027-05-31T10:00", "ends_at": "2027-05-31T15:00"},
        headers=make.headers("coordinator"),
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["warnings"] == [
        {
            "kind": "bank_holiday",
            "text": "Mon 31 May 2027 is a bank holiday (Spring bank holiday): job centres are closed",
            "day": "2027-05-31",
            "expected": False,
        }
    ]


def test_warnings_refuse_an_end_before_the_start(client: TestClient, make: Factory) -> None:
    venue = make.venue()
    answer = client.get(
        "/api/v1/planning-calendar/warnings",
        params={"venue_id": venue.id, "starts_at": "2027-05-31T10:00", "ends_at": "2027-05-31T09:00"},
        headers=make.headers("coordinator"),
    )
    assert answer.status_code == 422
    assert answer.json()["detail"] == "ends_at must be after starts_at"


def test_migration_seeds_the_standard_weekly_patterns(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'seeded.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT name, venue_kind, weekday, starts, end_weekday, ends FROM weekly_pattern ORDER BY id"
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("Friday prayers", "mosque", 4, "13:00", 4, "14:00"),
        ("Sabbath", "synagogue", 4, None, 5, None),
        ("Sunday services", "church", 6, "10:00", 6, "12:00"),
    ]
