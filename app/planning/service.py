"""Local dates and weekly patterns: what administrators add to the planning calendar."""

from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, SQLModel, and_, col, or_, select

from app import records
from app.audit.service import Actor
from app.errors import Invalid
from app.planning.models import LocalDate, WeeklyPattern
from app.planning.schemas import LocalDateFields, LocalDateScope, WeeklyPatternFields
from app.venues.models import Venue

T = TypeVar("T", bound=SQLModel)

# The standard patterns: seeded by migration 0008, and added again by ``add_standard_patterns``.
STANDARD_PATTERNS: tuple[dict[str, Any], ...] = (
    {
        "name": "Friday prayers",
        "venue_kind": "mosque",
        "weekday": 4,
        "starts": "13:00",
        "end_weekday": 4,
        "ends": "14:00",
        "note": "Jumu'ah: the mosque's busiest hour; the time moves with the seasons, so ask the mosque.",
    },
    {
        "name": "Sabbath",
        "venue_kind": "synagogue",
        "weekday": 4,
        "starts": None,
        "end_weekday": 5,
        "ends": None,
        "note": "Shabbat, from sunset on Friday to nightfall on Saturday.",
    },
    {
        "name": "Sunday services",
        "venue_kind": "church",
        "weekday": 6,
        "starts": "10:00",
        "end_weekday": 6,
        "ends": "12:00",
        "note": "Morning services; many churches hold more in the evening.",
    },
)


def _whole(schema: type[BaseModel], record: SQLModel, changes: dict[str, Any]) -> dict[str, Any]:
    """The record with the changes, checked as a whole (rules across fields), as stored."""
    merged = {name: getattr(record, name) for name in schema.model_fields} | changes
    if merged.get("venue_kind") == "":  # stored as empty text, said as none
        merged["venue_kind"] = None
    try:
        checked = schema.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise Invalid(f"{field}: {first['msg']}") from None
    return _stored(checked.model_dump())


def _stored(data: dict[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None and k == "venue_kind" else v) for k, v in data.items()}


# ---- local dates ---------------------------------------------------------------------------


def _local_date_fields(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """Only the scope's own field is kept (a town for a town, and so on); the venue must exist."""
    scope = LocalDateScope(data["scope"])
    data["town"] = data.get("town", "") if scope == LocalDateScope.town else ""
    data["venue_id"] = data.get("venue_id") if scope == LocalDateScope.venue else None
    data["venue_kind"] = data.get("venue_kind") or "" if scope == LocalDateScope.venue_kind else ""
    if data["venue_id"] is not None:
        records.get_or_404(session, Venue, data["venue_id"], "venue")
    return data


def list_local_dates(
    *, session: Session, start: date | None = None, end: date | None = None
) -> list[LocalDate]:
    """Local dates overlapping start..end (either open), soonest first."""
    query = select(LocalDate).order_by(col(LocalDate.starts_on), col(LocalDate.name), col(LocalDate.id))
    if start is not None:
        query = query.where(LocalDate.ends_on >= start)
    if end is not None:
        query = query.where(LocalDate.starts_on <= end)
    return list(session.exec(query).all())


def get_local_date(*, session: Session, local_date_id: int) -> LocalDate:
    return records.get_or_404(session, LocalDate, local_date_id, "local date")


def create_local_date(*, session: Session, actor: Actor, data: dict[str, Any]) -> LocalDate:
    data = _local_date_fields(session, _stored(dict(data)))
    return records.create(
        session=session, actor=actor, record=LocalDate(**data), summary=f"local date {data['name']} added"
    )


def update_local_date(
    *,
    session: Session,
    actor: Actor,
    local_date_id: int,
    changes: dict[str, Any],
    expected: records.Expected = None,
) -> LocalDate:
    row = get_local_date(session=session, local_date_id=local_date_id)
    data = _local_date_fields(session, _whole(LocalDateFields, row, changes))
    return _changed(session, actor, row, data, "local date", expected)


def remove_local_date(*, session: Session, actor: Actor, local_date_id: int) -> None:
    _remove(session, actor, get_local_date(session=session, local_date_id=local_date_id), "local date")


# ---- weekly patterns -----------------------------------------------------------------------


def list_patterns(
    *, session: Session, venue_kind: str | None = None, active_only: bool = False
) -> list[WeeklyPattern]:
    query = select(WeeklyPattern).order_by(
        col(WeeklyPattern.venue_kind), col(WeeklyPattern.weekday), col(WeeklyPattern.name)
    )
    if venue_kind is not None:
        query = query.where(WeeklyPattern.venue_kind == venue_kind)
    if active_only:
        query = query.where(col(WeeklyPattern.active).is_(True))
    return list(session.exec(query).all())


def get_pattern(*, session: Session, pattern_id: int) -> WeeklyPattern:
    return records.get_or_404(session, WeeklyPattern, pattern_id, "weekly pattern")


def create_pattern(*, session: Session, actor: Actor, data: dict[str, Any]) -> WeeklyPattern:
    return records.create(
        session=session,
        actor=actor,
        record=WeeklyPattern(**_stored(dict(data))),
        summary=f"weekly pattern {data['name']} added",
    )


def update_pattern(
    *,
    session: Session,
    actor: Actor,
    pattern_id: int,
    changes: dict[str, Any],
    expected: records.Expected = None,
) -> WeeklyPattern:
    row = get_pattern(session=session, pattern_id=pattern_id)
    return _changed(
        session, actor, row, _whole(WeeklyPatternFields, row, changes), "weekly pattern", expected
    )


def remove_pattern(*, session: Session, actor: Actor, pattern_id: int) -> None:
    _remove(session, actor, get_pattern(session=session, pattern_id=pattern_id), "weekly pattern")


def add_standard_patterns(*, session: Session, actor: Actor) -> list[WeeklyPattern]:
    """The standard patterns that are missing (by name and kind of venue), added; for a
    database made without the migration's seed (tests, a demo reset)."""
    have = {(p.name, p.venue_kind) for p in list_patterns(session=session)}
    added = [
        create_pattern(session=session, actor=actor, data=dict(row))
        for row in STANDARD_PATTERNS
        if (row["name"], row["venue_kind"]) not in have
    ]
    return added


def _changed(
    session: Session, actor: Actor, row: T, data: dict[str, Any], noun: str, expected: records.Expected
) -> T:
    """The row, changed to ``data`` (checked as a whole) and audited under its new name."""
    summary = f"{noun} {data['name']} changed"
    return records.update(
        session=session, actor=actor, record=row, changes=data, summary=summary, expected=expected
    )


def _remove(session: Session, actor: Actor, row: LocalDate | WeeklyPattern, noun: str) -> None:
    records.remove(session=session, actor=actor, record=row, summary=f"{noun} {row.name} removed")


# ---- for the calendar and the warnings -------------------------------------------------------


def local_dates_for(
    *, session: Session, start: date, end: date, venues: list[Venue] | None = None
) -> list[LocalDate]:
    """Local dates overlapping start..end that matter at any of the venues (all, when None),
    in one query."""
    query = select(LocalDate).where(LocalDate.ends_on >= start, LocalDate.starts_on <= end)
    if venues is not None:
        kinds = {str(v.kind) for v in venues}
        ids = {v.id for v in venues if v.id is not None}
        query = query.where(
            or_(
                LocalDate.scope == LocalDateScope.everywhere,
                LocalDate.scope == LocalDateScope.town,  # the town is compared below, case aside
                and_(col(LocalDate.scope) == LocalDateScope.venue, col(LocalDate.venue_id).in_(ids)),
                and_(col(LocalDate.scope) == LocalDateScope.venue_kind, col(LocalDate.venue_kind).in_(kinds)),
            )
        )
    rows = session.exec(query.order_by(col(LocalDate.starts_on), col(LocalDate.id))).all()
    return [r for r in rows if venues is None or any(applies(r, v) for v in venues)]


def applies(row: LocalDate, venue: Venue) -> bool:
    """Whether the local date matters at the venue (its scope covers it)."""
    scope = row.scope
    if scope == LocalDateScope.everywhere:
        return True
    if scope == LocalDateScope.town:
        return row.town.strip().lower() == venue.town.strip().lower() != ""
    if scope == LocalDateScope.venue:
        return row.venue_id == venue.id
    return row.venue_kind == str(venue.kind)
