"""Planning warnings when booking, bulk booking and moving: shown in words first, booked
anyway once acknowledged, and the acknowledgement kept in the audit trail."""

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import event as sa_event
from sqlmodel import Session, col, select

from app.audit.models import AuditEntry
from app.audit.service import SYSTEM
from app.enums import VenueKind
from app.events import warned
from app.events.models import Event
from app.pages.rendering import get_templates
from app.planning.dates import calendar_dates
from app.planning.service import add_standard_patterns
from app.planning.warnings import planning_warnings
from app.venues.models import Venue
from tests.dates import at, london, today, weekday_ahead
from tests.factories import Factory
from tests.forms import post, sign_in


def bank_holiday(which: int = 0) -> tuple[date, str]:
    """The next weekday bank holiday at least a week ahead (or the one after), and its name."""
    found = [
        d
        for d in calendar_dates(today() + timedelta(days=7), today() + timedelta(days=400))
        if d.kind == "bank_holiday" and d.starts_on.weekday() < 5
    ]
    return found[which].starts_on, found[which].name


def quiet_wednesday(db: Session, venue: Venue) -> date:
    """A Wednesday ahead on which a 10:00–16:00 session at ``venue`` raises no warning."""
    day = weekday_ahead(weeks=2)
    while planning_warnings(db, venue=venue, starts_at=london(day, 10), ends_at=london(day, 16)):
        day += timedelta(weeks=1)
    return day


def holiday_words(day: date, name: str) -> str:
    return f"{day:%a} {day.day} {day:%b %Y} is a bank holiday ({name}): job centres are closed"


def _body(make: Factory, venue: Venue, day: date, **over: object) -> dict[str, object]:
    return {
        "campaign_id": make.campaign().id,
        "venue_id": venue.id,
        "title": "Jobcentre drop-in",
        "starts_at": at(day, 10),
        "ends_at": at(day, 16),
        **over,
    }


def _acknowledged(db: Session, event_id: int) -> list[AuditEntry]:
    return list(
        db.exec(
            select(AuditEntry).where(
                AuditEntry.record_type == "event",
                AuditEntry.record_id == event_id,
                AuditEntry.action == "acknowledge",
            )
        ).all()
    )


# --- the API --------------------------------------------------------------------------------


def test_api_booking_on_a_bank_holiday_answers_409_with_the_warnings_and_books_nothing(
    client: TestClient, make: Factory, db: Session
) -> None:
    venue = make.venue("Jobcentre Plus Nelson", town="Nelson")
    day, name = bank_holiday()
    answer = client.post("/api/v1/events", json=_body(make, venue, day), headers=make.headers("coordinator"))

    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    warnings = answer.json()["warnings"]
    assert {
        "kind": "bank_holiday",
        "text": holiday_words(day, name),
        "day": day.isoformat(),
        "expected": False,
        "venue_id": venue.id,
        "venue_name": "Jobcentre Plus Nelson",
    } in warnings
    assert "acknowledge_warnings=true" in answer.json()["detail"]
    assert db.exec(select(Event)).all() == []


def test_api_booking_acknowledged_books_lists_the_warnings_and_audits_them(
    client: TestClient, make: Factory, db: Session
) -> None:
    venue = make.venue("Jobcentre Plus Nelson", town="Nelson")
    day, name = bank_holiday()
    body = _body(make, venue, day, acknowledge_warnings=True)
    answer = client.post("/api/v1/events", json=body, headers=make.headers("coordinator"))

    assert answer.status_code == 201, answer.text
    event = answer.json()
    texts = [w["text"] for w in event["planning_warnings"]]
    assert holiday_words(day, name) in texts
    [entry] = _acknowledged(db, event["id"])
    assert entry.summary.startswith("booked despite ")
    assert holiday_words(day, name) in entry.summary
    assert entry.actor_label != "system"
    assert holiday_words(day, name) in [w["text"] for w in (entry.after or {})["warnings"]]


def test_api_booking_without_warnings_books_straight_away(
    client: TestClient, make: Factory, db: Session
) -> None:
    venue = make.venue()
    day = quiet_wednesday(db, venue)
    answer = client.post("/api/v1/events", json=_body(make, venue, day), headers=make.headers("coordinator"))

    assert answer.status_code == 201, answer.text
    assert answer.json()["planning_warnings"] == []
    assert _acknowledged(db, answer.json()["id"]) == []


def test_api_moving_onto_a_bank_holiday_asks_first(client: TestClient, make: Factory, db: Session) -> None:
    venue = make.venue()
    quiet = quiet_wednesday(db, venue)
    event = make.event(venue=venue, starts_at=london(quiet, 10), hours=6)
    day, name = bank_holiday()
    h = make.headers("coordinator")
    move = {"starts_at": at(day, 10), "ends_at": at(day, 16)}

    refused = client.patch(f"/api/v1/events/{event.id}", json=move, headers=h)
    assert refused.status_code == 409
    assert "bank_holiday" in [w["kind"] for w in refused.json()["warnings"]]
    assert (
        client.get(f"/api/v1/events/{event.id}", headers=h).json()["starts_at"].startswith(quiet.isoformat())
    )

    moved = client.patch(f"/api/v1/events/{event.id}", json={**move, "acknowledge_warnings": True}, headers=h)
    assert moved.status_code == 200, moved.text
    assert moved.json()["starts_at"].startswith(day.isoformat())
    [entry] = _acknowledged(db, event.id or 0)
    assert entry.summary.startswith("moved despite ")
    assert holiday_words(day, name) in entry.summary


def test_api_renaming_an_event_on_a_bank_holiday_does_not_ask_again(
    client: TestClient, make: Factory, db: Session
) -> None:
    day, _ = bank_holiday()
    event = make.event(starts_at=london(day, 10), hours=6)
    h = make.headers("coordinator")
    answer = client.patch(f"/api/v1/events/{event.id}", json={"title": "Renamed"}, headers=h)
    assert answer.status_code == 200, answer.text


def test_api_event_shows_its_planning_warnings_to_planners_only(client: TestClient, make: Factory) -> None:
    day, name = bank_holiday()
    venue = make.venue()
    event = make.event(venue=venue, starts_at=london(day, 10), hours=6)
    planner = client.get(f"/api/v1/events/{event.id}", headers=make.headers("coordinator")).json()
    partner = client.get(f"/api/v1/events/{event.id}", headers=make.headers("partner", venues=[venue])).json()
    assert holiday_words(day, name) in [w["text"] for w in planner["planning_warnings"]]
    assert partner["planning_warnings"] is None


def test_api_bulk_booking_on_a_bank_holiday_warns_by_venue_then_books_each(
    client: TestClient, make: Factory, db: Session
) -> None:
    nelson = make.venue("Jobcentre Plus Nelson", town="Nelson")
    bacup = make.venue("Jobcentre Plus Bacup", town="Bacup")
    day, name = bank_holiday()
    body: dict[str, object] = {
        "campaign_id": make.campaign().id,
        "venue_ids": [nelson.id, bacup.id],
        "starts_at": at(day, 10),
        "ends_at": at(day, 16),
    }
    h = make.headers("coordinator")

    refused = client.post("/api/v1/events/bulk", json=body, headers=h)
    assert refused.status_code == 409
    by_venue = {(w["venue_name"], w["text"]) for w in refused.json()["warnings"]}
    assert {
        ("Jobcentre Plus Nelson", holiday_words(day, name)),
        ("Jobcentre Plus Bacup", holiday_words(day, name)),
    } <= by_venue
    assert db.exec(select(Event)).all() == []

    booked = client.post("/api/v1/events/bulk", json={**body, "acknowledge_warnings": True}, headers=h)
    assert booked.status_code == 200, booked.text
    result = booked.json()
    assert result["booked"] == 2
    assert [v["venue_name"] for v in result["venues"]] == ["Jobcentre Plus Nelson", "Jobcentre Plus Bacup"]
    for outcome in result["venues"]:
        assert outcome["booked"] is True
        assert holiday_words(day, name) in [w["text"] for w in outcome["planning_warnings"]]
        assert outcome["event"]["title"] == f"Police recruitment at {outcome['venue_name']}"
        assert len(_acknowledged(db, outcome["event"]["id"])) == 1


def test_api_bulk_booking_names_a_venue_already_booked(
    client: TestClient, make: Factory, db: Session
) -> None:
    nelson = make.venue("Jobcentre Plus Nelson", town="Nelson")
    bacup = make.venue("Jobcentre Plus Bacup", town="Bacup")
    day = quiet_wednesday(db, nelson)
    make.event(venue=bacup, starts_at=london(day, 9), hours=3, title="Bacup fair")
    body = {
        "campaign_id": make.campaign().id,
        "venue_ids": [nelson.id, bacup.id],
        "starts_at": at(day, 10),
        "ends_at": at(day, 16),
    }
    answer = client.post("/api/v1/events/bulk", json=body, headers=make.headers("coordinator"))
    assert answer.status_code == 200, answer.text
    nelson_out, bacup_out = answer.json()["venues"]
    assert (nelson_out["booked"], bacup_out["booked"]) == (True, False)
    assert bacup_out["reason"].startswith("already booked for 'Bacup fair'")
    assert bacup_out["event"] is None


def test_api_mosque_at_friday_lunchtime_warns_of_friday_prayers(
    client: TestClient, make: Factory, db: Session
) -> None:
    add_standard_patterns(session=db, actor=SYSTEM)
    mosque = make.venue("Masjid-e-Noorul Islam", kind=VenueKind.mosque, town="Blackburn")
    friday = weekday_ahead(4, weeks=2)
    body = _body(make, mosque, friday, starts_at=at(friday, 12), ends_at=at(friday, 14))
    answer = client.post("/api/v1/events", json=body, headers=make.headers("coordinator"))
    assert answer.status_code == 409
    kinds = {w["kind"]: w["text"] for w in answer.json()["warnings"]}
    assert "Friday prayers" in kinds["weekly_pattern"]


# --- the pages ------------------------------------------------------------------------------


def _form(make: Factory, venue: Venue | None, day: date, **over: object) -> dict[str, object]:
    """The new-event form for a day; without a venue, the bulk booking form's fields (add ``venue_ids``)."""
    data: dict[str, object] = {
        "campaign_id": make.campaign().id,
        **({"venue_id": venue.id} if venue is not None else {}),
        "title": "Careers stand",
        "start_date": day.isoformat(),
        "start_time": "10:00",
        "end_time": "16:00",
        "ambassadors_needed": "2",
        "recruiters_needed": "1",
        "status": "draft",
    }
    data.update(over)
    return data


def _mark(html: str) -> str:
    start = html.index('name="acknowledge_warnings" type="checkbox" value="') + len(
        'name="acknowledge_warnings" type="checkbox" value="'
    )
    return html[start : html.index('"', start)]


def test_new_event_page_shows_warnings_then_books_anyway(
    client: TestClient, make: Factory, db: Session
) -> None:
    venue = make.venue("Jobcentre Plus Darwen", town="Darwen")
    day, name = bank_holiday()
    sign_in(client, make.user("coordinator"))
    data = _form(make, venue, day)

    shown = post(client, "/plan/events/new", data)
    assert shown.status_code == 409
    assert "before you book" in shown.text
    assert holiday_words(day, name) in shown.text.replace("&#39;", "'")
    assert "Book anyway: I have read" in shown.text
    assert 'value="Careers stand"' in shown.text
    assert db.exec(select(Event)).all() == []

    booked = post(client, "/plan/events/new", {**data, "acknowledge_warnings": _mark(shown.text)})
    assert booked.status_code == 303, booked.text
    [event] = db.exec(select(Event)).all()
    assert len(_acknowledged(db, event.id or 0)) == 1
    page = client.get(f"/plan/events/{event.id}")
    assert 'id="planning-warnings"' in page.text
    assert "ooked despite " in page.text  # the acknowledgement, in the event's history
    assert holiday_words(day, name) in page.text


def test_acknowledging_one_date_does_not_cover_another(
    client: TestClient, make: Factory, db: Session
) -> None:
    venue = make.venue()
    day, _ = bank_holiday()
    sign_in(client, make.user("coordinator"))
    data = _form(make, venue, day)
    mark = _mark(post(client, "/plan/events/new", data).text)
    # The date changed after reading the warnings: the other holiday's were never shown.
    other, name = bank_holiday(1)
    changed = post(
        client, "/plan/events/new", {**data, "start_date": other.isoformat(), "acknowledge_warnings": mark}
    )
    assert changed.status_code == 409
    assert holiday_words(other, name) in changed.text
    assert db.exec(select(Event)).all() == []


def test_new_event_page_without_warnings_books_straight_away(
    client: TestClient, make: Factory, db: Session
) -> None:
    venue = make.venue()
    day = quiet_wednesday(db, venue)
    sign_in(client, make.user("coordinator"))
    answer = post(client, "/plan/events/new", _form(make, venue, day))
    assert answer.status_code == 303, answer.text


def test_edit_page_moving_onto_a_bank_holiday_warns_then_moves(
    client: TestClient, make: Factory, db: Session
) -> None:
    venue = make.venue()
    event = make.event(venue=venue, starts_at=london(quiet_wednesday(db, venue), 10), hours=6, title="Stand")
    day, name = bank_holiday()
    sign_in(client, make.user("coordinator"))
    data = _form(make, venue, day, title="Stand", campaign_id=event.campaign_id)

    shown = post(client, f"/plan/events/{event.id}/edit", data)
    assert shown.status_code == 409
    assert "Move it anyway: I have read" in shown.text
    moved = post(client, f"/plan/events/{event.id}/edit", {**data, "acknowledge_warnings": _mark(shown.text)})
    assert moved.status_code == 303, moved.text
    db.expire_all()
    assert db.get(Event, event.id).starts_at == london(day, 10)  # type: ignore[union-attr]
    [entry] = _acknowledged(db, event.id or 0)
    assert holiday_words(day, name) in entry.summary


def test_bulk_booking_page_warns_by_venue_then_books_anyway(
    client: TestClient, make: Factory, db: Session
) -> None:
    names = ["Jobcentre Plus Accrington", "Jobcentre Plus Burnley"]
    venues = [make.venue(n, town=n.split()[-1]) for n in names]
    day, holiday = bank_holiday()
    sign_in(client, make.user("coordinator"))
    data = _form(make, None, day, title="", venue_ids=[v.id for v in venues])
    shown = post(client, "/plan/book", data)
    assert shown.status_code == 409
    panel = shown.text.split('class="planning-warnings__venues"')[1].split("</ul>\n</div>")[0]
    for name in names:
        assert f"<li><strong>{name}</strong>" in panel
    assert panel.count(holiday_words(day, holiday)) == 2
    assert db.exec(select(Event)).all() == []

    booked = post(client, "/plan/book", {**data, "acknowledge_warnings": _mark(shown.text)})
    assert booked.status_code == 200, booked.text
    assert "Booked at 2 of 2 venues" in booked.text
    assert "Booked despite" in booked.text
    made = db.exec(select(Event).order_by(col(Event.id))).all()
    assert [len(_acknowledged(db, e.id or 0)) for e in made] == [1, 1]


def test_dashboard_calendar_bands_a_bank_holiday_with_a_key(client: TestClient, make: Factory) -> None:
    day, name = bank_holiday()
    sign_in(client, make.user("coordinator"))
    page = client.get(f"/plan?view=month&d={day.isoformat()}")
    assert page.status_code == 200
    cell = page.text.split(f'<span class="calendar__dow">{day:%A} </span>{day.day}')[1].split("</td>")[0]
    assert 'class="cal-band"' in cell
    assert f'<span class="cal-band__letter" aria-hidden="true">B</span> {name}</span></li>' in cell
    assert "Bank holiday: job centres and many venues are closed" in page.text
    week = client.get(f"/plan?view=week&d={day.isoformat()}")
    assert f"</span> {name}</span></li>" in week.text


# --- the staffing review ----------------------------------------------------------------------


def test_warnings_of_planned_events_come_in_a_fixed_number_of_queries(make: Factory, db: Session) -> None:
    day, name = bank_holiday()
    venue = make.venue()
    quiet = quiet_wednesday(db, venue)
    on_holiday = [make.event(venue=make.venue(), starts_at=london(day, 10), hours=6) for _ in range(3)]
    ordinary = make.event(venue=venue, starts_at=london(quiet, 10), hours=6)
    ids = [e.id or 0 for e in [*on_holiday, ordinary]]
    statements: list[str] = []
    engine = db.get_bind()

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        found = warned.warnings_of_events(session=db, event_ids=ids)
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)

    assert len(statements) <= 6
    assert all(holiday_words(day, name) in [w.text for w in found[i]] for i in ids[:3])
    assert found[ids[3]] == []


def test_staffing_review_macro_lists_an_events_warnings_in_words(make: Factory, db: Session) -> None:
    day, name = bank_holiday()
    planned = make.event(starts_at=london(day, 10), hours=6)
    found = warned.warnings_of_events(session=db, event_ids=[planned.id or 0])
    macro = get_templates().env.get_template("staffing/_plan.html").module.event_warnings  # type: ignore[attr-defined]
    html = str(macro(found[planned.id or 0]))
    assert "planning warning" in html and "for this event:" in html
    assert f"<li>{holiday_words(day, name)}</li>" in html
    assert str(macro([])).strip() == ""


def test_copying_an_event_onto_a_bank_holiday_warns_then_copies(
    client: TestClient, make: Factory, db: Session
) -> None:
    venue = make.venue()
    original = make.event(venue=venue, starts_at=london(quiet_wednesday(db, venue), 10), hours=6)
    day, name = bank_holiday()
    sign_in(client, make.user("coordinator"))
    data = {"start_date": day.isoformat(), "start_time": "10:00"}

    shown = post(client, f"/plan/events/{original.id}/duplicate", data)
    assert shown.status_code == 409
    assert "Copy it anyway: I have read th" in shown.text
    assert holiday_words(day, name) in shown.text
    copied = post(
        client, f"/plan/events/{original.id}/duplicate", {**data, "acknowledge_warnings": _mark(shown.text)}
    )
    assert copied.status_code == 303, copied.text
    copy = db.exec(select(Event).where(Event.id != original.id)).one()
    assert len(_acknowledged(db, copy.id or 0)) == 1
