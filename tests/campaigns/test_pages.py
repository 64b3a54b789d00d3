"""The coordinator's campaign pages: starting and changing a campaign, and its targets shown on its page."""

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.campaigns.models import Campaign
from tests.factories import Factory
from tests.forms import form_errors, post, says, sign_in


def test_add_campaign_refuses_end_before_start(client: TestClient, make: Factory, db: Session) -> None:
    sign_in(client, make.user("coordinator"))
    data = {"name": "Specials", "starts_on": "2027-03-01", "ends_on": "2027-02-01"}
    refused = post(client, "/plan/campaigns/new", data)
    assert form_errors(refused) == {"ends_on": "The last day must be the same as or after the first day"}
    saved = post(
        client,
        "/plan/campaigns/new",
        {
            **data,
            "ends_on": "2027-04-30",
            "roles_recruited": "Special constable",
        },
    )
    assert saved.status_code == 303
    campaign = db.exec(select(Campaign)).one()
    assert campaign.roles_recruited == ["Special constable"]


def test_campaign_dates_refused_in_the_same_words_by_api_and_form(
    client: TestClient, make: Factory, db: Session
) -> None:
    coordinator = make.user("coordinator")
    body = {"name": "Specials", "starts_on": "2027-03-01", "ends_on": "2027-02-01"}
    api = client.post("/api/v1/campaigns", json=body, headers=make.token(coordinator))
    sign_in(client, coordinator)
    form = post(client, "/plan/campaigns/new", body)

    assert api.status_code == 422
    assert api.json()["errors"] == [
        {"field": "ends_on", "message": "must be the same as or after the first day"}
    ]
    assert form_errors(form) == {"ends_on": "The last day must be the same as or after the first day"}
    assert db.exec(select(Campaign)).all() == []


def test_campaign_api_refuses_targets_in_the_old_json_shape(
    client: TestClient, make: Factory, db: Session
) -> None:
    # Targets are records of their own now (/api/v1/campaigns/{id}/targets): a client still
    # sending the old list is told so, rather than having it silently dropped.
    api = client.post(
        "/api/v1/campaigns",
        json={
            "name": "PCSOs",
            "starts_on": "2027-03-01",
            "ends_on": "2027-04-01",
            "targets": [{"label": "women", "target": 20}],
        },
        headers=make.token(make.user("coordinator")),
    )

    assert api.status_code == 422
    assert [e["field"] for e in api.json()["errors"]] == ["targets"]
    assert db.exec(select(Campaign)).all() == []
    campaign = make.campaign()
    read = client.get(f"/api/v1/campaigns/{campaign.id}", headers=make.headers("coordinator")).json()
    assert "targets" not in read and "targets_text" in read


def test_campaign_page_shows_each_target_with_its_progress(client: TestClient, make: Factory) -> None:
    coordinator = make.user("coordinator")
    campaign = make.campaign(starts_on=date(2026, 9, 1), ends_on=date(2027, 3, 31))
    headers = make.token(coordinator)
    made = client.post(
        f"/api/v1/campaigns/{campaign.id}/targets",
        json={
            "measure": "officers from ethnic minorities",
            "baseline_value": 97,
            "baseline_on": "2026-09-01",
            "target_value": 111,
            "target_on": "2027-03-31",
        },
        headers=headers,
    )
    assert made.status_code == 201, made.text
    sign_in(client, coordinator)

    page = client.get(f"/plan/campaigns/{campaign.id}")

    says(page, "Officers from ethnic minorities", "97 on 1 September 2026, aiming for 111 by 31 March 2027")
    assert f'href="/plan/targets/{made.json()["id"]}"' in page.text
    assert f'href="/plan/campaigns/{campaign.id}/targets/new"' in page.text
    form = client.get(f"/plan/campaigns/{campaign.id}/edit").text
    assert "target_label_1" not in form
