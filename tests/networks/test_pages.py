"""The coordinator's network pages: adding a network and changing its name."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.networks.models import Network
from tests.factories import Factory, fresh
from tests.forms import form_errors, post, sign_in


def test_add_network_then_change_it(client: TestClient, make: Factory, db: Session) -> None:
    sign_in(client, make.user("coordinator"))
    added = post(client, "/plan/networks", {"name": "Women's Network", "short_name": "WN"})
    assert added.status_code == 303
    network = db.exec(select(Network)).one()
    assert client.get("/plan/networks").text.count("Women&#39;s Network") >= 1
    changed = post(
        client,
        f"/plan/networks/{network.id}/edit",
        {"name": "Women's Network", "short_name": "WPN", "description": "Support for women officers"},
    )
    assert changed.status_code == 303
    assert (fresh(db, Network, network.id).short_name, fresh(db, Network, network.id).description) == (
        "WPN",
        "Support for women officers",
    )


def test_network_name_refused_in_the_same_words_by_api_and_form(
    client: TestClient, make: Factory, db: Session
) -> None:
    coordinator = make.user("coordinator")
    name = "Association of Muslim Police " * 5
    api = client.post("/api/v1/networks", json={"name": name}, headers=make.token(coordinator))
    sign_in(client, coordinator)
    form = post(client, "/plan/networks", {"name": name})

    assert api.json()["errors"] == [{"field": "name", "message": "must be 120 characters or fewer"}]
    assert form_errors(form) == {"name": "The network's name must be 120 characters or fewer"}
    assert db.exec(select(Network)).all() == []


def test_network_with_a_taken_name_is_refused_on_the_name(client: TestClient, make: Factory) -> None:
    make.network("Sikh Police Association")
    sign_in(client, make.user("coordinator"))
    answer = post(client, "/plan/networks", {"name": "Sikh Police Association"})
    assert answer.status_code == 400
    assert "A network called &#39;Sikh Police Association&#39; already exists" in answer.text
