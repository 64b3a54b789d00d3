"""The notification pages over HTTP: e-mail choices, one-click unsubscribe, the links in
messages (answered without signing in), the administrators' outbox and /health."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.assignments.models import Assignment
from app.audit.models import AuditEntry
from app.audit.service import SYSTEM
from app.clock import utcnow
from app.db import get_session, make_engine
from app.enums import AssignmentStatus, PartnerStatus
from app.events import service as events
from app.events.models import Event
from app.notifications import links, preferences
from app.notifications.models import ActionLink, NotificationPreference, OutboxMessage
from app.pages.rendering import span
from app.people.models import Person
from app.worker.models import WorkerHeartbeat
from tests.factories import PASSWORD, Factory, fresh
from tests.forms import choose_password, csrf_of, form_errors, post, says, sign_in

AISHA = "aisha.hussain@muster.test"


def _link(db: Session, purpose: str, subject_id: int, recipient: str) -> str:
    """A new link, committed; its token, as the message would carry it."""
    issued = links.issue(db, purpose=purpose, subject_id=subject_id, recipient=recipient)
    db.commit()
    return issued.url.rsplit("/", 1)[1]


def _link_row(db: Session) -> ActionLink:
    db.expire_all()
    found = db.exec(select(ActionLink)).one()
    return found


# --- e-mail choices -----------------------------------------------------------------------


def test_preferences_page_offers_staff_their_kinds_of_message(client: TestClient, make: Factory) -> None:
    person = make.person("Aisha Hussain", email=AISHA)
    sign_in(client, make.user("staff", person=person))
    page = client.get("/my/notifications")
    assert page.status_code == 200
    assert (
        "Muster sends your e-mails to <strong>aisha.<wbr>hussain@<wbr>muster.<wbr>test</strong>" in page.text
    )
    assert 'value="duty_updates" checked' in page.text
    assert 'value="reminders" checked' in page.text
    assert "Daily digest" not in page.text and "Bookings at my venue" not in page.text
    assert 'id="reminder_1" name="reminder_1"' in page.text and 'value="48"' in page.text
    assert "Messages that a duty is cancelled are always sent" in page.text
    assert 'href="/my/notifications"' in client.get("/my").text


def test_preferences_page_saves_choices_under_the_persons_address(
    client: TestClient, make: Factory, db: Session
) -> None:
    person = make.person("Aisha Hussain", email=AISHA)
    sign_in(client, make.user("staff", person=person))
    answer = post(
        client,
        "/my/notifications",
        {"receive": "duty_updates", "reminder_1": "2", "reminder_2": "48", "reminder_3": ""},
    )
    assert answer.status_code == 303
    saved = fresh(db, NotificationPreference, AISHA)
    assert (saved.muted, saved.reminder_hours, saved.morning_reminder) == (["reminders"], [48, 2], False)
    page = client.get("/my/notifications").text
    assert f"Saved. Muster will e-mail {AISHA} as you chose." in page
    assert 'value="reminders" checked' not in page


def test_preferences_page_refuses_a_reminder_of_zero_hours(
    client: TestClient, make: Factory, db: Session
) -> None:
    sign_in(client, make.user("staff"))
    answer = post(client, "/my/notifications", {"receive": ["duty_updates", "reminders"], "reminder_1": "0"})
    assert form_errors(answer) == {"reminder_1": "Reminder 1 must be between 1 and 336"}
    assert 'value="0"' in answer.text
    assert db.exec(select(NotificationPreference)).first() is None


def test_preferences_page_for_partner_and_coordinator(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("partner"))
    page = client.get("/my/notifications").text
    assert "Bookings at my venue" in page and "Reminders" not in page and 'name="reminder_1"' not in page
    client.cookies.clear()
    sign_in(client, make.user("coordinator", person=make.person()))
    page = client.get("/my/notifications").text
    assert "Daily digest" in page and "Duties" in page and 'name="reminder_1"' in page


def test_partner_muting_bookings_keeps_other_choices(client: TestClient, make: Factory, db: Session) -> None:
    user = make.user("partner")
    preferences.save_preference(db, email=user.email, muted=["digest"])
    sign_in(client, user)
    assert post(client, "/my/notifications", {}).status_code == 303
    assert fresh(db, NotificationPreference, user.email).muted == ["bookings", "digest"]


# --- unsubscribe ------------------------------------------------------------------------------


def test_unsubscribe_page_asks_first_and_changes_nothing(client: TestClient, db: Session) -> None:
    token = preferences.unsubscribe_token(AISHA, "reminders")
    page = client.get(f"/notifications/unsubscribe/{token}")
    says(page, "Stop e-mails about reminders to aisha.<wbr>hussain@<wbr>muster.<wbr>test?")
    assert page.headers["referrer-policy"] == "no-referrer"
    assert db.exec(select(NotificationPreference)).first() is None


def test_one_click_unsubscribe_needs_no_cookie_or_csrf(client: TestClient, db: Session) -> None:
    token = preferences.unsubscribe_token(AISHA, "duty_updates")
    client.cookies.clear()
    answer = client.post(
        f"/notifications/unsubscribe/{token}",
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    says(answer, "You will no longer get e-mails about duties")
    assert 'href="/my/notifications"' in answer.text
    assert fresh(db, NotificationPreference, AISHA).muted == ["duty_updates"]
    assert client.get(f"/notifications/unsubscribe/{token}").text.count("You do not get e-mails about") == 1


def test_unsubscribe_with_a_bad_token_says_so(client: TestClient, db: Session) -> None:
    token = preferences.unsubscribe_token(AISHA, "duty_updates")
    for method in ("GET", "POST"):
        answer = client.request(method, f"/notifications/unsubscribe/{token[:-3]}xyz")
        says(answer, "This unsubscribe link does not work", status=400)
    assert db.exec(select(NotificationPreference)).first() is None


# --- links in messages: duties --------------------------------------------------------------------


@pytest.fixture()
def duty(make: Factory) -> Assignment:
    venue = make.venue("Accrington Jobcentre Plus", town="Accrington")
    event = make.event(venue=venue, title="Accrington drop-in")
    person = make.person("Aisha Hussain", email=AISHA)
    return make.assign(event, person)


def test_accept_link_page_says_what_it_will_do_and_changes_nothing(
    client: TestClient, db: Session, duty: Assignment
) -> None:
    token = _link(db, "duty_accept", duty.id or 0, AISHA)
    page = client.get(f"/respond/{token}")
    assert page.status_code == 200
    event = db.get(Event, duty.event_id)
    assert event is not None
    when = span(event.starts_at, event.ends_at)
    expected = f"Accept your place as ambassador at Accrington drop-in, {when}, Accrington Jobcentre Plus, Accrington?"
    assert expected in page.text
    assert "Accept my place" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert fresh(db, Assignment, duty.id).status == AssignmentStatus.proposed
    assert _link_row(db).used_at is None


def test_accept_link_accepts_once(client: TestClient, db: Session, duty: Assignment) -> None:
    token = _link(db, "duty_accept", duty.id or 0, AISHA)
    answer = client.post(f"/respond/{token}", data={"csrf_token": csrf_of(client, f"/respond/{token}")})
    assert answer.status_code == 200, answer.text
    assert "Thank you: you are confirmed as ambassador at Accrington drop-in" in answer.text
    assert fresh(db, Assignment, duty.id).status == AssignmentStatus.confirmed
    assert _link_row(db).used_at is not None
    entry = db.exec(select(AuditEntry).where(AuditEntry.record_type == "assignment")).all()[-1]
    assert (entry.actor_label, entry.actor_user_id) == ("Aisha Hussain (via e-mail link)", None)

    again = post(client, f"/respond/{token}")
    assert again.status_code == 410
    assert "This link no longer works" in again.text and "sign in to Muster" in again.text
    assert client.get(f"/respond/{token}").status_code == 410


def test_accept_link_acts_as_the_persons_sign_in(
    client: TestClient, make: Factory, db: Session, duty: Assignment
) -> None:
    person_user = make.user("staff", person=db.get(Person, duty.person_id))
    token = _link(db, "duty_accept", duty.id or 0, AISHA)
    assert (
        client.post(
            f"/respond/{token}", data={"csrf_token": csrf_of(client, f"/respond/{token}")}
        ).status_code
        == 200
    )
    entry = db.exec(select(AuditEntry).where(AuditEntry.record_type == "assignment")).all()[-1]
    assert entry.actor_user_id == person_user.id


def test_two_answers_at_once_only_the_first_counts(db: Session, duty: Assignment) -> None:
    """Both found the link unused; the second to act finds it used, and changes nothing."""
    from app.db import get_engine
    from app.notifications import service

    token = _link(db, "duty_decline", duty.id or 0, AISHA)
    with Session(get_engine(), expire_on_commit=False) as first, Session(get_engine()) as second:
        landed_first = service.land(session=first, token=token)
        landed_second = service.land(session=second, token=token)
        second.rollback()
        service.act(session=first, landing=landed_first, reason="On leave")
        with pytest.raises(links.LinkGone):
            service.act(session=second, landing=landed_second, reason="Something else")
        second.rollback()
    row = fresh(db, Assignment, duty.id)
    assert (row.status, row.decline_reason) == (AssignmentStatus.declined, "On leave")


def test_expired_link_is_gone(client: TestClient, db: Session, duty: Assignment) -> None:
    token = _link(db, "duty_accept", duty.id or 0, AISHA)
    link = _link_row(db)
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.add(link)
    db.commit()
    assert client.get(f"/respond/{token}").status_code == 410
    answer = post(client, f"/respond/{token}")
    says(answer, "This link has expired", status=410)
    assert fresh(db, Assignment, duty.id).status == AssignmentStatus.proposed


def test_unknown_link_is_not_found(client: TestClient, db: Session) -> None:
    for token in ("lnk_nothing-like-this", "something-else"):
        page = client.get(f"/respond/{token}")
        says(page, "This link does not work", status=404)


def test_post_without_the_pages_csrf_token_is_refused(
    client: TestClient, db: Session, duty: Assignment
) -> None:
    token = _link(db, "duty_accept", duty.id or 0, AISHA)
    assert client.post(f"/respond/{token}", data={}).status_code == 403
    assert fresh(db, Assignment, duty.id).status == AssignmentStatus.proposed


def test_decline_link_with_a_reason(client: TestClient, db: Session, duty: Assignment) -> None:
    token = _link(db, "duty_decline", duty.id or 0, AISHA)
    page = client.get(f"/respond/{token}")
    assert "Decline your place as ambassador at Accrington drop-in" in page.text
    assert 'name="reason"' in page.text
    answer = post(
        client, f"/respond/{token}", {"reason": "On a course that day"}, token_from=f"/respond/{token}"
    )
    says(answer, "You have declined Accrington drop-in")
    row = fresh(db, Assignment, duty.id)
    assert (row.status, row.decline_reason) == (AssignmentStatus.declined, "On a course that day")


def test_accept_link_for_a_cancelled_event_is_refused_clearly(
    client: TestClient, db: Session, duty: Assignment
) -> None:
    token = _link(db, "duty_accept", duty.id or 0, AISHA)
    events.cancel_event(session=db, actor=SYSTEM, event_id=duty.event_id, reason="Venue closed")
    page = client.get(f"/respond/{token}")
    says(page, "This event has been cancelled, so there is nothing to answer.", status=409)
    assert "Accept my place" not in page.text
    answer = post(client, f"/respond/{token}")
    assert answer.status_code == 409
    assert fresh(db, Assignment, duty.id).status == AssignmentStatus.proposed
    assert _link_row(db).used_at is None


def test_accept_link_after_declining_is_refused(client: TestClient, db: Session, duty: Assignment) -> None:
    accept = _link(db, "duty_accept", duty.id or 0, AISHA)
    decline = _link(db, "duty_decline", duty.id or 0, AISHA)
    assert post(client, f"/respond/{decline}", {"reason": ""}).status_code == 200
    answer = post(client, f"/respond/{accept}")
    says(answer, "You declined this place", status=409)
    assert fresh(db, Assignment, duty.id).status == AssignmentStatus.declined


def test_duty_link_sent_to_an_old_address_is_refused(
    client: TestClient, db: Session, duty: Assignment
) -> None:
    token = _link(db, "duty_accept", duty.id or 0, "old.address@muster.test")
    page = client.get(f"/respond/{token}")
    says(page, "no longer on your record", status=409)


# --- links in messages: bookings --------------------------------------------------------------------


def test_booking_confirm_link_confirms_for_the_partner(
    client: TestClient, make: Factory, db: Session
) -> None:
    venue = make.venue("Asda Grimshaw Park")
    partner = make.user("partner", venues=[venue], email="store.manager@asda.test")
    event = make.event(venue=venue, title="Specials evening")
    token = _link(db, "booking_confirm", event.id or 0, partner.email)
    page = client.get(f"/respond/{token}")
    says(page, "Confirm the booking of Specials evening at Asda Grimshaw Park, Blackburn")
    assert fresh(db, Event, event.id).partner_status == PartnerStatus.pending
    answer = post(client, f"/respond/{token}", token_from=f"/respond/{token}")
    says(answer, "you have confirmed Specials evening")
    assert fresh(db, Event, event.id).partner_status == PartnerStatus.confirmed
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "partner")).one()
    assert (entry.actor_user_id, entry.actor_label) == (
        partner.id,
        "store.manager@asda.test (via e-mail link)",
    )


def test_booking_decline_link_for_the_venue_contact(client: TestClient, make: Factory, db: Session) -> None:
    venue = make.venue("Nelson mosque", contact_email="Secretary@Mosque.test", contact_name="Imran Ali")
    event = make.event(venue=venue, title="Open day")
    token = _link(db, "booking_decline", event.id or 0, "secretary@mosque.test")
    page = client.get(f"/respond/{token}")
    assert 'name="message"' in page.text
    answer = post(client, f"/respond/{token}", {"message": "Eid that week; try the 20th"})
    assert answer.status_code == 200
    row = fresh(db, Event, event.id)
    assert (row.partner_status, row.partner_message) == (
        PartnerStatus.declined,
        "Eid that week; try the 20th",
    )
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "partner")).one()
    assert entry.actor_label == "Imran Ali (via e-mail link)"


def test_booking_link_stops_working_when_the_event_moves_venue(
    client: TestClient, make: Factory, db: Session
) -> None:
    venue, other = make.venue(), make.venue()
    partner = make.user("partner", venues=[venue])
    event = make.event(venue=venue)
    token = _link(db, "booking_confirm", event.id or 0, partner.email)
    events.update_event(session=db, actor=SYSTEM, event_id=event.id or 0, changes={"venue_id": other.id})
    answer = post(client, f"/respond/{token}")
    assert answer.status_code == 409
    assert fresh(db, Event, event.id).partner_status == PartnerStatus.pending


# --- links in messages: passwords ----------------------------------------------------------------------


def test_invitation_link_sets_a_password_and_signs_in(client: TestClient, make: Factory, db: Session) -> None:
    user = make.user("staff", email="new.starter@muster.test")
    token = _link(db, "invitation", user.id or 0, user.email)
    page = client.get(f"/respond/{token}")
    says(page, "Choose a password to finish setting up your sign-in")
    assert "At least 10 characters" in page.text

    short = choose_password(client, token, "short")
    assert form_errors(short) == {"password": "The password must be at least 10 characters"}
    assert 'value="short"' not in short.text
    different = post(
        client, f"/respond/{token}", {"password": "a new long password", "password_again": "another one"}
    )
    assert form_errors(different) == {"password_again": "Enter the same password twice"}
    assert _link_row(db).used_at is None

    done = choose_password(client, token, "a new long password")
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert "Your password is set and you are signed in." in client.get("/my").text
    assert _link_row(db).used_at is not None

    client.cookies.clear()
    old = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert old.status_code == 400
    new = client.post(
        "/login",
        data={"email": user.email, "password": "a new long password", "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert new.status_code == 303


def test_password_reset_ends_other_sessions(client: TestClient, make: Factory, db: Session) -> None:
    user = make.user("coordinator")
    sign_in(client, user)
    old_cookie = client.cookies.get("muster_session")
    token = _link(db, "password_reset", user.id or 0, user.email)
    with TestClient(client.app, base_url="https://muster.test") as other:
        assert choose_password(other, token, "brand new secret").status_code == 303
    client.cookies.clear()
    client.cookies.set("muster_session", old_cookie or "")
    assert client.get("/plan", follow_redirects=False).status_code == 303


# --- the outbox, for administrators ----------------------------------------------------------------------


def _message(db: Session, **kw: object) -> OutboxMessage:
    n = db.exec(select(OutboxMessage)).all()
    values: dict[str, object] = {
        "idempotency_key": f"test/{len(n)}",
        "topic": "duty:999",
        "kind": "duty",
        "status": "failed",
        "recipient": AISHA,
        "to_address": f"Aisha Hussain <{AISHA}>",
        "mail_subject": "Can you do this? Accrington drop-in, Wed 9 Dec",
        "sent_kind": "duty_proposed",
        "body_text": "Hello Aisha,\n\nCan you do this?",
        "body_html": "<p>Hello Aisha</p><script>alert(1)</script>",
        "calendar": "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
        "calendar_method": "REQUEST",
        "headers": {"List-Unsubscribe": "<https://muster.test/notifications/unsubscribe/x>"},
        "attempts": 8,
        "last_error": "550 5.1.1 no such mailbox",
        **kw,
    }
    message = OutboxMessage(**values)  # type: ignore[arg-type]
    db.add(message)
    db.commit()
    return message


def test_outbox_page_shows_worker_health_and_messages(client: TestClient, make: Factory, db: Session) -> None:
    _message(db)
    _message(
        db, status="sent", recipient="tom@muster.test", to_address="tom@muster.test", mail_subject="Confirmed"
    )
    sign_in(client, make.user("admin"))
    page = client.get("/admin/outbox")
    says(page, "No mail server is configured: messages are kept here and not sent")
    assert "No worker has been heard from in the last 2 minutes" in page.text
    assert "1 message(s) could not be delivered" in page.text
    assert "Can you do this? Accrington drop-in" in page.text and "Confirmed" in page.text
    assert "550 5.1.1 no such mailbox" in page.text
    assert 'href="/admin/outbox"' in page.text

    failed = client.get("/admin/outbox?status=failed").text
    assert "Can you do this?" in failed and ">Confirmed<" not in failed
    by_address = client.get("/admin/outbox?q=TOM@").text
    assert ">Confirmed<" in by_address and "Can you do this?" not in by_address


def test_outbox_message_page_html_and_calendar(client: TestClient, make: Factory, db: Session) -> None:
    message = _message(db)
    sign_in(client, make.user("admin"))
    page = client.get(f"/admin/outbox/{message.id}")
    says(page, "<pre>Hello Aisha,\n\nCan you do this?</pre>")
    assert '<dt class="summary-list__key">List-Unsubscribe</dt>' in page.text
    assert "Send again" in page.text

    html = client.get(f"/admin/outbox/{message.id}/html")
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert html.headers["content-security-policy"].startswith(
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    )
    assert "script-src" not in html.headers["content-security-policy"]
    assert html.text == message.body_html

    ics = client.get(f"/admin/outbox/{message.id}/invite.ics")
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    assert ics.text.startswith("BEGIN:VCALENDAR")


def test_outbox_message_without_a_calendar_has_none(client: TestClient, make: Factory, db: Session) -> None:
    message = _message(db, calendar="", body_html="", calendar_method="")
    sign_in(client, make.user("admin"))
    assert client.get(f"/admin/outbox/{message.id}/invite.ics").status_code == 404
    assert client.get(f"/admin/outbox/{message.id}/html").status_code == 404
    assert client.get("/admin/outbox/999999").status_code == 404


def test_send_again_queues_a_failed_message(client: TestClient, make: Factory, db: Session) -> None:
    message = _message(db)
    sign_in(client, make.user("admin"))
    answer = post(client, f"/admin/outbox/{message.id}/retry")
    assert answer.status_code == 303
    row = fresh(db, OutboxMessage, message.id)
    assert (row.status, row.attempts, row.composed_at) == ("pending", 0, None)
    assert f"Message {message.id} will be sent again" in client.get(f"/admin/outbox/{message.id}").text


def test_send_again_says_when_a_newer_message_is_waiting(
    client: TestClient, make: Factory, db: Session
) -> None:
    message = _message(db)
    newer = _message(db, status="pending", mail_subject="", body_text="")
    sign_in(client, make.user("admin"))
    page = client.get(f"/admin/outbox/{message.id}").text
    assert f'<a href="/admin/outbox/{newer.id}">message {newer.id}</a>' in page
    answer = post(client, f"/admin/outbox/{message.id}/retry")
    assert answer.status_code == 303
    assert "is already waiting to be sent" in client.get(f"/admin/outbox/{message.id}").text
    assert fresh(db, OutboxMessage, message.id).status == "failed"


@pytest.mark.parametrize("path", ["/admin/outbox", "/admin/outbox/{id}", "/admin/outbox/{id}/html"])
def test_outbox_pages_are_for_administrators(
    client: TestClient, make: Factory, db: Session, path: str
) -> None:
    message = _message(db)
    url = path.format(id=message.id)
    anonymous = client.get(url, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == f"/login?next={url}"
    for role in ("coordinator", "staff", "partner"):
        client.cookies.clear()
        sign_in(client, make.user(role))
        assert client.get(url).status_code == 403
    client.cookies.clear()
    sign_in(client, make.user("coordinator"))
    assert post(client, f"/admin/outbox/{message.id}/retry").status_code == 403
    assert fresh(db, OutboxMessage, message.id).status == "failed"


def test_outbox_calendar_refuses_others(client: TestClient, make: Factory, db: Session) -> None:
    message = _message(db)
    assert client.get(f"/admin/outbox/{message.id}/invite.ics").status_code == 401
    sign_in(client, make.user("coordinator"))
    assert client.get(f"/admin/outbox/{message.id}/invite.ics").status_code == 403


# --- health ------------------------------------------------------------------------------------------------


def test_health_is_degraded_without_a_worker(client: TestClient, db: Session) -> None:
    answer = client.get("/health")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["database"]) == ("degraded", "ok")
    assert set(body["worker"]) == {
        "queue_length",
        "oldest_due_at",
        "last_beat_at",
        "workers_alive",
        "failed_messages",
        "jobs_waiting",
    }
    assert body["worker"]["workers_alive"] == 0


def test_health_is_ok_with_a_live_worker(client: TestClient, db: Session) -> None:
    db.add(WorkerHeartbeat(worker_id="worker-1", beat_at=utcnow()))
    db.commit()
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["worker"]["workers_alive"] == 1
    assert body["worker"]["last_beat_at"] is not None


@pytest.fixture()
def broken_database(client: TestClient, tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")

    def _broken() -> Iterator[Session]:
        with Session(engine) as session:
            yield session

    client.app.dependency_overrides[get_session] = _broken  # type: ignore[attr-defined]
    yield
    client.app.dependency_overrides.pop(get_session, None)  # type: ignore[attr-defined]


def test_health_is_503_when_the_database_does_not_answer(client: TestClient, broken_database: None) -> None:
    answer = client.get("/health")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 503
