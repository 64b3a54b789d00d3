"""The recruitment team's follow-up list: statuses, notes, erasure, export, counts, and who
may see it at all."""

import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit.models import AuditEntry
from app.clock import utcnow
from app.enums import InterestStatus
from app.interest import service
from app.worker.registry import HANDLERS, PERIODIC
from tests.factories import Factory
from tests.forms import form_errors, post, says, sign_in
from tests.interest.helpers import public_event, record, stored, trail


def _coordinator(client: TestClient, make: Factory) -> str:
    user = make.user("coordinator", email="sergeant@muster.test")
    sign_in(client, user)
    return user.email


def test_list_filters_by_status_event_campaign_and_town(
    client: TestClient, make: Factory, db: Session
) -> None:
    blackburn, nelson = public_event(make, town="Blackburn"), public_event(make, town="Nelson")
    record(db, event=blackburn, name="Ada Fictional", town="Blackburn")
    record(db, event=nelson, name="Ben Fictional", town="Nelson", status=InterestStatus.contacted)
    record(db, name="Cy Fictional")
    _coordinator(client, make)

    def names(query: str) -> list[str]:
        page = client.get(f"/plan/interest?{query}")
        assert page.status_code == 200, page.text
        return [n for n in ("Ada Fictional", "Ben Fictional", "Cy Fictional") if n in page.text]

    assert names("") == ["Ada Fictional", "Ben Fictional", "Cy Fictional"]
    assert names("status=contacted") == ["Ben Fictional"]
    assert names(f"event_id={blackburn.id}") == ["Ada Fictional"]
    assert names(f"campaign_id={nelson.campaign_id}") == ["Ben Fictional"]
    assert names("town=Nelson") == ["Ben Fictional"]


def test_status_change_with_a_note_is_revisioned_and_audited_without_the_note(
    client: TestClient, make: Factory, db: Session
) -> None:
    row = record(db, name="Ada Fictional")
    _coordinator(client, make)

    answer = post(
        client,
        f"/plan/interest/{row.id}",
        {"status": "contacted", "coordinator_note": "Rang Ada, call back Friday", "revision": "0"},
        token_from=f"/plan/interest/{row.id}",
    )

    assert (answer.status_code, answer.headers["location"]) == (303, f"/plan/interest/{row.id}")
    [changed] = stored(db)
    assert (changed.status, changed.coordinator_note, changed.revision) == (
        "contacted",
        "Rang Ada, call back Friday",
        1,
    )
    assert changed.status_changed_at is not None
    [line] = trail(db)
    assert (line.action, line.actor_label, line.summary) == (
        "update",
        "sergeant@muster.test",
        f"expression of interest {row.id}: new → contacted (note changed)",
    )
    assert (line.before, line.after) == (
        {"status": "new", "revision": 0},
        {"status": "contacted", "revision": 1},
    )


def test_status_cannot_go_back_to_new(client: TestClient, make: Factory, db: Session) -> None:
    row = record(db, status=InterestStatus.applied)
    _coordinator(client, make)

    answer = post(
        client, f"/plan/interest/{row.id}", {"status": "new", "revision": "0"}, token_from="/plan/interest"
    )

    assert form_errors(answer) == {
        "status": "This person is already applied: the status cannot go back to new"
    }


def test_a_change_saved_meanwhile_is_not_overwritten(client: TestClient, make: Factory, db: Session) -> None:
    row = record(db)
    _coordinator(client, make)
    post(
        client,
        f"/plan/interest/{row.id}",
        {"status": "contacted", "revision": "0"},
        token_from="/plan/interest",
    )

    stale = post(
        client,
        f"/plan/interest/{row.id}",
        {"status": "not_interested", "revision": "0"},
        token_from="/plan/interest",
    )

    says(stale, "after you opened it", status=400)
    assert stored(db)[0].status == "contacted"


def test_erase_on_request_deletes_and_the_trail_keeps_nothing_of_the_person(
    client: TestClient, make: Factory, db: Session
) -> None:
    row_id = record(db, name="Ada Fictional", email="ada@example.org", coordinator_note="prefers texts").id
    _coordinator(client, make)
    unconfirmed = post(client, f"/plan/interest/{row_id}/erase", {}, token_from="/plan/interest")
    assert form_errors(unconfirmed) == {
        "confirm_erase": "Tick the box to confirm the person asked for this to be erased"
    }

    answer = post(
        client, f"/plan/interest/{row_id}/erase", {"confirm_erase": "yes"}, token_from="/plan/interest"
    )

    assert (answer.status_code, answer.headers["location"]) == (303, "/plan/interest")
    assert stored(db) == []
    assert client.get(f"/plan/interest/{row_id}").status_code == 404
    [line] = trail(db)
    assert (line.action, line.actor_label, line.record_id, line.summary) == (
        "erase",
        "sergeant@muster.test",
        row_id,
        f"expression of interest {row_id} erased on request",
    )
    everything = " ".join(f"{e.summary} {e.before} {e.after}" for e in db.exec(select(AuditEntry)).all())
    for secret in ("Ada", "ada@example.org", "prefers texts"):
        assert secret not in everything


def test_records_past_their_retention_are_erased_by_the_daily_job(make: Factory, db: Session) -> None:
    kept = record(db, name="Still Here")
    record(db, name="Long Gone", erase_after=utcnow() - timedelta(minutes=1))
    record(db, name="Also Gone", erase_after=utcnow() - timedelta(days=3))
    task = next(t for t in PERIODIC if t.kind == "interest.erase_expired")
    assert task.every == timedelta(days=1) and HANDLERS[task.kind] is task.handler

    result = task.handler(db, {}, None)  # type: ignore[arg-type]

    assert result == {"erased": 2}
    assert [r.id for r in stored(db)] == [kept.id]
    [line] = trail(db)
    assert (line.action, line.actor_label, line.summary) == (
        "erase",
        "system",
        "2 expressions of interest erased after the 365-day retention period",
    )
    assert task.handler(db, {}, None) == {"erased": 0}  # type: ignore[arg-type]
    assert trail(db)[-1].summary == "0 expressions of interest erased after the 365-day retention period"


def test_csv_export_neutralises_formulas_and_is_audited(
    client: TestClient, make: Factory, db: Session
) -> None:
    event = public_event(make, title="Drop-in: Burnley")
    record(db, event=event, name='=HYPERLINK("http://evil.example")', message="+44 call me", town="Burnley")
    record(db, name="@SUM(A1)", status=InterestStatus.contacted)
    _coordinator(client, make)

    answer = client.get("/plan/interest.csv?status=new")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"].startswith('attachment; filename="interest-')
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [(r["name"], r["message"], r["event"], r["town"]) for r in rows] == [
        ('\'=HYPERLINK("http://evil.example")', "'+44 call me", "Drop-in: Burnley", "Burnley")
    ]
    [line] = trail(db)
    assert (line.action, line.actor_label, line.summary) == (
        "export",
        "sergeant@muster.test",
        "1 expression of interest exported to CSV (status=new)",
    )


def test_counts_by_event_venue_town_and_campaign(client: TestClient, make: Factory, db: Session) -> None:
    burnley, nelson = public_event(make, town="Burnley"), public_event(make, town="Nelson")
    for _ in range(3):
        record(db, event=burnley, town="Burnley")
    record(db, event=nelson, town="Nelson")
    record(db)

    assert service.interest_counts(db, by="event") == {burnley.id: 3, None: 1, nelson.id: 1}
    assert service.interest_counts(db, by="venue") == {burnley.venue_id: 3, None: 1, nelson.venue_id: 1}
    assert service.interest_counts(db, by="town") == {"Burnley": 3, "": 1, "Nelson": 1}
    assert service.interest_counts(db, by="campaign", campaign_id=nelson.campaign_id) == {
        nelson.campaign_id: 1
    }
    _coordinator(client, make)
    says(client.get("/plan/interest/counts"), "By town", "Burnley", "5 people in all")


def test_partners_staff_and_the_public_cannot_see_the_records(
    client: TestClient, make: Factory, db: Session
) -> None:
    row = record(db, name="Ada Fictional")
    paths = ("/plan/interest", f"/plan/interest/{row.id}", "/plan/interest.csv", "/plan/interest/counts")
    for path in paths:
        anonymous = client.get(path, follow_redirects=False)
        assert (anonymous.status_code, anonymous.headers["location"].split("?")[0]) == (303, "/login"), path
    for role in ("partner", "staff"):
        client.cookies.clear()
        sign_in(client, make.user(role))
        for path in paths:
            answer = client.get(path)
            assert answer.status_code == 403, (role, path)
            assert "Ada Fictional" not in answer.text
        refused = post(client, f"/plan/interest/{row.id}/erase", {"confirm_erase": "yes"})
        assert refused.status_code == 403
    assert [r.full_name for r in stored(db)] == ["Ada Fictional"]


def test_odd_filters_ids_and_forms_get_no_500(client: TestClient, make: Factory, db: Session) -> None:
    row = record(db)
    _coordinator(client, make)

    for path, status in (
        ("/plan/interest?status=lost&event_id=abc&campaign_id=-1&town=" + "x" * 500 + "&page=-3", 200),
        ("/plan/interest.csv?event_id=99999999999", 200),
        ("/plan/interest/counts?campaign_id=%00", 422),
    ):
        assert client.get(path).status_code == status, path
    assert client.get("/plan/interest/99999999999").status_code == 404
    assert client.get("/plan/interest/2147483647").status_code == 404
    for data in (
        {"status": "promoted", "revision": "x"},
        {"status": "contacted", "coordinator_note": "n" * 2001, "revision": "0"},
        {"revision": "99999999999999"},
    ):
        assert (
            post(client, f"/plan/interest/{row.id}", data, token_from="/plan/interest").status_code == 400
        ), data
    assert post(client, "/plan/interest/2147483647/erase", {"confirm_erase": "yes"}).status_code == 404
