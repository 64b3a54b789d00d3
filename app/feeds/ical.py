"""iCalendar (RFC 5545, with RFC 7986 calendar properties) as pure functions.

Plain data in, text out: no FastAPI, no session, so it is fast and tested alone. Written
by hand rather than with the icalendar library because a feed must be byte-for-byte
deterministic (its ETag is a hash of the body) and about ten times cheaper to build; the
tests parse every feed with two independent parsers to keep it honest.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from app.clock import to_london

CRLF = "\r\n"
LINE_OCTETS = 75

# Clients de-duplicate calendars by PRODID and use it to work around generators' quirks,
# so it must never change with versions or deployments.
PRODID = "-//Muster//Outreach events//EN"
TZID = "Europe/London"

# The rules in force since 1996 (EU summer time): BST from 01:00 UTC on the last Sunday
# of March, GMT from 01:00 UTC on the last Sunday of October. The same block Google,
# Thunderbird and tzurl.org publish, so every client resolves local times identically.
LONDON_VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    "TZID:Europe/London",
    "X-LIC-LOCATION:Europe/London",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19700329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19701025T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


class Status(StrEnum):
    tentative = "TENTATIVE"
    confirmed = "CONFIRMED"
    cancelled = "CANCELLED"


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT. Instants are aware; ``description`` may have several lines."""

    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    status: Status
    sequence: int
    created: datetime
    last_modified: datetime
    location: str = ""
    geo: tuple[float, float] | None = None
    description: str = ""
    url: str = ""
    contact: str = ""
    categories: tuple[str, ...] = ()
    public: bool = False


@dataclass(frozen=True)
class CalendarMeta:
    """What a whole calendar says about itself (RFC 7986 NAME, REFRESH-INTERVAL, …)."""

    name: str
    description: str = ""
    url: str = ""
    source: str = ""
    refresh_minutes: int = 60
    events: Sequence[CalendarEvent] = field(default_factory=tuple)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NEWLINE = re.compile(r"\r\n|\r|\n")
# One character, or a backslash escape that must stay on one physical line.
_TOKENS = re.compile(r"\\.|.", re.DOTALL)
_FOLD = CRLF + " "


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, line
    breaks as ``\\n``, other control characters dropped (they are not allowed at all), so
    user text can never end a line and start a property of its own."""
    value = _CONTROL.sub("", _NEWLINE.sub("\n", value))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _uri(value: str) -> str:
    """URIs are not escaped in iCalendar; anything that could break the line goes."""
    return _CONTROL.sub("", _NEWLINE.sub("", value)).replace("\t", "")


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence.

    Nor inside a backslash escape: some clients unescape each physical line before
    unfolding, and would read a ``\\n`` split across two lines as a stray backslash.
    """
    if len(line) <= LINE_OCTETS // 4:
        return line
    if line.isascii():
        return _fold_ascii(line)
    if len(line.encode()) <= LINE_OCTETS:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    limit = LINE_OCTETS
    for token in _TOKENS.findall(line):
        width = len(token.encode())
        if size + width > limit and current:
            parts.append("".join(current))
            current, size = [], 0
            limit = LINE_OCTETS - 1  # the leading space of a continuation line counts
        current.append(token)
        size += width
    parts.append("".join(current))
    return _FOLD.join(parts)


def _fold_ascii(line: str) -> str:
    """The common case, by slicing: one octet per character."""
    parts: list[str] = []
    pos, limit, end = 0, LINE_OCTETS, len(line)
    while end - pos > limit:
        cut = pos + limit
        # A run of backslashes starts on an escape boundary; an odd run ending at the cut
        # means the last one escapes the character after the cut.
        run = 0
        while cut - 1 - run >= pos and line[cut - 1 - run] == "\\":
            run += 1
        if run % 2:
            cut -= 1
        parts.append(line[pos:cut])
        pos, limit = cut, LINE_OCTETS - 1
    parts.append(line[pos:])
    return _FOLD.join(parts)


def utc_stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local_property(name: str, value: datetime) -> str:
    """London wall-clock time with TZID, which clients show and move across BST correctly.

    The second 01:xx of the night the clocks go back cannot be written as a London local
    time (RFC 5545 says the first occurrence is meant), so that rare instant goes as UTC.
    """
    local = to_london(value)
    if local.fold:
        return f"{name}:{utc_stamp(value)}"
    return f"{name};TZID={TZID}:{local:%Y%m%dT%H%M%S}"


def _duration(minutes: int) -> str:
    if minutes % 60 == 0:
        return f"PT{minutes // 60}H"
    return f"PT{minutes}M"


def _event_lines(event: CalendarEvent) -> Iterable[str]:
    yield "BEGIN:VEVENT"
    yield f"UID:{escape_text(event.uid)}"
    # DTSTAMP is the time the information last changed, not the time of the request, so a
    # feed that has not changed is the same bytes (and the same ETag) on every worker.
    yield f"DTSTAMP:{utc_stamp(event.last_modified)}"
    yield _local_property("DTSTART", event.starts_at)
    yield _local_property("DTEND", event.ends_at)
    yield f"SEQUENCE:{max(0, event.sequence)}"
    yield f"CREATED:{utc_stamp(event.created)}"
    yield f"LAST-MODIFIED:{utc_stamp(event.last_modified)}"
    yield f"SUMMARY:{escape_text(event.summary)}"
    if event.location:
        yield f"LOCATION:{escape_text(event.location)}"
    if event.geo is not None:
        yield f"GEO:{event.geo[0]:.6f};{event.geo[1]:.6f}"
    if event.description:
        yield f"DESCRIPTION:{escape_text(event.description)}"
    if event.url:
        yield f"URL:{_uri(event.url)}"
    if event.contact:
        yield f"CONTACT:{escape_text(event.contact)}"
    if event.categories:
        yield "CATEGORIES:" + ",".join(escape_text(c) for c in event.categories)
    yield f"STATUS:{event.status.value}"
    if event.public:
        yield "CLASS:PUBLIC"
    cancelled = event.status == Status.cancelled
    yield "TRANSP:TRANSPARENT" if cancelled else "TRANSP:OPAQUE"
    # Outlook ignores STATUS for free/busy; this is how it learns a duty is only pencilled in.
    busy = {Status.cancelled: "FREE", Status.tentative: "TENTATIVE", Status.confirmed: "BUSY"}
    yield f"X-MICROSOFT-CDO-BUSYSTATUS:{busy[event.status]}"
    yield "END:VEVENT"


def _calendar_lines(meta: CalendarMeta) -> Iterable[str]:
    yield "BEGIN:VCALENDAR"
    yield "VERSION:2.0"
    yield f"PRODID:{PRODID}"
    yield "CALSCALE:GREGORIAN"
    yield "METHOD:PUBLISH"
    yield f"NAME:{escape_text(meta.name)}"
    yield f"X-WR-CALNAME:{escape_text(meta.name)}"
    if meta.description:
        yield f"DESCRIPTION:{escape_text(meta.description)}"
        yield f"X-WR-CALDESC:{escape_text(meta.description)}"
    yield f"X-WR-TIMEZONE:{TZID}"
    yield f"REFRESH-INTERVAL;VALUE=DURATION:{_duration(meta.refresh_minutes)}"
    yield f"X-PUBLISHED-TTL:{_duration(meta.refresh_minutes)}"
    if meta.url:
        yield f"URL:{_uri(meta.url)}"
    if meta.source:
        yield f"SOURCE;VALUE=URI:{_uri(meta.source)}"
    # Always present: it is what TZID refers to, and a calendar needs one component even
    # when it has no events yet (RFC 5545 §3.6).
    yield from LONDON_VTIMEZONE
    for event in meta.events:
        yield from _event_lines(event)
    yield "END:VCALENDAR"


def build_calendar(meta: CalendarMeta) -> str:
    """The whole file: folded content lines, each ending CRLF."""
    return "".join(fold(line) + CRLF for line in _calendar_lines(meta))
