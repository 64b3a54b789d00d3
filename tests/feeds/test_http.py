"""HTTP behaviour of feeds: validators, 304, HEAD, and a cache that is never stale."""

import os
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.audit.service import SYSTEM
from app.db import make_engine
from app.enums import AssignmentStatus, EventStatus
from app.events import service as events
from app.feeds import responses
from app.feeds.cache import RenderedFeed
from app.feeds.serving import CACHE
from app.people import service as people
from tests.dates import london, summer_day
from tests.factories import Factory
from tests.feeds.conftest import read_both

JULY = london(summer_day(), 10)


@pytest.fixture()
def duty(make: Factory, feed_of) -> tuple[str, int]:
    """A person with one duty and their feed's path; gives (path, event id)."""
    person = make.person("Amira Khan")
    event = make.event(starts_at=JULY, title="Jobs fair", status=EventStatus.confirmed)
    make.assign(event, person, status=AssignmentStatus.confirmed)
    assert event.id is not None
    return feed_of(person), event.id


@pytest.fixture()
def later(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answer as if a few seconds had passed, so Last-Modified (whole seconds) is sent."""
    monkeypatch.setattr(responses, "utcnow", lambda: datetime.now(UTC) + timedelta(seconds=5))


def test_personal_feed_headers(client: TestClient, duty: tuple[str, int], later: None):
    response = client.get(duty[0])

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "private, no-cache"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    assert response.headers["content-disposition"] == 'inline; filename="outreach-duties.ics"'
    assert response.headers["etag"].startswith('"') and len(response.headers["etag"]) == 34
    assert response.headers["last-modified"].endswith(" GMT")


def test_if_none_match_answers_304_without_rebuilding(client: TestClient, duty: tuple[str, int]):
    first = client.get(duty[0])
    builds = CACHE.builds

    again = client.get(duty[0], headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == "private, no-cache"
    assert CACHE.builds == builds


@pytest.mark.parametrize("header", ['"other", {etag}', "W/{etag}", "*"])
def test_if_none_match_lists_weak_tags_and_star(client: TestClient, duty: tuple[str, int], header: str):
    etag = client.get(duty[0]).headers["etag"]

    assert client.get(duty[0], headers={"If-None-Match": header.format(etag=etag)}).status_code == 304


def test_if_none_match_with_another_etag_gets_the_body(client: TestClient, duty: tuple[str, int]):
    response = client.get(duty[0], headers={"If-None-Match": '"0123"'})

    assert response.status_code == 200
    assert len(read_both(response.text)) == 1


def test_if_modified_since_answers_304(client: TestClient, duty: tuple[str, int], later: None):
    first = client.get(duty[0])
    last_modified = first.headers["last-modified"]
    earlier = format_datetime(datetime.now(UTC) - timedelta(days=400), usegmt=True)
    builds = CACHE.builds

    assert client.get(duty[0], headers={"If-Modified-Since": last_modified}).status_code == 304
    assert CACHE.builds == builds
    assert client.get(duty[0], headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get(duty[0], headers={"If-Modified-Since": "yesterday-ish"}).status_code == 200


def test_if_none_match_wins_over_if_modified_since(client: TestClient, duty: tuple[str, int], later: None):
    first = client.get(duty[0])

    response = client.get(
        duty[0], headers={"If-None-Match": '"stale"', "If-Modified-Since": first.headers["last-modified"]}
    )

    assert response.status_code == 200


def test_last_modified_is_withheld_until_its_second_is_over():
    now = datetime(2027, 7, 14, 9, 0, 0, 500000, tzinfo=UTC)
    feed = RenderedFeed(body=b"", etag='"x"', last_modified=now - timedelta(microseconds=300000), version=1)

    assert responses._validator_time(feed, now) is None
    assert responses._validator_time(feed, now + timedelta(seconds=1)) == datetime(
        2027, 7, 14, 9, 0, tzinfo=UTC
    )


def test_head_sends_headers_without_body(client: TestClient, duty: tuple[str, int]):
    body = client.get(duty[0]).content

    head = client.head(duty[0])

    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(body))
    assert head.headers["content-type"] == "text/calendar; charset=utf-8"
    assert head.headers["etag"] == client.get(duty[0]).headers["etag"]


@pytest.mark.parametrize("path", ["/feeds/venues/{venue}.ics", "/events/{event}.ics"])
def test_head_works_on_public_feeds(client: TestClient, make: Factory, path: str):
    event = make.event(starts_at=JULY, status=EventStatus.confirmed, public=True)

    head = client.head(path.format(venue=event.venue_id, event=event.id))

    assert head.status_code == 200
    assert head.content == b""


def test_change_made_by_another_worker_is_served_at_once(
    client: TestClient, duty: tuple[str, int], make: Factory
):
    path, event_id = duty
    first = client.get(path)
    # Another worker: its own engine and connection pool, no shared memory with this one.
    engine = make_engine(os.environ["MUSTER_DATABASE_URL"])
    try:
        with Session(engine, expire_on_commit=False) as other:
            events.update_event(
                session=other, actor=SYSTEM, event_id=event_id, changes={"title": "Jobs fair (moved)"}
            )
    finally:
        engine.dispose()

    second = client.get(path, headers={"If-None-Match": first.headers["etag"]})

    assert second.status_code == 200
    assert second.headers["etag"] != first.headers["etag"]
    assert [s.summary for s in read_both(second.text)] == ["Jobs fair (moved) (ambassador)"]


def test_unrelated_change_keeps_the_cached_feed(client: TestClient, duty: tuple[str, int], make: Factory):
    first = client.get(duty[0])
    builds = CACHE.builds

    make.assign(make.event(starts_at=JULY + timedelta(days=3)), make.person())
    again = client.get(duty[0], headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304
    assert CACHE.builds == builds


def test_broad_change_that_leaves_a_feed_alike_still_answers_304(
    client: TestClient, duty: tuple[str, int], make: Factory, db: Session
):
    first = client.get(duty[0])
    builds = CACHE.builds
    stranger = make.person("Somebody Else")
    assert stranger.id is not None

    people.update_person(session=db, actor=SYSTEM, person_id=stranger.id, changes={"name": "Renamed"})
    again = client.get(duty[0], headers={"If-None-Match": first.headers["etag"]})

    assert CACHE.builds == builds + 1  # a rename may touch any feed: this one was rebuilt
    assert again.status_code == 304  # but it came out the same, so the client's copy is current


def test_teammate_joining_changes_the_feed(
    client: TestClient, duty: tuple[str, int], make: Factory, db: Session
):
    path, event_id = duty
    first = client.get(path)
    event = db.get(events.Event, event_id)
    assert event is not None

    make.assign(event, make.person("Dee Brown"))
    second = client.get(path, headers={"If-None-Match": first.headers["etag"]})

    assert second.status_code == 200
    assert "Team: Dee Brown (ambassador, proposed)" in read_both(second.text)[0].description.split("\n")


def test_head_over_uvicorn_sends_headers_only(server: str, duty: tuple[str, int]):
    with httpx.Client(base_url=server) as http:
        got = http.get(duty[0])
        head = http.head(duty[0])
        not_modified = http.get(duty[0], headers={"If-None-Match": got.headers["etag"]})

    assert (got.status_code, head.status_code, not_modified.status_code) == (200, 200, 304)
    assert head.content == b""
    assert head.headers["content-length"] == str(len(got.content))
    assert not_modified.content == b""
