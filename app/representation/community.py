"""The community beside the workforce: each group's share of the population of the force
area and of its towns, beside its share of the workforce serving there, and the gap."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from app import records
from app.audit.service import Actor
from app.errors import Conflict, Invalid
from app.representation.models import PopulationShare, WorkforceShare
from app.representation.schemas import workforce_refusals

S = TypeVar("S", PopulationShare, WorkforceShare)
Share = PopulationShare | WorkforceShare
ShareModel = type[PopulationShare] | type[WorkforceShare]

FORCE_AREA = ""
"""The area of a share about the whole force area rather than one town."""


def area_words(area: str) -> str:
    return area or "The force area"


# --- population and workforce shares --------------------------------------------------------


def _key_clash(session: Session, record: Share, *, except_id: int | None) -> None:
    """One share per area, group and year (population) or day (workforce): a clear 409."""
    model = type(record)
    stamp_field = "year" if isinstance(record, PopulationShare) else "as_of"
    stamp = getattr(record, stamp_field)
    found = session.exec(
        select(model).where(
            col(model.area) == record.area,
            col(model.group) == record.group,
            col(getattr(model, stamp_field)) == stamp,
        )
    ).first()
    if found is not None and getattr(found, "id", None) != except_id:
        raise Conflict(f"{area_words(record.area)} already has a figure for {record.group} for {stamp}")


def list_shares(
    *, session: Session, model: type[S], limit: int, offset: int, area: str | None = None
) -> tuple[list[S], int]:
    query = select(model)
    if area is not None:
        query = query.where(col(model.area) == area)
    query = query.order_by(col(model.area), col(model.group), col(model.id))
    return records.page(session, query, limit=limit, offset=offset)


def get_share(*, session: Session, model: ShareModel, share_id: int) -> Share:
    noun = "population share" if model is PopulationShare else "workforce share"
    return records.get_or_404(session, model, share_id, noun)


def create_share(
    *, session: Session, actor: Actor, model: ShareModel, data: dict[str, Any], commit: bool = True
) -> Share:
    record: Share = model(**data)
    if isinstance(record, WorkforceShare):
        _refuse_workforce(data)
    _key_clash(session, record, except_id=None)
    return records.create(
        session=session,
        actor=actor,
        record=record,
        summary=f"{record.group} in {area_words(record.area)} added",
        commit=commit,
    )


def update_share(
    *,
    session: Session,
    actor: Actor,
    model: ShareModel,
    share_id: int,
    changes: dict[str, Any],
    expected: records.Expected = None,
    commit: bool = True,
) -> Share:
    def check(_record: Share, values: dict[str, Any]) -> None:
        if model is WorkforceShare:
            _refuse_workforce(values)
        _key_clash(session, model(**values), except_id=share_id)

    return records.change(
        session=session,
        actor=actor,
        model=model,
        record_id=share_id,
        noun="share",
        changes=changes,
        summary=lambda record: f"{record.group} in {area_words(record.area)} changed",
        check=check,
        expected=expected,
        commit=commit,
    )


def remove_share(*, session: Session, actor: Actor, model: ShareModel, share_id: int) -> None:
    record: Share = records.lock(session, model, share_id, "share")
    summary = f"{record.group} in {area_words(record.area)} removed"
    records.remove(session=session, actor=actor, record=record, summary=summary)


def _refuse_workforce(values: dict[str, Any]) -> None:
    refused = workforce_refusals(values)
    if refused:
        raise Invalid(f"the count ({values['count']}) is more than the total workforce ({values['total']})")


# --- the community beside the workforce ------------------------------------------------------


@dataclass(frozen=True)
class CommunityRow:
    """One group in one area. ``gap_points`` is the community's share minus the workforce's:
    above 0, the workforce falls short of the community by that many percentage points."""

    area: str
    group: str
    community_percent: float | None
    community_year: int | None
    community_source: str
    workforce_count: int | None
    workforce_total: int | None
    workforce_percent: float | None
    workforce_as_of: date | None
    workforce_source: str

    @property
    def area_label(self) -> str:
        return area_words(self.area)

    @property
    def gap_points(self) -> float | None:
        if self.community_percent is None or self.workforce_percent is None:
            return None
        return round(self.community_percent - self.workforce_percent, 1)


def _latest(rows: list[S], stamp: Callable[[S], Any]) -> dict[tuple[str, str], S]:
    found: dict[tuple[str, str], S] = {}
    for row in rows:
        key = (row.area, row.group)
        if key not in found or stamp(row) > stamp(found[key]):
            found[key] = row
    return found


def community_rows(session: Session) -> list[CommunityRow]:
    """Per area (the force area first, then towns A–Z) and group: the latest population
    share beside the latest workforce share, and the gap in points."""
    population = _latest(list(session.exec(select(PopulationShare)).all()), lambda r: r.year)
    workforce = _latest(list(session.exec(select(WorkforceShare)).all()), lambda r: r.as_of)
    rows = []
    for area, group in sorted(set(population) | set(workforce), key=lambda k: (k[0] != FORCE_AREA, k)):
        people, staff = population.get((area, group)), workforce.get((area, group))
        rows.append(
            CommunityRow(
                area=area,
                group=group,
                community_percent=people.share_percent if people else None,
                community_year=people.year if people else None,
                community_source=people.source if people else "",
                workforce_count=staff.count if staff else None,
                workforce_total=staff.total if staff else None,
                workforce_percent=round(100 * staff.count / staff.total, 1)
                if staff and staff.total
                else None,
                workforce_as_of=staff.as_of if staff else None,
                workforce_source=staff.source if staff else "",
            )
        )
    return rows


def by_area(rows: list[CommunityRow]) -> list[tuple[str, list[CommunityRow]]]:
    """The rows grouped by area, in their order."""
    areas: dict[str, list[CommunityRow]] = {}
    for row in rows:
        areas.setdefault(row.area, []).append(row)
    return list(areas.items())


def towns_by_gap(rows: list[CommunityRow]) -> list[CommunityRow]:
    """Towns (not the whole force area) where the workforce falls furthest short, first."""
    towns = [r for r in rows if r.area != FORCE_AREA and r.gap_points is not None and r.gap_points > 0]
    return sorted(towns, key=lambda r: (-(r.gap_points or 0), r.area, r.group))


def all_shares(session: Session, model: type[S]) -> list[S]:
    return list(session.exec(select(model).order_by(col(model.area), col(model.group))).all())


def model_of(kind: str) -> ShareModel:
    return PopulationShare if kind == "population" else WorkforceShare
