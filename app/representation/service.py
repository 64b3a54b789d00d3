"""A campaign's targets as records, the snapshots that track them, and progress against
each: the straight line from the starting point to the target, and whether the latest
figure is on or above it."""

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, col, delete, select
from sqlmodel.sql.expression import SelectOfScalar

from app import records
from app.audit.service import Actor
from app.campaigns.models import Campaign
from app.clock import to_london, utcnow
from app.errors import Conflict, Invalid
from app.fields import rules_of
from app.representation.models import CampaignTarget, TargetSnapshot
from app.representation.schemas import SnapshotFields, TargetFields, snapshot_refusals, target_refusals


def day_words(day: date) -> str:
    return f"{day:%-d %B %Y}"


def figure_words(value: float, unit: str) -> str:
    """97 for a count, 31.2% for a percentage (whole numbers without ".0")."""
    shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return shown + ("%" if unit == "percent" else "")


def refuse(refused: dict[str, str], model: type[BaseModel]) -> None:
    """A rule across fields broken by the record as it would be: 422 in the rule's words."""
    if refused:
        name, words = next(iter(refused.items()))
        rule = rules_of(model).get(name)
        raise Invalid(f"{rule.title if rule else name.replace('_', ' ')} {words}")


# --- targets ---------------------------------------------------------------------------------


def get_target(*, session: Session, target_id: int) -> CampaignTarget:
    return records.get_or_404(session, CampaignTarget, target_id, "target")


def _targets_of(campaign_id: int) -> SelectOfScalar[CampaignTarget]:
    """A campaign's targets, in their order."""
    query = select(CampaignTarget).where(CampaignTarget.campaign_id == campaign_id)
    return query.order_by(col(CampaignTarget.position), col(CampaignTarget.id))


def campaign_targets(*, session: Session, campaign_id: int) -> list[CampaignTarget]:
    return list(session.exec(_targets_of(campaign_id)).all())


def list_targets(
    *, session: Session, campaign_id: int, limit: int, offset: int
) -> tuple[list[CampaignTarget], int]:
    records.get_or_404(session, Campaign, campaign_id, "campaign")
    return records.page(session, _targets_of(campaign_id), limit=limit, offset=offset)


def create_target(
    *, session: Session, actor: Actor, campaign_id: int, data: dict[str, Any]
) -> CampaignTarget:
    campaign = records.get_or_404(session, Campaign, campaign_id, "campaign")
    refuse(target_refusals(data), TargetFields)
    last = session.exec(
        select(func.max(CampaignTarget.position)).where(CampaignTarget.campaign_id == campaign_id)
    ).one()
    target = CampaignTarget(**data, campaign_id=campaign_id, position=(last + 1) if last is not None else 0)
    return records.create(
        session=session, actor=actor, record=target, summary=f"target {target.measure} of {campaign.name} set"
    )


def update_target(
    *,
    session: Session,
    actor: Actor,
    target_id: int,
    changes: dict[str, Any],
    expected: records.Expected = None,
) -> CampaignTarget:
    return records.change(
        session=session,
        actor=actor,
        model=CampaignTarget,
        record_id=target_id,
        noun="target",
        changes=changes,
        summary=lambda target: f"target {target.measure} changed",
        check=lambda target, values: _check_target(session, target, values),
        expected=expected,
    )


def _check_target(session: Session, target: CampaignTarget, values: dict[str, Any]) -> None:
    """The target's rules on its fields as they would be; a target made a percentage cannot
    keep figures over 100, nor start after one."""
    refuse(target_refusals(values), TargetFields)
    found = session.exec(
        select(func.min(TargetSnapshot.recorded_on), func.max(TargetSnapshot.value)).where(
            TargetSnapshot.target_id == target.id
        )
    ).one()
    first, highest = found
    if first is not None and values["baseline_on"] > first:
        raise Conflict(f"a figure is recorded on {day_words(first)}, before the new starting day")
    if values["unit"] == "percent" and highest is not None and highest > 100:
        raise Conflict(
            f"a recorded figure ({figure_words(highest, 'count')}) is over 100, so not a percentage"
        )


def remove_target(*, session: Session, actor: Actor, target_id: int) -> None:
    """The target and its snapshots go; its last state stays in the audit trail."""
    target = records.lock(session, CampaignTarget, target_id, "target")
    session.exec(delete(TargetSnapshot).where(col(TargetSnapshot.target_id) == target_id))
    records.remove(session=session, actor=actor, record=target, summary=f"target {target.measure} removed")


# --- snapshots -------------------------------------------------------------------------------


def _snapshots_of(target_id: int) -> SelectOfScalar[TargetSnapshot]:
    """A target's figures, the earliest first."""
    query = select(TargetSnapshot).where(TargetSnapshot.target_id == target_id)
    return query.order_by(col(TargetSnapshot.recorded_on))


def snapshots_of(*, session: Session, target_id: int) -> list[TargetSnapshot]:
    return list(session.exec(_snapshots_of(target_id)).all())


def list_snapshots(
    *, session: Session, target_id: int, limit: int, offset: int
) -> tuple[list[TargetSnapshot], int]:
    get_target(session=session, target_id=target_id)
    return records.page(session, _snapshots_of(target_id), limit=limit, offset=offset)


def record_snapshot(
    *, session: Session, actor: Actor, target_id: int, data: dict[str, Any], today: date
) -> TargetSnapshot:
    """An aggregate figure on a day: a percentage may be given as its two counts."""
    target = get_target(session=session, target_id=target_id)
    refuse(snapshot_refusals(data), SnapshotFields)
    day: date = data["recorded_on"]
    if day > today:
        raise Invalid(f"the day of the figure ({day_words(day)}) has not come yet")
    if day < target.baseline_on:
        raise Invalid(
            f"the day of the figure ({day_words(day)}) is before the starting point ({day_words(target.baseline_on)})"
        )
    numerator, denominator = data.get("numerator"), data.get("denominator")
    value = data.get("value")
    if value is None and numerator is not None and denominator:
        value = round(100 * numerator / denominator, 1) if target.unit == "percent" else float(numerator)
    if target.unit == "percent" and value is not None and value > 100:
        raise Invalid("the figure must be 100 or less for a percentage")
    clash = session.exec(
        select(TargetSnapshot).where(TargetSnapshot.target_id == target_id, TargetSnapshot.recorded_on == day)
    ).first()
    if clash is not None:
        raise Conflict(
            f"a figure is already recorded for {day_words(day)}: remove it first to record another"
        )
    snapshot = TargetSnapshot(
        target_id=target_id,
        recorded_on=day,
        value=float(value or 0),
        numerator=numerator,
        denominator=denominator,
        source=data.get("source", ""),
        recorded_by_user_id=actor.user_id,
    )
    summary = f"{target.measure}: {figure_words(snapshot.value, target.unit)} on {day_words(day)} recorded"
    return records.create(session=session, actor=actor, record=snapshot, summary=summary)


def get_snapshot(*, session: Session, snapshot_id: int) -> TargetSnapshot:
    return records.get_or_404(session, TargetSnapshot, snapshot_id, "snapshot")


def remove_snapshot(*, session: Session, actor: Actor, snapshot_id: int) -> TargetSnapshot:
    snapshot = get_snapshot(session=session, snapshot_id=snapshot_id)
    summary = f"figure of {day_words(snapshot.recorded_on)} removed"
    records.remove(session=session, actor=actor, record=snapshot, summary=summary)
    return snapshot


# --- progress --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    on: date
    value: float
    numerator: int | None = None
    denominator: int | None = None
    source: str = ""


@dataclass(frozen=True)
class TargetProgress:
    """Where a target stands: the figures, the trajectory, and one sentence a superintendent
    reads. On track means the latest figure is at or beyond the trajectory's value on that
    day (for a target that aims lower, at or below it); with no figure since the starting
    point, ``on_track`` is None."""

    target: CampaignTarget
    points: list[Point]
    today: date
    expected_now: float
    latest: Point | None
    expected_at_latest: float | None
    on_track: bool | None
    behind_by: float
    sentence: str

    @property
    def baseline(self) -> Point:
        return Point(self.target.baseline_on, self.target.baseline_value, source=self.target.source)


def trajectory(target: CampaignTarget, day: date) -> float:
    """The straight line from the starting point to the target, on ``day`` (flat outside)."""
    span = (target.target_on - target.baseline_on).days
    if span <= 0 or day >= target.target_on:
        return target.target_value
    if day <= target.baseline_on:
        return target.baseline_value
    done = (day - target.baseline_on).days / span
    return target.baseline_value + (target.target_value - target.baseline_value) * done


def is_on_track(target: CampaignTarget, point: Point) -> bool:
    expected = trajectory(target, point.on)
    if target.target_value >= target.baseline_value:
        return point.value >= expected - 1e-9
    return point.value <= expected + 1e-9


def shortfall(target: CampaignTarget, point: Point) -> float:
    """How far the figure is from the trajectory, in the target's unit: whole people for a
    count (the next whole number up), tenths of a point for a percentage."""
    expected = trajectory(target, point.on)
    gap = expected - point.value if target.target_value >= target.baseline_value else point.value - expected
    if gap <= 1e-9:
        return 0.0
    return float(math.ceil(gap - 1e-9)) if target.unit == "count" else round(gap, 1)


def _sentence(target: CampaignTarget, latest: Point | None, on_track: bool | None, behind_by: float) -> str:
    unit = target.unit
    goal = figure_words(target.target_value, unit)
    if latest is None:
        start = figure_words(target.baseline_value, unit)
        return (
            f"{start} on {day_words(target.baseline_on)}, aiming for {goal} by {day_words(target.target_on)}; "
            "no figure recorded since"
        )
    if unit == "percent":
        counts = f" ({latest.numerator:,} of {latest.denominator:,})" if latest.denominator else ""
        said = (
            f"{figure_words(latest.value, unit)}{counts} {target.measure} on {day_words(latest.on)} "
            f"against a target of {goal} by {day_words(target.target_on)}"
        )
    else:
        said = f"{figure_words(latest.value, unit)} of {goal} on {day_words(latest.on)}"
    if on_track:
        return said + "; on track"
    points = " points" if unit == "percent" else ""
    return said + f"; behind the trajectory by {figure_words(behind_by, 'count')}{points}"


def progress_of(target: CampaignTarget, snapshots: list[TargetSnapshot], *, today: date) -> TargetProgress:
    points = [Point(s.recorded_on, s.value, s.numerator, s.denominator, s.source) for s in snapshots]
    points.sort(key=lambda p: p.on)
    latest = points[-1] if points else None
    on_track = is_on_track(target, latest) if latest else None
    behind_by = shortfall(target, latest) if latest else 0.0
    return TargetProgress(
        target=target,
        points=points,
        today=today,
        expected_now=round(trajectory(target, today), 2),
        latest=latest,
        expected_at_latest=round(trajectory(target, latest.on), 2) if latest else None,
        on_track=on_track,
        behind_by=behind_by,
        sentence=_sentence(target, latest, on_track, behind_by),
    )


def london_today() -> date:
    return to_london(utcnow()).date()


def target_progress(session: Session, *, target: CampaignTarget, today: date | None = None) -> TargetProgress:
    assert target.id is not None
    snapshots = snapshots_of(session=session, target_id=target.id)
    return progress_of(target, snapshots, today=today or london_today())


def campaign_progress(
    session: Session, *, campaign_id: int, today: date | None = None
) -> list[TargetProgress]:
    """Each target of the campaign with its progress: two queries, whatever the count."""
    today = today or london_today()
    targets = campaign_targets(session=session, campaign_id=campaign_id)
    by_target: dict[int, list[TargetSnapshot]] = {t.id: [] for t in targets if t.id is not None}
    for snapshot in records.where_in(session, TargetSnapshot, TargetSnapshot.target_id, list(by_target)):
        by_target[snapshot.target_id].append(snapshot)
    return [progress_of(t, by_target.get(t.id or 0, []), today=today) for t in targets]
