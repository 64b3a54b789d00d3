"""Planning figures of every kind, made through the services: for tests that need one each
(the permission walk among them)."""

from datetime import date, timedelta

from sqlmodel import Session

from app.audit.service import SYSTEM
from app.representation import before_after, community, service
from app.representation.models import PopulationShare, WorkforceShare


def planning_figures(session: Session, *, campaign_id: int) -> dict[str, int]:
    """One target with one figure, a population and a workforce share, and a before/after
    comparison: their ids by the name the API's paths give them."""
    today = date.today()
    target = service.create_target(
        session=session,
        actor=SYSTEM,
        campaign_id=campaign_id,
        data={
            "measure": "officers from ethnic minorities",
            "unit": "count",
            "baseline_value": 97,
            "baseline_on": today - timedelta(days=30),
            "target_value": 111,
            "target_on": today + timedelta(days=150),
            "source": "",
        },
    )
    assert target.id is not None
    snapshot = service.record_snapshot(
        session=session,
        actor=SYSTEM,
        target_id=target.id,
        data={"recorded_on": today - timedelta(days=10), "value": 99, "source": ""},
        today=today,
    )
    population = community.create_share(
        session=session,
        actor=SYSTEM,
        model=PopulationShare,
        data={"area": "Blackburn", "group": "Asian or Asian British", "share_percent": 35.4, "year": 2021},
    )
    workforce = community.create_share(
        session=session,
        actor=SYSTEM,
        model=WorkforceShare,
        data={
            "area": "Blackburn",
            "group": "Asian or Asian British",
            "count": 24,
            "total": 260,
            "as_of": today,
        },
    )
    comparison = before_after.create_comparison(
        session=session,
        actor=SYSTEM,
        data={
            "scheme": "Attachment scheme",
            "measure": "attachments from ethnic minorities",
            "before_start": date(2024, 4, 1),
            "before_end": date(2025, 3, 31),
            "before_count": 3,
            "before_total": 75,
            "after_start": date(2025, 4, 1),
            "after_end": date(2026, 3, 31),
            "after_count": 24,
            "after_total": 75,
        },
    )
    ids = {
        "target_id": target.id,
        "snapshot_id": snapshot.id,
        "population_share_id": population.id,
        "workforce_share_id": workforce.id,
        "comparison_id": comparison.id,
    }
    return {name: value or 0 for name, value in ids.items()}


def page_ids(session: Session, *, campaign_id: int) -> dict[str, str]:
    """The path parameters of the planning-figure pages, each a real record's."""
    ids = planning_figures(session, campaign_id=campaign_id)
    return {
        "target_id": str(ids["target_id"]),
        "snapshot_id": str(ids["snapshot_id"]),
        "share_id": str(ids["population_share_id"]),
        "kind": "population",
        "comparison_id": str(ids["comparison_id"]),
    }
