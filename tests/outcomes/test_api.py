"""Event outcomes over the API: who may record them, when, what is refused, revisions and
audit, the partners' headline and staff's own attendance."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import AssignmentRole, AssignmentStatus, EventStatus
from app.interest.models import InterestRecord
from tests.factories import Factory, future
from tests.outcomes.conftest import Ran, ago, body, run_event


def _put(client: TestClient, ran: Ran, headers: dict[str, str], **kw: Any) -> Any:
    return client.put(f"/api/v1/events/{ran.event.id}/outcome", json=body(ran, **kw), headers=headers)


def test_outcome_lead_records_counts_and_attendance(client: TestClient, make: Factory, ran: Ran) -> None:
    lead = make.headers("staff", person=ran.lead)

    saved = _put(client, ran, lead)
    read = client.get(f"/api/v1/events/{ran.event.id}/outcome", headers=lead)

    assert saved.status_code == 200, saved.text
    assert saved.headers["ETag"] == 'W/"1"'
    assert read.json() == saved.json()
    got = read.json()
    assert (got["recorded"], got["people_spoken_to"], got["interest_on_paper"], got["leaflets"]) == (
        True,
        42,
        7,
        60,
    )
    assert got["what_worked"] == "The stand by the entrance"
    assert [(a["name"], a["role"], a["attendance"], a["absence_reason"]) for a in got["attendance"]] == [
        ("Lena Lead", "lead", "attended", ""),
        ("Aisha Hussain", "ambassador", "attended", ""),
        ("Ben Clarke", "ambassador", "absent", "Called in sick"),
    ]


def test_outcome_not_recorded_reads_as_revision_zero_with_the_team(
    client: TestClient, make: Factory, ran: Ran
) -> None:
    read = client.get(f"/api/v1/events/{ran.event.id}/outcome", headers=make.headers("coordinator"))

    assert read.status_code == 200
    assert read.headers["ETag"] == 'W/"0"'
    assert (read.json()["recorded"], read.json()["revision"]) == (False, 0)
    assert [a["attendance"] for a in read.json()["attendance"]] == [None, None, None]


def test_outcome_refused_before_the_event_has_ended(client: TestClient, make: Factory) -> None:
    event = make.event(starts_at=future(days=3))
    person = make.person()
    make.assign(event, person)

    answer = client.put(
        f"/api/v1/events/{event.id}/outcome",
        json={
            "people_spoken_to": 1,
            "interest_on_paper": 0,
            "attendance": [{"person_id": person.id, "attendance": "attended"}],
        },
        headers=make.headers("coordinator"),
    )

    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert "has not ended yet" in answer.json()["detail"]


def test_outcome_refused_for_a_cancelled_event(client: TestClient, make: Factory, ran: Ran) -> None:
    make.change_event(ran.event, status=EventStatus.cancelled)

    answer = _put(client, ran, make.headers("coordinator"))

    assert answer.status_code == 409
    assert "was cancelled" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"people_spoken_to": -1}, "people_spoken_to"),
        ({"leaflets": 100_001}, "leaflets"),
        ({"interest_on_paper": "lots"}, "interest_on_paper"),
    ],
)
def test_outcome_refuses_negative_or_absurd_numbers(
    client: TestClient, make: Factory, ran: Ran, changes: dict[str, Any], field: str
) -> None:
    answer = _put(client, ran, make.headers("coordinator"), **changes)

    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_outcome_refuses_more_interest_than_people_spoken_to(
    client: TestClient, make: Factory, ran: Ran
) -> None:
    answer = _put(client, ran, make.headers("coordinator"), people_spoken_to=3, interest_on_paper=4)

    assert answer.status_code == 422
    assert answer.json()["detail"] == (
        "expressions of interest taken on paper cannot be more than the people spoken to (4 > 3)"
    )


def test_outcome_refuses_attendance_of_someone_not_on_the_team(
    client: TestClient, make: Factory, ran: Ran
) -> None:
    stranger = make.person("Sam Stranger")
    lines = [*body(ran)["attendance"], {"person_id": stranger.id, "attendance": "attended"}]  # type: ignore[misc]

    answer = _put(client, ran, make.headers("coordinator"), attendance=lines)

    assert answer.status_code == 422
    assert answer.json()["detail"] == f"person {stranger.id} is not on this event's team"


def test_outcome_refuses_a_no_show_without_a_reason(client: TestClient, make: Factory, ran: Ran) -> None:
    lines = [*body(ran)["attendance"][:2], {"person_id": ran.ben.id, "attendance": "absent"}]  # type: ignore[index]

    answer = _put(client, ran, make.headers("coordinator"), attendance=lines)

    assert answer.status_code == 422
    assert answer.json()["detail"] == "give a reason why Ben Clarke did not attend"


def test_outcome_refuses_attendance_that_leaves_someone_out(
    client: TestClient, make: Factory, ran: Ran
) -> None:
    answer = _put(client, ran, make.headers("coordinator"), attendance=body(ran)["attendance"][:2])  # type: ignore[index]

    assert answer.status_code == 422
    assert answer.json()["detail"] == "say whether each person on the team attended; missing: Ben Clarke"


def test_outcome_only_lead_or_planner_may_record_or_read(client: TestClient, make: Factory, ran: Ran) -> None:
    ambassador = make.headers("staff", person=ran.aisha)
    partner = make.headers("partner", venues=[ran.venue])

    assert _put(client, ran, ambassador).status_code == 403
    assert _put(client, ran, partner).status_code == 403
    assert client.get(f"/api/v1/events/{ran.event.id}/outcome", headers=ambassador).status_code == 403
    assert _put(client, ran, make.headers("admin")).status_code == 200


def test_outcome_edit_from_an_old_copy_is_refused_naming_the_change(
    client: TestClient, make: Factory, ran: Ran
) -> None:
    coordinator = make.headers("coordinator")
    first = _put(client, ran, coordinator)
    read_first = {**coordinator, "If-Match": first.headers["ETag"]}
    _put(client, ran, read_first, people_spoken_to=50)

    stale = _put(client, ran, read_first, leaflets=10)
    fresh = _put(client, ran, {**coordinator, "If-Match": 'W/"2"'}, people_spoken_to=50, leaflets=10)

    assert stale.status_code == 412
    assert stale.json()["revision"] == 2
    assert [(c["field"], c["from"], c["to"]) for c in stale.json()["changes"]] == [
        ("people_spoken_to", 42, 50)
    ]
    assert (fresh.status_code, fresh.headers["ETag"], fresh.json()["leaflets"]) == (200, 'W/"3"', 10)


def test_outcome_changes_are_audited_with_attendance(client: TestClient, make: Factory, ran: Ran) -> None:
    coordinator = make.headers("coordinator")
    _put(client, ran, coordinator)
    lines = [*body(ran)["attendance"][:2], {"person_id": ran.ben.id, "attendance": "attended"}]  # type: ignore[index]
    _put(client, ran, coordinator, attendance=lines)
    _put(client, ran, coordinator, attendance=lines)  # no change: no new revision, no entry

    trail = client.get(
        "/api/v1/audit",
        params={"record_type": "event_outcome", "record_id": ran.event.id},
        headers=coordinator,
    ).json()["items"]

    assert [e["action"] for e in trail] == ["update", "create"]
    assert trail[0]["before"] == {
        "attendance": {
            "Lena Lead": "attended",
            "Aisha Hussain": "attended",
            "Ben Clarke": "absent: Called in sick",
        },
        "revision": 1,
    }
    assert trail[0]["after"]["attendance"]["Ben Clarke"] == "attended"
    assert client.get(f"/api/v1/events/{ran.event.id}/outcome", headers=coordinator).json()["revision"] == 2


def test_headline_partner_sees_counts_of_own_venue_only(
    client: TestClient, make: Factory, db: Session, ran: Ran
) -> None:
    _put(client, ran, make.headers("coordinator"))
    for name in ("Priya Shah", "Tom Ward"):  # registered online from the event's poster
        db.add(InterestRecord(event_id=ran.event.id, full_name=name, erase_after=future(days=365)))
    db.commit()
    elsewhere = run_event(make, venue=make.venue("Nelson library"), hours_ago=80)
    partner = make.headers("partner", venues=[ran.venue])

    own = client.get(f"/api/v1/events/{ran.event.id}/outcome/headline", headers=partner)
    other = client.get(f"/api/v1/events/{elsewhere.event.id}/outcome/headline", headers=partner)

    assert own.status_code == 200
    assert {k: v for k, v in own.json().items() if k not in ("title", "starts_at")} == {
        "event_id": ran.event.id,
        "recorded": True,
        "people_spoken_to": 42,
        "interest_on_paper": 7,
        # Two people: outside the planners' screens a count of 1 to 4 is hidden, as in a report.
        "interest_online": None,
        "fewer_than_5": ["interest_online"],
    }
    assert "what_worked" not in own.text and "Ben Clarke" not in own.text
    assert other.status_code == 403
    planner = client.get(
        f"/api/v1/events/{ran.event.id}/outcome/headline", headers=make.headers("coordinator")
    )
    assert (planner.json()["interest_online"], planner.json()["fewer_than_5"]) == (2, [])


def test_staff_see_their_own_attendance(client: TestClient, make: Factory, ran: Ran) -> None:
    _put(client, ran, make.headers("coordinator"))
    later = make.event(starts_at=ago(8), hours=4, title="Later drop-in")
    make.assign(later, ran.ben, AssignmentRole.ambassador, AssignmentStatus.confirmed)
    make.assign(make.event(starts_at=future(days=5)), ran.ben)  # not over yet: not listed

    mine = client.get("/api/v1/me/attendance", headers=make.headers("staff", person=ran.ben))
    nobody = client.get("/api/v1/me/attendance", headers=make.headers("coordinator"))

    assert [(a["title"], a["attendance"], a["absence_reason"]) for a in mine.json()] == [
        ("Later drop-in", None, ""),
        (ran.event.title, "absent", "Called in sick"),
    ]
    assert nobody.json() == []
