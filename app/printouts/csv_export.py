"""CSV exports that open cleanly in Excel and LibreOffice, and cannot run formulas.

Pure: rows of the roster dataclasses in, bytes out.

- UTF-8 with a byte-order mark: without it Excel reads UTF-8 as Windows-1252 and mangles
  names such as "Zoë" or "Łukasz".
- ISO dates (2026-07-15) and 24-hour times, in London time, plus the full ISO instant with
  its offset for anyone who re-imports the file.
- Any text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed
  with an apostrophe (OWASP "CSV injection"): a venue note or a name typed as
  ``=HYPERLINK(...)`` stays text instead of becoming a live formula on a coordinator's PC.
  Numbers are written as numbers and are not touched.
"""

import csv
import io
from collections.abc import Iterable, Sequence

from app.events.public import listed_publicly
from app.printouts.roster import Roster, RosterEvent

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str | int | float:
    """A cell that a spreadsheet will show as typed, never evaluate."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


# Both exports open with the event's columns, so a sheet built on one reads the other.
EVENT_HEADER = (
    "date",
    "start",
    "end",
    "starts_at",
    "ends_at",
    "event_id",
    "event",
    "campaign",
    "status",
    "venue",
)


def _event_cells(event: RosterEvent) -> list[object]:
    """The cells under ``EVENT_HEADER``."""
    return [
        event.starts_at.date().isoformat(),
        f"{event.starts_at:%H:%M}",
        f"{event.ends_at:%H:%M}",
        event.starts_at.isoformat(),
        event.ends_at.isoformat(),
        event.event_id,
        event.title,
        event.campaign,
        event.status_label,
        event.venue,
    ]


ROSTER_HEADER = (
    *EVENT_HEADER,
    "town",
    "role",
    "name",
    "rank_or_title",
    "reply",
    "phone",
    "email",
    "staffing_gaps",
)


def roster_csv(roster: Roster) -> bytes:
    """One row per person per event (what a pivot table wants); an event with nobody on it
    still gets one row, so its gaps are not lost."""
    rows: list[list[object]] = []
    for event in roster.events:
        common = [*_event_cells(event), event.town]
        gaps = "; ".join(event.gaps)
        if not event.team:
            rows.append([*common, "", "", "", "", "", "", gaps])
        for member in event.team:
            rows.append(
                [
                    *common,
                    member.role_label,
                    member.name,
                    member.rank_or_title,
                    member.reply,
                    member.phone,
                    member.email,
                    gaps,
                ]
            )
    return write_csv(ROSTER_HEADER, rows)


PUBLIC_EVENTS_HEADER = (
    *EVENT_HEADER,
    "venue_kind",
    "address",
    "town",
    "postcode",
    "public_page",
)

PLANNER_EVENTS_HEADER = (
    *PUBLIC_EVENTS_HEADER,
    "public",
    "partner_status",
    "recruiters_needed",
    "recruiters",
    "ambassadors_needed",
    "ambassadors",
    "awaiting_reply",
    "staffing_gaps",
)


def events_csv(events: Sequence[RosterEvent], *, base_url: str, planner: bool) -> bytes:
    """The event list. Coordinators get the staffing columns; everyone else gets what the
    public event pages already say."""
    rows: list[list[object]] = []
    for event in events:
        row: list[object] = [
            *_event_cells(event),
            event.venue_kind,
            event.address,
            event.town,
            event.postcode,
            f"{base_url.rstrip('/')}/events/{event.event_id}" if listed_publicly(event) else "",
        ]
        if planner:
            s = event.staffing
            row += [
                event.public,
                event.partner_status,
                s.recruiters_needed,
                s.recruiters,
                s.ambassadors_needed,
                s.ambassadors,
                s.awaiting_reply,
                "; ".join(event.gaps),
            ]
        rows.append(row)
    return write_csv(PLANNER_EVENTS_HEADER if planner else PUBLIC_EVENTS_HEADER, rows)
