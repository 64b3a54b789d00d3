"""Targets in the report: force-wide head counts, shown as they are unless one is small."""

from datetime import date

from app.reports.service import target_line
from app.representation.models import CampaignTarget
from app.representation.service import progress_of

TODAY = date(2026, 12, 6)


def _target(baseline: float, goal: float) -> CampaignTarget:
    return CampaignTarget(
        id=1,
        campaign_id=1,
        measure="officers from ethnic minorities",
        unit="count",
        baseline_value=baseline,
        baseline_on=date(2026, 10, 1),
        target_value=goal,
        target_on=date(2027, 4, 1),
    )


def test_target_line_with_a_small_count_hides_it_and_its_chart_for_the_board() -> None:
    progress = progress_of(_target(3, 8), [], today=TODAY)

    board = target_line(progress, board=True)
    exact = target_line(progress, board=False)

    assert (board.baseline, board.target, board.chart) == ("fewer than 5", "8", None)
    assert board.sentence == "Some of these figures are of fewer than 5 people, so they are not shown."
    assert (exact.baseline, exact.target) == ("3", "8")
    assert exact.chart is not None


def test_target_line_with_large_counts_is_the_same_for_the_board() -> None:
    progress = progress_of(_target(97, 111), [], today=TODAY)

    board = target_line(progress, board=True)

    assert (board.baseline, board.target, board.expected_now) == ("97", "111", "102.1")
    assert board.chart is not None
