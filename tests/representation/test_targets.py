"""A campaign's targets as records: added, changed and removed through the API and the
campaign's pages, figures recorded against them, and whether each is on track."""

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.representation.models import CampaignTarget, TargetSnapshot
from tests.factories import Factory
from tests.forms import form_errors, post, says, sign_in

OFFICERS = {
    "measure": "officers from ethnic minorities",
    "baseline_value": 97,
    "baseline_on": "2025-09-01",
    "target_value": 111,
    "target_on": "2026-03-31",
    "source": "HR strength return",
}
# 100 days from 100 to 200: the trajectory rises by exactly one a day.
STRAIGHT = {
    "measure": "new officers",
    "baseline_value": 100,
    "baseline_on": "2026-01-01",
    "target_value": 200,
    "target_on": "2026-04-11",
}


def _target(
    client: TestClient, headers: dict[str, str], campaign_id: int | None, body: dict[str, Any]
) -> Any:
    made = client.post(f"/api/v1/campaigns/{campaign_id}/targets", json=body, headers=headers)
    assert made.status_code == 201, made.text
    return made.json()


def _figure(client: TestClient, headers: dict[str, str], target_id: int, **body: Any) -> Any:
    return client.post(f"/api/v1/targets/{target_id}/snapshots", json=body, headers=headers)


def test_target_says_how_many_of_the_target_and_whether_on_track(client: TestClient, make: Factory) -> None:
    headers = make.headers("coordinator")
    target = _target(client, headers, make.campaign().id, OFFICERS)
    assert target["progress"]["on_track"] is None
    assert target["progress"]["sentence"] == (
        "97 on 1 September 2025, aiming for 111 by 31 March 2026; no figure recorded since"
    )

    # The line reaches 97 + 14 × 181/211 = 109.01 on 1 March: 104 needs 6 more to be on it.
    assert _figure(client, headers, target["id"], recorded_on="2026-03-01", value=104).status_code == 201
    behind = client.get(f"/api/v1/targets/{target['id']}", headers=headers).json()["progress"]
    assert behind["sentence"] == "104 of 111 on 1 March 2026; behind the trajectory by 6"
    assert (behind["on_track"], behind["behind_by"], behind["latest_value"]) == (False, 6, 104)

    assert _figure(client, headers, target["id"], recorded_on="2026-03-02", value=110).status_code == 201
    ahead = client.get(f"/api/v1/targets/{target['id']}", headers=headers).json()["progress"]
    assert ahead["sentence"] == "110 of 111 on 2 March 2026; on track"
    assert ahead["on_track"] is True and ahead["behind_by"] == 0


def test_on_track_means_the_latest_figure_is_at_or_above_the_line_on_its_day(
    client: TestClient, make: Factory
) -> None:
    headers = make.headers("coordinator")
    campaign_id = make.campaign().id
    on_line = _target(client, headers, campaign_id, STRAIGHT)
    below = _target(client, headers, campaign_id, STRAIGHT)
    # Day 50 of 100: the line is at exactly 150.
    _figure(client, headers, on_line["id"], recorded_on="2026-02-20", value=150)
    _figure(client, headers, below["id"], recorded_on="2026-01-10", value=200)  # an early high…
    _figure(client, headers, below["id"], recorded_on="2026-02-20", value=149)  # …the latest counts

    exactly = client.get(f"/api/v1/targets/{on_line['id']}", headers=headers).json()["progress"]
    short = client.get(f"/api/v1/targets/{below['id']}", headers=headers).json()["progress"]

    assert (exactly["on_track"], exactly["behind_by"]) == (True, 0)
    assert (short["on_track"], short["behind_by"]) == (False, 1)
    assert short["sentence"].endswith("behind the trajectory by 1")
    # After the target day the line stays at the target.
    _figure(client, headers, on_line["id"], recorded_on="2026-06-01", value=199)
    late = client.get(f"/api/v1/targets/{on_line['id']}", headers=headers).json()["progress"]
    assert (late["on_track"], late["behind_by"]) == (False, 1)


def test_a_percentage_target_reads_from_its_counts(client: TestClient, make: Factory, db: Session) -> None:
    headers = make.headers("coordinator")
    target = _target(
        client,
        headers,
        make.campaign().id,
        {**STRAIGHT, "measure": "of officers", "unit": "percent", "baseline_value": 30, "target_value": 35},
    )

    made = _figure(client, headers, target["id"], recorded_on="2026-02-20", numerator=390, denominator=1250)

    assert made.status_code == 201, made.text
    assert made.json()["value"] == 31.2
    progress = client.get(f"/api/v1/targets/{target['id']}", headers=headers).json()["progress"]
    assert progress["sentence"] == (
        "31.2% (390 of 1,250) of officers on 20 February 2026 against a target of 35% by 11 April 2026; "
        "behind the trajectory by 1.3 points"
    )
    assert progress["on_track"] is False


def test_figures_that_cannot_be_right_are_refused(client: TestClient, make: Factory, db: Session) -> None:
    headers = make.headers("coordinator")
    campaign_id = make.campaign().id
    target = _target(client, headers, campaign_id, STRAIGHT)
    percent = _target(
        client,
        headers,
        campaign_id,
        {**STRAIGHT, "unit": "percent", "baseline_value": 30, "target_value": 35},
    )

    future = _figure(
        client, headers, target["id"], recorded_on=date(date.today().year + 2, 1, 1).isoformat(), value=1
    )
    early = _figure(client, headers, target["id"], recorded_on="2025-12-31", value=1)
    counts = _figure(client, headers, target["id"], recorded_on="2026-02-01", numerator=5, denominator=4)
    alone = _figure(client, headers, target["id"], recorded_on="2026-02-01", numerator=5)
    over = _figure(client, headers, percent["id"], recorded_on="2026-02-01", value=101)
    _figure(client, headers, target["id"], recorded_on="2026-02-01", value=120)
    twice = _figure(client, headers, target["id"], recorded_on="2026-02-01", value=121)

    assert future.status_code == 422 and "has not come yet" in future.json()["detail"]
    assert early.status_code == 422 and "before the starting point" in early.json()["detail"]
    assert counts.json()["errors"] == [
        {"field": "numerator", "message": "must be no more than the total it is out of"}
    ]
    assert alone.json()["errors"] == [
        {"field": "denominator", "message": "must be given with the other count"}
    ]
    assert over.status_code == 422 and "100 or less" in over.json()["detail"]
    assert twice.status_code == 409 and "already recorded for 1 February 2026" in twice.json()["detail"]
    assert len(db.exec(select(TargetSnapshot)).all()) == 1


def test_targets_are_changed_with_revisions_and_removed_with_their_figures(
    client: TestClient, make: Factory, db: Session
) -> None:
    headers = make.headers("admin")
    target = _target(client, headers, make.campaign().id, STRAIGHT)
    _figure(client, headers, target["id"], recorded_on="2026-02-01", value=120)
    url = f"/api/v1/targets/{target['id']}"
    etag = client.get(url, headers=headers).headers["ETag"]

    changed = client.patch(url, json={"target_value": 180}, headers={**headers, "If-Match": etag})
    stale = client.patch(url, json={"target_value": 170}, headers={**headers, "If-Match": etag})
    backwards = client.patch(url, json={"target_on": "2025-12-01"}, headers=headers)
    later_start = client.patch(url, json={"baseline_on": "2026-03-01"}, headers=headers)

    assert changed.status_code == 200 and changed.json()["target_value"] == 180
    assert changed.headers["ETag"] == 'W/"1"'
    assert stale.status_code == 412
    assert backwards.status_code == 422
    assert backwards.json()["detail"] == "the day of the target must be after the day of the starting point"
    assert later_start.status_code == 409 and "1 February 2026" in later_start.json()["detail"]
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404
    assert db.exec(select(CampaignTarget)).all() == [] and db.exec(select(TargetSnapshot)).all() == []


def test_target_list_is_paged_in_order(client: TestClient, make: Factory) -> None:
    headers = make.headers("coordinator")
    campaign_id = make.campaign().id
    for name in ("first", "second", "third"):
        _target(client, headers, campaign_id, {**STRAIGHT, "measure": name})

    page = client.get(
        f"/api/v1/campaigns/{campaign_id}/targets", params={"limit": 2, "offset": 1}, headers=headers
    )

    assert page.status_code == 200
    assert [t["measure"] for t in page.json()["items"]] == ["second", "third"]
    assert page.json()["total"] == 3
    assert client.get("/api/v1/campaigns/999/targets", headers=headers).status_code == 404


def test_coordinator_adds_a_target_records_figures_and_sees_the_chart(
    client: TestClient, make: Factory, db: Session
) -> None:
    campaign = make.campaign(starts_on=date(2025, 9, 1), ends_on=date(2026, 3, 31))
    sign_in(client, make.user("coordinator"))
    blank = client.get(f"/plan/campaigns/{campaign.id}/targets/new")
    assert 'value="2025-09-01"' in blank.text and 'value="2026-03-31"' in blank.text

    refused = post(
        client,
        f"/plan/campaigns/{campaign.id}/targets/new",
        {**OFFICERS, "unit": "count", "target_on": "2025-08-01"},
    )
    assert form_errors(refused) == {
        "target_on": "The day of the target must be after the day of the starting point"
    }
    added = post(client, f"/plan/campaigns/{campaign.id}/targets/new", {**OFFICERS, "unit": "count"})
    assert added.status_code == 303
    target = db.exec(select(CampaignTarget)).one()
    assert added.headers["location"] == f"/plan/targets/{target.id}"

    wrong = post(
        client, f"/plan/targets/{target.id}/snapshots", {"recorded_on": "2026-03-01", "value": "lots"}
    )
    assert form_errors(wrong) == {"value": "The figure must be a number between 0 and 10,000,000"}
    saved = post(
        client, f"/plan/targets/{target.id}/snapshots", {"recorded_on": "2026-03-01", "value": "104"}
    )
    assert saved.status_code == 303

    page = client.get(f"/plan/targets/{target.id}")
    says(
        page,
        "104 of 111 on 1 March 2026; behind the trajectory by 6.",
        'role="img"',
        f'aria-labelledby="target-{target.id}-title target-{target.id}-desc"',
        "<title id=",
        "<caption>The figures</caption>",
        "<td>1 March 2026</td>",
    )
    assert "<script" not in page.text.split("<svg", 1)[1].split("</svg>", 1)[0]

    edited = post(
        client,
        f"/plan/targets/{target.id}/edit",
        {**OFFICERS, "unit": "count", "target_value": "115", "revision": "0"},
    )
    assert edited.status_code == 303
    snapshot = db.exec(select(TargetSnapshot)).one()
    assert post(client, f"/plan/snapshots/{snapshot.id}/remove").status_code == 303
    removed = post(client, f"/plan/targets/{target.id}/remove")
    assert removed.headers["location"] == f"/plan/campaigns/{campaign.id}"
    db.expire_all()
    assert db.exec(select(CampaignTarget)).all() == []


def test_staff_and_partners_cannot_see_targets(client: TestClient, make: Factory) -> None:
    target = _target(client, make.headers("coordinator"), make.campaign().id, STRAIGHT)
    for role in ("staff", "partner"):
        assert client.get(f"/api/v1/targets/{target['id']}", headers=make.headers(role)).status_code == 403
    sign_in(client, make.user("staff"))
    assert client.get(f"/plan/targets/{target['id']}").status_code in (403, 404)
