"""How often anyone may try something, counted in the database so that every app worker
(and every machine behind the load balancer) sees the same count.

Fixed windows: a key's count starts again when its window ends, so a limit slows an
attacker (or a forgetful owner) down and never locks an account for good. Each attempt is
counted in a short transaction of its own, so a request that then fails — a wrong
password — still counts.
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
    statement = insert(COUNTERS).values(key=_key(limit, who), window_start=start, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[COUNTERS.c.key],
        set_={
            "count": sa.case(
                (COUNTERS.c.window_start == statement.excluded.window_start, COUNTERS.c.count + 1), else_=1
            ),
            "window_start": statement.excluded.window_start,
        },
    ).returning(COUNTERS.c.count)
    with Session(session.get_bind()) as own:
        count = int(own.execute(statement).scalar_one())
        own.commit()
    if count > limit.count:
        wait = max(1, ceil((start + limit.window - now).total_seconds()))
        raise TooManyRequests(f"{limit.message} Try again in {_words(wait)}.", retry_after_seconds=wait)


def _words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = ceil(seconds / 60)
    return f"{minutes} minutes"


def prune(session: Session, *, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget windows long over (housekeeping, run by the worker)."""
    result: Any = session.execute(sa.delete(COUNTERS).where(COUNTERS.c.window_start < utcnow() - older_than))
    return int(result.rowcount or 0)
