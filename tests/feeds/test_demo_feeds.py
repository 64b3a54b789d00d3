"""Every feed kind works from the demo force's data, read by both parsers."""

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app import demo
from app.accounts import service as accounts
from app.enums import EventStatus
from app.events.models import Event
from tests.factories import Factory
from tests.feeds.conftest import path_of, read_both


def test_every_feed_kind_works_from_the_demo_data(client: TestClient, make: Factory, db: Session):
    logins = demo.load(db)
    staff = accounts.get_by_email(session=db, email=logins.staff)
    coordinator = accounts.get_by_email(session=db, email=logins.coordinator)
    assert staff is not None and coordinator is not None
    public = db.exec(
        select(Event)
        .where(col(Event.public).is_(True), Event.status == EventStatus.confirmed)
        .order_by(col(Event.id))
    ).first()
    assert public is not None

    personal = path_of(client.post("/api/v1/me/feed", headers=make.token(staff)).json()["link"]["url"])
    campaign = path_of(
        client.post(f"/api/v1/campaigns/{public.campaign_id}/feed", headers=make.token(coordinator)).json()[
            "link"
        ]["url"]
    )
    answers = {
        "personal": client.get(personal),
        "campaign": client.get(campaign),
        "venue": client.get(f"/feeds/venues/{public.venue_id}.ics"),
        "event": client.get(f"/events/{public.id}.ics"),
    }

    assert {kind: a.status_code for kind, a in answers.items()} == dict.fromkeys(answers, 200)
    counts = {kind: len(read_both(a.text)) for kind, a in answers.items()}
    assert counts["event"] == 1
    assert min(counts.values()) >= 1
    campaign_events = db.exec(select(Event).where(Event.campaign_id == public.campaign_id)).all()
    assert counts["campaign"] == len(campaign_events)
