"""Calendar feeds: secret links, and serving each feed from the cache.

Personal and campaign feeds are reached by secret links (made, shown, reset and revoked
here); venue feeds and single events are public. What each feed says is in ``content``.
"""

import base64
import functools
import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.accounts.principal import Principal
from app.accounts.security import token_digest
from app.audit import service as audit
from app.campaigns.models import Campaign
from app.clock import utcnow
from app.config import get_settings
from app.enums import EventStatus, FeedKind, Role
from app.errors import Conflict, NotFound
from app.events.models import Event
from app.feeds import changes, content
from app.feeds.cache import FeedCache, RenderedFeed, content_etag
from app.feeds.content import venue_feed_url as venue_feed_url  # for pages: the public link
from app.feeds.ical import CalendarMeta, build_calendar
from app.feeds.models import FeedToken
from app.venues.models import Venue

TOKEN_PREFIX = "cal_"
MAX_TOKEN_LENGTH = 100
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)

CACHE = FeedCache()


# --- links ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedLink:
    """A secret feed URL in the two forms clients want: https, and webcal:// (one click)."""

    kind: FeedKind
    url: str
    webcal_url: str
    created_at: datetime
    campaign_id: int | None = None


def _webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[-1]


def _derive_token(nonce: str) -> str:
    """HMAC of the link's nonce under the server secret: 256 bits nobody can compute from
    the database, and rotating MUSTER_SECRET_KEY ends every link at once."""
    key = get_settings().secret_key.encode()
    mac = hmac.new(key, b"muster-calendar-link:" + nonce.encode(), hashlib.sha256).digest()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def _path_of(kind: FeedKind, token: str) -> str:
    return f"/feeds/{'people' if kind == FeedKind.person else 'campaigns'}/{token}.ics"


def _link_of(row: FeedToken) -> FeedLink | None:
    token = _derive_token(row.nonce)
    if not row.nonce or token_digest(token) != row.token_hash:
        return None  # made under another secret: dead, like the URL it had
    url = content.base_url() + _path_of(FeedKind(row.kind), token)
    return FeedLink(
        kind=FeedKind(row.kind),
        url=url,
        webcal_url=_webcal(url),
        created_at=row.created_at,
        campaign_id=row.campaign_id,
    )


def event_ics_url(event_id: int) -> str:
    """The public "add to calendar" download of one event."""
    return f"{content.base_url()}/events/{event_id}.ics"


def webcal_url(url: str) -> str:
    """The webcal:// form of a feed URL, which calendar apps open as a subscription."""
    return _webcal(url)


def _active_rows(
    session: Session, *, user_id: int, kind: FeedKind, campaign_id: int | None = None
) -> list[FeedToken]:
    query = select(FeedToken).where(
        FeedToken.user_id == user_id, FeedToken.kind == kind, col(FeedToken.revoked_at).is_(None)
    )
    if campaign_id is not None:
        query = query.where(FeedToken.campaign_id == campaign_id)
    return list(session.exec(query.order_by(col(FeedToken.id).desc())).all())


def _current(
    session: Session, *, user_id: int, kind: FeedKind, campaign_id: int | None = None
) -> FeedLink | None:
    for row in _active_rows(session, user_id=user_id, kind=kind, campaign_id=campaign_id):
        link = _link_of(row)
        if link is not None:
            return link
    return None


def _revoke(session: Session, principal: Principal, *, kind: FeedKind, campaign_id: int | None = None) -> int:
    rows = _active_rows(session, user_id=principal.user_id, kind=kind, campaign_id=campaign_id)
    now = utcnow()
    for row in rows:
        row.revoked_at = now
        session.add(row)
        assert row.id is not None
        audit.record(
            session=session,
            actor=principal.actor,
            action="revoke",
            record_type="feed_token",
            record_id=row.id,
            summary=f"{kind.value} calendar link revoked"
            + (f" (campaign {campaign_id})" if campaign_id else ""),
        )
    return len(rows)


def _issue(
    session: Session,
    principal: Principal,
    *,
    kind: FeedKind,
    person_id: int | None = None,
    campaign_id: int | None = None,
) -> FeedLink:
    nonce = secrets.token_hex(16)
    row = FeedToken(
        kind=kind,
        user_id=principal.user_id,
        person_id=person_id,
        campaign_id=campaign_id,
        nonce=nonce,
        token_hash=token_digest(_derive_token(nonce)),
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    audit.record(
        session=session,
        actor=principal.actor,
        action="create",
        record_type="feed_token",
        record_id=row.id,
        summary=f"{kind.value} calendar link created" + (f" (campaign {campaign_id})" if campaign_id else ""),
    )
    link = _link_of(row)
    assert link is not None
    return link


def _person_of(principal: Principal) -> int:
    if principal.person_id is None:
        raise Conflict(
            "your account is not linked to a person in Muster, so there are no duties to put in a "
            "calendar; ask an administrator to link it"
        )
    return principal.person_id


def person_feed_link(*, session: Session, principal: Principal) -> FeedLink | None:
    """The caller's personal calendar link, or None until they turn it on."""
    if principal.person_id is None:
        return None
    return _current(session, user_id=principal.user_id, kind=FeedKind.person)


def feed_links(*, session: Session, principal: Principal) -> list[FeedLink]:
    """Every live secret link of the caller: the personal one first, then campaigns'."""
    links = []
    personal = person_feed_link(session=session, principal=principal)
    if personal is not None:
        links.append(personal)
    if principal.is_planner:
        for row in _active_rows(session, user_id=principal.user_id, kind=FeedKind.campaign):
            link = _link_of(row)
            if link is not None:
                links.append(link)
    return links


def create_person_feed(*, session: Session, principal: Principal) -> tuple[FeedLink, bool]:
    """Turn on the caller's personal feed; (link, True) if new, the existing link if on."""
    person_id = _person_of(principal)
    existing = person_feed_link(session=session, principal=principal)
    if existing is not None:
        return existing, False
    _revoke(session, principal, kind=FeedKind.person)  # links dead by a secret rotation
    link = _issue(session, principal, kind=FeedKind.person, person_id=person_id)
    session.commit()
    return link, True


def reset_person_feed(*, session: Session, principal: Principal) -> FeedLink:
    """Revoke the caller's personal link (it answers 404 at once) and issue a new one."""
    person_id = _person_of(principal)
    _revoke(session, principal, kind=FeedKind.person)
    link = _issue(session, principal, kind=FeedKind.person, person_id=person_id)
    session.commit()
    return link


def revoke_person_feed(*, session: Session, principal: Principal) -> bool:
    """Turn the caller's personal feed off; True if there was one."""
    count = _revoke(session, principal, kind=FeedKind.person)
    session.commit()
    return count > 0


def _check_campaign(session: Session, campaign_id: int) -> None:
    if session.get(Campaign, campaign_id) is None:
        raise NotFound(f"campaign {campaign_id} does not exist")


def campaign_feed_link(*, session: Session, principal: Principal, campaign_id: int) -> FeedLink | None:
    """The caller's secret link to a campaign's feed, or None."""
    _check_campaign(session, campaign_id)
    return _current(session, user_id=principal.user_id, kind=FeedKind.campaign, campaign_id=campaign_id)


def create_campaign_feed(
    *, session: Session, principal: Principal, campaign_id: int
) -> tuple[FeedLink, bool]:
    """A coordinator's secret link to a campaign's feed; (link, True) if new."""
    existing = campaign_feed_link(session=session, principal=principal, campaign_id=campaign_id)
    if existing is not None:
        return existing, False
    _revoke(session, principal, kind=FeedKind.campaign, campaign_id=campaign_id)
    link = _issue(session, principal, kind=FeedKind.campaign, campaign_id=campaign_id)
    session.commit()
    return link, True


def reset_campaign_feed(*, session: Session, principal: Principal, campaign_id: int) -> FeedLink:
    """Revoke the caller's link to a campaign's feed and issue a new one."""
    _check_campaign(session, campaign_id)
    _revoke(session, principal, kind=FeedKind.campaign, campaign_id=campaign_id)
    link = _issue(session, principal, kind=FeedKind.campaign, campaign_id=campaign_id)
    session.commit()
    return link


def revoke_campaign_feed(*, session: Session, principal: Principal, campaign_id: int) -> bool:
    """Revoke the caller's link to a campaign's feed; True if there was one."""
    _check_campaign(session, campaign_id)
    count = _revoke(session, principal, kind=FeedKind.campaign, campaign_id=campaign_id)
    session.commit()
    return count > 0


@dataclass(frozen=True)
class _Holder:
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
    """The ``_HOLDER`` row of a token digest, read on a pooled DB-API connection.

    A 304 is mostly this one query, and going through the ORM session and the Core result
    machinery cost several times what the query does. The row is read on its own
    connection, fresh from the pool (which rolled it back when it was returned), so it
    sees every change committed before this request, by any worker.
    """
    bind = session.get_bind()
    if not isinstance(bind, sa.Engine) or session.in_transaction():
        # The caller's transaction may hold changes not yet committed: read inside it.
        return session.connection().execute(_HOLDER, {"digest": digest}).first()
    connection = bind.raw_connection()
    try:
        return _run_holder_query(connection, bind.dialect, digest)
    finally:
        connection.close()  # back to the pool


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


_LOOP_READER = _LoopReader()


def _check_token(token: str) -> str:
    """The digest a link is looked up by; 404 for what cannot be a link at all."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        raise NotFound(content.NO_FEED)
    return token_digest(token)


def _holder_of(session: Session, token: str, kind: FeedKind) -> _Holder:
    """Who a secret link belongs to and its feed's counters, or 404 that says nothing about why."""
    return _holder_from(_holder_row(session, _check_token(token)), token, kind)


def _holder_from(row: Sequence[Any] | None, token: str, kind: FeedKind) -> _Holder:
    if row is None:
        raise NotFound(content.NO_FEED)
    (row_kind, nonce, person_id, campaign_id, revoked_at, active, role, user_person_id, *counters) = row
    valid = (
        row_kind == kind
        and revoked_at is None
        and active
        and hmac.compare_digest(_derive_token(nonce), token)
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
    return _Holder(person_id=person_id, campaign_id=campaign_id, versions=versions)


# --- serving ---------------------------------------------------------------------------


def _version_of(versions: changes.Versions, day: date) -> Hashable:
    """What a cached body is valid for: its counters, and the day (the window moves daily)."""
    return (versions, day)


def cached_feed(*, engine: sa.Engine, kind: FeedKind, token: str) -> RenderedFeed | None:
    """A secret feed straight from the cache, if its counters can be read without waiting
    (SQLite) and its body is cached at them; None: serve it with ``person_feed`` or
    ``campaign_feed`` in a thread. 404 for a dead link, as they would answer."""
    digest = _check_token(token)
    row = _LOOP_READER.row(engine, digest)
    if row is False:
        return None
    holder = _holder_from(row, token, kind)
    key = ("person", holder.person_id) if kind == FeedKind.person else ("campaign", holder.campaign_id)
    return CACHE.get(key, _version_of(holder.versions, content.Window.today().day))


def _serve(
    session: Session,
    *,
    key: Hashable,
    scopes: tuple[str, ...],
    build: Callable[[content.Window], CalendarMeta],
    versions: changes.Versions | None = None,
) -> RenderedFeed:
    """The cached body if nothing it shows has changed since; otherwise build it now.

    The counters are read before the data, so a body can only be newer than its version
    (then it is rebuilt once more), never older: no stale feed from any worker.
    """
    if versions is None:
        versions = changes.read_versions(session, (changes.ALL, *scopes))
    window = content.Window.today()
    version = _version_of(versions, window.day)

    def _build() -> RenderedFeed:
        meta = build(window)
        body = build_calendar(meta).encode()
        stamps = [changed for _, changed in versions if changed is not None]
        stamps += [e.last_modified for e in meta.events]
        stamps.append(window.starts)
        return RenderedFeed(
            body=body, etag=content_etag(body), last_modified=max([EPOCH, *stamps]), version=version
        )

    return CACHE.get_or_build(key, version, _build)


def person_feed(*, session: Session, token: str) -> RenderedFeed:
    """A person's duties, by their secret link."""
    holder = _holder_of(session, token, FeedKind.person)
    person_id = holder.person_id
    assert person_id is not None
    return _serve(
        session,
        key=("person", person_id),
        scopes=(changes.scope_of("person", person_id),),
        build=lambda window: content.person_calendar(session, person_id, window),
        versions=holder.versions,
    )


def campaign_feed(*, session: Session, token: str) -> RenderedFeed:
    """Every event of a campaign with its staffing state, by a coordinator's secret link."""
    holder = _holder_of(session, token, FeedKind.campaign)
    campaign_id = holder.campaign_id
    assert campaign_id is not None
    return _serve(
        session,
        key=("campaign", campaign_id),
        scopes=(changes.scope_of("campaign", campaign_id),),
        build=lambda window: content.campaign_calendar(session, campaign_id, window),
        versions=holder.versions,
    )


def venue_feed(*, session: Session, venue_id: int) -> RenderedFeed:
    """The public events at a venue."""
    if session.get(Venue, venue_id) is None:
        raise NotFound(f"there is no venue {venue_id}")
    return _serve(
        session,
        key=("venue", venue_id),
        scopes=(changes.scope_of("venue", venue_id),),
        build=lambda window: content.venue_calendar(session, venue_id, window),
    )


def event_ics(*, session: Session, event_id: int) -> RenderedFeed:
    """One public event, for "add to calendar"."""
    event = session.get(Event, event_id)
    if event is None or not event.public or event.status == EventStatus.draft:
        raise NotFound(f"there is no public event {event_id}")
    return _serve(
        session,
        key=("event", event_id),
        scopes=(changes.scope_of("event", event_id),),
        build=lambda window: content.event_calendar(session, event_id),
    )
