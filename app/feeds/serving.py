"""Serving calendar feeds: from the cache while nothing they show has changed."""

from collections.abc import Callable, Hashable
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import Session

from app.enums import FeedKind
from app.errors import NotFound
from app.events.models import Event
from app.events.public import listed_publicly
from app.feeds import changes, content
from app.feeds.cache import FeedCache, RenderedFeed, content_etag
from app.feeds.holders import LOOP_READER, Holder, check_token, holder_from, holder_of
from app.feeds.ical import CalendarMeta, build_calendar
from app.venues.models import Venue

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)

CACHE = FeedCache()


def _version_of(versions: changes.Versions, day: date) -> Hashable:
    """What a cached body is valid for: its counters, and the day (the window moves daily)."""
    return (versions, day)


def _owner(holder: Holder, kind: FeedKind) -> tuple[str, int]:
    """Whose feed a secret link opens, as ("person", 7): its cache key and change scope."""
    owner_id = holder.person_id if kind == FeedKind.person else holder.campaign_id
    assert owner_id is not None  # holder_from refuses a link without one
    return (kind.value, owner_id)


def cached_feed(*, engine: sa.Engine, kind: FeedKind, token: str) -> RenderedFeed | None:
    """A secret feed straight from the cache, if its counters can be read without waiting
    (SQLite) and its body is cached at them; None: serve it with ``secret_feed`` in a
    thread. 404 for a dead link, as it would answer."""
    digest = check_token(token)
    row = LOOP_READER.row(engine, digest)
    if row is False:
        return None
    holder = holder_from(row, token, kind)
    return CACHE.get(_owner(holder, kind), _version_of(holder.versions, content.Window.today().day))


def _serve(
    session: Session,
    *,
    of: tuple[str, int],
    build: Callable[[content.Window], CalendarMeta],
    versions: changes.Versions | None = None,
) -> RenderedFeed:
    """The cached body of the feed ``of`` ("venue", 3) if nothing it shows has changed
    since; otherwise build it now.

    The counters are read before the data, so a body can only be newer than its version
    (then it is rebuilt once more), never older: no stale feed from any worker.
    """
    if versions is None:
        versions = changes.read_versions(session, (changes.ALL, changes.scope_of(*of)))
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

    return CACHE.get_or_build(of, version, _build)


# What each secret link shows: a person's duties, or every event of a campaign with its
# staffing state (for the coordinator who made the link).
_SECRET_CALENDARS: dict[FeedKind, Callable[[Session, int, content.Window], CalendarMeta]] = {
    FeedKind.person: content.person_calendar,
    FeedKind.campaign: content.campaign_calendar,
}


def secret_feed(*, session: Session, kind: FeedKind, token: str) -> RenderedFeed:
    """A personal or campaign feed, by its secret link."""
    holder = holder_of(session, token, kind)
    of = _owner(holder, kind)
    calendar = _SECRET_CALENDARS[kind]
    return _serve(
        session, of=of, build=lambda window: calendar(session, of[1], window), versions=holder.versions
    )


def person_feed(*, session: Session, token: str) -> RenderedFeed:
    """A person's duties, by their secret link (the bench measures this one)."""
    return secret_feed(session=session, kind=FeedKind.person, token=token)


def venue_feed(*, session: Session, venue_id: int) -> RenderedFeed:
    """The public events at a venue."""
    if session.get(Venue, venue_id) is None:
        raise NotFound(f"there is no venue {venue_id}")
    return _serve(
        session,
        of=("venue", venue_id),
        build=lambda window: content.venue_calendar(session, venue_id, window),
    )


def event_ics(*, session: Session, event_id: int) -> RenderedFeed:
    """One public event, for "add to calendar"."""
    event = session.get(Event, event_id)
    if event is None or not listed_publicly(event):
        raise NotFound(f"there is no public event {event_id}")
    return _serve(
        session, of=("event", event_id), build=lambda window: content.event_calendar(session, event_id)
    )
