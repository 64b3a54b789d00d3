from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app import records
from app.audit.service import Actor
from app.campaigns.models import Campaign
from app.errors import Invalid


def get_campaign(*, session: Session, campaign_id: int) -> Campaign:
    return records.get_or_404(session, Campaign, campaign_id, "campaign")


def list_campaigns(
    *, session: Session, limit: int, offset: int, active_on: date | None = None
) -> tuple[list[Campaign], int]:
    query = select(Campaign).order_by(col(Campaign.starts_on).desc(), col(Campaign.name))
    if active_on is not None:
        query = query.where(Campaign.starts_on <= active_on, Campaign.ends_on >= active_on)
    return records.page(session, query, limit=limit, offset=offset)


def _check_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise Invalid(f"the campaign ends ({ends_on}) before it starts ({starts_on})")


def create_campaign(*, session: Session, actor: Actor, data: dict[str, Any]) -> Campaign:
    _check_period(data["starts_on"], data["ends_on"])
    return records.create(
        session=session,
        actor=actor,
        record=Campaign(**data),
        summary=f"campaign {data['name']} created",
    )


def update_campaign(
    *,
    session: Session,
    actor: Actor,
    campaign_id: int,
    changes: dict[str, Any],
    expected: records.Expected = None,
) -> Campaign:
    """Change a campaign, locked against concurrent edits; ``expected`` from ``If-Match``."""
    campaign = records.lock(session, Campaign, campaign_id, "campaign")
    records.check_revision(session, campaign, expected)
    _check_period(changes.get("starts_on", campaign.starts_on), changes.get("ends_on", campaign.ends_on))
    return records.update(
        session=session,
        actor=actor,
        record=campaign,
        changes=changes,
        summary=f"campaign {campaign.name} updated",
        expected=expected,
    )
