"""What every simple record shares: fetch-or-404, audited create/update, pagination, and
revisions (a row lock for every write, ``If-Match`` preconditions, "what changed since")."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
from fastapi import Header
from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.audit import service as audit
from app.audit.models import AuditEntry
from app.audit.service import Actor
from app.clock import to_london, utcnow
from app.db import begin_write
from app.errors import AppError, NotFound

T = TypeVar("T", bound=SQLModel)

Expected = frozenset[int] | None
"""The revisions an ``If-Match`` accepts; None: no precondition (last writer wins)."""


def get_or_404(session: Session, model: type[T], record_id: int, noun: str) -> T:
    found = session.get(model, record_id)
    if found is None:
        raise NotFound(f"{noun} {record_id} does not exist")
    return found


def create(*, session: Session, actor: Actor, record: T, summary: str, commit: bool = True) -> T:
    session.add(record)
    session.flush()
    audit.note(session, actor, "create", record, summary, after=audit.snapshot(record))
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
    expected: Expected = None,
) -> T:
    """Change a record and audit it. A record with a ``revision`` is locked first (see
    :func:`lock`), checked against ``expected`` (412 when it moved on), and its revision
    rises by one when anything actually changed."""
    if has_revision(record):
        lock(session, type(record), int(getattr(record, "id", 0) or 0), audit.record_type_of(record))
        check_revision(session, record, expected)
    before = audit.snapshot(record)
    for key, value in changes.items():
        setattr(record, key, value)
    if has_revision(record) and audit.snapshot(record) != before:
        bump(record)
    elif hasattr(record, "updated_at"):
        record.updated_at = utcnow()
    session.add(record)
    session.flush()
    audit.note(session, actor, action, record, summary, before=before, after=audit.snapshot(record))
    if commit:
        session.commit()
    return record


def page(session: Session, query: SelectOfScalar[T], *, limit: int, offset: int) -> tuple[list[T], int]:
    """One page of a query, and how many rows the whole query has."""
    total = session.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    rows = session.exec(query.offset(offset).limit(limit)).all()
    return list(rows), int(total)


def chunks(values: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    """The values in slices of at most ``size``, each small enough for one IN (...) query."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def where_in(session: Session, model: type[T], column: Any, values: Iterable[Any]) -> list[T]:
    """The rows whose ``column`` holds one of ``values``, however many: one query a chunk."""
    found: list[T] = []
    for chunk in chunks(sorted(set(values))):
        found.extend(session.exec(select(model).where(col(column).in_(chunk))).all())
    return found


def find_clash(
    session: Session, model: type[T], column: Any, value: object, *, except_id: int | None
) -> T | None:
    """Another row with the same value in a unique column, for a clear 409 before the database's."""
    clash = session.exec(select(model).where(column == value)).first()
    if clash is not None and getattr(clash, "id", None) != except_id:
        return clash
    return None


# --- revisions ---------------------------------------------------------------------------
#
# Events, venues, people and campaigns carry a ``revision`` that rises by one with every
# accepted change. Every write locks the row first — ``SELECT … FOR NO KEY UPDATE`` on
# PostgreSQL (it does not block the foreign-key checks of bookings), the database write lock
# (``BEGIN IMMEDIATE``) on SQLite — and reads it afresh, so concurrent edits are applied one
# after the other and never share a revision. An API client that sends ``If-Match`` with the
# revision it read is refused with 412 if someone changed the record since.

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The ETag (W/"<revision>") of the copy being changed: if the record has '
        "changed since, the change is refused with 412 naming what changed. Leave it out to "
        "change the record whatever its revision.",
    ),
]


class PreconditionFailed(AppError, status=412, title="Precondition failed", slug="precondition-failed"):
    def __init__(self, detail: str, *, revision: int, changes: "list[FieldChange]") -> None:
        super().__init__(detail, extra={"revision": revision, "changes": [c.as_dict() for c in changes]})
        self.revision = revision
        self.changes = changes


def etag(revision: int) -> str:
    """The weak entity tag of a revision: the JSON differs by role, the record does not."""
    return f'W/"{revision}"'


def expected_revisions(if_match: str | None) -> Expected:
    """The revisions an ``If-Match`` header accepts: ``W/"3"``, ``"3"`` or ``3``, several
    separated by commas; ``*`` (or no header) accepts any. A tag that is not a revision
    matches none."""
    if if_match is None or not if_match.strip() or if_match.strip() == "*":
        return None
    found: set[int] = set()
    for tag in if_match.split(","):
        text = tag.strip().removeprefix("W/").strip().strip('"').strip()
        if text.isascii() and text.isdigit() and len(text) <= 9:
            found.add(int(text))
    return frozenset(found)


def has_revision(record: SQLModel) -> bool:
    return "revision" in type(record).model_fields


def lock(session: Session, model: type[T], record_id: int, noun: str) -> T:
    """The record, read afresh and held against other writers until this transaction ends.

    PostgreSQL: ``SELECT … FOR NO KEY UPDATE`` (a second writer waits here; bookings that
    only refer to the row do not). SQLite: the database write lock (``BEGIN IMMEDIATE``),
    or, already writing, the lock this transaction holds.
    """
    table = model.__table__  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "sqlite":
        if not begin_write(session) and "revision" in table.c:
            # Already in a transaction: a write makes sure it holds the write lock.
            session.connection().execute(
                sa.update(table).where(table.c.id == record_id).values(revision=table.c.revision)
            )
        found = session.get(model, record_id, populate_existing=True)
    else:
        found = session.get(model, record_id, populate_existing=True, with_for_update={"key_share": True})
    if found is None:
        raise NotFound(f"{noun} {record_id} does not exist")
    return found


def bump(record: SQLModel) -> None:
    """One more revision for a record this transaction has locked."""
    record.revision = int(getattr(record, "revision", 0) or 0) + 1
    if hasattr(record, "updated_at"):
        record.updated_at = utcnow()


def check_revision(session: Session, record: SQLModel, expected: Expected) -> None:
    """412 if the (locked) record is no longer at a revision the caller expected, naming
    the fields changed since, their old and new values, who changed them and when."""
    current = int(getattr(record, "revision", 0) or 0)
    if expected is None or current in expected:
        return
    noun = audit.record_type_of(record)
    record_id = int(getattr(record, "id", 0) or 0)
    base = min(expected) if expected else None
    changes = changes_since(session, noun, record_id, base) if base is not None and base < current else []
    sent = ", ".join(str(r) for r in sorted(expected))
    detail = f"{noun} {record_id} is at revision {current}" + (
        f", not {sent}" if sent else "; If-Match names no revision"
    )
    if changes:
        detail += " — since then: " + "; ".join(c.sentence() for c in changes)
    detail += f". Fetch it again and send If-Match: {etag(current)} with your change."
    raise PreconditionFailed(detail, revision=current, changes=changes)


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any
    by: str
    at: datetime

    def sentence(self) -> str:
        return (
            f"{self.field} changed from {_shown(self.field, self.old)} to {_shown(self.field, self.new)}"
            f" by {self.by} at {to_london(self.at):%-d %b %Y %H:%M}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "from": self.old,
            "to": self.new,
            "by": self.by,
            "at": self.at.isoformat(),
        }


def _shown(field: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(none)" if value is None else "(empty)"
    if isinstance(value, str) and field.endswith("_at"):
        try:
            return f"{to_london(datetime.fromisoformat(value)):%a %-d %b %Y %H:%M}"
        except ValueError:
            pass
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "…"


_NOT_CHANGES = frozenset({"revision", "updated_at"})


def changes_since(session: Session, record_type: str, record_id: int, revision: int) -> list[FieldChange]:
    """From the audit trail: each field changed after ``revision``, from its value then to
    its value now, with the last person to change it. Only the newest 200 entries are read."""
    rows = session.exec(
        select(AuditEntry)
        .where(AuditEntry.record_type == record_type, AuditEntry.record_id == record_id)
        .order_by(col(AuditEntry.id).desc())
        .limit(200)
    ).all()
    found: dict[str, FieldChange] = {}
    for entry in reversed(rows):
        after = entry.after or {}
        made = after.get("revision")
        if not isinstance(made, int) or made <= revision:
            continue
        before = entry.before or {}
        for name, value in after.items():
            if name in _NOT_CHANGES:
                continue
            if name in found:
                found[name].new, found[name].by, found[name].at = value, entry.actor_label, entry.at
            else:
                found[name] = FieldChange(name, before.get(name), value, entry.actor_label, entry.at)
    return [c for c in found.values() if c.old != c.new]


def remove(
    *,
    session: Session,
    actor: Actor,
    record: SQLModel,
    summary: str,
    action: str = "delete",
    commit: bool = True,
) -> None:
    """Delete a record and audit it: its last state stays in the trail (``before``)."""
    audit.note(session, actor, action, record, summary, before=audit.snapshot(record))
    session.delete(record)
    if commit:
        session.commit()


def change(
    *,
    session: Session,
    actor: Actor,
    model: type[T],
    record_id: int,
    noun: str,
    changes: dict[str, Any],
    summary: Callable[[T], str],
    check: Callable[[T, dict[str, Any]], None] | None = None,
    expected: Expected = None,
    commit: bool = True,
) -> T:
    """Change a record by its id: locked, checked against ``expected`` (412), then ``check``
    run on the record as it would be (its fields, ``changes`` over them) before the change is
    applied and audited; ``summary`` words the record as it was."""
    record = lock(session, model, record_id, noun)
    check_revision(session, record, expected)
    if check is not None:
        check(record, {**record.model_dump(), **changes})
    return update(
        session=session,
        actor=actor,
        record=record,
        changes=changes,
        summary=summary(record),
        expected=expected,
        commit=commit,
    )
