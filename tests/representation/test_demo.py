"""The demo's planning figures: the 97 -> 111 target on track with its chart, a share of
women a little behind, the community beside the workforce town by town, and before/after."""

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.representation.community import community_rows
from app.representation.demo import load_demo
from app.representation.service import campaign_progress
from tests.factories import Factory
from tests.forms import says, sign_in


def test_demo_figures_answer_the_sergeants_questions(client: TestClient, make: Factory, db: Session) -> None:
    today = date.today()
    campaign = make.campaign(starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=150))
    assert campaign.id is not None

    load_demo(db, today=today, campaign_id=campaign.id)

    officers, women = campaign_progress(db, campaign_id=campaign.id, today=today)
    assert officers.target.baseline_value == 97 and officers.target.target_value == 111
    assert officers.on_track is True and len(officers.points) == 4
    assert officers.sentence.startswith("101 of 111 on ")
    assert women.on_track is False and "(413 of 1,250)" in women.sentence
    rows = community_rows(db)
    assert {r.area for r in rows} == {
        "",
        "Accrington",
        "Bacup",
        "Blackburn",
        "Burnley",
        "Darwen",
        "Nelson",
        "Rawtenstall",
    }
    assert all("Illustrative" in r.community_source for r in rows)
    sign_in(client, make.user("coordinator"))
    page = client.get(f"/plan/campaigns/{campaign.id}")
    says(page, "On track", "Behind", "4% (3 of 75) before → 32% (24 of 75) after")
    target_page = client.get(f"/plan/targets/{officers.target.id}")
    says(target_page, 'role="img"', "; on track.")
    says(client.get("/plan/community"), "Nelson", "points short")
