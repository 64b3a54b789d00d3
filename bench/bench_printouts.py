"""Benchmark: PDF printouts — a briefing sheet, a 50-event week roster and an A4 poster.

    .venv/bin/python bench/bench_printouts.py               # 7 runs each, table + JSON
    .venv/bin/python bench/bench_printouts.py --repeat 3

Builds a scratch SQLite database (migrated, filled through the services like the tests do),
then for each printout times loading its data (queries → plain dataclasses) and rendering
the PDF with WeasyPrint separately, over ``--repeat`` runs after one warm-up; the table shows
medians (the machine is shared, so a single time means little). Peak memory is measured
twice: Python allocations during one render (tracemalloc, a separate untimed run, since
tracing slows everything down) and the process's peak resident size (ru_maxrss), which
includes Pango, HarfBuzz and fontconfig. Results go to bench/results/printouts.json and the
committed summary bench/results/PRINTOUTS.md.

Targets (the script exits non-zero when one is missed), medians of load and render together:
a briefing sheet and a poster within 1 s and the 50-event roster within 3 s (a person waits
for them after pressing "print", and a render holds one of the few renderer slots), and a
process peak resident size within 300 MiB (two renders at once must fit a small server).
"""

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = Path(tempfile.mkdtemp(prefix="muster-bench-printouts-"))
DATABASE_URL = f"sqlite:///{SCRATCH / 'bench.db'}"
os.environ["MUSTER_DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("MUSTER_SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
os.environ.setdefault("MUSTER_BASE_URL", "https://muster.example")

from sqlmodel import Session  # noqa: E402
from targets import RESULTS_DIR, Target, markdown, report  # noqa: E402

from app import migrate  # noqa: E402
from app.accounts import service as accounts  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.db import get_engine  # noqa: E402
from app.printouts import pdf, service  # noqa: E402
from app.printouts.service import RangeFilters  # noqa: E402
from tests.factories import Factory  # noqa: E402
from tests.printouts.demo import build_demo, build_week  # noqa: E402

RESULTS = RESULTS_DIR / "printouts.json"
SUMMARY = RESULTS_DIR / "PRINTOUTS.md"
BRIEFING = "briefing sheet (A4, 2 pages)"
ROSTER = "roster, week of 50 events (A4 landscape)"
POSTER = "venue poster (A4, QR code)"
TARGET_MS = {BRIEFING: 1000.0, ROSTER: 3000.0, POSTER: 1000.0}
TARGET_PEAK_RSS_MIB = 300.0


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def measure(
    name: str, load: Callable[[], Any], render: Callable[[Any], bytes], repeat: int
) -> dict[str, Any]:
    """Warm up once, then time load and render separately ``repeat`` times; then one traced run."""
    data = load()
    body = render(data)
    loads, renders = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        data = load()
        loaded = time.perf_counter()
        body = render(data)
        rendered = time.perf_counter()
        loads.append(loaded - started)
        renders.append(rendered - loaded)
    totals = [a + b for a, b in zip(loads, renders, strict=True)]
    tracemalloc.start()
    render(load())
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    from io import BytesIO

    from pypdf import PdfReader

    return {
        "name": name,
        "runs": repeat,
        "pages": len(PdfReader(BytesIO(body)).pages),
        "pdf_kib": round(len(body) / 1024, 1),
        "load_ms_median": _ms(statistics.median(loads)),
        "render_ms_median": _ms(statistics.median(renders)),
        "total_ms_median": _ms(statistics.median(totals)),
        "total_ms_min": _ms(min(totals)),
        "total_ms_max": _ms(max(totals)),
        "python_peak_mib": round(traced_peak / (1024 * 1024), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per printout (default 7)")
    args = parser.parse_args()

    migrate.upgrade(DATABASE_URL)
    settings = get_settings()
    with Session(get_engine(), expire_on_commit=False) as session:
        make = Factory(session)
        demo = build_demo(make)
        # The week after the demo Wednesday, so the roster holds exactly the 50 events.
        monday = build_week(make, count=50, start=demo.day + timedelta(days=5))
        coordinator = accounts.principal_for(
            session=session, user=make.user("coordinator", email="bench.coordinator@muster.example")
        )
        week = RangeFilters(start=monday, end=monday + timedelta(days=6))
        blackburn_id = demo.blackburn.id or 0
        venue_id = demo.venues[2].id or 0

        def load_briefing() -> dict[str, Any]:
            return {
                "b": service.load_briefing(
                    session=session,
                    principal=coordinator,
                    event_id=blackburn_id,
                    force_name=settings.force_name,
                )
            }

        def load_roster() -> dict[str, Any]:
            roster = service.load_roster(session=session, principal=coordinator, filters=week)
            assert roster.event_count == 50, roster.event_count
            return {"roster": roster, "force_name": settings.force_name}

        def load_poster() -> dict[str, Any]:
            poster = service.load_poster(
                session=session,
                venue_id=venue_id,
                size="A4",
                event_id=None,
                force_name=settings.force_name,
                base_url=settings.base_url,
            )
            return {"poster": poster}

        results = [
            measure(
                BRIEFING,
                load_briefing,
                lambda c: pdf.render_pdf("printouts/briefing.html", c),
                args.repeat,
            ),
            measure(
                ROSTER,
                load_roster,
                lambda c: pdf.render_pdf("printouts/roster.html", c),
                args.repeat,
            ),
            measure(
                POSTER,
                load_poster,
                lambda c: pdf.render_pdf("printouts/poster.html", c),
                args.repeat,
            ),
        ]

    peak_rss = _peak_rss_mib()
    header = f"{'printout':44} {'pages':>5} {'load ms':>8} {'render ms':>10} {'total ms':>9} {'min–max ms':>15} {'py peak MiB':>12}"
    print(header)
    print("-" * len(header))
    for r in results:
        spread = f"{r['total_ms_min']:.0f}–{r['total_ms_max']:.0f}"
        print(
            f"{r['name']:44} {r['pages']:>5} {r['load_ms_median']:>8.1f} {r['render_ms_median']:>10.1f} "
            f"{r['total_ms_median']:>9.1f} {spread:>15} {r['python_peak_mib']:>12.1f}"
        )
    print(f"process peak resident memory: {peak_rss} MiB (medians of {args.repeat} runs after a warm-up)")

    import weasyprint

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "printouts",
                "repeat": args.repeat,
                "python": platform.python_version(),
                "weasyprint": weasyprint.__version__,
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "process_peak_rss_mib": peak_rss,
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written {RESULTS.relative_to(ROOT)}")
    targets = [
        Target(f"{r['name']}: median ms", r["total_ms_median"], TARGET_MS[r["name"]], "ms") for r in results
    ]
    targets.append(Target("process peak resident memory", peak_rss, TARGET_PEAK_RSS_MIB, "MiB"))
    table = markdown(
        ["printout", "pages", "load ms", "render ms", "total ms", "min–max ms", "Python peak MiB"],
        [
            [
                r["name"],
                r["pages"],
                f"{r['load_ms_median']:.1f}",
                f"{r['render_ms_median']:.1f}",
                f"{r['total_ms_median']:.1f}",
                f"{r['total_ms_min']:.0f}–{r['total_ms_max']:.0f}",
                f"{r['python_peak_mib']:.1f}",
            ]
            for r in results
        ],
    )
    setup = (
        f"Medians of {args.repeat} runs after a warm-up, WeasyPrint {weasyprint.__version__}, scratch SQLite."
    )
    return report(targets, title="PDF printouts", summary=SUMMARY, details=f"{setup}\n\n{table}")


if __name__ == "__main__":
    sys.exit(main())
