"""Secret links: off until turned on, shown again at will, reset and revoked at once."""

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts.models import User
from app.config import get_settings
from app.feeds.models import FeedToken
from tests.factories import Factory
from tests.feeds.conftest import path_of


def test_me_feed_is_off_until_turned_on(client: TestClient, make: Factory, db: Session):
    headers = make.headers("staff")

    response = client.get("/api/v1/me/feed", headers=headers)

    assert response.status_code == 200
    assert response.json() == {"enabled": False, "can_enable": True, "link": None, "refresh_minutes": 60}
    assert db.exec(select(FeedToken)).all() == []


def test_create_my_feed_returns_https_and_webcal_urls(client: TestClient, make: Factory):
    headers = make.headers("staff")

    created = client.post("/api/v1/me/feed", headers=headers)
    shown = client.get("/api/v1/me/feed", headers=headers)

    assert created.status_code == 201
    link = created.json()["link"]
    assert link["url"].startswith("https://muster.test/feeds/people/cal_")
    assert link["url"].endswith(".ics")
    assert link["webcal_url"] == "webcal://" + link["url"].removeprefix("https://")
    assert shown.json() == created.json()
    assert client.get(path_of(link["url"])).status_code == 200


def test_create_my_feed_twice_gives_the_same_link(client: TestClient, make: Factory):
    headers = make.headers("staff")

    first = client.post("/api/v1/me/feed", headers=headers)
    second = client.post("/api/v1/me/feed", headers=headers)

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["link"]["url"] == first.json()["link"]["url"]


def test_feed_token_has_256_bits_and_is_not_stored(client: TestClient, make: Factory, db: Session):
    url = client.post("/api/v1/me/feed", headers=make.headers("staff")).json()["link"]["url"]
    token = url.removeprefix("https://muster.test/feeds/people/").removesuffix(".ics")

    row = db.exec(select(FeedToken)).one()
    stored = db.execute(sa.select(FeedToken.__table__)).one()  # type: ignore[attr-defined]
    dump = " ".join(str(v) for v in stored)

    assert len(token) == len("cal_") + 43  # 32 bytes of HMAC-SHA256, base64url
    assert token not in dump
    assert token[4:] not in dump
    assert row.token_hash != token and len(row.token_hash) == 64


def test_two_people_get_different_links(client: TestClient, make: Factory):
    first = client.post("/api/v1/me/feed", headers=make.headers("staff")).json()["link"]["url"]
    second = client.post("/api/v1/me/feed", headers=make.headers("staff")).json()["link"]["url"]

    assert first != second


def test_reset_my_feed_ends_the_old_url_at_once(client: TestClient, make: Factory):
    headers = make.headers("staff")
    old = path_of(client.post("/api/v1/me/feed", headers=headers).json()["link"]["url"])
    assert client.get(old).status_code == 200

    reset = client.post("/api/v1/me/feed/reset", headers=headers)
    new = path_of(reset.json()["link"]["url"])

    assert reset.status_code == 201
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert client.get("/api/v1/me/feed", headers=headers).json()["link"]["url"].endswith(new)


def test_delete_my_feed_turns_it_off(client: TestClient, make: Factory):
    headers = make.headers("staff")
    feed = path_of(client.post("/api/v1/me/feed", headers=headers).json()["link"]["url"])

    deleted = client.delete("/api/v1/me/feed", headers=headers)

    assert deleted.status_code == 204
    assert client.get(feed).status_code == 404
    assert client.get("/api/v1/me/feed", headers=headers).json()["enabled"] is False
    assert client.delete("/api/v1/me/feed", headers=headers).status_code == 204


def test_unknown_and_revoked_tokens_answer_the_same_404(client: TestClient, make: Factory):
    headers = make.headers("staff")
    revoked = path_of(client.post("/api/v1/me/feed", headers=headers).json()["link"]["url"])
    client.delete("/api/v1/me/feed", headers=headers)

    answers = [
        client.get(path)
        for path in (
            revoked,
            "/feeds/people/cal_" + "A" * 43 + ".ics",
            "/feeds/people/nonsense.ics",
            "/feeds/people/" + "x" * 5000 + ".ics",
        )
    ]

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert {a.json()["detail"] for a in answers} == {
        "there is no calendar at this address (the link may have been reset)"
    }


def test_person_token_does_not_open_a_campaign_feed(client: TestClient, make: Factory):
    url = client.post("/api/v1/me/feed", headers=make.headers("staff")).json()["link"]["url"]

    response = client.get(path_of(url).replace("/feeds/people/", "/feeds/campaigns/"))

    assert response.status_code == 404


def test_rotating_the_secret_ends_every_link(
    client: TestClient, make: Factory, monkeypatch: pytest.MonkeyPatch
):
    headers = make.headers("staff")
    feed = path_of(client.post("/api/v1/me/feed", headers=headers).json()["link"]["url"])

    monkeypatch.setattr(get_settings(), "secret_key", "a-new-secret-after-a-leak-0123456789abcdef")

    assert client.get(feed).status_code == 404
    assert client.get("/api/v1/me/feed", headers=headers).json()["enabled"] is False
    renewed = client.post("/api/v1/me/feed", headers=headers)
    assert renewed.status_code == 201
    assert client.get(path_of(renewed.json()["link"]["url"])).status_code == 200


def test_feed_link_dies_with_the_account(client: TestClient, make: Factory, db: Session):
    user = make.user("staff")
    feed = path_of(client.post("/api/v1/me/feed", headers=make.token(user)).json()["link"]["url"])

    db.execute(sa.update(User).where(User.id == user.id).values(active=False))
    db.commit()

    assert client.get(feed).status_code == 404


def test_feed_link_dies_when_the_account_is_linked_to_another_person(
    client: TestClient, make: Factory, db: Session
):
    user = make.user("staff")
    feed = path_of(client.post("/api/v1/me/feed", headers=make.token(user)).json()["link"]["url"])

    db.execute(sa.update(User).where(User.id == user.id).values(person_id=make.person().id))
    db.commit()

    assert client.get(feed).status_code == 404


def test_account_without_a_person_cannot_turn_on_a_feed(client: TestClient, make: Factory):
    headers = make.headers("partner")

    shown = client.get("/api/v1/me/feed", headers=headers)
    created = client.post("/api/v1/me/feed", headers=headers)

    assert shown.json() == {"enabled": False, "can_enable": False, "link": None, "refresh_minutes": 60}
    assert created.status_code == 409
    assert created.json()["detail"].startswith("your account is not linked to a person")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/me/feed"),
        ("POST", "/api/v1/me/feed"),
        ("POST", "/api/v1/me/feed/reset"),
        ("DELETE", "/api/v1/me/feed"),
        ("GET", "/api/v1/campaigns/1/feed"),
        ("POST", "/api/v1/campaigns/1/feed"),
        ("POST", "/api/v1/campaigns/1/feed/reset"),
        ("DELETE", "/api/v1/campaigns/1/feed"),
    ],
)
def test_feed_link_api_needs_sign_in(client: TestClient, method: str, path: str):
    assert client.request(method, path).status_code == 401


def test_campaign_feed_link_is_for_planners_only(client: TestClient, make: Factory):
    campaign = make.campaign()

    answers = [
        client.post(f"/api/v1/campaigns/{campaign.id}/feed", headers=make.headers(role))
        for role in ("staff", "partner", "coordinator", "admin")
    ]

    assert [a.status_code for a in answers] == [403, 403, 201, 201]


def test_campaign_feed_link_lifecycle(client: TestClient, make: Factory):
    campaign = make.campaign()
    headers = make.headers("coordinator")
    base = f"/api/v1/campaigns/{campaign.id}/feed"

    before = client.get(base, headers=headers).json()
    created = client.post(base, headers=headers)
    again = client.post(base, headers=headers)
    feed = path_of(created.json()["link"]["url"])
    served = client.get(feed)
    reset = client.post(f"{base}/reset", headers=headers)
    new_feed = path_of(reset.json()["link"]["url"])
    old_after_reset = client.get(feed)
    deleted = client.delete(base, headers=headers)

    assert before == {"campaign_id": campaign.id, "enabled": False, "link": None, "refresh_minutes": 60}
    assert (created.status_code, again.status_code) == (201, 200)
    assert feed.startswith("/feeds/campaigns/cal_")
    assert served.status_code == 200
    assert old_after_reset.status_code == 404
    assert deleted.status_code == 204
    assert client.get(new_feed).status_code == 404


def test_campaign_feed_link_for_unknown_campaign_is_404(client: TestClient, make: Factory):
    headers = make.headers("coordinator")

    assert client.post("/api/v1/campaigns/999/feed", headers=headers).status_code == 404
    assert client.get("/api/v1/campaigns/999/feed", headers=headers).status_code == 404
    assert client.post("/api/v1/campaigns/0/feed", headers=headers).status_code == 422


def test_campaign_feed_link_dies_when_its_owner_is_no_longer_a_planner(
    client: TestClient, make: Factory, db: Session
):
    user = make.user("coordinator")
    campaign = make.campaign()
    url = client.post(f"/api/v1/campaigns/{campaign.id}/feed", headers=make.token(user)).json()["link"]["url"]

    db.execute(sa.update(User).where(User.id == user.id).values(role="staff", person_id=make.person().id))
    db.commit()

    assert client.get(path_of(url)).status_code == 404


def test_feed_links_are_audited_without_the_token(client: TestClient, make: Factory):
    admin = make.headers("admin")
    headers = make.headers("staff")
    url = client.post("/api/v1/me/feed", headers=headers).json()["link"]["url"]
    client.post("/api/v1/me/feed/reset", headers=headers)

    trail = client.get("/api/v1/audit", params={"record_type": "feed_token"}, headers=admin)

    assert trail.status_code == 200
    summaries = sorted(item["summary"] for item in trail.json()["items"])
    assert summaries == [
        "person calendar link created",
        "person calendar link created",
        "person calendar link revoked",
    ]
    token = url.rsplit("/", 1)[-1].removesuffix(".ics")
    assert token not in trail.text
