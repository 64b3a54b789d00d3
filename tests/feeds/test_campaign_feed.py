"""The campaign feed: every event of a campaign with its staffing state, for coordinators."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import AssignmentRole, AssignmentStatus, EventStatus
from tests.dates import london, summer_day
from tests.factories import Factory
from tests.feeds.conftest import location_of, path_of, read_both, rows_seen, with_venues

JULY = london(summer_day(), 10)


def campaign_feed(client: TestClient, make: Factory, campaign_id: int | None) -> str:
    response = client.post(f"/api/v1/campaigns/{campaign_id}/feed", headers=make.headers("coordinator"))
    assert response.status_code == 201
    return path_of(response.json()["link"]["url"])


def test_campaign_feed_lists_every_event_matching_the_database(
    client: TestClient, make: Factory, db: Session
):
    campaign = make.campaign("Police constables 2027")
    events = [
        make.event(campaign=campaign, starts_at=JULY, status=EventStatus.confirmed, title="Confirmed one"),
        make.event(campaign=campaign, starts_at=JULY + timedelta(days=1), title="Draft one"),
    ]
    make.event(starts_at=JULY, title="Another campaign")

    response = client.get(campaign_feed(client, make, campaign.id))

    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-cache"
    expected = sorted(
        (
            f"muster-campaign-event-{e.id}@muster.test",
            ("Draft: " if e.status == EventStatus.draft else "") + f"{e.title} (needs staff)",
            e.starts_at,
            e.ends_at,
            "TENTATIVE" if e.status == EventStatus.draft else "CONFIRMED",
            location_of(v),
        )
        for e, v in with_venues(db, events)
    )
    assert rows_seen(response.text) == expected
    assert "NAME:Campaign: Police constables 2027\r\n" in response.text


def test_campaign_feed_describes_staffing_state(client: TestClient, make: Factory):
    campaign = make.campaign()
    event = make.event(
        campaign=campaign,
        starts_at=JULY,
        status=EventStatus.confirmed,
        public=True,
        wanted_languages=["Urdu"],
    )
    make.assign(event, make.person("Ann Lee"), AssignmentRole.lead, AssignmentStatus.confirmed)
    make.assign(event, make.person("Bob Roy"), AssignmentRole.ambassador, AssignmentStatus.proposed)

    seen = read_both(client.get(campaign_feed(client, make, campaign.id)).text)

    assert seen[0].description.split("\n") == [
        "Event: Confirmed (public)",
        "Staffing: needs 1 more ambassador; needs an Urdu speaker",
        "Ambassadors: 1 of 2; recruiters: 1 of 1",
        "Team: Ann Lee (lead), Bob Roy (ambassador, proposed)",
        "Venue: " + seen[0].location,
        f"In Muster: https://muster.test/events/{event.id}",
    ]


def test_campaign_feed_marks_a_fully_staffed_event(client: TestClient, make: Factory):
    campaign = make.campaign()
    event = make.event(campaign=campaign, starts_at=JULY, status=EventStatus.confirmed, title="Ready")
    make.assign(event, make.person(), AssignmentRole.ambassador, AssignmentStatus.confirmed)
    make.assign(event, make.person(), AssignmentRole.ambassador, AssignmentStatus.confirmed)
    make.assign(event, make.person(), AssignmentRole.recruiter, AssignmentStatus.confirmed)

    seen = read_both(client.get(campaign_feed(client, make, campaign.id)).text)

    assert [s.summary for s in seen] == ["Ready (staffed)"]
    assert seen[0].description.split("\n")[1] == "Staffing: Fully staffed"


def test_campaign_feed_follows_staffing_changes(client: TestClient, make: Factory):
    campaign = make.campaign()
    event = make.event(campaign=campaign, starts_at=JULY, status=EventStatus.confirmed, ambassadors_needed=1)
    feed = campaign_feed(client, make, campaign.id)
    before = read_both(client.get(feed).text)[0].description

    make.assign(event, make.person("New Ambassador"), AssignmentRole.ambassador, AssignmentStatus.confirmed)
    after = read_both(client.get(feed).text)[0].description

    assert "Team: nobody yet" in before.split("\n")
    assert "Team: New Ambassador (ambassador)" in after.split("\n")


def test_campaign_feed_reports_no_staffing_gap_for_a_cancelled_event(client: TestClient, make: Factory):
    campaign = make.campaign()
    make.event(campaign=campaign, starts_at=JULY, status=EventStatus.cancelled, title="Called off")

    seen = read_both(client.get(campaign_feed(client, make, campaign.id)).text)

    assert [s.summary for s in seen] == ["Cancelled: Called off"]
    lines = seen[0].description.split("\n")
    assert lines[0] == "Event: Cancelled (not public)"
    assert not [line for line in lines if line.startswith(("Staffing:", "Ambassadors:"))]
