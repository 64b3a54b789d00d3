"""Revisions: every accepted change to an event, venue, person or campaign raises its
revision by exactly one, concurrent edits never share a revision (nor an event two
calendar SEQUENCEs), and ``If-Match`` refuses an edit made from an older copy with 412
naming what changed since."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.records import expected_revisions
from tests.factories import Factory, future
from tests.forms import post, sign_in
from tests.servers import LiveServer

N = 50  # simultaneous PATCHes of one event


# --- one client ---------------------------------------------------------------------------


def test_event_carries_its_revision_as_etag_and_if_match_refuses_a_stale_copy(
    client: TestClient, make: Factory
) -> None:
    event = make.event(title="Bacup drop-in", starts_at=future(20, 9), hours=3)
    sergeant = make.user("coordinator", email="sergeant@muster.test")
    h = make.token(sergeant)
    read = client.get(f"/api/v1/events/{event.id}", headers=h)
    assert (read.json()["revision"], read.headers["etag"]) == (0, 'W/"0"')
    new_start = future(21, 10)
    move = {"starts_at": new_start.isoformat(), "ends_at": future(21, 13).isoformat(), "title": "Bacup fair"}

    first = client.patch(f"/api/v1/events/{event.id}", json=move, headers={**h, "If-Match": 'W/"0"'})

    assert first.status_code == 200, first.text
    assert (first.json()["revision"], first.headers["etag"]) == (1, 'W/"1"')

    stale = client.patch(
        f"/api/v1/events/{event.id}",
        json={"title": "Someone else's title"},
        headers={**h, "If-Match": 'W/"0"'},
    )

    assert stale.status_code == 412, stale.text
    assert stale.headers["content-type"] == "application/problem+json"
    problem = stale.json()
    assert problem["type"] == "/problems/precondition-failed"
    assert problem["revision"] == 1
    detail = problem["detail"]
    assert detail.startswith(f"event {event.id} is at revision 1, not 0 — since then: ")
    assert "title changed from 'Bacup drop-in' to 'Bacup fair' by sergeant@muster.test at " in detail
    assert "starts_at changed from " in detail and " by sergeant@muster.test" in detail
    assert detail.endswith('Fetch it again and send If-Match: W/"1" with your change.')
    changed = {c["field"]: c for c in problem["changes"]}
    assert set(changed) == {"title", "starts_at", "ends_at"}
    assert (changed["title"]["from"], changed["title"]["to"]) == ("Bacup drop-in", "Bacup fair")
    assert changed["starts_at"]["to"] == new_start.isoformat()
    assert client.get(f"/api/v1/events/{event.id}", headers=h).json()["title"] == "Bacup fair"


def test_every_accepted_event_change_raises_the_revision_by_one(client: TestClient, make: Factory) -> None:
    event = make.event()
    h = make.headers("coordinator")
    url = f"/api/v1/events/{event.id}"

    notes = client.patch(url, json={"internal_notes": "Bring the banner"}, headers=h)
    both = client.patch(url, json={"title": "Jobs fair", "status": "confirmed"}, headers=h)
    same = client.patch(url, json={"title": "Jobs fair"}, headers=h)
    last_writer = client.patch(url, json={"public": True}, headers={**h, "If-Match": "*"})
    cancelled = client.post(f"{url}/cancel", json={"reason": "x"}, headers={**h, "If-Match": 'W/"3"'})

    assert [r.status_code for r in (notes, both, same, last_writer, cancelled)] == [200] * 5
    # A change of several fields and the status together is one revision; no change, none.
    assert [r.json()["revision"] for r in (notes, both, same, last_writer, cancelled)] == [1, 2, 2, 3, 4]
    assert [r.headers["etag"] for r in (same, cancelled)] == ['W/"2"', 'W/"4"']
    trail = client.get("/api/v1/audit", params={"record_type": "event", "record_id": event.id}, headers=h)
    assert [e["action"] for e in trail.json()["items"]] == ["cancel", "update", "update", "update", "create"]


def test_a_stale_cancel_is_refused(client: TestClient, make: Factory) -> None:
    event = make.event()
    h = make.headers("coordinator")
    client.patch(f"/api/v1/events/{event.id}", json={"what_to_bring": "Leaflets"}, headers=h)

    refused = client.post(f"/api/v1/events/{event.id}/cancel", json={}, headers={**h, "If-Match": 'W/"0"'})

    assert refused.status_code == 412
    assert "what_to_bring changed from (empty) to 'Leaflets'" in refused.json()["detail"]
    assert client.get(f"/api/v1/events/{event.id}", headers=h).json()["status"] == "draft"


def test_if_match_that_is_no_revision_matches_nothing(client: TestClient, make: Factory) -> None:
    event = make.event()
    h = make.headers("coordinator")
    answer = client.patch(
        f"/api/v1/events/{event.id}", json={"title": "x"}, headers={**h, "If-Match": '"abc"'}
    )
    assert answer.status_code == 412
    assert answer.json()["detail"].startswith(
        f"event {event.id} is at revision 0; If-Match names no revision."
    )


def test_expected_revisions_reads_weak_strong_bare_and_lists() -> None:
    assert expected_revisions(None) is None
    assert expected_revisions("*") is None
    assert expected_revisions('W/"3"') == frozenset({3})
    assert expected_revisions('"3", W/"5"') == frozenset({3, 5})
    assert expected_revisions("7") == frozenset({7})
    assert expected_revisions('W/"x"') == frozenset()


Seed = Callable[[Factory], Any]
RESOURCES: list[tuple[str, Seed, dict[str, Any], str]] = [
    (
        "venues",
        lambda make: make.venue(parking_notes="Car park at the back"),
        {"parking_notes": "No parking"},
        "parking_notes",
    ),
    ("people", lambda make: make.person(rank_or_title="PC"), {"rank_or_title": "Sergeant"}, "rank_or_title"),
    ("campaigns", lambda make: make.campaign(description="Spring"), {"description": "Summer"}, "description"),
]


@pytest.mark.parametrize(("collection", "seed", "change", "field"), RESOURCES, ids=[r[0] for r in RESOURCES])
def test_venues_people_and_campaigns_carry_revisions_too(
    client: TestClient, make: Factory, collection: str, seed: Seed, change: dict[str, Any], field: str
) -> None:
    record = seed(make)
    h = make.headers("coordinator")
    url = f"/api/v1/{collection}/{record.id}"
    read = client.get(url, headers=h)
    assert (read.json()["revision"], read.headers["etag"]) == (0, 'W/"0"')

    changed = client.patch(url, json=change, headers={**h, "If-Match": read.headers["etag"]})
    stale = client.patch(url, json={field: "Something else"}, headers={**h, "If-Match": read.headers["etag"]})
    unconditional = client.patch(url, json={field: "Last writer"}, headers=h)

    assert changed.status_code == 200, changed.text
    assert (changed.json()["revision"], changed.headers["etag"]) == (1, 'W/"1"')
    assert stale.status_code == 412, stale.text
    assert f"{field} changed from " in stale.json()["detail"]
    assert [c["field"] for c in stale.json()["changes"]] == [field]
    assert stale.json()["changes"][0]["to"] == change[field]
    assert (unconditional.status_code, unconditional.json()["revision"]) == (200, 2)
    listed = client.get(f"/api/v1/{collection}", headers=h).json()["items"]
    assert [item["revision"] for item in listed if item["id"] == record.id] == [2]


# --- many clients at once, on a real server (SQLite file, and PostgreSQL when available) --


def _patch_together(
    server: LiveServer, path: str, bodies: list[dict[str, Any]], headers: dict[str, str]
) -> list[httpx.Response]:
    """PATCH every body at the same moment, one connection (and server session) each."""
    return server.together("PATCH", path, bodies, headers)


def _read(server: LiveServer, path: str) -> dict[str, Any]:
    answer = httpx.get(f"{server.base_url}{path}", headers=server.headers, timeout=60)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_simultaneous_patches_of_one_event_each_get_their_own_revision(live_server: LiveServer) -> None:
    with live_server.data() as make:
        event = make.event(starts_at=future(days=30))
    path = f"/api/v1/events/{event.id}"
    start = _read(live_server, path)["revision"]

    responses = _patch_together(live_server, path, [{"title": f"Edit {i}"} for i in range(N)], {})

    accepted = [r for r in responses if r.status_code == 200]
    assert len(accepted) == N, sorted(
        {(r.status_code, r.text[:200]) for r in responses if r.status_code != 200}
    )
    revisions = sorted(r.json()["revision"] for r in accepted)
    assert revisions == list(range(start + 1, start + N + 1))
    assert sorted(r.headers["etag"] for r in accepted) == sorted(f'W/"{n}"' for n in revisions)
    final = _read(live_server, path)
    assert final["revision"] == start + len(accepted)
    # The last one applied is the one that got the last revision.
    last = next(r for r in accepted if r.json()["revision"] == final["revision"])
    assert last.json()["title"] == final["title"]


def test_simultaneous_patches_from_one_revision_let_exactly_one_win(live_server: LiveServer) -> None:
    with live_server.data() as make:
        event = make.event(starts_at=future(days=31))
    path = f"/api/v1/events/{event.id}"
    base = _read(live_server, path)["revision"]

    responses = _patch_together(
        live_server, path, [{"title": f"Mine {i}"} for i in range(N)], {"If-Match": f'W/"{base}"'}
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * (N - 1), sorted({(r.status_code, r.text[:200]) for r in responses})
    winner = next(r.json() for r in responses if r.status_code == 200)
    assert winner["revision"] == base + 1
    for refused in (r for r in responses if r.status_code == 412):
        assert refused.headers["content-type"] == "application/problem+json"
        assert f"title changed from {event.title!r} to {winner['title']!r}" in refused.json()["detail"]
    final = _read(live_server, path)
    assert (final["revision"], final["title"]) == (base + 1, winner["title"])


# --- the coordinator's forms carry the revision they were opened at ------------------------


def test_saving_a_venue_form_over_someone_elses_change_asks_first(client: TestClient, make: Factory) -> None:
    venue = make.venue("Jobcentre Plus Nelson", parking_notes="Car park at the back")
    sign_in(client, make.user("coordinator"))
    opened = client.get(f"/plan/venues/{venue.id}/edit")
    assert '<input type="hidden" name="revision" value="0">' in opened.text
    other = make.token(make.user("coordinator", email="sergeant@muster.test"))
    client.patch(f"/api/v1/venues/{venue.id}", json={"parking_notes": "No parking"}, headers=other)
    mine = {"name": venue.name, "kind": "job_centre", "town": "Nelson", "active": "yes", "revision": "0"}

    stopped = post(client, f"/plan/venues/{venue.id}/edit", {**mine, "parking_notes": "Street parking"})

    assert stopped.status_code == 400
    assert "Someone changed this venue after you opened it (parking_notes changed from" in stopped.text
    assert "to &#39;No parking&#39; by sergeant@muster.test" in stopped.text
    assert '<input type="hidden" name="revision" value="1">' in stopped.text
    assert "Street parking" in stopped.text  # what was typed is kept

    saved = post(
        client, f"/plan/venues/{venue.id}/edit", {**mine, "parking_notes": "Street parking", "revision": "1"}
    )

    assert saved.status_code == 303
    assert client.get(f"/api/v1/venues/{venue.id}", headers=other).json()["parking_notes"] == "Street parking"


def test_person_and_campaign_forms_carry_their_revision(client: TestClient, make: Factory) -> None:
    person, campaign = make.person(), make.campaign()
    sign_in(client, make.user("coordinator"))
    hidden = '<input type="hidden" name="revision" value="0">'
    assert hidden in client.get(f"/plan/people/{person.id}/edit").text
    assert hidden in client.get(f"/plan/campaigns/{campaign.id}/edit").text
