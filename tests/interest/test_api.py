"""Expressions of interest over /api/v1: coordinators list, read, follow up, erase and count;
nobody else reads a thing."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import InterestStatus
from tests.factories import Factory
from tests.interest.helpers import public_event, record, stored, trail


def test_list_filters_and_pages(client: TestClient, make: Factory, db: Session) -> None:
    event = public_event(make, town="Darwen")
    first = record(db, event=event, town="Darwen")
    second = record(db, event=event, town="Darwen", status=InterestStatus.contacted)
    record(db)
    headers = make.headers("coordinator")

    everyone = client.get("/api/v1/interest?limit=2", headers=headers).json()
    darwen_new = client.get(f"/api/v1/interest?town=Darwen&status=new&event_id={event.id}", headers=headers)

    assert (everyone["total"], len(everyone["items"]), everyone["limit"]) == (3, 2, 2)
    assert [item["id"] for item in darwen_new.json()["items"]] == [first.id]
    by_campaign = client.get(f"/api/v1/interest?campaign_id={event.campaign_id}", headers=headers).json()
    assert sorted(item["id"] for item in by_campaign["items"]) == [first.id, second.id]
    assert client.get("/api/v1/interest?status=lost", headers=headers).status_code == 422


def test_patch_needs_the_current_revision_and_changes_the_status(
    client: TestClient, make: Factory, db: Session
) -> None:
    row = record(db)
    headers = make.headers("admin")
    read = client.get(f"/api/v1/interest/{row.id}", headers=headers)
    assert (read.status_code, read.headers["etag"], read.json()["full_name"]) == (
        200,
        'W/"0"',
        "Alex Example",
    )

    moved = client.patch(
        f"/api/v1/interest/{row.id}",
        json={"status": "contacted", "coordinator_note": "Left a message"},
        headers={**headers, "If-Match": 'W/"0"'},
    )
    stale = client.patch(
        f"/api/v1/interest/{row.id}", json={"status": "applied"}, headers={**headers, "If-Match": 'W/"0"'}
    )

    assert (moved.status_code, moved.headers["etag"], moved.json()["status"]) == (200, 'W/"1"', "contacted")
    assert stale.status_code == 412
    assert stale.json()["changes"][0]["field"] == "status"
    back = client.patch(f"/api/v1/interest/{row.id}", json={"status": "new"}, headers=headers)
    assert back.status_code == 422
    assert (
        client.patch(f"/api/v1/interest/{row.id}", json={"full_name": "x"}, headers=headers).status_code
        == 422
    )


def test_delete_erases_and_says_so_in_the_trail(client: TestClient, make: Factory, db: Session) -> None:
    row_id = record(db, name="Ada Fictional").id
    headers = make.headers("coordinator")

    assert client.delete(f"/api/v1/interest/{row_id}", headers=headers).status_code == 204

    assert stored(db) == []
    assert client.get(f"/api/v1/interest/{row_id}", headers=headers).status_code == 404
    assert client.delete(f"/api/v1/interest/{row_id}", headers=headers).status_code == 404
    assert [(e.action, e.summary) for e in trail(db)] == [
        ("erase", f"expression of interest {row_id} erased on request")
    ]


def test_counts_by_town_with_names(client: TestClient, make: Factory, db: Session) -> None:
    event = public_event(make, town="Bacup", title="Drop-in: Bacup")
    record(db, event=event, town="Bacup")
    record(db, event=event, town="Bacup")
    record(db)
    headers = make.headers("coordinator")

    towns = client.get("/api/v1/interest/counts?by=town", headers=headers).json()
    events = client.get(f"/api/v1/interest/counts?by=event&campaign_id={event.campaign_id}", headers=headers)

    assert towns == {
        "by": "town",
        "campaign_id": None,
        "total": 3,
        "rows": [{"key": "Bacup", "label": "Bacup", "count": 2}, {"key": "", "label": "No town", "count": 1}],
    }
    assert events.json()["rows"] == [{"key": event.id, "label": "Drop-in: Bacup", "count": 2}]
    assert client.get("/api/v1/interest/counts?by=shoe_size", headers=headers).status_code == 422


def test_partners_staff_and_anonymous_read_nothing(client: TestClient, make: Factory, db: Session) -> None:
    row = record(db)
    for headers, status in ((make.headers("partner"), 403), (make.headers("staff"), 403), ({}, 401)):
        for method, path in (
            ("GET", "/api/v1/interest"),
            ("GET", f"/api/v1/interest/{row.id}"),
            ("GET", "/api/v1/interest/counts"),
            ("DELETE", f"/api/v1/interest/{row.id}"),
        ):
            answer = client.request(method, path, headers=headers)
            assert answer.status_code == status, (method, path, answer.text)
            assert "Alex Example" not in answer.text
    assert len(stored(db)) == 1
