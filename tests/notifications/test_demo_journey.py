"""The issue's "done when", on the demo force and through the API as the sergeant uses it:
a proposed duty reaches the officer with an invitation, the invitation follows a move and
a cancellation, a reminder with directions comes before the duty, and the venue partner
hears of a new booking."""

from datetime import timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import select

from app import demo as demo_data
from app.assignments.models import Assignment
from app.clock import utcnow
from app.events.models import Event
from app.notifications.preferences import save_preference
from app.notifications.scheduling import schedule_reminders
from app.people.models import Person
from app.venues.models import Venue
from tests.factories import Factory
from tests.notifications.conftest import Sink


def _invitation(message) -> Calendar:  # type: ignore[no-untyped-def]
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_content())


def test_demo_duty_journey_reaches_officer_and_partner(
    client: TestClient, make: Factory, mailbox: Sink, worker
) -> None:  # type: ignore[no-untyped-def]
    logins = demo_data.load(make.session)
    sergeant = make.token(demo_data_user(make, logins.coordinator))
    blackburn = make.session.exec(select(Venue).where(Venue.name == "Jobcentre Plus Blackburn")).one()
    officer = make.session.exec(select(Person).where(Person.active).order_by(Person.id).offset(3)).first()
    assert officer is not None
    start = (make.session.exec(select(Event).order_by(Event.starts_at.desc())).first()).starts_at + timedelta(
        days=7
    )  # type: ignore[union-attr]
    campaign_id = make.session.exec(select(Event.campaign_id)).first()

    booked = client.post(
        "/api/v1/events",
        headers=sergeant,
        json={
            "campaign_id": campaign_id,
            "venue_id": blackburn.id,
            "title": "Careers drop-in – Blackburn",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=4)).isoformat(),
            "status": "confirmed",
            "ambassadors_needed": 1,
            "what_to_bring": "Warrant card and leaflets",
        },
    )
    assert booked.status_code == 201, booked.text
    event_id = booked.json()["id"]
    proposed = client.post(
        "/api/v1/assignments",
        headers=sergeant,
        json={"event_id": event_id, "person_id": officer.id, "role": "ambassador"},
    )
    assert proposed.status_code == 201, proposed.text
    worker.drain()

    [partner_message] = mailbox.to(logins.partner)
    assert partner_message["Subject"].startswith("New booking")
    [duty] = mailbox.to(officer.email)
    assert _invitation(duty)["METHOD"] == "REQUEST"

    moved = client.patch(
        f"/api/v1/events/{event_id}",
        headers=sergeant,
        json={
            "starts_at": (start + timedelta(hours=1)).isoformat(),
            "ends_at": (start + timedelta(hours=5)).isoformat(),
        },
    )
    assert moved.status_code == 200, moved.text
    worker.drain()
    changed = mailbox.to(officer.email)[-1]
    first_entry, moved_entry = (_invitation(m).walk("VEVENT")[0] for m in (duty, changed))
    assert str(moved_entry["UID"]) == str(first_entry["UID"])
    assert int(moved_entry["SEQUENCE"]) > int(first_entry["SEQUENCE"])

    # The officer accepted three days ago; the event is now 47 hours away, so the 48-hour
    # reminder is due (and the morning one is switched off, so the clock cannot add one).
    assignment_id = proposed.json()["id"]
    accepted = client.patch(
        f"/api/v1/assignments/{assignment_id}", headers=sergeant, json={"status": "confirmed"}
    )
    assert accepted.status_code == 200, accepted.text
    save_preference(make.session, email=officer.email, morning_reminder=False)
    soon = utcnow().replace(second=0, microsecond=0) + timedelta(hours=47)
    moved = client.patch(
        f"/api/v1/events/{event_id}",
        headers=sergeant,
        # Any hour of the clock: the venue may be shut then, which warns (not what this is about).
        json={
            "starts_at": soon.isoformat(),
            "ends_at": (soon + timedelta(hours=4)).isoformat(),
            "acknowledge_warnings": True,
        },
    )
    assert moved.status_code == 200, moved.text
    make.session.execute(
        sa.update(Assignment)
        .where(Assignment.id == assignment_id)
        .values(updated_at=utcnow() - timedelta(days=3))
    )
    make.session.commit()
    # The worker looks for due reminders once a minute; this is that minute's look.
    schedule_reminders(make.session, {}, None)  # type: ignore[arg-type]
    make.session.commit()
    worker.drain()
    reminder = next(m for m in mailbox.to(officer.email) if m["Subject"].startswith("Reminder:"))
    text = reminder.get_body(("plain",)).get_content()
    assert "Ainsworth Street, Blackburn" in text
    assert "Warrant card and leaflets" in text

    cancelled = client.post(
        f"/api/v1/events/{event_id}/cancel", headers=sergeant, json={"reason": "venue closed"}
    )
    assert cancelled.status_code == 200, cancelled.text
    worker.drain()
    cancel = mailbox.to(officer.email)[-1]
    assert _invitation(cancel)["METHOD"] == "CANCEL"
    assert str(_invitation(cancel).walk("VEVENT")[0]["UID"]) == str(first_entry["UID"])


def demo_data_user(make: Factory, email: str):  # type: ignore[no-untyped-def]
    from app.accounts.service import get_by_email

    user = get_by_email(session=make.session, email=email)
    assert user is not None
    return user
