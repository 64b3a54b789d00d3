"""Who holds a secret feed link, and whether its feed changed: one query, one round trip.

A polling calendar client asks this all day; most answers are a 304 from the cache, so
this query is most of the work. It is compiled once per dialect and run on a DB-API
connection directly (the ORM and Core result machinery cost several times the query).
"""

import functools
import hmac
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session

from app.accounts.models import User
from app.accounts.security import token_digest
from app.enums import FeedKind, Role
from app.errors import NotFound
from app.feeds import changes, content
from app.feeds.links import MAX_TOKEN_LENGTH, TOKEN_PREFIX, derive_token
from app.feeds.models import FeedToken


@dataclass(frozen=True)
class Holder:
    person_id: int | None
    campaign_id: int | None
    versions: changes.Versions


_TOKENS = FeedToken.__table__  # type: ignore[attr-defined]
_USERS = User.__table__  # type: ignore[attr-defined]
_ALL_COUNTER = changes.COUNTERS.alias("all_counter")
_OWN_COUNTER = changes.COUNTERS.alias("own_counter")
_OWN_SCOPE = sa.case(
    (
        _TOKENS.c.kind == FeedKind.person.value,
        sa.literal("person:") + sa.cast(_TOKENS.c.person_id, sa.String),
    ),
    else_=sa.literal("campaign:") + sa.cast(_TOKENS.c.campaign_id, sa.String),
)
# The whole question a polling client asks, in one round trip: is the link alive, whose is
# it, and has anything in its feed changed ('all' and the feed's own counter). Built once:
# building a statement costs more than running it.
_HOLDER = (
    sa.select(
        _TOKENS.c.kind,
        _TOKENS.c.nonce,
        _TOKENS.c.person_id,
        _TOKENS.c.campaign_id,
        _TOKENS.c.revoked_at,
        _USERS.c.active,
        _USERS.c.role,
        _USERS.c.person_id,
        _ALL_COUNTER.c.version,
        _ALL_COUNTER.c.changed_at,
        _OWN_COUNTER.c.version,
        _OWN_COUNTER.c.changed_at,
    )
    .select_from(
        _TOKENS.join(_USERS, _USERS.c.id == _TOKENS.c.user_id)
        .outerjoin(_ALL_COUNTER, _ALL_COUNTER.c.scope == changes.ALL)
        .outerjoin(_OWN_COUNTER, _OWN_COUNTER.c.scope == _OWN_SCOPE)
    )
    .where(_TOKENS.c.token_hash == sa.bindparam("digest"))
)


@dataclass(frozen=True)
class _DriverQuery:
    """``_HOLDER`` as the database driver takes it, compiled for one dialect."""

    sql: str
    positional: tuple[str, ...] | None  # bind names in order, or None for named parameters
    params: dict[str, Any]
    read_changed_at: Callable[[Any], Any] | None

    def parameters(self, digest: str) -> Any:
        params = {**self.params, "digest": digest}
        return params if self.positional is None else [params[name] for name in self.positional]


@functools.lru_cache(maxsize=8)
def _driver_query(dialect: sa.Dialect) -> _DriverQuery:
    compiled = _HOLDER.compile(dialect=dialect)
    changed_at = changes.COUNTERS.c.changed_at.type.dialect_impl(dialect)
    return _DriverQuery(
        sql=compiled.string,
        positional=tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None,
        params=dict(compiled.construct_params({"digest": ""})),
        read_changed_at=changed_at.result_processor(dialect, None),
    )


def _holder_row(session: Session, digest: str) -> Sequence[Any] | None:
    """The ``_HOLDER`` row of a token digest.

    Read on a connection fresh from the pool (which rolled it back when it was returned),
    so it sees every change committed before this request, by any worker; or, when the
    caller's transaction may hold changes not yet committed, inside that transaction.
    """
    if session.in_transaction():
        connection = session.connection()
        return _run_holder_query(connection.connection, connection.dialect, digest)
    bind = session.get_bind()
    assert isinstance(bind, sa.Engine)
    raw = bind.raw_connection()
    try:
        return _run_holder_query(raw, bind.dialect, digest)
    finally:
        raw.close()  # back to the pool


def _run_holder_query(connection: Any, dialect: sa.Dialect, digest: str) -> Sequence[Any] | None:
    query = _driver_query(dialect)
    cursor = connection.cursor()
    try:
        cursor.execute(query.sql, query.parameters(digest))
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is None or query.read_changed_at is None:
        return row
    read = query.read_changed_at
    *head, all_version, all_changed, own_version, own_changed = row
    return (*head, all_version, read(all_changed), own_version, read(own_changed))


class _LoopReader:
    """SQLite connections that the event loop's thread may read on without ever waiting.

    Handing the lookup to a worker thread and back costs several times the lookup itself
    on SQLite, where it is a local read of a few microseconds. It must not wait on the
    loop, though: not for the pool (a full pool empties only as the loop runs), nor for a
    lock. So each thread gets its own connection, outside the pool, in autocommit (every
    read sees the latest commit, and holds no snapshot between requests), with no busy
    timeout: if SQLite is busy, the caller goes to a thread as before. Other databases
    are a network round trip away, so they always go to a thread.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def row(self, engine: sa.Engine, digest: str) -> Sequence[Any] | Literal[False] | None:
        """The ``_HOLDER`` row (None if no such link), or False: ask a thread."""
        if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
            return False
        connections: dict[sa.Engine, Any] | None = getattr(self._local, "connections", None)
        if connections is None:
            connections = self._local.connections = {}
        try:
            connection = connections.get(engine)
            if connection is None:
                cargs, cparams = engine.dialect.create_connect_args(engine.url)
                options = {"timeout": 0, "isolation_level": None, "check_same_thread": True}
                connection = engine.dialect.loaded_dbapi.connect(*cargs, **{**cparams, **options})
                connections[engine] = connection
            return _run_holder_query(connection, engine.dialect, digest)
        except engine.dialect.loaded_dbapi.OperationalError:  # busy or locked: don't wait here
            return False


LOOP_READER = _LoopReader()


def check_token(token: str) -> str:
    """The digest a link is looked up by; 404 for what cannot be a link at all."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        raise NotFound(content.NO_FEED)
    return token_digest(token)


def holder_of(session: Session, token: str, kind: FeedKind) -> Holder:
    """Who a secret link belongs to and its feed's counters, or 404 that says nothing about why."""
    return holder_from(_holder_row(session, check_token(token)), token, kind)


def holder_from(row: Sequence[Any] | None, token: str, kind: FeedKind) -> Holder:
    if row is None:
        raise NotFound(content.NO_FEED)
    (row_kind, nonce, person_id, campaign_id, revoked_at, active, role, user_person_id, *counters) = row
    valid = (
        row_kind == kind
        and revoked_at is None
        and active
        and hmac.compare_digest(derive_token(nonce), token)
        and (
            (kind == FeedKind.person and person_id is not None and person_id == user_person_id)
            or (
                kind == FeedKind.campaign
                and campaign_id is not None
                and role in (Role.admin, Role.coordinator)
            )
        )
    )
    if not valid:
        raise NotFound(content.NO_FEED)
    all_version, all_changed, own_version, own_changed = counters
    versions = ((all_version or 0, all_changed), (own_version or 0, own_changed))
    return Holder(person_id=person_id, campaign_id=campaign_id, versions=versions)
