"""iCalendar (RFC 5545, with RFC 7986 calendar properties) built with the icalendar library.

Plain data in, text out: no FastAPI, no session, so it is tested alone. The calendar is a
tree of ``icalendar`` components holding explicitly typed values (vText, vGeo, vUri,
vDuration, …): the library knows each type's grammar and escaping, so a hostile title
cannot end its line and start a property of its own, and there is no serialiser of our
own to keep right. What stays here is what the library (7.x) leaves to its caller:

- Determinism, since the ETag hashes the body: plain ``Event()`` (``Event.new()`` would
  stamp the clock and a random UID), properties in insertion order, DTSTAMP from the data.
- Types it guesses wrong: untyped NAME and X-WR-* would be written unescaped, a
  timedelta X-PUBLISHED-TTL as ``1:00:00``; control characters, which it copies through,
  are dropped from text, and line breaks from URIs (which it refuses with an exception).
- VTIMEZONE: the fixed EU rules, built from its components. ``Timezone.from_tzid`` covers
  only a date span and writes the March onset as 02:00 where RFC 5545 reads DTSTART in
  TZOFFSETFROM (01:00 GMT), so strict readers (dateutil) change an hour late.
- Folding: its folder can split a ``\\\\`` escape across two physical lines, which clients
  that unescape before unfolding misread; :func:`fold` folds its content lines instead,
  keeping escapes and UTF-8 characters whole (and is faster). One line to switch back.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vCategory,
    vDuration,
    vGeo,
    vText,
    vUri,
)

from app.clock import to_london

CRLF = "\r\n"
LINE_OCTETS = 75

# Clients de-duplicate calendars by PRODID and use it to work around generators' quirks,
# so it must never change with versions or deployments.
PRODID = "-//Muster//Outreach events//EN"
TZID = "Europe/London"


def _london_vtimezone() -> Timezone:
    """The rules in force since 1996 (EU summer time): BST from 01:00 GMT on the last
    Sunday of March, GMT from 02:00 BST on the last Sunday of October. The block Google,
    Thunderbird and tzurl.org publish, so every client resolves local times identically,
    for any date, whatever a feed contains."""
    zone = Timezone()
    zone.add("TZID", TZID)
    zone.add("X-LIC-LOCATION", TZID)
    rules = (
        (TimezoneDaylight(), "BST", 0, 1, datetime(1970, 3, 29, 1), 3),
        (TimezoneStandard(), "GMT", 1, 0, datetime(1970, 10, 25, 2), 10),
    )
    for part, name, before, after, onset, month in rules:
        part.add("TZOFFSETFROM", timedelta(hours=before))
        part.add("TZOFFSETTO", timedelta(hours=after))
        part.add("TZNAME", name)
        part.add("DTSTART", onset)  # local time in TZOFFSETFROM (RFC 5545 §3.6.5)
        part.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": month, "BYDAY": "-1SU"})
        zone.add_component(part)
    return zone


# Never changed after this, so every calendar can carry the same component.
LONDON_VTIMEZONE = _london_vtimezone()


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
_UNITS = re.compile(r"\\.|.", re.DOTALL)

# Outlook ignores STATUS for free/busy; this is how it learns a duty is only pencilled in.
_BUSY = {Status.cancelled: "FREE", Status.tentative: "TENTATIVE", Status.confirmed: "BUSY"}


def _text(value: str) -> vText:
    """A TEXT value; control characters other than line breaks and tabs are not allowed
    in iCalendar at all, so they go (line breaks the library escapes as ``\\n``)."""
    return vText(_CONTROL.sub("", _NEWLINE.sub("\n", value)))


def _uri(value: str) -> vUri:
    """URIs are not escaped in iCalendar; anything that could break the line goes."""
    return vUri(_CONTROL.sub("", _NEWLINE.sub("", value)).replace("\t", ""))


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _local(value: datetime) -> datetime:
    """London wall-clock time (written with TZID), which clients show and move across BST
    correctly. The second 01:xx of the night the clocks go back cannot be written as a
    London local time (RFC 5545 says the first occurrence is meant), so that rare instant
    goes as UTC."""
    local = to_london(value)
    return _utc(value) if local.fold else local


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence.

    Nor inside a backslash escape: some clients unescape each physical line before
    unfolding, and would read a ``\\n`` split across two lines as a stray backslash.
    """
    if len(line) <= LINE_OCTETS // 4 or len(line.encode()) <= LINE_OCTETS:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    limit = LINE_OCTETS
    for unit in _UNITS.findall(line):
        width = len(unit.encode())
        if size + width > limit and current:
            parts.append("".join(current))
            current, size = [], 0
            limit = LINE_OCTETS - 1  # the leading space of a continuation line counts
        current.append(unit)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def _event(item: CalendarEvent) -> Event:
    event = Event()
    event.add("UID", _text(item.uid))
    # DTSTAMP is the time the information last changed, not the time of the request, so a
    # feed that has not changed is the same bytes (and the same ETag) on every worker.
    event.add("DTSTAMP", _utc(item.last_modified))
    event.add("DTSTART", _local(item.starts_at))
    event.add("DTEND", _local(item.ends_at))
    event.add("SEQUENCE", max(0, item.sequence))
    event.add("CREATED", _utc(item.created))
    event.add("LAST-MODIFIED", _utc(item.last_modified))
    event.add("SUMMARY", _text(item.summary))
    if item.location:
        event.add("LOCATION", _text(item.location))
    if item.geo is not None:
        event.add("GEO", vGeo((round(item.geo[0], 6), round(item.geo[1], 6))))
    if item.description:
        event.add("DESCRIPTION", _text(item.description))
    if item.url:
        event.add("URL", _uri(item.url))
    if item.contact:
        event.add("CONTACT", _text(item.contact))
    if item.categories:
        event.add("CATEGORIES", vCategory([_text(c) for c in item.categories]))
    event.add("STATUS", item.status.value)
    if item.public:
        event.add("CLASS", "PUBLIC")
    event.add("TRANSP", "TRANSPARENT" if item.status == Status.cancelled else "OPAQUE")
    event.add("X-MICROSOFT-CDO-BUSYSTATUS", vText(_BUSY[item.status]))
    return event


def _calendar(meta: CalendarMeta) -> Calendar:
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("NAME", _text(meta.name))
    calendar.add("X-WR-CALNAME", _text(meta.name))
    if meta.description:
        calendar.add("DESCRIPTION", _text(meta.description))
        calendar.add("X-WR-CALDESC", _text(meta.description))
    calendar.add("X-WR-TIMEZONE", vText(TZID))
    refresh = timedelta(minutes=meta.refresh_minutes)
    calendar.add("REFRESH-INTERVAL", vDuration(refresh, params={"VALUE": "DURATION"}))
    calendar.add("X-PUBLISHED-TTL", vDuration(refresh))
    if meta.url:
        calendar.add("URL", _uri(meta.url))
    if meta.source:
        calendar.add("SOURCE", _uri(meta.source), parameters={"VALUE": "URI"})
    # Always present: it is what TZID refers to, and a calendar needs one component even
    # when it has no events yet (RFC 5545 §3.6).
    calendar.add_component(LONDON_VTIMEZONE)
    for item in meta.events:
        calendar.add_component(_event(item))
    return calendar


def build_calendar(meta: CalendarMeta) -> str:
    """The whole file: the library's content lines, folded, each ending CRLF."""
    lines = _calendar(meta).content_lines(sorted=False)
    return "".join(fold(line) + CRLF for line in lines if line)


@dataclass(frozen=True)
class Party:
    """An ORGANIZER or ATTENDEE of an invitation."""

    email: str
    name: str = ""
    partstat: str = "NEEDS-ACTION"


def _address(party: Party, *, attendee: bool) -> vCalAddress:
    address = vCalAddress(f"mailto:{_CONTROL.sub('', _NEWLINE.sub('', party.email))}")
    if party.name:
        address.params["CN"] = vText(_CONTROL.sub("", _NEWLINE.sub(" ", party.name)))
    if attendee:
        address.params["ROLE"] = vText("REQ-PARTICIPANT")
        address.params["PARTSTAT"] = vText(party.partstat)
        # Answers go through Muster's own links, not back to the organiser's address.
        address.params["RSVP"] = vText("FALSE")
    return address


def build_invitation(item: CalendarEvent, *, method: str, organizer: Party, attendee: Party) -> str:
    """An iTIP message (RFC 5546) for one e-mail: METHOD:REQUEST adds or updates the
    entry, METHOD:CANCEL removes it. The UID and SEQUENCE are the personal feed's, so a
    client that has both sees one duty, and a later message replaces an earlier one."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method}")
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    calendar.add_component(LONDON_VTIMEZONE)
    event = _event(item)
    event.add("ORGANIZER", _address(organizer, attendee=False))
    event.add("ATTENDEE", _address(attendee, attendee=True))
    calendar.add_component(event)
    lines = calendar.content_lines(sorted=False)
    return "".join(fold(line) + CRLF for line in lines if line)
