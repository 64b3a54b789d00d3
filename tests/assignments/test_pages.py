"""My outreach: a person's duties, answering a proposed one, and the briefing for one event."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.assignments.models import Assignment
from app.audit.service import SYSTEM
from app.clock import utcnow
from app.enums import AssignmentRole, AssignmentStatus
from app.events import service as events
from tests.factories import Factory, fresh, future
from tests.forms import form_errors, post, sign_in


def _staff(client: TestClient, make: Factory, name: str = "Aisha Hussain"):  # type: ignore[no-untyped-def]
    person = make.person(name)
    sign_in(client, make.user("staff", person=person))
    return person


def _section(page: str, start: str, end: str) -> str:
    return page.split(start)[1].split(end)[0]


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


def test_my_outreach_groups_duties_by_what_the_person_has_to_do(
    client: TestClient, make: Factory, db: Session
) -> None:
    person = make.person("Aisha Hussain", monthly_limit=10)
    sign_in(client, make.user("staff", person=person))
    make.assign(make.event(title="Proposed stand", starts_at=future(14)), person)
    make.assign(
        make.event(title="Confirmed stand", starts_at=future(15)), person, status=AssignmentStatus.confirmed
    )
    called_off = make.event(title="Called-off stand", starts_at=future(16))
    make.assign(called_off, person)
    assert called_off.id is not None
    events.cancel_event(session=db, actor=SYSTEM, event_id=called_off.id, reason="Venue closed")
    turned_down = make.assign(make.event(title="Declined stand", starts_at=future(17)), person)
    assert (
        post(client, f"/my/assignments/{turned_down.id}/decline", {"reason": "On leave"}).status_code == 303
    )
    make.assign(
        make.event(title="Last month's stand", starts_at=utcnow() - timedelta(days=30)),
        person,
        status=AssignmentStatus.confirmed,
    )
    page = client.get("/my").text
    waiting = _section(page, 'id="answer-title"', 'id="upcoming-title"')
    coming = _section(page, 'id="upcoming-title"', "<h2>Past events</h2>")
    past = page.split("<h2>Past events</h2>")[1]
    assert "Proposed stand" in waiting and "Proposed stand" not in coming
    assert "Confirmed stand" in coming and "Confirmed stand" not in waiting
    assert "Called-off stand" in coming and "Called-off stand" not in waiting
    assert "Events you declined or were taken off (1)" in coming and "Declined stand" in coming
    assert "Last month&#39;s stand" in past and "Last month" not in waiting + coming


def test_staff_accepts_an_assignment(client: TestClient, make: Factory, db: Session) -> None:
    event = make.event(title="Accrington stand")
    person = _staff(client, make)
    assignment = make.assign(event, person)
    answer = post(client, f"/my/assignments/{assignment.id}/accept")
    assert answer.status_code == 303
    assert fresh(db, Assignment, assignment.id).status == AssignmentStatus.confirmed
    assert "Thank you: you are confirmed for &#39;Accrington stand&#39;." in client.get("/my").text


def test_decline_needs_a_reason_and_keeps_it(client: TestClient, make: Factory, db: Session) -> None:
    event = make.event()
    person = _staff(client, make)
    assignment = make.assign(event, person)
    refused = post(client, f"/my/assignments/{assignment.id}/decline", {"reason": ""})
    assert form_errors(refused) == {"reason": "Enter a reason"}
    done = post(client, f"/my/assignments/{assignment.id}/decline", {"reason": "On a course"})
    assert done.status_code == 303
    row = fresh(db, Assignment, assignment.id)
    assert (row.status, row.decline_reason) == (AssignmentStatus.declined, "On a course")


def test_staff_cannot_answer_someone_elses_assignment(client: TestClient, make: Factory, db: Session) -> None:
    event = make.event()
    other = make.assign(event, make.person("Someone Else"))
    _staff(client, make)
    answer = post(client, f"/my/assignments/{other.id}/accept")
    assert answer.status_code == 404
    assert fresh(db, Assignment, other.id).status == AssignmentStatus.proposed


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


def test_briefing_names_the_campaign_coordinator_when_the_event_has_none(
    client: TestClient, make: Factory
) -> None:
    coordinator = make.user("coordinator", email="sergeant.khan@muster.test")
    event = make.event(campaign=make.campaign(coordinator_user_id=coordinator.id))
    assert event.coordinator_user_id is None
    person = _staff(client, make)
    make.assign(event, person)
    page = client.get(f"/my/events/{event.id}").text
    assert "sergeant.khan@muster.test" in page


def test_staff_cannot_open_briefing_of_event_they_are_not_on(client: TestClient, make: Factory) -> None:
    event = make.event()
    _staff(client, make)
    assert client.get(f"/my/events/{event.id}").status_code == 404
