"""Once an outcome is recorded, only duties attended count: a no-show no longer fills the
person's month (the booking rules and the staffing solver load duties through one rule)."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from app.clock import london_month_bounds
from app.enums import AssignmentRole, AssignmentStatus
from tests.factories import Factory, future
from tests.forms import sign_in
from tests.outcomes.conftest import body, run_event


def test_no_show_frees_the_place_in_the_monthly_limit(client: TestClient, make: Factory) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    month_start, month_end = london_month_bounds(now)
    # Both events in this London month, whatever the hour: one ended, one to come.
    done_start = max(now - timedelta(hours=3), month_start)
    done_hours = min(2.0, (now - done_start).total_seconds() / 3600 / 2)
    coming_start = min(now + timedelta(hours=4), now + (month_end - now) / 2)
    person = make.person("Dan Once", monthly_limit=1)
    lead = make.person("Lena Lead")
    done = make.event(starts_at=done_start, hours=done_hours, title="Done this morning")
    make.assign(done, lead, AssignmentRole.lead, AssignmentStatus.confirmed)
    make.assign(done, person, AssignmentRole.ambassador, AssignmentStatus.confirmed)
    coming = make.event(
        starts_at=coming_start,
        hours=min(1.0, (month_end - coming_start).total_seconds() / 3600 / 2),
        title="Later today",
    )
    coordinator = make.headers("coordinator")
    booking = {"event_id": coming.id, "person_id": person.id, "role": "ambassador"}

    while_counted = client.post("/api/v1/assignments", json=booking, headers=coordinator)
    client.put(
        f"/api/v1/events/{done.id}/outcome",
        json={
            "people_spoken_to": 5,
            "interest_on_paper": 1,
            "attendance": [
                {"person_id": lead.id, "attendance": "attended"},
                {"person_id": person.id, "attendance": "absent", "absence_reason": "Car broke down"},
            ],
        },
        headers=coordinator,
    ).raise_for_status()
    after_no_show = client.post("/api/v1/assignments", json=booking, headers=coordinator)

    assert while_counted.status_code == 409
    assert "has reached their limit of 1 event(s)" in while_counted.json()["detail"]
    assert after_no_show.status_code == 201, after_no_show.text


def test_team_picker_counts_a_no_show_as_no_duty(client: TestClient, make: Factory) -> None:
    ran = run_event(make)
    coming = make.event(starts_at=future(days=2), title="Coming soon")
    coordinator = make.user("coordinator")
    sign_in(client, coordinator)

    def picker_order() -> list[str]:
        page = client.get(f"/plan/events/{coming.id}", params={"order": "near"}).text
        picker = page[page.index('id="picker-title"') :]
        return sorted(("Aisha Hussain", "Ben Clarke"), key=picker.index)

    before = picker_order()  # one duty each: by name
    client.put(
        f"/api/v1/events/{ran.event.id}/outcome", json=body(ran), headers=make.token(coordinator)
    ).raise_for_status()
    after = picker_order()  # Ben did not turn up: he has done the fewest

    assert before == ["Aisha Hussain", "Ben Clarke"]
    assert after == ["Ben Clarke", "Aisha Hussain"]
