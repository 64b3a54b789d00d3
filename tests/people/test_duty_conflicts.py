"""A person's change that puts duties they hold at risk is asked about, then flagged to the
coordinator until resolved; time away reads back with its last day; duties show their real state."""

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.assignments.models import Assignment
from app.clock import to_london
from app.enums import AssignmentStatus
from app.events.models import Event
from app.people.models import Person, Representation, Unavailability
from tests.factories import Factory, fresh, future
from tests.forms import post, sign_in


def _day(value: date) -> str:
    shown = f"{value:%a %-d %b}"
    return f"{shown} {value:%Y}" if value.year != date.today().year else shown


def _on_duty(make: Factory, days: int = 10) -> tuple[Person, Event, Assignment]:
    person = make.person("Aisha Hussain")
    event = make.event(starts_at=future(days), title="Job fair at Burnley")
    assignment = make.assign(event, person, status=AssignmentStatus.confirmed)
    return person, event, assignment


def _represents_on_duty(make: Factory) -> tuple[Person, Representation, Assignment]:
    """A person who represents a network, on a duty at an event that asks for it."""
    person = make.person("Aisha Hussain")
    network = make.network("Muslim Police Association")
    rep = make.represent(person, network)
    event = make.event(network_needs=[{"network_id": network.id, "min_count": 1}])
    return person, rep, make.assign(event, person, status=AssignmentStatus.confirmed)


def _away_over(event: Event, reason: str = "training") -> dict[str, str]:
    day = to_london(event.starts_at).date()
    return {
        "start_date": (day - timedelta(days=1)).isoformat(),
        "end_date": (day + timedelta(days=1)).isoformat(),
        "reason": reason,
    }


def test_time_away_over_a_duty_asks_first_then_flags_it(
    client: TestClient, make: Factory, db: Session
) -> None:
    person, event, assignment = _on_duty(make)
    sign_in(client, make.user("staff", person=person))
    form = _away_over(event)

    asked = post(client, "/my/unavailability", form)

    assert asked.status_code == 409
    assert "You are already on duty then" in asked.text
    assert "Ask to be released from Job fair at Burnley" in asked.text
    assert db.exec(select(Unavailability)).all() == []

    saved = post(
        client, "/my/unavailability", {**form, "confirm_conflicts": "yes", "release": str(assignment.id)}
    )

    assert saved.status_code == 303
    day = to_london(event.starts_at).date()
    span = f"{_day(day - timedelta(days=1))} to {_day(day + timedelta(days=1))}"
    page = client.get("/my/unavailability").text
    assert f"Saved: training, {span}. Coordinators will not be offered you for events then." in page
    assert (
        "The coordinator can now see the clash with 1 duty, and that you asked to be released from 1." in page
    )
    assert f"<strong>Training</strong><br>\n      {span}" in page
    flagged = fresh(db, Assignment, assignment.id)
    assert flagged.conflict_note == f"Unavailable (training): {span} – asks to be released"
    assert flagged.status == AssignmentStatus.confirmed


def test_flagged_duty_shows_to_the_coordinator_until_cleared(
    client: TestClient, make: Factory, db: Session
) -> None:
    person, event, assignment = _on_duty(make)
    sign_in(client, make.user("staff", person=person))
    post(
        client,
        "/my/unavailability",
        {**_away_over(event), "confirm_conflicts": "yes", "release": str(assignment.id)},
    )
    sign_in(client, make.user("coordinator"))

    event_page = client.get(f"/plan/events/{event.id}").text
    attention = client.get("/plan/attention").text

    assert "Asks to be released" in event_page
    assert "1 of the team flagged (a clash, time away or a limit): see the team" in attention
    cleared = post(client, f"/plan/assignments/{assignment.id}/clear-flag")
    assert cleared.status_code == 303
    assert fresh(db, Assignment, assignment.id).conflict_note == ""
    assert "Asks to be released" not in client.get(f"/plan/events/{event.id}").text


def test_removing_the_time_away_clears_its_flag(client: TestClient, make: Factory, db: Session) -> None:
    person, event, assignment = _on_duty(make)
    sign_in(client, make.user("staff", person=person))
    post(client, "/my/unavailability", {**_away_over(event), "confirm_conflicts": "yes"})
    row = db.exec(select(Unavailability)).one()
    assert fresh(db, Assignment, assignment.id).conflict_note.startswith("Unavailable (training)")

    post(client, f"/my/unavailability/{row.id}/delete")

    assert fresh(db, Assignment, assignment.id).conflict_note == ""


def test_time_away_without_duties_is_saved_at_once(client: TestClient, make: Factory, db: Session) -> None:
    person, event, _ = _on_duty(make, days=20)
    sign_in(client, make.user("staff", person=person))
    day = to_london(event.starts_at).date() - timedelta(days=5)

    saved = post(
        client,
        "/my/unavailability",
        {"start_date": day.isoformat(), "end_date": day.isoformat(), "reason": "court"},
    )

    assert saved.status_code == 303
    assert f"Saved: court, {_day(day)}." in client.get("/my/unavailability").text


def test_coordinator_records_time_away_over_a_duty_after_confirming(
    client: TestClient, make: Factory, db: Session
) -> None:
    person, event, assignment = _on_duty(make)
    sign_in(client, make.user("coordinator"))
    form = _away_over(event, "annual_leave")

    asked = post(client, f"/plan/people/{person.id}/unavailability", form)
    saved = post(client, f"/plan/people/{person.id}/unavailability", {**form, "confirm_conflicts": "yes"})

    assert asked.status_code == 409
    assert "They are already on duty then" in asked.text
    assert saved.status_code == 303
    assert fresh(db, Assignment, assignment.id).conflict_note.startswith("Unavailable (annual leave): ")


def test_api_refuses_time_away_over_a_duty_unless_accepted(
    client: TestClient, make: Factory, db: Session
) -> None:
    person, event, assignment = _on_duty(make)
    headers = make.headers("staff", person=person)
    body = {
        "starts_at": (event.starts_at - timedelta(hours=1)).isoformat(),
        "ends_at": (event.ends_at + timedelta(hours=1)).isoformat(),
        "reason": "training",
    }

    refused = client.post("/api/v1/unavailability", json=body, headers=headers)
    accepted = client.post(
        f"/api/v1/unavailability?accept_conflicts=true&release={assignment.id}", json=body, headers=headers
    )

    assert refused.status_code == 409
    assert [(a["assignment_id"], a["event_id"]) for a in refused.json()["affected"]] == [
        (assignment.id, event.id)
    ]
    assert accepted.status_code == 201
    assert fresh(db, Assignment, assignment.id).conflict_note.endswith("– asks to be released")


def test_lower_monthly_limit_flags_the_duties_over_it_and_raising_it_clears_them(
    client: TestClient, make: Factory, db: Session
) -> None:
    person = make.person("Tom Walsh")
    first = make.event(starts_at=future(3))
    second = make.event(starts_at=future(4))
    same_month = to_london(first.starts_at).month == to_london(second.starts_at).month
    kept = make.assign(first, person, status=AssignmentStatus.confirmed)
    over = make.assign(second, person, status=AssignmentStatus.confirmed)
    headers = make.headers("coordinator")

    refused = client.patch(f"/api/v1/people/{person.id}", json={"monthly_limit": 1}, headers=headers)
    accepted = client.patch(
        f"/api/v1/people/{person.id}?accept_conflicts=true", json={"monthly_limit": 1}, headers=headers
    )

    if not same_month:  # the two days fell either side of a month's end
        assert refused.status_code == 200
        return
    assert refused.status_code == 409
    assert [a["assignment_id"] for a in refused.json()["affected"]] == [over.id]
    assert accepted.status_code == 200
    month = f"{to_london(second.starts_at):%B %Y}"
    assert fresh(db, Assignment, over.id).conflict_note == f"Over their limit of 1 a month in {month}"
    assert fresh(db, Assignment, kept.id).conflict_note == ""
    raised = client.patch(f"/api/v1/people/{person.id}", json={"monthly_limit": 4}, headers=headers)
    assert raised.status_code == 200
    assert fresh(db, Assignment, over.id).conflict_note == ""


def test_lower_limit_on_the_form_asks_first(client: TestClient, make: Factory, db: Session) -> None:
    person = make.person("Tom Walsh", max_duties_per_week=2)
    event = make.event(starts_at=future(5))
    assignment = make.assign(event, person, status=AssignmentStatus.confirmed)
    sign_in(client, make.user("coordinator"))
    form = {
        "name": "Tom Walsh",
        "staff_number": person.staff_number,
        "kind": "police_officer",
        "monthly_limit": "0",
        "max_duties_per_week": "2",
        "active": "yes",
    }

    asked = post(client, f"/plan/people/{person.id}/edit", form)
    saved = post(client, f"/plan/people/{person.id}/edit", {**form, "confirm_conflicts": "yes"})

    assert asked.status_code == 409
    assert "The lower limit leaves duties over it" in asked.text
    assert saved.status_code == 303
    assert fresh(db, Person, person.id).monthly_limit == 0
    assert fresh(db, Assignment, assignment.id).conflict_note.startswith("Over their limit of 0 a month")


def test_withdrawing_an_opt_in_an_event_asks_for_flags_the_duty(
    client: TestClient, make: Factory, db: Session
) -> None:
    person, rep, assignment = _represents_on_duty(make)
    sign_in(client, make.user("staff", person=person))

    asked = post(client, f"/my/data/networks/{rep.id}/withdraw")
    assert asked.status_code == 409
    assert "Events you are on ask for this network" in asked.text
    withdrawn = post(client, f"/my/data/networks/{rep.id}/withdraw", {"confirm_conflicts": "yes"})

    assert withdrawn.status_code == 303
    assert db.exec(select(Representation)).all() == []
    assert (
        fresh(db, Assignment, assignment.id).conflict_note
        == "No longer represents a network this event asks for"
    )


def test_api_withdrawal_of_an_opt_in_an_event_asks_for_is_refused_unless_accepted(
    client: TestClient, make: Factory, db: Session
) -> None:
    person, rep, _ = _represents_on_duty(make)
    headers = make.headers("staff", person=person)

    refused = client.delete(f"/api/v1/representations/{rep.id}", headers=headers)
    accepted = client.delete(f"/api/v1/representations/{rep.id}?accept_conflicts=true", headers=headers)

    assert refused.status_code == 409
    assert accepted.status_code == 204


def test_person_page_shows_a_duty_on_a_cancelled_event_as_cancelled(
    client: TestClient, make: Factory, db: Session
) -> None:
    person, event, _ = _on_duty(make)
    make.change_event(event, status="cancelled")
    sign_in(client, make.user("coordinator"))

    page = client.get(f"/plan/people/{person.id}").text

    duty = page[page.index("Job fair at Burnley") :]
    assert '<strong class="tag tag--red">Event cancelled</strong>' in duty[:600]
    assert "Confirmed" not in duty[:600]


def test_staff_cannot_clear_a_flag(client: TestClient, make: Factory, db: Session) -> None:
    person, event, assignment = _on_duty(make)
    sign_in(client, make.user("staff", person=person))
    post(client, "/my/unavailability", {**_away_over(event), "confirm_conflicts": "yes"})

    refused = post(client, f"/plan/assignments/{assignment.id}/clear-flag")

    assert refused.status_code == 403
    assert fresh(db, Assignment, assignment.id).conflict_note != ""


def test_flagged_duty_weeks_ahead_still_needs_attention(
    client: TestClient, make: Factory, db: Session
) -> None:
    person, event, _ = _on_duty(make, days=40)
    sign_in(client, make.user("staff", person=person))
    post(client, "/my/unavailability", {**_away_over(event), "confirm_conflicts": "yes"})
    sign_in(client, make.user("coordinator"))

    attention = client.get("/plan/attention").text

    assert "Job fair at Burnley" in attention
    assert "1 of the team flagged (a clash, time away or a limit): see the team" in attention


def test_my_outreach_lists_a_duty_on_a_cancelled_event_as_cancelled(
    client: TestClient, make: Factory, db: Session
) -> None:
    person, event, _ = _on_duty(make)
    make.change_event(event, status="cancelled")
    sign_in(client, make.user("staff", person=person))

    page = client.get("/my").text

    cancelled = page[page.index('id="cancelled-title"') :]
    assert "Job fair at Burnley" in cancelled
    assert '<strong class="tag tag--red">Event cancelled</strong>' in cancelled
    assert (
        "Job fair at Burnley"
        not in page[page.index('id="upcoming-title"') : page.index('id="cancelled-title"')]
    )
