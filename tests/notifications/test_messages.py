"""Booking, reminder, digest and account messages end to end: a change in Muster, the
worker, a real SMTP server, and what arrived read back."""

import re
from datetime import datetime, timedelta
from email.message import Message

import pytest
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.accounts.service import principal_for
from app.assignments import service as assignments
from app.assignments.models import Assignment
from app.audit.service import SYSTEM
from app.clock import to_london, utcnow
from app.config import get_settings
from app.enums import AssignmentRole, AssignmentStatus, EventStatus, PartnerStatus
from app.errors import NotFound
from app.events import flows
from app.events import service as events
from app.events.models import Event
from app.notifications.account_messages import invite_user, request_password_reset
from app.notifications.models import ActionLink, OutboxMessage
from app.notifications.outbox import SKIPPED
from app.notifications.preferences import save_preference
from app.notifications.scheduling import reminder_key, schedule_reminders
from app.pages.rendering import span
from app.people import service as people
from app.people.models import Person
from tests.factories import Factory, future
from tests.notifications.conftest import Sink

LINK = re.compile(r"https://muster\.test/respond/lnk_[A-Za-z0-9_-]+")


def _text(message: Message) -> str:
    body: str = message.get_body(("plain",)).get_content()  # type: ignore[attr-defined]
    return body.replace("\r\n", "\n")


def _html(message: Message) -> str:
    body: str = message.get_body(("html",)).get_content()  # type: ignore[attr-defined]
    return body.replace("\r\n", "\n")


def _assert_valid_html(message: Message) -> None:
    html = _html(message)
    assert '<html lang="en-GB">' in html
    title = re.search(r"<title>([^<]+)</title>", html)
    assert title is not None and title.group(1).strip()
    assert re.search(r"<h1[^>]*>", html)


def _day(instant: datetime) -> str:
    return f"{to_london(instant):%a %-d %b}"


def _rows(session: Session, kind: str) -> list[OutboxMessage]:
    # The worker committed in its own sessions: end this session's snapshot first.
    session.commit()
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.kind == kind)
            .order_by(col(OutboxMessage.id))
            .execution_options(populate_existing=True)
        ).all()
    )


def _subjects(mailbox: Sink, address: str) -> list[str]:
    return [str(m["Subject"]) for m in mailbox.to(address)]


def _venue_declines(make: Factory, partner: User, event: Event, message: str) -> None:
    flows.respond_as_partner(
        session=make.session,
        principal=principal_for(session=make.session, user=partner),
        event_id=event.id or 0,
        status=PartnerStatus.declined,
        message=message,
    )


# --- bookings ----------------------------------------------------------------------


def test_booking_requested_reaches_partner_and_venue_contact_with_links(
    make: Factory, mailbox: Sink, worker
) -> None:  # type: ignore[no-untyped-def]
    venue = make.venue(
        "Blackburn Jobcentre Plus",
        address="Blakey Moor",
        postcode="BB2 1AU",
        contact_email="Manager@JCP.test",
        contact_name="Jo Manager",
    )
    make.user("partner", venues=[venue], email="partner@jcp.test")
    sergeant = make.person("Sgt Lisa Ward", phone="01254 000000")
    coordinator = make.user("coordinator", person=sergeant, email="lisa.ward@force.test")
    network = make.network("Sikh Police Association")
    member = make.person("Harpreet Kaur")
    make.represent(member, network)
    event = make.event(
        venue=venue,
        starts_at=future(10),
        title="Careers in policing",
        public_description="Talk to officers about joining.",
        coordinator_user_id=coordinator.id,
    )
    make.assign(event, member)

    worker.drain()

    [to_partner] = mailbox.to("partner@jcp.test")
    [to_contact] = mailbox.to("manager@jcp.test")
    for message in (to_partner, to_contact):
        assert message["Subject"] == f"New booking: Careers in policing, {_day(event.starts_at)}"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        _assert_valid_html(message)
        text = _text(message)
        confirm, decline = LINK.findall(text)
        assert f"Confirm this booking: {confirm}\n" in text
        assert f"Decline this booking: {decline}\n" in text
        assert f"When:  {span(event.starts_at, event.ends_at)}\n" in text
        assert "Where: Blackburn Jobcentre Plus, Blakey Moor, Blackburn BB2 1AU\n" in text
        assert "About: Talk to officers about joining.\n" in text
        assert "Coordinator: Sgt Lisa Ward, lisa.ward@force.test, 01254 000000\n" in text
        assert f"This booking in Muster: https://muster.test/partner/events/{event.id}\n" in text
        # The partner sees the booking, never the team or its networks.
        for private in ("Harpreet", "Sikh Police Association"):
            assert private not in text
            assert private not in _html(message)
    assert _text(to_contact).startswith("Dear Jo Manager,\n")
    assert _text(to_partner).startswith("Hello,\n")

    make.session.commit()
    issued = make.session.exec(select(ActionLink).order_by(col(ActionLink.id))).all()
    assert sorted((link.purpose, link.recipient) for link in issued) == [
        ("booking_confirm", "manager@jcp.test"),
        ("booking_confirm", "partner@jcp.test"),
        ("booking_decline", "manager@jcp.test"),
        ("booking_decline", "partner@jcp.test"),
    ]
    assert {link.subject_id for link in issued} == {event.id}
    assert {link.expires_at for link in issued} == {event.starts_at}


def test_booking_changed_when_time_moves(make: Factory, mailbox: Sink, worker) -> None:  # type: ignore[no-untyped-def]
    venue = make.venue("Darwen Library")
    make.user("partner", venues=[venue], email="library@darwen.test")
    event = make.event(venue=venue, starts_at=future(10), title="Drop-in session")
    worker.drain()
    old = (event.starts_at, event.ends_at)
    moved = make.move_event(event, timedelta(hours=2))

    worker.drain()

    requested, changed = mailbox.to("library@darwen.test")
    assert requested["Subject"] == f"New booking: Drop-in session, {_day(old[0])}"
    assert changed["Subject"] == f"Booking changed: Drop-in session, {_day(moved.starts_at)}"
    text = _text(changed)
    assert (
        f"- The time has changed: it was {span(*old)}; it is now {span(moved.starts_at, moved.ends_at)}.\n"
        in text
    )
    assert len(LINK.findall(text)) == 2
    _assert_valid_html(changed)


def test_venue_decline_gets_a_receipt_and_asking_again_a_new_request(
    make: Factory, mailbox: Sink, worker
) -> None:  # type: ignore[no-untyped-def]
    venue = make.venue("Bacup Jobcentre Plus")
    partner = make.user("partner", venues=[venue], email="partner@bacup.test")
    event = make.event(venue=venue, starts_at=future(30), title="Drop-in session")
    worker.drain()
    _venue_declines(make, partner, event, "Refit that week")
    worker.drain()
    flows.ask_venue_again(session=make.session, actor=SYSTEM, event_id=event.id or 0)
    worker.drain()

    requested, receipt, again = mailbox.to("partner@bacup.test")
    day = _day(event.starts_at)
    assert requested["Subject"] == f"New booking: Drop-in session, {day}"
    assert receipt["Subject"] == f"You declined a booking: Drop-in session, {day}"
    # A change of mind is offered, not a second decline.
    [confirm] = LINK.findall(_text(receipt))
    assert f"Confirm this booking: {confirm}\n" in _text(receipt)
    assert "the coordinator has been told" in _text(receipt)
    assert again["Subject"] == f"Booking request, asked again: Drop-in session, {day}"
    assert "would like to ask again" in _text(again)
    assert len(LINK.findall(_text(again))) == 2
    for message in (receipt, again):
        _assert_valid_html(message)


def test_booking_cancelled_when_event_cancelled(make: Factory, mailbox: Sink, worker) -> None:  # type: ignore[no-untyped-def]
    venue = make.venue("Burnley Jobcentre Plus")
    make.user("partner", venues=[venue], email="jcp@burnley.test")
    event = make.event(venue=venue, starts_at=future(10), title="Careers in policing")
    worker.drain()
    events.cancel_event(
        session=make.session, actor=SYSTEM, event_id=event.id or 0, reason="the hall is being repaired"
    )

    worker.drain()

    _requested, cancelled = mailbox.to("jcp@burnley.test")
    assert cancelled["Subject"] == f"Booking cancelled: Careers in policing, {_day(event.starts_at)}"
    text = _text(cancelled)
    assert text.splitlines()[2] == (
        "The event has been cancelled: the hall is being repaired. "
        "There is nothing you need to do; we are sorry for any trouble."
    )
    assert "Where: Burnley Jobcentre Plus\n" in text
    assert f"This booking in Muster: https://muster.test/partner/events/{event.id}\n" in text
    assert LINK.findall(text) == []
    assert cancelled["List-Unsubscribe"] is None
    _assert_valid_html(cancelled)


def test_booking_moved_to_another_venue_cancels_old_and_requests_new(
    make: Factory, mailbox: Sink, worker
) -> None:  # type: ignore[no-untyped-def]
    old_venue = make.venue("Nelson Jobcentre Plus")
    new_venue = make.venue("Colne Library")
    make.user("partner", venues=[old_venue], email="jcp@nelson.test")
    make.user("partner", venues=[new_venue], email="library@colne.test")
    event = make.event(venue=old_venue, starts_at=future(10), title="Careers in policing")
    worker.drain()
    old = (event.starts_at, event.ends_at)
    make.move_event(event, timedelta(days=1), venue_id=new_venue.id)

    worker.drain()

    day = _day(old[0])
    assert _subjects(mailbox, "jcp@nelson.test") == [
        f"New booking: Careers in policing, {day}",
        f"Booking cancelled: Careers in policing, {day}",
    ]
    cancelled = mailbox.to("jcp@nelson.test")[1]
    text = _text(cancelled)
    assert "The event will no longer take place at Nelson Jobcentre Plus." in text
    # Where and when it went is the other venue's business.
    assert "Colne" not in text and "Colne" not in _html(cancelled)
    assert f"When:  {span(*old)}\n" in text
    assert span(event.starts_at, event.ends_at) not in text
    assert "Bookings at your venue in Muster: https://muster.test/partner\n" in text
    assert _subjects(mailbox, "library@colne.test") == [
        f"New booking: Careers in policing, {_day(event.starts_at)}"
    ]


def test_booking_muted_partner_gets_only_the_cancellation(make: Factory, mailbox: Sink, worker) -> None:  # type: ignore[no-untyped-def]
    venue = make.venue("Asda Grimshaw Park")
    make.user("partner", venues=[venue], email="store@asda.test")
    save_preference(make.session, email="store@asda.test", muted=["bookings"])
    event = make.event(venue=venue, starts_at=future(10), title="Specials open evening")
    worker.drain()

    assert mailbox.to("store@asda.test") == []
    [held_back] = _rows(make.session, "booking")
    assert (held_back.status, held_back.last_error) == (
        SKIPPED,
        "the recipient switched off 'bookings' messages",
    )

    events.cancel_event(session=make.session, actor=SYSTEM, event_id=event.id or 0)
    worker.drain()

    assert _subjects(mailbox, "store@asda.test") == [
        f"Booking cancelled: Specials open evening, {_day(event.starts_at)}"
    ]


def test_booking_created_and_cancelled_before_sending_says_nothing(
    make: Factory, mailbox: Sink, worker
) -> None:  # type: ignore[no-untyped-def]
    venue = make.venue("Bacup Jobcentre Plus")
    make.user("partner", venues=[venue], email="jcp@bacup.test")
    event = make.event(venue=venue, starts_at=future(10))
    events.cancel_event(session=make.session, actor=SYSTEM, event_id=event.id or 0)

    worker.drain()

    assert mailbox.to("jcp@bacup.test") == []


# --- reminders ---------------------------------------------------------------------


def _duty_in(make: Factory, hours: float) -> tuple[Event, Assignment, Person]:
    """A confirmed duty starting ``hours`` from now, confirmed days ago (so the 48-hour
    reminder is due), for someone who switched the morning reminder off (so the wall
    clock does not decide which reminders are due)."""
    venue = make.venue(
        "Accrington Jobcentre Plus",
        address="Eagle Street",
        town="Accrington",
        postcode="BB5 1LN",
        accessibility_notes="Step-free entrance on Eagle Street.",
        parking_notes="Pay and display on Union Street.",
    )
    lead = make.person("Sgt Dave Lord", email="dave@force.test", phone="07700 900123")
    person = make.person("Aisha Hussain", email="aisha@force.test")
    coordinator = make.user("coordinator", email="sergeant@force.test")
    starts_at = utcnow().replace(second=0, microsecond=0) + timedelta(hours=hours)
    event = make.event(
        venue=venue,
        starts_at=starts_at,
        title="Careers in policing",
        what_to_bring="Warrant card and lanyard.",
        coordinator_user_id=coordinator.id,
    )
    make.assign(event, lead, role=AssignmentRole.lead, status=AssignmentStatus.confirmed)
    duty = make.assign(event, person, status=AssignmentStatus.confirmed)
    save_preference(make.session, email="aisha@force.test", morning_reminder=False)
    duty.updated_at = utcnow() - timedelta(days=3)
    make.session.add(duty)
    make.session.commit()
    return event, duty, person


def _reminders(mailbox: Sink, address: str) -> list[Message]:
    return [m for m in mailbox.to(address) if str(m["Subject"]).startswith("Reminder: ")]


def _day_words(starts_at: datetime) -> str:
    day, today = to_london(starts_at).date(), to_london(utcnow()).date()
    if day == today:
        return "today"
    if day == today + timedelta(days=1):
        return "tomorrow"
    return _day(starts_at)


def test_reminder_48h_arrives_with_directions_and_lead(make: Factory, mailbox: Sink, worker) -> None:  # type: ignore[no-untyped-def]
    event, duty, _person = _duty_in(make, 47)

    worker.drain()

    [reminder] = _reminders(mailbox, "aisha@force.test")
    assert reminder["Subject"] == (
        f"Reminder: Careers in policing, {_day_words(event.starts_at)} at {to_london(event.starts_at):%H:%M}"
    )
    assert reminder["Message-ID"] == (
        f"<reminder.{duty.id}.48h.{to_london(event.starts_at):%Y%m%dT%H%M}@muster.test>"
    )
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [p.get_content_type() for p in reminder.walk() if not p.is_multipart()] == [
        "text/plain",
        "text/html",
    ]
    text = _text(reminder)
    for line in (
        f"When:  {span(event.starts_at, event.ends_at)}",
        "Where: Accrington Jobcentre Plus, Eagle Street, Accrington BB5 1LN",
        "Map:   https://www.openstreetmap.org/search?query=BB5%201LN",
        "Getting in: Step-free entrance on Eagle Street.",
        "Parking: Pay and display on Union Street.",
        "What to bring: Warrant card and lanyard.",
        "Team lead: Sgt Dave Lord, 07700 900123",
        "Coordinator: sergeant@force.test",
        f"The briefing for this event: https://muster.test/my/events/{event.id}",
    ):
        assert line in text.splitlines()
    assert text.splitlines()[2] == (
        f"A reminder of your outreach duty {_day_words(event.starts_at)} at {to_london(event.starts_at):%H:%M}: "
        "you are an ambassador at Careers in policing."
    )
    _assert_valid_html(reminder)
    [row] = _rows(make.session, "reminder")
    assert row.idempotency_key == reminder_key(duty.id or 0, "48h", event.starts_at)


def test_reminder_for_the_lead_says_they_lead(make: Factory, mailbox: Sink, worker) -> None:  # type: ignore[no-untyped-def]
    event, _duty, _person = _duty_in(make, 47)
    lead_duty = make.session.exec(
        select(Assignment).where(Assignment.event_id == event.id, Assignment.role == AssignmentRole.lead)
    ).one()
    save_preference(make.session, email="dave@force.test", morning_reminder=False)
    lead_duty.updated_at = utcnow() - timedelta(days=3)
    make.session.add(lead_duty)
    make.session.commit()

    worker.drain()

    [reminder] = _reminders(mailbox, "dave@force.test")
    text = _text(reminder)
    assert "You are leading the team." in text.splitlines()
    assert "Team lead:" not in text


def test_reminder_for_moved_event_is_skipped(make: Factory, mailbox: Sink, worker) -> None:  # type: ignore[no-untyped-def]
    event, _duty, _person = _duty_in(make, 47)
    assert schedule_reminders(make.session, {}, None)["offered"] == 1  # type: ignore[arg-type]
    make.session.commit()
    make.move_event(event, timedelta(days=1))

    worker.drain()

    assert _reminders(mailbox, "aisha@force.test") == []
    [row] = _rows(make.session, "reminder")
    assert (row.status, row.last_error) == (
        SKIPPED,
        "the event has moved since this reminder was planned; the new time has its own reminder",
    )


def test_reminder_for_cancelled_event_is_not_sent(make: Factory, mailbox: Sink, worker) -> None:  # type: ignore[no-untyped-def]
    event, _duty, _person = _duty_in(make, 47)
    schedule_reminders(make.session, {}, None)  # type: ignore[arg-type]
    make.session.commit()
    events.cancel_event(session=make.session, actor=SYSTEM, event_id=event.id or 0)

    worker.drain()

    assert _reminders(mailbox, "aisha@force.test") == []
    [row] = _rows(make.session, "reminder")
    assert (row.status, row.last_error) == (SKIPPED, "the event is cancelled")


def test_reminder_for_declined_duty_is_not_sent(make: Factory, mailbox: Sink, worker) -> None:  # type: ignore[no-untyped-def]
    _event, duty, _person = _duty_in(make, 47)
    schedule_reminders(make.session, {}, None)  # type: ignore[arg-type]
    make.session.commit()
    coordinator = make.user("coordinator")
    assignments.update_assignment(
        session=make.session,
        principal=principal_for(session=make.session, user=coordinator),
        assignment_id=duty.id or 0,
        changes={"status": AssignmentStatus.declined},
    )

    worker.drain()

    assert _reminders(mailbox, "aisha@force.test") == []
    [row] = _rows(make.session, "reminder")
    assert (row.status, row.last_error) == (SKIPPED, "the duty is no longer confirmed (it is declined)")


def test_reminder_hours_2_without_morning_gets_no_48h_reminder(make: Factory, mailbox: Sink, worker) -> None:  # type: ignore[no-untyped-def]
    _duty_in(make, 47)
    save_preference(make.session, email="aisha@force.test", reminder_hours=[2], morning_reminder=False)

    worker.drain()

    assert _reminders(mailbox, "aisha@force.test") == []
    assert [r.recipient for r in _rows(make.session, "reminder")] == []


# --- the coordinators' digest ------------------------------------------------------


@pytest.fixture()
def digest_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Digests are offered from this hour (London); 0 makes one due whenever the test runs."""
    monkeypatch.setattr(get_settings(), "digest_hour", 0)


def test_digest_lists_declines_gaps_partner_declines_and_outcomes(
    make: Factory, mailbox: Sink, worker, digest_now: None
) -> None:  # type: ignore[no-untyped-def]
    coordinator = make.user("coordinator", email="sergeant@force.test")
    planner = principal_for(session=make.session, user=coordinator)
    sikh = make.network("Sikh Police Association")
    christian = make.network("Christian Police Association")
    harpreet = make.person("Harpreet Kaur")
    make.represent(harpreet, sikh)

    later = make.event(venue=make.venue("Darwen Library"), starts_at=future(10), title="Library drop-in")
    declined = make.assign(later, harpreet)
    assignments.update_assignment(
        session=make.session,
        principal=planner,
        assignment_id=declined.id or 0,
        changes={"status": AssignmentStatus.declined, "reason": "on a course that week"},
    )
    soon = make.event(
        venue=make.venue("Rawtenstall Jobcentre Plus"),
        starts_at=future(3),
        title="Careers in policing",
        network_needs=[{"network_id": christian.id, "min_count": 1}],
    )
    make.assign(soon, harpreet)
    store = make.venue("Asda Grimshaw Park")
    partner = make.user("partner", venues=[store])
    refused = make.event(venue=store, starts_at=future(20), title="Specials open evening")
    _venue_declines(make, partner, refused, "Closed for stocktaking that day")
    past = make.event(
        venue=make.venue("Burnley College"),
        starts_at=future(-3),
        title="Freshers fair",
        status=EventStatus.confirmed,
    )
    recorded = make.event(starts_at=future(-4), title="Already recorded", status=EventStatus.confirmed)
    events.set_status(
        session=make.session, actor=SYSTEM, event_id=recorded.id or 0, status=EventStatus.completed
    )

    worker.drain()

    [digest] = mailbox.to("sergeant@force.test")
    assert digest["Subject"] == (
        "Daily digest: 1 decline, 1 event short of people, 1 booking declined by a venue, 1 outcome to record"
    )
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    _assert_valid_html(digest)
    text = _text(digest)

    def block(heading: str, event: Event, venue: str, detail: str) -> str:
        return (
            f"{heading} (1)\n"
            f"- {event.title}, {span(event.starts_at, event.ends_at, short=True)}, {venue}\n"
            f"  {detail}\n"
            f"  https://muster.test/plan/events/{event.id}\n"
        )

    assert (
        block(
            "Declined in the last 24 hours",
            later,
            "Darwen Library",
            "Harpreet Kaur (ambassador) declined: on a course that week",
        )
        in text
    )
    assert (
        block(
            "Short of people in the next 7 days",
            soon,
            "Rawtenstall Jobcentre Plus",
            "Needs 1 more ambassador; needs 1 more recruiter; "
            "needs 1 more ambassador from the Christian Police Association.",
        )
        in text
    )
    assert (
        block(
            "Bookings declined by the venue",
            refused,
            "Asda Grimshaw Park",
            "The venue declined: Closed for stocktaking that day",
        )
        in text
    )
    assert (
        block(
            "Outcomes to record",
            past,
            "Burnley College",
            f"Ended {to_london(past.ends_at):%A %-d %B %Y} and still marked confirmed.",
        )
        in text
    )
    assert "Already recorded" not in text
    # Who represents which network is never in a digest; a network named as an unmet need is.
    for body in (text, _html(digest)):
        assert "Sikh Police Association" not in body
        assert body.count("Christian Police Association") == 1
    assert f'<a href="https://muster.test/plan/events/{soon.id}"' in _html(digest)


def test_digest_lists_duties_flagged_since_booking(
    make: Factory, mailbox: Sink, worker, digest_now: None
) -> None:  # type: ignore[no-untyped-def]
    make.user("coordinator", email="sergeant@force.test")
    officer = make.person("Amir Khan")
    event = make.event(venue=make.venue("Nelson Library"), starts_at=future(12), title="Library drop-in")
    duty = make.assign(event, officer, status=AssignmentStatus.confirmed)
    day = to_london(event.starts_at).replace(hour=0, minute=0)
    people.add_unavailability(
        session=make.session,
        actor=SYSTEM,
        data={
            "person_id": officer.id,
            "starts_at": day,
            "ends_at": day + timedelta(days=1),
            "reason": "training",
        },
        accept_conflicts=True,
        release=[duty.id or 0],
    )

    worker.drain()

    [digest] = mailbox.to("sergeant@force.test")
    assert digest["Subject"].startswith("Daily digest: 1 duty flagged")
    text = _text(digest)
    assert "Duties flagged since booking: clashes, time away, limits (1)\n" in text
    assert "Amir Khan (ambassador): Unavailable (training)" in text
    assert "asks to be released" in text
    assert f"https://muster.test/plan/events/{event.id}\n" in text


def test_digest_skipped_when_nothing_needs_attention(
    make: Factory, mailbox: Sink, worker, digest_now: None
) -> None:  # type: ignore[no-untyped-def]
    make.user("coordinator", email="sergeant@force.test")
    make.event(starts_at=future(20))

    worker.drain()

    assert mailbox.to("sergeant@force.test") == []
    [row] = _rows(make.session, "digest")
    assert (row.status, row.last_error) == (SKIPPED, "nothing needs attention today")


# --- account messages --------------------------------------------------------------


def _account_message(make: Factory, mailbox: Sink, worker, address: str, subject: str):  # type: ignore[no-untyped-def]
    """Send what is due; the one message to ``address``, with its subject, no unsubscribe header
    and one link (the same in both parts): its text, the link, and the link's record."""
    make.session.commit()
    worker.drain()
    [message] = mailbox.to(address)
    assert message["Subject"] == subject
    assert message["List-Unsubscribe"] is None
    _assert_valid_html(message)
    text = _text(message)
    [link] = LINK.findall(text)
    assert LINK.findall(_html(message)) == [link]
    make.session.commit()
    [issued] = make.session.exec(select(ActionLink)).all()
    return text, link, issued


def test_invitation_arrives_with_one_link_and_no_unsubscribe(make: Factory, mailbox: Sink, worker) -> None:  # type: ignore[no-untyped-def]
    user = make.user("staff", email="new.officer@force.test")
    invite_user(make.session, user_id=user.id or 0)

    text, link, issued = _account_message(
        make, mailbox, worker, "new.officer@force.test", "You have been invited to sign in to Muster"
    )

    assert f"To start, set your password and sign in: {link}\n" in text
    assert "Your sign-in is your e-mail address: new.officer@force.test\n" in text
    assert (issued.purpose, issued.subject_id, issued.recipient) == (
        "invitation",
        user.id,
        "new.officer@force.test",
    )
    lifetime = issued.expires_at - issued.created_at
    assert timedelta(days=14) - timedelta(minutes=1) < lifetime <= timedelta(days=14)


def test_password_reset_arrives_with_one_hour_link(make: Factory, mailbox: Sink, worker) -> None:  # type: ignore[no-untyped-def]
    user = make.user("staff", email="aisha@force.test")
    request_password_reset(make.session, email="  Aisha@Force.TEST ")

    text, _, issued = _account_message(
        make, mailbox, worker, "aisha@force.test", "Choose a new password for Muster"
    )

    assert (
        "If you did not ask for this, ignore this e-mail: nothing changes, and your password stays as it is.\n"
        in text
    )
    assert (issued.purpose, issued.subject_id) == ("password_reset", user.id)
    lifetime = issued.expires_at - issued.created_at
    assert timedelta(minutes=59) < lifetime <= timedelta(hours=1)


def test_password_reset_for_unknown_or_inactive_address_enqueues_nothing(make: Factory) -> None:
    user = make.user("staff", email="left@force.test")
    user.active = False
    make.session.add(user)
    make.session.commit()

    request_password_reset(make.session, email="nobody@force.test")
    request_password_reset(make.session, email="left@force.test")
    make.session.commit()

    assert _rows(make.session, "password_reset") == []


def test_password_reset_requests_are_limited_to_three_an_hour(make: Factory) -> None:
    make.user("staff", email="aisha@force.test")
    for _ in range(5):
        request_password_reset(make.session, email="aisha@force.test")
        make.session.commit()

    assert len(_rows(make.session, "password_reset")) == 3


def test_invite_unknown_user_is_refused(make: Factory) -> None:
    with pytest.raises(NotFound):
        invite_user(make.session, user_id=404)
    assert make.session.exec(select(User)).all() == []
