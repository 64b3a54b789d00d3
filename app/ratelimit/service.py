"""How often anyone may try something, counted in the database so that every app worker
(and every machine behind the load balancer) sees the same count.

A sliding window, estimated from two fixed ones (the current window's count plus the
previous window's, weighted by how much of it still lies within the last window), so ten
attempts in a burst count as ten even when a window boundary falls inside the burst.
Counts fade as time passes, so a limit slows an attacker (or a forgetful owner) down and
never locks an account for good. Each attempt is counted in a short transaction of its
own, so a request that then fails — a wrong password — still counts.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import ceil
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from app.clock import utcnow
from app.errors import TooManyRequests
from app.ratelimit.models import RateCounter

COUNTERS: sa.Table = RateCounter.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Limit:
    """At most ``count`` attempts of ``name`` per key in each ``window``."""

    name: str
    count: int
    window: timedelta
    # What the person is told, with the wait added: "Too many sign-in attempts…".
    message: str

    def window_start(self, now: datetime) -> datetime:
        step = int(self.window.total_seconds())
        return datetime.fromtimestamp(int(now.timestamp()) // step * step, UTC)


def _key(limit: Limit, who: str) -> str:
    return f"{limit.name}:{who.strip().lower()}"[:200]


def take(session: Session, limit: Limit, who: str) -> None:
    """Count one attempt of ``limit`` for ``who`` (an address, an account); raise
    TooManyRequests (429, with Retry-After) once the window's allowance is used up."""
    now = utcnow()
    start = limit.window_start(now)
    insert: Any = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(COUNTERS).values(key=_key(limit, who), window_start=start, count=1, previous_count=0)
    same_window = COUNTERS.c.window_start == statement.excluded.window_start
    window_before = COUNTERS.c.window_start == start - limit.window
    statement = statement.on_conflict_do_update(
        index_elements=[COUNTERS.c.key],
        set_={
            "count": sa.case((same_window, COUNTERS.c.count + 1), else_=1),
            "previous_count": sa.case(
                (same_window, COUNTERS.c.previous_count), (window_before, COUNTERS.c.count), else_=0
            ),
            "window_start": statement.excluded.window_start,
        },
    ).returning(COUNTERS.c.count, COUNTERS.c.previous_count)
    with Session(session.get_bind()) as own:
        count, previous = own.execute(statement).one()
        own.commit()
    wait = refused_for(limit, count=int(count), previous=int(previous), elapsed=now - start)
    if wait:
        raise TooManyRequests(f"{limit.message} Try again in {_words(wait)}.", retry_after_seconds=wait)


def refused_for(limit: Limit, *, count: int, previous: int, elapsed: timedelta) -> int:
    """Seconds until another attempt would be allowed (0: this one is). The previous
    window's attempts count for the part of it still within the last ``window``."""
    still_within = 1 - elapsed / limit.window
    if count + previous * still_within <= limit.count:
        return 0
    # In the next window this window's attempts fade in turn: one more is allowed once
    # count × (1 − f) + 1 ≤ limit, at f = 1 − (limit − 1) / count of that window.
    fade = max(0.0, 1 - (limit.count - 1) / count) if count else 0.0
    seconds = (limit.window - elapsed).total_seconds() + limit.window.total_seconds() * fade
    return max(1, ceil(seconds))


def _words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = ceil(seconds / 60)
    return f"{minutes} minutes"


def prune(session: Session, *, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget windows long over (housekeeping, run by the worker)."""
    result: Any = session.execute(sa.delete(COUNTERS).where(COUNTERS.c.window_start < utcnow() - older_than))
    return int(result.rowcount or 0)
