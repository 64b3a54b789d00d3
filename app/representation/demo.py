"""The demo's planning figures: the 97 -> 111 target with its figures to date, a share of
women target, the community beside the workforce for the force area and the demo towns,
and one before/after comparison. All fictitious, labelled illustrative in their source.

Called once on an empty demo database: ``load_demo(session, today=today, campaign_id=pc)``
with the id of the police constables campaign."""

from datetime import date, timedelta

from sqlmodel import Session

from app.audit.service import Actor
from app.campaigns import service as campaigns
from app.representation import before_after, community, service
from app.representation.models import PopulationShare, WorkforceShare

ACTOR = Actor(user_id=None, label="demo data", role="admin")
CENSUS = "Illustrative, shaped like the 2021 Census (not official figures)"
STRENGTH = "Illustrative demo figures: HR strength return"
GROUPS = (
    "Asian or Asian British",
    "Black or Black British",
    "Mixed or multiple ethnic groups",
    "All ethnic minorities",
)

# The police constables campaign's targets: what is measured, in what, from what, to what.
TARGETS = (
    ("officers from ethnic minorities", "count", 97, 111),
    ("women as a share of officers", "percent", 33, 35),
)

# Per area ("" is the force area): the groups' population shares (%), then the workforce
# serving there: how many of each group, out of how many in all.
AREAS: dict[str, tuple[tuple[float, float, float, float], tuple[int, int, int, int], int]] = {
    "": ((9.8, 1.1, 1.6, 13.9), (62, 14, 24, 100), 1250),
    "Accrington": ((16.2, 0.5, 1.4, 18.9), (9, 1, 2, 12), 140),
    "Bacup": ((3.1, 0.3, 1.2, 5.0), (1, 0, 1, 2), 45),
    "Blackburn": ((35.4, 0.9, 1.9, 39.2), (24, 3, 4, 31), 260),
    "Burnley": ((13.7, 0.4, 1.5, 16.4), (8, 1, 2, 11), 170),
    "Darwen": ((8.4, 0.3, 1.3, 10.6), (2, 0, 1, 3), 60),
    "Nelson": ((40.1, 0.3, 1.4, 42.6), (7, 0, 1, 8), 95),
    "Rawtenstall": ((4.2, 0.4, 1.3, 6.4), (2, 0, 1, 3), 70),
}


def load_demo(session: Session, *, today: date, campaign_id: int, actor: Actor = ACTOR) -> None:
    campaign = campaigns.get_campaign(session=session, campaign_id=campaign_id)
    start, end = campaign.starts_on, campaign.ends_on
    officers, women = (
        service.create_target(
            session=session,
            actor=actor,
            campaign_id=campaign_id,
            data={
                "measure": measure,
                "unit": unit,
                "baseline_value": baseline,
                "baseline_on": start,
                "target_value": target,
                "target_on": end,
                "source": STRENGTH,
            },
        )
        for measure, unit, baseline, target in TARGETS
    )
    assert officers.id is not None and women.id is not None
    # Weekly figures from a week after the start, up to today: on track for the first
    # target, a little behind for the second.
    counts = [98, 99, 100, 101, 101, 102, 103, 104, 104, 105, 106, 106, 107, 108, 108, 109]
    women_counts = [412, 412, 413, 413, 414, 415, 416, 417, 418, 419, 420, 421, 422, 423, 424, 425]
    day, week = start + timedelta(days=7), 0
    while day <= today and week < len(counts):
        service.record_snapshot(
            session=session,
            actor=actor,
            target_id=officers.id,
            data={"recorded_on": day, "value": counts[week], "source": STRENGTH},
            today=today,
        )
        service.record_snapshot(
            session=session,
            actor=actor,
            target_id=women.id,
            data={
                "recorded_on": day,
                "numerator": women_counts[week],
                "denominator": 1250,
                "source": STRENGTH,
            },
            today=today,
        )
        day, week = day + timedelta(days=7), week + 1
    for area, (shares, counts_by_group, total) in AREAS.items():
        for group, share, count in zip(GROUPS, shares, counts_by_group, strict=True):
            community.create_share(
                session=session,
                actor=actor,
                model=PopulationShare,
                data={"area": area, "group": group, "share_percent": share, "year": 2021, "source": CENSUS},
            )
            community.create_share(
                session=session,
                actor=actor,
                model=WorkforceShare,
                data={
                    "area": area,
                    "group": group,
                    "count": count,
                    "total": total,
                    "as_of": today,
                    "source": STRENGTH,
                },
            )
    before_after.create_comparison(
        session=session,
        actor=actor,
        data={
            "campaign_id": campaign_id,
            "scheme": "Attachment scheme",
            "measure": "attachments from ethnic minorities",
            "before_start": start - timedelta(days=730),
            "before_end": start - timedelta(days=366),
            "before_count": 3,
            "before_total": 75,
            "after_start": start - timedelta(days=365),
            "after_end": start - timedelta(days=1),
            "after_count": 24,
            "after_total": 75,
            "source": "Illustrative demo figures: attachment scheme records",
        },
    )
