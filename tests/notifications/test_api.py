"""The notification API: your e-mail choices, the outbox and the worker's health."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit.models import AuditEntry
from app.notifications.models import NotificationPreference, OutboxMessage
from tests.factories import Factory, fresh
from tests.notifications.test_pages import AISHA, _message

PATH = "/api/v1/me/notifications"


def test_my_notifications_default_to_48_hours_and_the_morning(client: TestClient, make: Factory) -> None:
    headers = make.headers("staff", person=make.person("Aisha Hussain", email=AISHA))
    body = client.get(PATH, headers=headers).json()
    assert body["email"] == AISHA
    assert (body["muted"], body["reminder_hours"], body["morning_reminder"]) == ([], [48], True)
    assert [c["key"] for c in body["categories"]] == ["duty_updates", "reminders"]
    assert "cancelled are always sent" in body["always_sent"]


def test_staff_without_a_person_address_use_their_sign_in(client: TestClient, make: Factory) -> None:
    user = make.user("staff")
    assert client.get(PATH, headers=make.token(user)).json()["email"] == user.email


def test_my_notifications_round_trip(client: TestClient, make: Factory, db: Session) -> None:
    user = make.user("coordinator")
    headers = make.token(user)
    wanted = {"muted": ["digest"], "reminder_hours": [2, 48, 2], "morning_reminder": False}
    answer = client.put(PATH, headers=headers, json=wanted)
    assert answer.status_code == 200, answer.text
    body = client.get(PATH, headers=headers).json()
    assert (body["muted"], body["reminder_hours"], body["morning_reminder"]) == (["digest"], [48, 2], False)
    assert [c["key"] for c in body["categories"]] == ["digest"]
    assert db.get(NotificationPreference, user.email) is not None


def test_my_notifications_refuse_bad_choices(client: TestClient, make: Factory, db: Session) -> None:
    headers = make.headers("staff")
    good = {"muted": [], "reminder_hours": [48], "morning_reminder": True}
    cases = {
        "unknown kind of message: newsletter": {**good, "muted": ["newsletter"]},
        "choose at most 4 reminder times": {**good, "reminder_hours": [1, 2, 3, 4, 5]},
        "a reminder is between 1 and 336 hours before a duty (not 0)": {**good, "reminder_hours": [0]},
        "sms: Extra inputs are not permitted": {**good, "sms": True},
        "morning_reminder": {"muted": [], "reminder_hours": [48]},
    }
    for words, body in cases.items():
        answer = client.put(PATH, headers=headers, json=body)
        assert answer.status_code == 422, body
        assert answer.headers["content-type"] == "application/problem+json"
        assert words in answer.json()["detail"], answer.json()
    assert db.exec(select(NotificationPreference)).first() is None


def test_outbox_list_filters_and_pages(client: TestClient, make: Factory, db: Session) -> None:
    failed = _message(db)
    _message(db, status="sent", topic="duty:1000", recipient="tom@muster.test", to_address="tom@muster.test")
    headers = make.headers("admin")
    everything = client.get("/api/v1/outbox", headers=headers).json()
    assert everything["total"] == 2
    assert [m["status"] for m in everything["items"]] == ["sent", "failed"]
    only_failed = client.get("/api/v1/outbox", headers=headers, params={"status": "failed"}).json()
    assert [m["id"] for m in only_failed["items"]] == [failed.id]
    assert only_failed["items"][0]["subject"].startswith("Can you do this?")
    second = client.get("/api/v1/outbox", headers=headers, params={"limit": 1, "offset": 1}).json()
    assert (second["total"], [m["id"] for m in second["items"]]) == (2, [failed.id])
    to_tom = client.get("/api/v1/outbox", headers=headers, params={"recipient": "tom@"}).json()
    assert to_tom["total"] == 1
    assert client.get("/api/v1/outbox", headers=headers, params={"status": "lost"}).status_code == 422


def test_outbox_message_detail(client: TestClient, make: Factory, db: Session) -> None:
    message = _message(db)
    body = client.get(f"/api/v1/outbox/{message.id}", headers=make.headers("admin")).json()
    assert body["headers"] == message.headers
    assert body["body_text"] == message.body_text
    assert body["calendar_method"] == "REQUEST"
    assert body["waiting_message_id"] is None
    assert client.get("/api/v1/outbox/999999", headers=make.headers("admin")).status_code == 404


def test_outbox_retry(client: TestClient, make: Factory, db: Session) -> None:
    message = _message(db)
    headers = make.headers("admin")
    answer = client.post(f"/api/v1/outbox/{message.id}/retry", headers=headers)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["attempts"]) == ("pending", 0)
    entry = db.exec(select(AuditEntry).where(AuditEntry.record_type == "outbox_message")).one()
    assert entry.action == "retry"
    again = client.post(f"/api/v1/outbox/{message.id}/retry", headers=headers)
    assert again.status_code == 409
    assert "only failed messages are sent again" in again.json()["detail"]


def test_outbox_retry_when_a_newer_message_waits(client: TestClient, make: Factory, db: Session) -> None:
    message = _message(db)
    newer = _message(db, status="pending")
    headers = make.headers("admin")
    assert (
        client.get(f"/api/v1/outbox/{message.id}", headers=headers).json()["waiting_message_id"] == newer.id
    )
    answer = client.post(f"/api/v1/outbox/{message.id}/retry", headers=headers)
    assert answer.status_code == 409
    assert f"already waiting to be sent (message {newer.id})" in answer.json()["detail"]
    assert fresh(db, OutboxMessage, message.id).status == "failed"


def test_worker_health_in_full(client: TestClient, make: Factory, db: Session) -> None:
    _message(db)
    body = client.get("/api/v1/worker/health", headers=make.headers("admin")).json()
    assert body["ok"] is False
    assert body["failed_messages"] == 1
    assert "1 message(s) could not be delivered" in body["problems"]
    assert set(body) >= {"last_beat_at", "workers_alive", "queue_length", "oldest_due_at", "jobs_waiting"}
