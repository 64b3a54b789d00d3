"""Charts drawn on the server as SVG: no JavaScript, no fonts fetched, the same figures in
words (``<title>``, ``<desc>``) for screen readers. Colours come from CSS classes
(``app/static/muster.css``) and ``currentColor``, so they follow the page and print. The
output depends only on the figures, so tests can compare it."""

import math
import re
from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

from app.representation.service import TargetProgress, day_words, figure_words

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 28, 52


def _n(value: float) -> str:
    """A coordinate, short and the same on every machine."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:40] or "chart"


def _svg(chart_id: str, classes: str, height: int, title: str, desc: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {classes}" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _ticks(low: float, high: float) -> list[float]:
    """Four or so round steps (1, 2, 2.5 or 5 times a power of ten) covering low to high."""
    raw = max(high - low, 1e-9) / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw - 1e-12)
    first = math.floor(low / step + 1e-9) * step
    count = math.ceil((high - first) / step - 1e-9)
    return [round(first + step * i, 6) for i in range(count + 1)]


def target_chart(progress: TargetProgress, *, chart_id: str = "") -> Markup:
    """The starting point, the recorded figures, the target, and the straight line from the
    starting point to the target (the trajectory that on track is measured against)."""
    target = progress.target
    unit = target.unit
    chart_id = chart_id or f"target-{target.id or 0}"
    first = target.baseline_on
    last = max([target.target_on, *(p.on for p in progress.points)])
    span = max((last - first).days, 1)
    values = [target.baseline_value, target.target_value, *(p.value for p in progress.points)]
    pad = max((max(values) - min(values)) * 0.1, 0.5)
    ticks = _ticks(max(0.0, min(values) - pad), max(values) + pad)
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        return LEFT + plot_w * (day - first).days / span

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - low) / (high - low))

    body: list[str] = []
    for tick in ticks:
        body.append(
            f'<line class="chart__grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_n(y(tick))}" y2="{_n(y(tick))}"/>'
            f'<text class="chart__tick" x="{LEFT - 8}" y="{_n(y(tick) + 4)}" text-anchor="end">'
            f"{escape(figure_words(round(tick, 1), unit))}</text>"
        )
    bottom = HEIGHT - BOTTOM
    body.append(f'<line class="chart__axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}"/>')
    for day, anchor in ((first, "start"), (target.target_on, "end")):
        body.append(
            f'<text class="chart__tick" x="{_n(x(day))}" y="{bottom + 18}" text-anchor="{anchor}">'
            f"{escape(f'{day:%-d %b %Y}')}</text>"
        )
    if first < progress.today < last:
        body.append(
            f'<line class="chart__today" x1="{_n(x(progress.today))}" x2="{_n(x(progress.today))}" '
            f'y1="{TOP}" y2="{bottom}"/>'
            f'<text class="chart__tick" x="{_n(x(progress.today))}" y="{TOP - 8}" text-anchor="middle">today</text>'
        )
    body.append(
        f'<line class="chart__trajectory" x1="{_n(x(first))}" y1="{_n(y(target.baseline_value))}" '
        f'x2="{_n(x(target.target_on))}" y2="{_n(y(target.target_value))}"/>'
    )
    recorded = [(first, target.baseline_value), *((p.on, p.value) for p in progress.points)]
    if len(recorded) > 1:
        line = " ".join(f"{_n(x(d))},{_n(y(v))}" for d, v in recorded)
        body.append(f'<polyline class="chart__recorded" points="{line}"/>')
    body.append(
        f'<circle class="chart__baseline" cx="{_n(x(first))}" cy="{_n(y(target.baseline_value))}" r="5"/>'
    )
    for p in progress.points:
        body.append(f'<circle class="chart__point" cx="{_n(x(p.on))}" cy="{_n(y(p.value))}" r="4.5"/>')
    tx, ty = x(target.target_on), y(target.target_value)
    body.append(
        f'<rect class="chart__target" x="{_n(tx - 6)}" y="{_n(ty - 6)}" width="12" height="12"/>'
        f'<text class="chart__note" x="{_n(tx - 10)}" y="{_n(ty - 10)}" text-anchor="end">'
        f"target {escape(figure_words(target.target_value, unit))}</text>"
    )
    legend_y = HEIGHT - 12
    body.append(
        f'<line class="chart__recorded" x1="{LEFT}" x2="{LEFT + 24}" y1="{legend_y - 4}" y2="{legend_y - 4}"/>'
        f'<text class="chart__tick" x="{LEFT + 30}" y="{legend_y}">recorded</text>'
        f'<line class="chart__trajectory" x1="{LEFT + 110}" x2="{LEFT + 134}" y1="{legend_y - 4}" '
        f'y2="{legend_y - 4}"/>'
        f'<text class="chart__tick" x="{LEFT + 140}" y="{legend_y}">trajectory to the target</text>'
    )
    figures = "; ".join(f"{figure_words(p.value, unit)} on {day_words(p.on)}" for p in progress.points)
    desc = (
        f"{progress.sentence}. Starting point {figure_words(target.baseline_value, unit)} on "
        f"{day_words(first)}; target {figure_words(target.target_value, unit)} by {day_words(target.target_on)}."
        + (f" Recorded: {figures}." if figures else " No figure recorded yet.")
    )
    return _svg(chart_id, "chart--target", HEIGHT, f"{target.measure}: progress to the target", desc, body)


def bar_chart(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    unit: str,
    series: Sequence[str] = (),
    chart_id: str = "",
) -> Markup:
    """Horizontal bars, one a row, each labelled with its value and ``unit`` ("%" or a word).
    ``series`` gives each bar a class (``chart__bar--community``) so pairs can differ."""
    chart_id = chart_id or f"bars-{_slug(title)}"
    value_w, row_h, top = 64, 26, 8
    # Room for the longest label at about 7 px a character (13 px text), within reason.
    label_w = int(min(max(8 + 7 * max((len(label) for label, _ in rows), default=0), 120), 360))
    height = top * 2 + row_h * max(len(rows), 1)
    # Bars fill the width for the largest value (each is labelled with its figure).
    most = max([v for _, v in rows] + [1.0]) * 1.1
    most = min(most, 100.0) if unit == "%" else most
    bar_space = WIDTH - label_w - value_w
    suffix = unit if unit == "%" else f" {unit}" if unit else ""
    body: list[str] = []
    for i, (label, value) in enumerate(rows):
        kind = f" chart__bar--{_slug(series[i])}" if i < len(series) else ""
        y = top + i * row_h
        width = max(bar_space * min(value, most) / most, 0.0)
        shown = figure_words(round(value, 1), "count") + suffix
        body.append(
            f'<text class="chart__label" x="{label_w - 8}" y="{y + 17}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="chart__bar{kind}" x="{label_w}" y="{y + 4}" width="{_n(width)}" height="{row_h - 8}"/>'
            f'<text class="chart__value" x="{_n(label_w + width + 6)}" y="{y + 17}">{escape(shown)}</text>'
        )
    desc = (
        "; ".join(f"{label}: {figure_words(round(v, 1), 'count')}{suffix}" for label, v in rows)
        or "No figures."
    )
    return _svg(chart_id, "chart--bars", height, title, desc, body)
