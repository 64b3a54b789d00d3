"""The ambassador's pages: answering, time away, the calendar link and their own data."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.assignments.models import Assignment
from app.enums import AssignmentRole, AssignmentStatus
from app.people.models import Representation, Unavailability
from tests.factories import Factory
from tests.pages.conftest import post, sign_in


def _staff(client: TestClient, make: Factory, name: str = "Aisha Hussain"):  # type: ignore[no-untyped-def]
    person = make.person(name)
    sign_in(client, make.user("staff", person=person))
    return person


def test_my_outreach_lists_proposed_event_to_answer(client: TestClient, make: Factory) -> None:
    event = make.event(title="Nelson mosque open day")
    colleague = make.person("Tom Reid")
    make.assign(event, colleague, role=AssignmentRole.recruiter)
    person = _staff(client, make)
    make.assign(event, person)
    page = client.get("/my")
    assert page.status_code == 200
    waiting = page.text.split('id="answer-title"')[1].split('id="upcoming-title"')[0]
    assert "Nelson mosque open day" in waiting
    assert "<strong>Team:</strong> Tom Reid (recruiter)" in waiting


def test_staff_accepts_an_assignment(client: TestClient, make: Factory, db: Session) -> None:
    event = make.event(title="Accrington stand")
    person = _staff(client, make)
    assignment = make.assign(event, person)
    answer = post(client, f"/my/assignments/{assignment.id}/accept")
    assert answer.status_code == 303
    db.expire_all()
    assert db.get(Assignment, assignment.id).status == AssignmentStatus.confirmed
    assert "Thank you: you are confirmed for &#39;Accrington stand&#39;." in client.get("/my").text


def test_decline_needs_a_reason_and_keeps_it(client: TestClient, make: Factory, db: Session) -> None:
    event = make.event()
    person = _staff(client, make)
    assignment = make.assign(event, person)
    refused = post(client, f"/my/assignments/{assignment.id}/decline", {"reason": ""})
    assert refused.status_code == 400
    assert '<a href="#reason">Enter a reason</a>' in refused.text
    done = post(client, f"/my/assignments/{assignment.id}/decline", {"reason": "On a course"})
    assert done.status_code == 303
    db.expire_all()
    row = db.get(Assignment, assignment.id)
    assert (row.status, row.decline_reason) == (AssignmentStatus.declined, "On a course")


def test_staff_cannot_answer_someone_elses_assignment(client: TestClient, make: Factory, db: Session) -> None:
    event = make.event()
    other = make.assign(event, make.person("Someone Else"))
    _staff(client, make)
    answer = post(client, f"/my/assignments/{other.id}/accept")
    assert answer.status_code == 404
    db.expire_all()
    assert db.get(Assignment, other.id).status == AssignmentStatus.proposed


def test_staff_sees_briefing_and_team_without_networks(client: TestClient, make: Factory) -> None:
    network = make.network("Black Police Association")
    event = make.event(what_to_bring="Leaflets and the banner")
    colleague = make.person("Joe Bloggs")
    make.represent(colleague, network)
    make.assign(event, colleague)
    person = _staff(client, make)
    make.assign(event, person)
    page = client.get(f"/my/events/{event.id}")
    assert "Leaflets and the banner" in page.text
    assert "<strong>Joe Bloggs</strong>" in page.text
    assert "Black Police Association" not in page.text


def test_staff_cannot_open_briefing_of_event_they_are_not_on(client: TestClient, make: Factory) -> None:
    event = make.event()
    _staff(client, make)
    assert client.get(f"/my/events/{event.id}").status_code == 404


def test_add_and_remove_time_away(client: TestClient, make: Factory, db: Session) -> None:
    person = _staff(client, make)
    saved = post(
        client,
        "/my/unavailability",
        {
            "start_date": "2031-08-03",
            "end_date": "2031-08-14",
            "start_time": "00:00",
            "end_time": "23:59",
            "reason": "annual_leave",
            "note": "Family holiday",
        },
    )
    assert saved.status_code == 303
    row = db.exec(select(Unavailability)).one()
    assert row.person_id == person.id
    assert (row.starts_at.isoformat(), row.ends_at.isoformat()) == (
        "2031-08-02T23:00:00+00:00",
        "2031-08-14T23:00:00+00:00",
    )
    removed = post(client, f"/my/unavailability/{row.id}/delete")
    assert removed.status_code == 303
    assert db.exec(select(Unavailability)).all() == []


def test_time_away_errors_keep_input(client: TestClient, make: Factory) -> None:
    _staff(client, make)
    answer = post(
        client,
        "/my/unavailability",
        {"start_date": "2031-08-10", "end_date": "2031-08-01", "reason": "training", "note": "Keep me"},
    )
    assert answer.status_code == 400
    assert '<a href="#end_date">The last day must be the same as or after the first day</a>' in answer.text
    assert 'value="Keep me"' in answer.text


def test_my_data_opt_in_public_naming_and_withdraw(client: TestClient, make: Factory, db: Session) -> None:
    network = make.network("Muslim Police Association")
    person = _staff(client, make)
    page = client.get("/my/data")
    assert "You do not represent any network." in page.text
    added = post(client, "/my/data/networks", {"network_id": network.id})
    assert added.status_code == 303
    rep = db.exec(select(Representation)).one()
    assert (rep.person_id, rep.public_naming) == (person.id, False)
    post(client, f"/my/data/networks/{rep.id}/naming", {"public_naming": "yes"})
    db.expire_all()
    assert db.get(Representation, rep.id).public_naming is True
    post(client, f"/my/data/networks/{rep.id}/withdraw")
    db.expire_all()
    assert db.exec(select(Representation)).all() == []


def test_my_data_cannot_withdraw_someone_elses_opt_in(client: TestClient, make: Factory, db: Session) -> None:
    network = make.network()
    rep = make.represent(make.person("Other"), network)
    _staff(client, make)
    assert post(client, f"/my/data/networks/{rep.id}/withdraw").status_code == 404
    assert db.get(Representation, rep.id) is not None


def test_calendar_page_turns_on_link_with_qr_and_resets_it(client: TestClient, make: Factory) -> None:
    _staff(client, make)
    page = client.get("/my/calendar")
    assert "Make my calendar link" in page.text
    post(client, "/my/calendar")
    page = client.get("/my/calendar")
    first = page.text.split('id="feed-url" type="text" value="')[1].split('"')[0]
    assert first.startswith("https://muster.test/feeds/people/")
    assert 'href="webcal://muster.test/feeds/people/' in page.text
    assert 'src="data:image/svg+xml' in page.text
    assert "Outlook" in page.text and "Google Calendar" in page.text and "Apple Calendar" in page.text
    assert client.get(first.removeprefix("https://muster.test")).status_code == 200
    post(client, "/my/calendar/reset")
    page = client.get("/my/calendar")
    second = page.text.split('id="feed-url" type="text" value="')[1].split('"')[0]
    assert second != first
    assert client.get(first.removeprefix("https://muster.test")).status_code == 404
