"""Before and after: one aggregate measure over a period before a campaign or scheme and a
period after it, each share shown with the counts behind it."""

from typing import Any

from sqlmodel import Session, col, select

from app import records
from app.audit.service import Actor
from app.campaigns.models import Campaign
from app.representation.models import BeforeAfter
from app.representation.schemas import BeforeAfterFields, before_after_refusals
from app.representation.service import day_words, refuse

NOUN = "before and after"


def share_words(count: int, total: int) -> str:
    """4% (3 of 75): the share, whole where it is whole, with the counts behind it."""
    share = 100 * count / total if total else 0.0
    shown = f"{share:.0f}" if round(share, 1).is_integer() else f"{share:.1f}"
    return f"{shown}% ({count:,} of {total:,})"


def sentence(row: BeforeAfter) -> str:
    before = share_words(row.before_count, row.before_total)
    after = share_words(row.after_count, row.after_total)
    return f"{before} before → {after} after"


def periods(row: BeforeAfter) -> str:
    return (
        f"before: {day_words(row.before_start)} to {day_words(row.before_end)}; "
        f"after: {day_words(row.after_start)} to {day_words(row.after_end)}"
    )


def _check(session: Session, values: dict[str, Any]) -> None:
    refuse(before_after_refusals(values), BeforeAfterFields)
    if values.get("campaign_id") is not None:
        records.get_or_404(session, Campaign, values["campaign_id"], "campaign")


def list_comparisons(
    *, session: Session, limit: int, offset: int, campaign_id: int | None = None
) -> tuple[list[BeforeAfter], int]:
    query = select(BeforeAfter)
    if campaign_id is not None:
        query = query.where(BeforeAfter.campaign_id == campaign_id)
    query = query.order_by(col(BeforeAfter.after_end).desc(), col(BeforeAfter.id))
    return records.page(session, query, limit=limit, offset=offset)


def get_comparison(*, session: Session, comparison_id: int) -> BeforeAfter:
    return records.get_or_404(session, BeforeAfter, comparison_id, NOUN)


def create_comparison(*, session: Session, actor: Actor, data: dict[str, Any]) -> BeforeAfter:
    _check(session, data)
    row = BeforeAfter(**data)
    return records.create(
        session=session, actor=actor, record=row, summary=f"{row.scheme}: {row.measure} added"
    )


def update_comparison(
    *,
    session: Session,
    actor: Actor,
    comparison_id: int,
    changes: dict[str, Any],
    expected: records.Expected = None,
) -> BeforeAfter:
    return records.change(
        session=session,
        actor=actor,
        model=BeforeAfter,
        record_id=comparison_id,
        noun=NOUN,
        changes=changes,
        summary=lambda row: f"{row.scheme}: {row.measure} changed",
        check=lambda _row, values: _check(session, values),
        expected=expected,
    )


def remove_comparison(*, session: Session, actor: Actor, comparison_id: int) -> None:
    row = records.lock(session, BeforeAfter, comparison_id, NOUN)
    records.remove(session=session, actor=actor, record=row, summary=f"{row.scheme}: {row.measure} removed")
