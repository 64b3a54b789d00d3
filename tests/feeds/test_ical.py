"""The pure iCalendar builder: escaping, folding, time zones, calendar properties."""

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import dateutil.tz
import icalendar
import ics

from app.feeds.ical import (
    CalendarEvent,
    CalendarMeta,
    Status,
    build_calendar,
    fold,
)
from tests.feeds.conftest import read_both

HOSTILE = 'Jobs fair, Bacup; "BPA" \\ stall\r\nATTENDEE:mailto:x@y\nEND:VEVENT'


def entry(**kw: object) -> CalendarEvent:
    data: dict[str, object] = {
        "uid": "muster-test-event-1@muster.test",
        "summary": "Jobs fair",
        "starts_at": datetime(2027, 7, 14, 9, 0, tzinfo=UTC),
        "ends_at": datetime(2027, 7, 14, 16, 0, tzinfo=UTC),
        "status": Status.confirmed,
        "sequence": 2,
        "created": datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC),
        "last_modified": datetime(2027, 2, 3, 4, 5, 6, tzinfo=UTC),
        **kw,
    }
    return CalendarEvent(**data)  # type: ignore[arg-type]


def calendar(*events: CalendarEvent, **kw: object) -> str:
    return build_calendar(CalendarMeta(name=str(kw.get("name", "Duties")), events=events))


def test_text_escapes_special_characters():
    body = calendar(entry(summary="a,b;c\\d\ne\r\nf\rg"))

    assert "\r\nSUMMARY:a\\,b\\;c\\\\d\\ne\\nf\\ng\r\n" in body


def test_text_drops_control_characters():
    body = calendar(entry(summary="a\x00b\x07c\x1bd\te"))

    assert "\r\nSUMMARY:abcd\te\r\n" in body


def test_calendar_name_is_escaped_text():
    body = calendar(entry(), name="Duties\r\nX-INJECTED:1; Bacup, Nelson\x00")

    assert "\r\nNAME:Duties\\nX-INJECTED:1\\; Bacup\\, Nelson\r\n" in body
    assert "\r\nX-WR-CALNAME:Duties\\nX-INJECTED:1\\; Bacup\\, Nelson\r\n" in body
    assert "\r\nX-INJECTED" not in body


def test_hostile_title_stays_one_summary_in_both_parsers():
    body = calendar(entry(summary=HOSTILE, location=HOSTILE, description=HOSTILE))

    seen = read_both(body)

    expected = HOSTILE.replace("\r\n", "\n")
    assert len(seen) == 1
    assert (seen[0].summary, seen[0].location, seen[0].description) == (expected, expected, expected)
    parsed = icalendar.Calendar.from_ical(body)
    assert [c.name for c in parsed.walk()] == [
        "VCALENDAR",
        "VTIMEZONE",
        "DAYLIGHT",
        "STANDARD",
        "VEVENT",
    ]
    assert "ATTENDEE" not in parsed.walk("VEVENT")[0]
    assert body.count("\r\nEND:VEVENT\r\n") == 1
    assert "\r\nATTENDEE" not in body


def test_calendar_uses_crlf_only():
    body = calendar(entry(description="one\ntwo\rthree"))

    assert body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    assert "\r" not in body.replace("\r\n", "")


def test_fold_long_lines_at_75_octets_without_splitting_utf8():
    text = "Croeso — خوش آمدید — 歡迎 — Witamy! " * 20
    body = calendar(entry(description=text))

    lines = body.encode().split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # each physical line is whole UTF-8 on its own
    assert read_both(body)[0].description == text


def test_fold_keeps_escapes_on_one_line():
    line = "DESCRIPTION:" + "ab\\n" * 40 + "\\\\" * 30

    folded = fold(line)

    parts = folded.split("\r\n ")
    assert "".join(parts) == line
    for part in parts:
        trailing = len(part) - len(part.rstrip("\\"))
        assert trailing % 2 == 0  # no physical line ends in half an escape
    assert max(len(p.encode()) for p in folded.split("\r\n")) <= 75


def test_fold_short_line_unchanged():
    assert fold("SUMMARY:Jobs fair") == "SUMMARY:Jobs fair"


def test_local_time_july_is_bst():
    body = calendar(entry(starts_at=datetime(2027, 7, 14, 9, 0, tzinfo=UTC)))

    assert "DTSTART;TZID=Europe/London:20270714T100000\r\n" in body
    assert read_both(body)[0].starts_at == datetime(2027, 7, 14, 9, 0, tzinfo=UTC)


def test_local_time_january_is_gmt():
    start = datetime(2027, 1, 13, 10, 0, tzinfo=UTC)
    body = calendar(entry(starts_at=start, ends_at=start + timedelta(hours=7)))

    assert "DTSTART;TZID=Europe/London:20270113T100000\r\n" in body
    assert "DTEND;TZID=Europe/London:20270113T170000\r\n" in body
    assert read_both(body)[0].starts_at == start


def test_event_across_clock_change_keeps_both_instants():
    # Saturday 27 March 2027 23:00 GMT to Sunday 28 March 10:00 BST (the clocks go forward at 01:00 GMT).
    start = datetime(2027, 3, 27, 23, 0, tzinfo=UTC)
    end = datetime(2027, 3, 28, 9, 0, tzinfo=UTC)

    seen = read_both(calendar(entry(starts_at=start, ends_at=end)))[0]

    assert (seen.starts_at, seen.ends_at) == (start, end)


def test_second_occurrence_of_autumn_hour_is_written_in_utc():
    # 31 October 2027: 01:30 BST (00:30Z) and 01:30 GMT (01:30Z) are both "01:30" in London.
    first = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    second = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    body = calendar(entry(starts_at=first, ends_at=second))

    assert "DTSTART;TZID=Europe/London:20271031T013000\r\n" in body
    assert "DTEND:20271031T013000Z\r\n" in body
    seen = read_both(body)[0]
    assert (seen.starts_at, seen.ends_at) == (first, second)


def test_vtimezone_rules_agree_with_zoneinfo_around_every_change():
    """The VTIMEZONE block read by dateutil's own RFC 5545 engine (not the system zone
    that both parsers look up by name) gives London's offset at every quarter hour
    around each clock change from 2025 to 2040."""
    body = calendar(entry())
    block = body[body.index("BEGIN:VTIMEZONE") : body.index("END:VTIMEZONE") + len("END:VTIMEZONE")]
    # dateutil refuses X- properties it does not know.
    text = "\r\n".join(line for line in block.split("\r\n") if not line.startswith("X-")) + "\r\n"
    published = dateutil.tz.tzical(io.StringIO(text)).get("Europe/London")
    london = ZoneInfo("Europe/London")

    wrong = [
        instant
        for year in range(2025, 2041)
        for month in (3, 10)
        for quarter in range(16 * 24 * 4)
        if (instant := datetime(year, month, 20, tzinfo=UTC) + timedelta(minutes=15 * quarter))
        .astimezone(published)
        .utcoffset()
        != instant.astimezone(london).utcoffset()
    ]

    assert wrong == []


def test_calendar_properties_for_subscribing_clients():
    body = build_calendar(CalendarMeta(name="Duties; Bacup, Nelson", refresh_minutes=90, events=[entry()]))
    parsed = icalendar.Calendar.from_ical(body)

    assert str(parsed["VERSION"]) == "2.0"
    assert str(parsed["PRODID"]) == "-//Muster//Outreach events//EN"
    assert str(parsed["METHOD"]) == "PUBLISH"
    # icalendar does not know that RFC 7986 NAME (or X-WR-CALNAME) is TEXT: read it raw.
    assert str(parsed["NAME"]) == "Duties\\; Bacup\\, Nelson"
    assert str(parsed["X-WR-CALNAME"]) == "Duties\\; Bacup\\, Nelson"
    assert str(parsed["X-WR-TIMEZONE"]) == "Europe/London"
    # RFC 5545 dur-time: the library writes 90 minutes as PT1H30M (PT90M is equally valid).
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H30M\r\n" in body
    assert "X-PUBLISHED-TTL:PT1H30M\r\n" in body


def test_event_properties_clients_need_to_update():
    body = calendar(
        entry(sequence=7, status=Status.tentative, geo=(53.75, -2.483333), url="https://muster.test/events/1")
    )
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]

    assert str(event["UID"]) == "muster-test-event-1@muster.test"
    assert event["SEQUENCE"] == 7
    assert event.decoded("DTSTAMP") == datetime(2027, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert event.decoded("LAST-MODIFIED") == datetime(2027, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert event.decoded("CREATED") == datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert str(event["STATUS"]) == "TENTATIVE"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (53.75, -2.483333)
    assert str(event["URL"]) == "https://muster.test/events/1"
    assert str(event["X-MICROSOFT-CDO-BUSYSTATUS"]) == "TENTATIVE"


def test_cancelled_event_is_transparent():
    body = calendar(entry(status=Status.cancelled))

    assert "STATUS:CANCELLED\r\nTRANSP:TRANSPARENT\r\n" in body


def test_empty_calendar_is_valid_for_both_parsers():
    body = calendar()

    assert read_both(body) == []
    assert len(ics.Calendar(body).events) == 0


def test_build_is_deterministic():
    assert calendar(entry(), entry(uid="two@muster.test")) == calendar(entry(), entry(uid="two@muster.test"))


def test_folded_body_keeps_backslash_escapes_whole():
    # Wherever a fold falls in a run of escaped backslashes, no physical line ends in half an
    # escape (icalendar 7.3's own folder splits ``\\`` pairs; build_calendar must not).
    for shift in range(4):
        body = calendar(entry(description="x" * shift + "\\" * 60 + "\n" * 30))

        for line in body.split("\r\n"):
            assert (len(line) - len(line.rstrip("\\"))) % 2 == 0, line
        assert read_both(body)[0].description == "x" * shift + "\\" * 60 + "\n" * 30
