"""The shared limiter: counted in the database, per key, slowing rather than locking."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.clock import utcnow
from app.errors import TooManyRequests
from app.ratelimit.models import RateCounter
from app.ratelimit.service import Limit, refused_for, take

TRIES = Limit("test", 3, timedelta(minutes=1), "Too many tries.")


def test_take_refuses_the_attempt_past_the_limit_with_the_wait(db: Session) -> None:
    for _ in range(3):
        take(db, TRIES, "203.0.113.5")
    with pytest.raises(TooManyRequests) as refused:
        take(db, TRIES, "203.0.113.5")
    assert refused.value.status_code == 429
    # The rest of this window, then half the next (4 attempts against 3 fade by then).
    assert 30 <= refused.value.retry_after_seconds <= 90
    assert refused.value.detail.startswith("Too many tries. Try again in ")


def test_take_counts_each_key_apart(db: Session) -> None:
    for _ in range(3):
        take(db, TRIES, "203.0.113.5")
    take(db, TRIES, "203.0.113.6")


def test_take_starts_again_when_the_window_is_over(db: Session) -> None:
    for _ in range(3):
        take(db, TRIES, "someone@force.test")
    # The window ending is a clock passing; move the stored window back instead of waiting.
    db.execute(sa.update(RateCounter).values(window_start=utcnow() - timedelta(minutes=2)))
    db.commit()
    take(db, TRIES, "someone@force.test")


def test_take_counts_even_when_the_callers_transaction_rolls_back(db: Session) -> None:
    for _ in range(3):
        take(db, TRIES, "x")
        db.rollback()
    with pytest.raises(TooManyRequests):
        take(db, TRIES, "x")


def test_refused_for_counts_a_burst_across_a_window_boundary() -> None:
    minute = Limit("burst", 10, timedelta(minutes=1), "Too many.")
    # Four attempts just before the boundary, six just after: the eleventh is refused.
    assert refused_for(minute, count=7, previous=4, elapsed=timedelta(seconds=1)) > 0
    assert refused_for(minute, count=6, previous=4, elapsed=timedelta(seconds=1)) == 0


def test_refused_for_lets_attempts_back_as_the_previous_window_fades() -> None:
    minute = Limit("fade", 10, timedelta(minutes=1), "Too many.")
    assert refused_for(minute, count=1, previous=11, elapsed=timedelta(seconds=3)) > 0
    assert refused_for(minute, count=1, previous=11, elapsed=timedelta(seconds=50)) == 0
    # Refused at the end of a window: the wait runs into the next until enough has faded.
    assert refused_for(minute, count=11, previous=0, elapsed=timedelta(seconds=59)) == 12
