"""The report's figures as one CSV, a figure a line (table, group, row, column, value), so a
spreadsheet can filter and pivot it. Always the board version: counts of 1 to 4 people are
written as "fewer than 5", and every text cell is made formula-safe by the printouts' writer.

Pure: the report's plain data in, bytes out.
"""

from collections.abc import Iterator

from app.printouts.csv_export import write_csv
from app.reports.report import CampaignReport

HEADER = ("table", "group", "row", "column", "value")


def _lines(report: CampaignReport) -> Iterator[tuple[object, ...]]:
    for h in report.headlines:
        yield ("Headlines", "", h.label, "value", h.cell.shown)
    for t in report.targets:
        for column, value in (
            ("starting point", t.baseline),
            ("latest", t.latest),
            ("expected now", t.expected_now),
            ("target", t.target),
            ("on track", "" if t.on_track is None else t.on_track),
            ("in words", t.sentence),
        ):
            yield ("Targets", "", t.measure, column, value)
    for table in report.tables:
        for row in table.all_rows:
            for column, cell in zip(table.columns, row.cells, strict=True):
                yield (table.title, row.group, row.label, column, cell.shown)


def report_csv(report: CampaignReport) -> bytes:
    return write_csv(HEADER, _lines(report))
