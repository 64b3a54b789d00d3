"""The coordinator's campaign pages: starting and changing a campaign with its targets."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.campaigns.models import Campaign
from tests.factories import Factory
from tests.forms import form_errors, post, sign_in


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
            "target_label_1": "ethnic-minority officers",
            "baseline_1": "97",
            "target_1": "111",
        },
    )
    assert saved.status_code == 303
    campaign = db.exec(select(Campaign)).one()
    assert campaign.targets == [{"label": "ethnic-minority officers", "target": 111, "baseline": 97}]
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


def test_campaign_target_rows_refused_on_their_own_fields(client: TestClient, make: Factory) -> None:
    coordinator = make.user("coordinator")
    api = client.post(
        "/api/v1/campaigns",
        json={
            "name": "PCSOs",
            "starts_on": "2027-03-01",
            "ends_on": "2027-04-01",
            "targets": [{"label": "women", "target": -5}],
        },
        headers=make.token(coordinator),
    )
    sign_in(client, coordinator)
    form = post(
        client,
        "/plan/campaigns/new",
        {
            "name": "PCSOs",
            "starts_on": "2027-03-01",
            "ends_on": "2027-04-01",
            "target_label_2": "women",
            "target_2": "-5",
            "baseline_3": "12",
        },
    )

    assert api.json()["errors"] == [
        {"field": "targets.0.target", "message": "must be a whole number between 0 and 1,000,000"}
    ]
    assert form_errors(form) == {
        "target_2": "The target number must be a whole number between 0 and 1,000,000",
        "target_label_3": "Enter what the target counts",
        "target_3": "Enter the target number",
    }


def test_campaign_edit_keeps_a_target_without_a_starting_point(
    client: TestClient, make: Factory, db: Session
) -> None:
    sign_in(client, make.user("coordinator"))
    post(
        client,
        "/plan/campaigns/new",
        {
            "name": "Specials",
            "starts_on": "2027-03-01",
            "ends_on": "2027-04-30",
            "target_label_1": "women",
            "target_1": "20",
        },
    )
    campaign = db.exec(select(Campaign)).one()
    page = client.get(f"/plan/campaigns/{campaign.id}")
    assert "None" not in page.text
    form = client.get(f"/plan/campaigns/{campaign.id}/edit").text
    assert 'name="baseline_1" type="number" value=""' in form
    assert 'name="target_1" type="number" value="20"' in form
