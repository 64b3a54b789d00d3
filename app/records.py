"""What every simple record shares: fetch-or-404, audited create/update, pagination."""

from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select
from sqlmodel.sql.expression import SelectOfScalar

from app.audit import service as audit
from app.audit.service import Actor
from app.clock import utcnow
from app.errors import NotFound

T = TypeVar("T", bound=SQLModel)


def get_or_404(session: Session, model: type[T], record_id: int, noun: str) -> T:
    found = session.get(model, record_id)
    if found is None:
        raise NotFound(f"{noun} {record_id} does not exist")
    return found


def record_type_of(record: SQLModel) -> str:
    return str(getattr(record, "__tablename__", type(record).__name__.lower()))


def create(*, session: Session, actor: Actor, record: T, summary: str, commit: bool = True) -> T:
    session.add(record)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        record_type=record_type_of(record),
        record_id=int(getattr(record, "id", 0) or 0),
        summary=summary,
        after=audit.snapshot(record),
    )
    if commit:
        session.commit()
    return record


def update(
    *,
    session: Session,
    actor: Actor,
    record: T,
    changes: dict[str, Any],
    summary: str,
    action: str = "update",
    commit: bool = True,
) -> T:
    before = audit.snapshot(record)
    for key, value in changes.items():
        setattr(record, key, value)
    if hasattr(record, "updated_at"):
        record.updated_at = utcnow()
    session.add(record)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action=action,
        record_type=record_type_of(record),
        record_id=int(getattr(record, "id", 0) or 0),
        summary=summary,
        before=before,
        after=audit.snapshot(record),
    )
    if commit:
        session.commit()
    return record


def page(session: Session, query: SelectOfScalar[T], *, limit: int, offset: int) -> tuple[list[T], int]:
    """One page of a query, and how many rows the whole query has."""
    total = session.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    rows = session.exec(query.offset(offset).limit(limit)).all()
    return list(rows), int(total)


def find_clash(
    session: Session, model: type[T], column: Any, value: object, *, except_id: int | None
) -> T | None:
    """Another row with the same value in a unique column, for a clear 409 before the database's."""
    clash = session.exec(select(model).where(column == value)).first()
    if clash is not None and getattr(clash, "id", None) != except_id:
        return clash
    return None
