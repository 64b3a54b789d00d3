"""Targets for the benchmarks: one shape for "what we promised, what we measured, did it pass".

Every ``bench/bench_*.py`` script ends the same way::

    from targets import Target, report   # bench/ is on sys.path when a script runs

    targets = [
        Target("feed, share of the ceiling", measured=0.62, limit=0.5, unit="×", higher_is_better=True),
        Target("p95 of /plan", measured=41.0, limit=100.0, unit="ms"),
    ]
    sys.exit(report(targets, title="Calendar feeds", summary=RESULTS_DIR / "FEEDS.md", details=md))

``report`` prints a table (target, measured, limit, pass) to standard output, writes the same
table as a markdown summary (committed, so a reader of the repository sees the latest
figures without running anything; ``details`` is extra markdown for the script's own tables),
and returns the exit status: 0 when every target passed, 1 otherwise. A target whose
``measured`` is ``None`` (the measurement could not be taken) counts as missed, and so does
an empty list. ``markdown(header, rows)`` formats a script's own tables for ``details``.
"""

import math
import os
import platform
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"


@dataclass(frozen=True)
class Target:
    """One promise: ``measured`` must be at most ``limit`` (or at least, if higher is better)."""

    name: str
    measured: float | None
    limit: float
    unit: str = ""
    higher_is_better: bool = False

    @property
    def passed(self) -> bool:
        if self.measured is None or math.isnan(self.measured):
            return False
        if self.higher_is_better:
            return self.measured >= self.limit
        return self.measured <= self.limit

    @property
    def bound(self) -> str:
        """The limit as a reader says it: "≤ 100 ms", "≥ 0.5"."""
        return f"{'≥' if self.higher_is_better else '≤'} {_number(self.limit)}{_unit(self.unit)}"

    @property
    def shown(self) -> str:
        if self.measured is None:
            return "not measured"
        return f"{_number(self.measured)}{_unit(self.unit)}"


def _unit(unit: str) -> str:
    return f" {unit}" if unit and unit not in {"%", "×"} else unit


def _number(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if value == int(value) and abs(value) < 1e9:
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


def rows(targets: Iterable[Target]) -> list[tuple[str, str, str, str]]:
    return [(t.name, t.shown, t.bound, "pass" if t.passed else "MISSED") for t in targets]


def text_table(targets: Sequence[Target]) -> str:
    header = ("target", "measured", "limit", "result")
    body = rows(targets)
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *body]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(targets: Sequence[Target]) -> str:
    lines = ["| target | measured | limit | result |", "|---|---:|---:|---|"]
    lines += [
        f"| {name} | {shown} | {bound} | {'pass' if result == 'pass' else '**missed**'} |"
        for name, shown, bound, result in rows(targets)
    ]
    return "\n".join(lines)


def markdown(header: Sequence[str], body: Iterable[Sequence[object]]) -> str:
    """A plain markdown table, for a script's ``details``."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in body]
    return "\n".join(lines)


def report(
    targets: Sequence[Target],
    *,
    title: str,
    summary: Path | None = None,
    details: str = "",
) -> int:
    """Print the targets, write the markdown summary (if ``summary``), give the exit status."""
    missed = [t for t in targets if not t.passed]
    failed = bool(missed) or not targets  # a bench that measured nothing has checked nothing
    if not targets:
        verdict = "no targets were measured"
    else:
        verdict = f"{len(missed)} of {len(targets)} targets MISSED" if missed else "all targets met"
    print(f"\n{title}: {verdict}")
    print(text_table(targets))
    if summary is not None:
        summary.parent.mkdir(parents=True, exist_ok=True)
        summary.write_text(
            _markdown(targets, title=title, verdict=verdict, details=details), encoding="utf-8"
        )
        print(f"summary: {_relative(summary)}")
    return 1 if failed else 0


def _relative(path: Path) -> str:
    resolved = path.resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(path)


def _markdown(targets: Sequence[Target], *, title: str, verdict: str, details: str) -> str:
    command = " ".join([_relative(Path(sys.argv[0])), *sys.argv[1:]])
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores"
    parts = [
        f"# {title}",
        "",
        "Written by the benchmark on every run; the raw figures are in the JSON file beside this one (not committed).",
        "",
        f"- run: {when}, `{command}`",
        f"- machine: {machine}",
        f"- verdict: **{verdict}**",
        "",
        markdown_table(targets),
        "",
    ]
    if details.strip():
        parts += [details.strip(), ""]
    return "\n".join(parts)
