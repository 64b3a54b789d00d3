"""The shared limiter: counted in the database, per key, slowing rather than locking."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.clock import utcnow
from app.errors import TooManyRequests
from app.ratelimit.models import RateCounter
from app.ratelimit.service import Limit, take

TRIES = Limit("test", 3, timedelta(minutes=1), "Too many tries.")


def test_take_refuses_the_attempt_past_the_limit_with_the_wait(db: Session) -> None:
    for _ in range(3):
        take(db, TRIES, "203.0.113.5")
    with pytest.raises(TooManyRequests) as refused:
        take(db, TRIES, "203.0.113.5")
    assert refused.value.status_code == 429
    assert 1 <= refused.value.retry_after_seconds <= 60
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
