"""Europe/London wall-clock time: what people type becomes the right instant, and back."""

from datetime import UTC, date, datetime

import pytest

from app.clock import NonexistentLocalTime, from_london, london_day_bounds, to_london


def test_from_london_summer_is_bst() -> None:
    assert from_london(datetime(2026, 7, 15, 10, 0)) == datetime(2026, 7, 15, 9, 0, tzinfo=UTC)


def test_from_london_winter_is_gmt() -> None:
    assert from_london(datetime(2027, 1, 13, 10, 0)) == datetime(2027, 1, 13, 10, 0, tzinfo=UTC)


def test_from_london_spring_forward_gap_is_refused() -> None:
    with pytest.raises(NonexistentLocalTime, match="does not exist"):
        from_london(datetime(2027, 3, 28, 1, 30))


def test_from_london_autumn_ambiguous_time_is_first_occurrence() -> None:
    # 01:30 on 31 Oct 2027 happens twice; Muster takes the first one, still in BST.
    assert from_london(datetime(2027, 10, 31, 1, 30)) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_london_day_bounds_on_clock_change_day_is_23_hours() -> None:
    start, end = london_day_bounds(date(2027, 3, 28))
    assert (end - start).total_seconds() == 23 * 3600


def test_to_london_shows_offset() -> None:
    assert to_london(datetime(2026, 7, 15, 9, 0, tzinfo=UTC)).isoformat() == "2026-07-15T10:00:00+01:00"
