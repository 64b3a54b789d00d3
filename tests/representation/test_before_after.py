"""Before and after: a measure over a period before a scheme and a period after, each share
with the counts behind it; periods and counts that cannot be right are refused."""

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.representation.models import BeforeAfter
from tests.factories import Factory
from tests.forms import form_errors, post, says, sign_in

ATTACHMENTS: dict[str, Any] = {
    "scheme": "Attachment scheme",
    "measure": "attachments from ethnic minorities",
    "before_start": "2024-04-01",
    "before_end": "2025-03-31",
    "before_count": 3,
    "before_total": 75,
    "after_start": "2025-04-01",
    "after_end": "2026-03-31",
    "after_count": 24,
    "after_total": 75,
    "source": "Attachment records",
}


def test_comparison_shows_each_share_with_its_counts(client: TestClient, make: Factory) -> None:
    headers = make.headers("coordinator")
    campaign = make.campaign()

    made = client.post(
        "/api/v1/before-after", json={**ATTACHMENTS, "campaign_id": campaign.id}, headers=headers
    )

    assert made.status_code == 201, made.text
    assert made.json()["sentence"] == "4% (3 of 75) before → 32% (24 of 75) after"
    listed = client.get("/api/v1/before-after", params={"campaign_id": campaign.id}, headers=headers).json()
    assert [c["id"] for c in listed["items"]] == [made.json()["id"]]
    sign_in(client, make.user("coordinator"))
    says(
        client.get("/plan/before-after"),
        "4% (3 of 75) before → 32% (24 of 75) after",
        "Before: 1 April 2024 to 31 March 2025; after: 1 April 2025 to 31 March 2026.",
        "Source: Attachment records",
    )
    says(client.get(f"/plan/campaigns/{campaign.id}"), "4% (3 of 75) before → 32% (24 of 75) after")


def test_periods_and_counts_that_cannot_be_right_are_refused(
    client: TestClient, make: Factory, db: Session
) -> None:
    headers = make.headers("admin")

    def errors(**changes: Any) -> list[dict[str, str]]:
        answer = client.post("/api/v1/before-after", json={**ATTACHMENTS, **changes}, headers=headers)
        assert answer.status_code == 422, answer.text
        return list(answer.json()["errors"])

    assert errors(after_start="2025-03-01") == [
        {"field": "after_start", "message": "must be on or after the last day of the period before"}
    ]
    assert errors(before_end="2024-03-01") == [
        {"field": "before_end", "message": "must be the same as or after the first day of the period"}
    ]
    assert errors(after_count=76) == [
        {"field": "after_count", "message": "must be no more than the total it is out of"}
    ]
    assert errors(before_total=0) == [
        {"field": "before_total", "message": "must be a whole number between 1 and 10,000,000"}
    ]
    missing = client.post("/api/v1/before-after", json={**ATTACHMENTS, "campaign_id": 999}, headers=headers)
    assert missing.status_code == 404
    assert db.exec(select(BeforeAfter)).all() == []


def test_a_change_is_checked_against_the_whole_record_and_its_revision(
    client: TestClient, make: Factory
) -> None:
    headers = make.headers("coordinator")
    made = client.post("/api/v1/before-after", json=ATTACHMENTS, headers=headers).json()
    url = f"/api/v1/before-after/{made['id']}"

    too_many = client.patch(url, json={"after_count": 80}, headers=headers)
    overlap = client.patch(url, json={"after_start": "2025-01-01"}, headers=headers)
    changed = client.patch(url, json={"after_count": 30}, headers={**headers, "If-Match": 'W/"0"'})
    stale = client.patch(url, json={"after_count": 31}, headers={**headers, "If-Match": 'W/"0"'})

    assert too_many.status_code == 422
    assert too_many.json()["detail"] == "the count after must be no more than the total it is out of"
    assert overlap.status_code == 422
    assert changed.status_code == 200 and changed.json()["sentence"].endswith("40% (30 of 75) after")
    assert stale.status_code == 412
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404


def test_coordinator_adds_and_changes_a_comparison_on_the_form(
    client: TestClient, make: Factory, db: Session
) -> None:
    sign_in(client, make.user("coordinator"))
    form = {k: str(v) for k, v in ATTACHMENTS.items()}

    refused = post(client, "/plan/before-after/new", {**form, "after_count": "90"})
    assert form_errors(refused) == {
        "after_count": "The count after must be no more than the total it is out of"
    }
    assert post(client, "/plan/before-after/new", form).status_code == 303
    row = db.exec(select(BeforeAfter)).one()
    assert (
        post(
            client, f"/plan/before-after/{row.id}/edit", {**form, "after_count": "27", "revision": "0"}
        ).status_code
        == 303
    )
    says(client.get("/plan/before-after"), "36% (27 of 75) after")
    assert post(client, f"/plan/before-after/{row.id}/remove").status_code == 303
    db.expire_all()
    assert db.exec(select(BeforeAfter)).all() == []
