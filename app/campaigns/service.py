"""Campaigns: recruitment pushes over a period, with their targets and events."""

from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app import records
from app.audit.service import Actor
from app.campaigns.models import Campaign
from app.clock import utcnow
from app.enums import EventStatus
from app.errors import Invalid
from app.events.models import Event


def get_campaign(*, session: Session, campaign_id: int) -> Campaign:
    return records.get_or_404(session, Campaign, campaign_id, "campaign")


def list_campaigns(
    *, session: Session, limit: int, offset: int, active_on: date | None = None
) -> tuple[list[Campaign], int]:
    query = select(Campaign).order_by(col(Campaign.starts_on).desc(), col(Campaign.name))
    if active_on is not None:
        query = query.where(Campaign.starts_on <= active_on, Campaign.ends_on >= active_on)
    return records.page(session, query, limit=limit, offset=offset)


def all_campaigns(*, session: Session) -> list[Campaign]:
    """Every campaign, the latest first: for choosing one."""
    return list(session.exec(select(Campaign).order_by(col(Campaign.starts_on).desc())).all())


def upcoming_counts(*, session: Session, campaign_ids: list[int]) -> dict[int, int]:
    """Upcoming, not cancelled events per campaign, in one grouped query."""
    if not campaign_ids:
        return {}
    rows = session.exec(
        select(Event.campaign_id, func.count())
        .where(
            col(Event.campaign_id).in_(campaign_ids),
            Event.ends_at > utcnow(),
            Event.status != EventStatus.cancelled,
        )
        .group_by(col(Event.campaign_id))
    ).all()
    return {campaign_id: int(count) for campaign_id, count in rows if campaign_id is not None}


def status_counts(*, session: Session, campaign_id: int) -> dict[str, int]:
    """How many of the campaign's events are in each status ("draft": 3…)."""
    rows = session.exec(
        select(Event.status, func.count()).where(Event.campaign_id == campaign_id).group_by(col(Event.status))
    ).all()
    return {str(status): int(count) for status, count in rows}


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
    return records.change(
        session=session,
        actor=actor,
        model=Campaign,
        record_id=campaign_id,
        noun="campaign",
        changes=changes,
        summary=lambda campaign: f"campaign {campaign.name} updated",
        check=lambda _campaign, values: _check_period(values["starts_on"], values["ends_on"]),
        expected=expected,
    )
