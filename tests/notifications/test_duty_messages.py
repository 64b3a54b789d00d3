"""Duty messages end to end: a change in Muster, the worker, a real SMTP server, and the
invitation inside read back by icalendar."""

from datetime import timedelta

from icalendar import Calendar

from app.audit.service import SYSTEM
from app.enums import AssignmentRole, AssignmentStatus, EventStatus
from app.events import service as events
from tests.factories import Factory, future
from tests.notifications.conftest import Sink
from tests.notifications.icaljs import read_with_icaljs


def _calendar_text(message) -> str:  # type: ignore[no-untyped-def]
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return str(part.get_content())
    raise AssertionError("no text/calendar part")


def _calendar(message) -> Calendar:  # type: ignore[no-untyped-def]
    return Calendar.from_ical(_calendar_text(message))


def test_duty_proposed_sends_invitation_with_links(make: Factory, mailbox: Sink, worker) -> None:  # type: ignore[no-untyped-def]
    person = make.person("Aisha Hussain", email="aisha@force.test")
    event = make.event(starts_at=future(10))
    make.assign(event, person)

    worker.drain()

    [message] = mailbox.to("aisha@force.test")
    assert message["Subject"].startswith("Can you do this? ")
    calendar = _calendar(message)
    assert calendar["METHOD"] == "REQUEST"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == f"muster-duty-event-{event.id}@muster.test"
    assert str(vevent["ATTENDEE"]) == "mailto:aisha@force.test"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    text = message.get_body(("plain",)).get_content()
    assert "Accept this duty: https://muster.test/respond/lnk_" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_duty_move_updates_invitation_in_place(make: Factory, mailbox: Sink, worker) -> None:  # type: ignore[no-untyped-def]
    person = make.person(email="tom@force.test")
    event = make.event(starts_at=future(10))
    make.assign(event, person, status=AssignmentStatus.confirmed)
    worker.drain()
    make.move_event(event, timedelta(days=1))
    worker.drain()

    first, second = mailbox.to("tom@force.test")
    assert first["Subject"].startswith("Confirmed: ")
    assert second["Subject"].startswith("Changed: ")
    one, two = (_calendar(m).walk("VEVENT")[0] for m in (first, second))
    assert str(one["UID"]) == str(two["UID"])
    assert int(two["SEQUENCE"]) > int(one["SEQUENCE"])
    assert "The time has changed" in second.get_body(("plain",)).get_content()


def test_duty_cancel_sends_itip_cancel(make: Factory, mailbox: Sink, worker) -> None:  # type: ignore[no-untyped-def]
    person = make.person(email="lee@force.test")
    event = make.event(starts_at=future(10))
    make.assign(event, person, role=AssignmentRole.lead, status=AssignmentStatus.confirmed)
    worker.drain()
    events.cancel_event(session=make.session, actor=SYSTEM, event_id=event.id or 0, reason="venue flooded")
    worker.drain()

    confirmed, cancelled = mailbox.to("lee@force.test")
    assert confirmed["Subject"].startswith("Confirmed: ")
    calendar = _calendar(cancelled)
    assert calendar["METHOD"] == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    assert "venue flooded" in cancelled.get_body(("plain",)).get_content()
    assert cancelled["List-Unsubscribe"] is None


def test_duty_proposed_then_withdrawn_before_sending_says_nothing(
    make: Factory, mailbox: Sink, worker
) -> None:  # type: ignore[no-untyped-def]
    person = make.person(email="sam@force.test")
    event = make.event(starts_at=future(10))
    make.assign(event, person)
    events.cancel_event(session=make.session, actor=SYSTEM, event_id=event.id or 0)

    worker.drain()

    assert mailbox.to("sam@force.test") == []


def test_duty_invitation_reads_the_same_in_icaljs(make: Factory, mailbox: Sink, worker) -> None:  # type: ignore[no-untyped-def]
    person = make.person("Priya Patel", email="priya@force.test")
    event = make.event(starts_at=future(10), status=EventStatus.confirmed)
    make.assign(event, person, status=AssignmentStatus.confirmed)
    worker.drain()
    events.cancel_event(session=make.session, actor=SYSTEM, event_id=event.id or 0)
    worker.drain()

    request, cancel = (read_with_icaljs(_calendar_text(m)) for m in mailbox.to("priya@force.test"))

    uid = f"muster-duty-event-{event.id}@muster.test"
    assert request == {
        "method": "REQUEST",
        "uid": uid,
        "sequence": request["sequence"],
        "status": "CONFIRMED",
        "start": event.starts_at.isoformat().replace("+00:00", ".000Z"),
        "end": event.ends_at.isoformat().replace("+00:00", ".000Z"),
        "tzid": "Europe/London",
        "attendee": "mailto:priya@force.test",
        "partstat": "ACCEPTED",
        "organizer": "mailto:muster@muster.example",
    }
    assert (cancel["method"], cancel["uid"], cancel["status"]) == ("CANCEL", uid, "CANCELLED")
    assert cancel["sequence"] > request["sequence"]
