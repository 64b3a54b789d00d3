"""The planning calendar: known dates from the calculators and the data file, over HTTP."""

from datetime import date

import holidays
import pytest
from fastapi.testclient import TestClient

from app.planning.dates import _curated, calendar_dates
from app.planning.service import STANDARD_PATTERNS
from tests.factories import Factory


def _dates(client: TestClient, headers: dict[str, str], start: str, end: str, **params: object) -> list[dict]:
    answer = client.get(
        "/api/v1/planning-calendar", params={"start": start, "end": end, **params}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["dates"]


def _named(rows: list[dict], name: str) -> dict:
    return next(r for r in rows if r["name"] == name)


def test_calendar_ramadan_2027_expected_from_8_february(client: TestClient, make: Factory) -> None:
    rows = _dates(client, make.headers("coordinator"), "2027-01-01", "2027-12-31")

    ramadan = _named(rows, "Ramadan")
    assert (ramadan["starts_on"], ramadan["ends_on"]) == ("2027-02-08", "2027-03-08")
    assert (ramadan["kind"], ramadan["expected"], ramadan["expected_words"]) == (
        "observance",
        True,
        "expected, ±1 day",
    )
    assert "Umm al-Qura" in ramadan["source"]


def test_calendar_eid_al_fitr_2027_expected_9_march(client: TestClient, make: Factory) -> None:
    rows = _dates(client, make.headers("coordinator"), "2027-03-01", "2027-03-31")

    eid = _named(rows, "Eid al-Fitr")
    assert (eid["starts_on"], eid["ends_on"], eid["expected"]) == ("2027-03-09", "2027-03-09", True)
    assert eid["expected_words"] == "expected, ±1 day"


def test_calendar_diwali_2027_on_29_october_from_the_data_file(client: TestClient, make: Factory) -> None:
    rows = _dates(client, make.headers("admin"), "2027-10-01", "2027-10-31")

    diwali = _named(rows, "Diwali")
    assert (diwali["starts_on"], diwali["expected"], diwali["expected_words"]) == ("2027-10-29", False, "")
    assert "python-holidays" in diwali["source"]


def test_calendar_bank_holidays_of_may_and_august_2027(client: TestClient, make: Factory) -> None:
    rows = _dates(client, make.headers("coordinator"), "2027-05-01", "2027-08-31")

    bank = [(r["starts_on"], r["name"]) for r in rows if r["kind"] == "bank_holiday"]
    assert bank == [
        ("2027-05-03", "Early May bank holiday"),
        ("2027-05-31", "Spring bank holiday"),
        ("2027-08-30", "Summer bank holiday"),
    ]


def test_calendar_every_named_observance_in_each_year_to_2031() -> None:
    names = {
        "Ramadan",
        "Eid al-Fitr",
        "Eid al-Adha",
        "Diwali",
        "Vaisakhi",
        "Guru Nanak Gurpurab",
        "Holi",
        "Rosh Hashanah",
        "Yom Kippur",
        "Passover",
        "Chinese New Year",
        "Easter Sunday",
        "Christmas Day",
        "Good Friday",
        "Easter Monday",
    }
    for year in range(2026, 2032):
        found = {d.name for d in calendar_dates(date(year, 1, 1), date(year, 12, 31))}
        assert names <= found, (year, sorted(names - found))


@pytest.mark.parametrize(
    ("name", "country", "holiday_name"),
    [
        ("Diwali", "IN", "Diwali"),
        ("Holi", "IN", "Holi"),
        ("Guru Nanak Gurpurab", "IN", "Guru Nanak's Birthday"),
        ("Rosh Hashanah", "IL", "Rosh Hashanah"),
        ("Yom Kippur", "IL", "Yom Kippur"),
        ("Passover", "IL", "Pesach"),
        ("Chinese New Year", "CN", "Chinese New Year (Spring Festival)"),
    ],
)
def test_data_file_agrees_with_python_holidays(name: str, country: str, holiday_name: str) -> None:
    """The curated first days are those python-holidays computes (India, Israel, China)."""
    ours = sorted(d.starts_on for d in _curated() if d.name == name)
    theirs = holidays.country_holidays(country, years=range(2026, 2032), language="en_US")
    first_days = sorted(
        day for day in theirs.get_named(holiday_name, lookup="exact") if day.year in range(2026, 2032)
    )
    if name in ("Rosh Hashanah", "Chinese New Year"):  # several days a year: the first of each
        first_days = sorted({min(d for d in first_days if d.year == y) for y in range(2026, 2032)})
    assert ours == first_days
    assert len(ours) == 6


def test_calendar_refuses_a_backwards_span(client: TestClient, make: Factory) -> None:
    answer = client.get(
        "/api/v1/planning-calendar",
        params={"start": "2027-03-01", "end": "2027-02-01"},
        headers=make.headers("coordinator"),
    )
    assert answer.status_code == 422
    assert answer.json()["detail"] == "end (2027-02-01) must be on or after start (2027-03-01)"


def test_calendar_refuses_more_than_400_days(client: TestClient, make: Factory) -> None:
    headers = make.headers("coordinator")
    ok = client.get(
        "/api/v1/planning-calendar", params={"start": "2027-01-01", "end": "2028-02-04"}, headers=headers
    )
    too_long = client.get(
        "/api/v1/planning-calendar", params={"start": "2027-01-01", "end": "2028-02-05"}, headers=headers
    )
    assert ok.status_code == 200
    assert too_long.status_code == 422
    assert too_long.json()["detail"] == "the span may be at most 400 days; ask for shorter spans"


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2027-02-30", "end": "2027-03-01"},
        {"start": "yesterday", "end": "2027-03-01"},
        {"end": "2027-03-01"},
        {"start": "0001-01-01", "end": "0001-01-02"},
        {"start": "2027-01-01", "end": "2027-01-02", "venue_id": "0"},
    ],
)
def test_calendar_refuses_bad_input_with_a_4xx(client: TestClient, make: Factory, params: dict) -> None:
    answer = client.get("/api/v1/planning-calendar", params=params, headers=make.headers("coordinator"))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"


def test_calendar_unknown_venue_is_404(client: TestClient, make: Factory) -> None:
    answer = client.get(
        "/api/v1/planning-calendar",
        params={"start": "2027-01-01", "end": "2027-01-31", "venue_id": 999},
        headers=make.headers("coordinator"),
    )
    assert answer.status_code == 404
    assert answer.json()["detail"] == "venue 999 does not exist"


def test_calendar_for_a_venue_lists_its_local_dates_and_its_kinds_patterns(
    client: TestClient, make: Factory
) -> None:
    admin = make.headers("admin")
    mosque = make.venue("Nelson Central Mosque", kind="mosque", town="Nelson")
    library = make.venue("Blackburn Library", kind="library", town="Blackburn")
    for body in (
        {
            "name": "Nelson Mela",
            "starts_on": "2027-07-10",
            "ends_on": "2027-07-11",
            "scope": "town",
            "town": "Nelson",
        },
        {
            "name": "Stocktake",
            "starts_on": "2027-07-12",
            "ends_on": "2027-07-12",
            "scope": "venue",
            "venue_id": library.id,
        },
        {"name": "Lancashire school holidays", "starts_on": "2027-07-22", "ends_on": "2027-09-02"},
        {
            "name": "Mosque open day",
            "starts_on": "2027-07-03",
            "ends_on": "2027-07-03",
            "scope": "venue_kind",
            "venue_kind": "mosque",
        },
    ):
        assert (
            client.post("/api/v1/planning-calendar/local-dates", json=body, headers=admin).status_code == 201
        )
    assert (
        client.post(
            "/api/v1/planning-calendar/weekly-patterns",
            json=dict(STANDARD_PATTERNS[0]),  # Friday prayers at mosques
            headers=admin,
        ).status_code
        == 201
    )

    answer = client.get(
        "/api/v1/planning-calendar",
        params={"start": "2027-07-01", "end": "2027-07-31", "venue_id": mosque.id},
        headers=make.headers("coordinator"),
    ).json()

    local = [(r["name"], r["source"]) for r in answer["dates"] if r["kind"] == "local_date"]
    assert local == [
        ("Mosque open day", "local date 4: at every mosque"),
        ("Nelson Mela", "local date 1: in Nelson"),
        ("Lancashire school holidays", "local date 3: everywhere"),
    ]
    assert [p["name"] for p in answer["weekly_patterns"]] == ["Friday prayers"]


def test_a_holiday_on_a_weekend_is_only_a_bank_holiday_on_its_substitute_day(
    client: TestClient, make: Factory
) -> None:
    rows = _dates(client, make.headers("coordinator"), "2027-12-24", "2027-12-29")

    bank = [(r["starts_on"], r["name"]) for r in rows if r["kind"] == "bank_holiday"]
    # As gov.uk lists them: Christmas on Saturday, Boxing Day on Sunday, both moved.
    assert bank == [
        ("2027-12-27", "Christmas Day (substitute day)"),
        ("2027-12-28", "Boxing Day (substitute day)"),
    ]
    assert _named(rows, "Christmas Day")["kind"] == "observance"
