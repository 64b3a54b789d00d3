"""Where to go next: towns ranked by the workforce's shortfall and by past interest per
ambassador-hour, with the figures behind each rank and a link that books the town's venues."""

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import Role
from app.representation.models import PopulationShare, WorkforceShare
from tests.factories import Factory
from tests.forms import sign_in
from tests.reports.conftest import Scene

GROUP = "Asian or Asian British"


def _shares(db: Session) -> None:
    # Blackburn 30% against 6% (24 points short), Nelson 40% against 20% (20), Bacup level.
    for area, community, count, total in (
        ("Blackburn", 30, 6, 100),
        ("Nelson", 40, 10, 50),
        ("Bacup", 5, 4, 80),
    ):
        db.add(
            PopulationShare(area=area, group=GROUP, share_percent=community, source="Census 2021", year=2021)
        )
        db.add(WorkforceShare(area=area, group=GROUP, count=count, total=total, as_of=date(2026, 9, 30)))
    db.commit()


def test_where_next_ranks_towns_with_the_figures_behind_each_rank(
    client: TestClient, db: Session, make: Factory, scene: Scene
) -> None:
    _shares(db)

    towns = client.get("/api/v1/where-next", headers=make.headers(Role.coordinator)).json()

    assert [(t["town"], t["rank"], t["gap_rank"], t["yield_rank"]) for t in towns] == [
        ("Blackburn", 1, 1, 1),
        ("Nelson", 2, 2, None),  # no duty hours there: ranked on its gap alone
        ("Bacup", 3, 3, 2),
        ("Darwen", 4, None, None),
    ]
    blackburn = towns[0]
    # 4 online + 6 + 2 on paper, from Aisha's and Ben's 7 hours (Chidi did not turn up).
    assert (blackburn["interest"], blackburn["hours"], blackburn["interest_per_hour"]) == (12, 14.0, 0.86)
    assert (blackburn["gap_points"], blackburn["gap_group"]) == (24.0, GROUP)
    # Bacup: one paper form from Aisha's and Dee's 4 hours (attendance not yet marked counts).
    assert (towns[2]["interest"], towns[2]["hours"]) == (1, 8.0)


def test_where_next_links_to_booking_the_towns_venues(
    client: TestClient, db: Session, make: Factory, scene: Scene
) -> None:
    _shares(db)
    campaign = scene.campaign.id
    jcp, mosque = scene.venues["jcp"].id, scene.venues["mosque"].id

    towns = client.get(f"/api/v1/where-next?campaign_id={campaign}", headers=make.headers(Role.admin)).json()

    assert towns[0]["book_href"] == f"/plan/book?campaign={campaign}&venue={jcp}&venue={mosque}#venue_ids"
    sign_in(client, make.user(Role.coordinator))
    page = client.get(f"/plan/where-next?campaign={campaign}")
    assert page.status_code == 200
    assert f'href="/plan/book?campaign={campaign}&amp;venue={jcp}&amp;venue={mosque}#venue_ids"' in page.text
    booking = client.get(towns[0]["book_href"].split("#")[0])
    assert booking.status_code == 200
    assert f'value="{jcp}" checked' in booking.text or f'value="{jcp}"\n' in booking.text


def test_where_next_refuses_an_unknown_campaign_and_other_roles(
    client: TestClient, make: Factory, scene: Scene
) -> None:
    assert (
        client.get("/api/v1/where-next?campaign_id=999999", headers=make.headers(Role.admin)).status_code
        == 404
    )
    assert client.get("/api/v1/where-next?campaign_id=x", headers=make.headers(Role.admin)).status_code == 422
    for role in (Role.staff, Role.partner):
        headers = make.headers(role)
        assert client.get("/api/v1/where-next", headers=headers).status_code == 403
        assert client.get("/plan/where-next", headers=headers).status_code == 403


def test_where_next_counts_only_events_within_the_interest_retention(
    client: TestClient, db: Session, make: Factory, scene: Scene
) -> None:
    from tests.reports.conftest import held, outcome

    # Older than the year expressions of interest are kept: its paper forms and hours would
    # be set against online interest that has since been erased.
    old = held(make, scene.venues["darwen"], scene.campaign, days_ago=400, hours=6)
    outcome(db, old, spoken=50, paper=20)
    make.assign(old, make.person())

    towns = client.get("/api/v1/where-next", headers=make.headers(Role.coordinator)).json()

    darwen = next(t for t in towns if t["town"] == "Darwen")
    assert (darwen["paper_interest"], darwen["hours"], darwen["yield_rank"]) == (0, 0.0, None)
