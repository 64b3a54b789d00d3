"""The charts: server-rendered SVG that names itself to screen readers, carries the figures in
words, runs nothing, and is the same every time for the same figures."""

from datetime import date

from app.representation.charts import bar_chart, target_chart
from app.representation.models import CampaignTarget, TargetSnapshot
from app.representation.service import progress_of


def _progress() -> object:
    target = CampaignTarget(
        id=7,
        campaign_id=1,
        measure="officers from ethnic minorities",
        unit="count",
        baseline_value=97,
        baseline_on=date(2026, 9, 1),
        target_value=111,
        target_on=date(2027, 3, 31),
    )
    points = [
        TargetSnapshot(target_id=7, recorded_on=date(2026, 10, 1), value=99),
        TargetSnapshot(target_id=7, recorded_on=date(2026, 11, 1), value=102),
    ]
    return progress_of(target, points, today=date(2026, 11, 15))


def test_target_chart_is_an_image_with_its_figures_in_words() -> None:
    svg = str(target_chart(_progress()))  # type: ignore[arg-type]

    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'role="img" aria-labelledby="target-7-title target-7-desc"' in svg
    assert '<title id="target-7-title">officers from ethnic minorities: progress to the target</title>' in svg
    assert "102 of 111 on 1 November 2026; on track." in svg
    assert "Recorded: 99 on 1 October 2026; 102 on 1 November 2026." in svg
    assert 'class="chart__trajectory"' in svg and 'class="chart__recorded"' in svg
    assert (
        "<script" not in svg
        and "font-family" not in svg
        and "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )
    assert svg == str(target_chart(_progress()))  # type: ignore[arg-type]


def test_bar_chart_labels_each_bar_and_escapes_text() -> None:
    svg = str(
        bar_chart(
            [("Asian <community>", 35.4), ("Asian: workforce", 9.2)],
            title="Blackburn",
            unit="%",
            series=["community", "workforce"],
        )
    )

    assert 'role="img"' in svg and '<title id="bars-blackburn-title">Blackburn</title>' in svg
    assert "Asian &lt;community&gt;: 35.4%; Asian: workforce: 9.2%" in svg
    assert 'class="chart__bar chart__bar--workforce"' in svg
    assert ">35.4%</text>" in svg
    assert "<community>" not in svg
