"""Which calendar feeds a database change affects, counted in the same transaction.

Rendered feeds are cached per worker. A worker cannot hear about a change made by another
worker, so instead every feed request reads the feed's change counters (one indexed
query) and serves the cached body only if they have not moved. The counters are bumped
here, by SQLAlchemy session hooks, for every ORM write to a table a feed shows; the bump
commits atomically with the change, so no worker can see the new data with old counters.

Precise where changes are frequent (an assignment or an event bumps only the feeds of that
event: its team's personal feeds, its venue, its campaign, the event itself), broad where
they are rare (renaming a person, a venue or a coordinator bumps 'all').

Writes that bypass the ORM session (``connection.execute(update(...))``) are not seen;
ORM bulk statements through ``session.execute`` bump 'all'.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlmodel import col

from app.clock import utcnow
from app.feeds.models import FeedChange

ALL = "all"
# Beyond this many scopes in one transaction (a bulk import), bumping 'all' is cheaper.
MAX_SCOPES = 200

_INFO_KEY = "muster.feed_changes"
# Tables whose rows appear in feeds only through their events, and those that show
# everywhere (a person's name is in every team list of every event they are on).
_EVENT_SCOPED = {"event", "assignment", "event_network_need"}
_BROAD = {"venue", "person", "campaign", "representation", "network"}
_USER_COLUMNS_SHOWN = ("full_name", "email", "active", "person_id", "role")
# A new row of these is in no feed until something refers to it, except its own (empty)
# feed, bumped so that a reused id can never meet a body cached for the old row.
_OWN_SCOPE_WHEN_NEW = {"venue": "venue", "person": "person", "campaign": "campaign"}
_INERT_WHEN_NEW = {"network", "user_account"}


@dataclass
class _Pending:
    everything: bool = False
    event_ids: set[int] = field(default_factory=set)
    scopes: set[str] = field(default_factory=set)


def scope_of(kind: str, record_id: int) -> str:
    return f"{kind}:{record_id}"


def _pending(session: Session) -> _Pending:
    pending: _Pending = session.info.setdefault(_INFO_KEY, _Pending())
    return pending


def ids_now_and_before(record: Any, name: str) -> set[int]:
    """The ids in a row's attribute now and before this flush (an event moved to another
    venue must leave the old venue's feed too, and its old partners hear it is off)."""
    history = sa.inspect(record).attrs[name].history
    values = {record.__dict__.get(name), *history.deleted, *history.added}
    return {v for v in values if isinstance(v, int)}


def _note(pending: _Pending, record: Any, change: str) -> None:
    """Record what one flushed row means for the feeds; ``change`` is new, dirty or deleted."""
    table = getattr(record, "__tablename__", None)
    if table is None or table == "feed_change":
        return
    if table in _EVENT_SCOPED:
        if table == "event":
            pending.event_ids.update(ids_now_and_before(record, "id"))
            pending.scopes.update(scope_of("venue", v) for v in ids_now_and_before(record, "venue_id"))
            pending.scopes.update(scope_of("campaign", c) for c in ids_now_and_before(record, "campaign_id"))
        else:
            pending.event_ids.update(ids_now_and_before(record, "event_id"))
        if table == "assignment":
            pending.scopes.update(scope_of("person", p) for p in ids_now_and_before(record, "person_id"))
        return
    if change == "new" and table in _OWN_SCOPE_WHEN_NEW:
        pending.scopes.update(
            scope_of(_OWN_SCOPE_WHEN_NEW[table], i) for i in ids_now_and_before(record, "id")
        )
        return
    if change == "new" and table in _INERT_WHEN_NEW:
        return
    if table == "user_account":
        attrs = sa.inspect(record).attrs
        if change == "dirty" and not any(attrs[c].history.has_changes() for c in _USER_COLUMNS_SHOWN):
            return
        pending.everything = True
        return
    if table in _BROAD:
        pending.everything = True


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    pending = _pending(session)
    for record in session.new:
        _note(pending, record, "new")
    for record in session.dirty:
        if session.is_modified(record, include_collections=False):
            _note(pending, record, "dirty")
    for record in session.deleted:
        _note(pending, record, "deleted")


def _on_bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table in _EVENT_SCOPED or table in _BROAD or table == "user_account":
        _pending(state.session).everything = True


def sorted_chunks(values: Iterable[int], size: int = 500) -> Iterable[list[int]]:
    """Ids in order, a few hundred at a time: one ``IN (…)`` each, within every database's limit."""
    ordered = sorted(values)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _resolve(session: Session, pending: _Pending) -> set[str]:
    """Turn 'these events changed' into the scopes of every feed that shows them."""
    from app.assignments.models import Assignment
    from app.events.models import Event

    if pending.everything:
        return {ALL}
    scopes = set(pending.scopes)
    for ids in sorted_chunks(pending.event_ids):
        scopes.update(scope_of("event", i) for i in ids)
        for venue_id, campaign_id in session.execute(
            sa.select(col(Event.venue_id), col(Event.campaign_id)).where(col(Event.id).in_(ids))
        ).all():
            scopes.add(scope_of("venue", venue_id))
            scopes.add(scope_of("campaign", campaign_id))
        for (person_id,) in session.execute(
            sa.select(col(Assignment.person_id)).where(col(Assignment.event_id).in_(ids)).distinct()
        ).all():
            scopes.add(scope_of("person", person_id))
        if len(scopes) > MAX_SCOPES:
            return {ALL}
    return scopes


def bump(session: Session, scopes: Iterable[str]) -> None:
    """Increment the counters (creating them at 1), in scope order so that two
    transactions bumping the same scopes on PostgreSQL cannot deadlock."""
    ordered = sorted(set(scopes))
    if not ordered:
        return
    now = utcnow()
    table = FeedChange.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        rows = [{"scope": s, "version": 1, "changed_at": now} for s in ordered]
        statement: Any = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.scope],
            set_={"version": table.c.version + 1, "changed_at": statement.excluded.changed_at},
        )
        session.execute(statement)
        return
    for scope in ordered:  # any other database: correct, one statement more
        result: Any = session.execute(
            sa.update(table).where(table.c.scope == scope).values(version=table.c.version + 1, changed_at=now)
        )
        if not result.rowcount:
            session.execute(sa.insert(table).values(scope=scope, version=1, changed_at=now))


def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # so that _after_flush sees what this commit writes
    pending = session.info.pop(_INFO_KEY, None)
    if pending is None or not (pending.everything or pending.event_ids or pending.scopes):
        return
    bump(session, _resolve(session, pending))


def _forget(session: Session, *_args: object) -> None:
    session.info.pop(_INFO_KEY, None)


COUNTERS: sa.Table = FeedChange.__table__  # type: ignore[attr-defined]
# Built once: every feed request runs it, and building a statement costs more than running it.
_READ_VERSIONS = sa.select(COUNTERS.c.scope, COUNTERS.c.version, COUNTERS.c.changed_at).where(
    COUNTERS.c.scope.in_(sa.bindparam("scopes", expanding=True))
)

Versions = tuple[tuple[int, datetime | None], ...]


def read_versions(session: Session, scopes: tuple[str, ...]) -> Versions:
    """The counters of these scopes, in the order asked (0 and None: never changed)."""
    rows = session.connection().execute(_READ_VERSIONS, {"scopes": list(scopes)}).all()
    found = {scope: (version, changed_at) for scope, version, changed_at in rows}
    return tuple(found.get(scope, (0, None)) for scope in scopes)


def install() -> None:
    """Register the hooks on every Session (idempotent); see ``app.tracking``."""
    hooks: list[tuple[str, Any]] = [
        ("after_flush", _after_flush),
        ("before_commit", _before_commit),
        ("after_rollback", _forget),
        ("do_orm_execute", _on_bulk),
    ]
    for name, hook in hooks:
        if not sa_event.contains(Session, name, hook):
            sa_event.listen(Session, name, hook)
