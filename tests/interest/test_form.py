"""The public's "I'm interested" form: what it keeps, what it refuses, and how it says so."""

import re
from datetime import timedelta
from html import unescape

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.audit.service import SYSTEM
from app.enums import EventStatus
from app.events.service import cancel_event
from app.printouts.qr import qr_svg
from app.venues.models import Venue
from tests.factories import Factory
from tests.forms import form_errors, says
from tests.interest.helpers import public_event, send, stored, trail


def test_form_for_a_public_event_names_the_event_and_the_consent(client: TestClient, make: Factory) -> None:
    event = public_event(make, title="Careers in policing: Darwen")

    page = client.get(f"/events/{event.id}/interest")

    says(
        page,
        "Careers in policing: Darwen",
        "I agree that the Lancashire Constabulary recruitment team may contact me, using the details above, "
        "about joining Lancashire Constabulary.",
        "We keep it for 365 days, then delete it.",
        'autocomplete="name"',
        'autocomplete="email"',
        'autocomplete="tel"',
        '<legend class="fieldset__legend">Which roles interest you?</legend>',
        "Control room (answering 999 and 101 calls)",
    )


def test_sent_form_is_kept_with_where_it_came_from(client: TestClient, make: Factory, db: Session) -> None:
    event = public_event(make, town="Nelson")

    answer = send(client, f"/events/{event.id}/interest")

    assert (answer.status_code, answer.headers["location"]) == (303, f"/events/{event.id}/interest/thanks")
    says(client.get(answer.headers["location"]), "Thank you", "we delete it after 365 days")
    [row] = stored(db)
    assert (row.event_id, row.venue_id, row.campaign_id, row.town) == (
        event.id,
        event.venue_id,
        event.campaign_id,
        "Nelson",
    )
    assert (row.full_name, row.email, row.phone, row.roles, row.message, row.status) == (
        "Sam Testperson",
        "sam@example.org",
        "07700 900123",
        ["police_constable", "control_room"],
        "Evenings are best.",
        "new",
    )
    assert row.erase_after - row.consent_given_at == timedelta(days=365)
    assert row.created_at.tzinfo is not None
    [line] = trail(db)
    assert (line.action, line.summary, line.actor_label) == (
        "create",
        f"expression of interest received from event {event.id}",
        "public form",
    )
    assert line.before is None and line.after is None


def test_general_form_is_kept_without_an_event(client: TestClient, db: Session) -> None:
    answer = send(client, "/interest", phone="", roles=None)

    assert (answer.status_code, answer.headers["location"]) == (303, "/interest/thanks")
    [row] = stored(db)
    assert (row.event_id, row.venue_id, row.town, row.roles, row.phone) == (None, None, "", [], "")


def test_form_without_consent_is_refused_and_keeps_what_was_typed(client: TestClient, db: Session) -> None:
    answer = send(client, "/interest", consent=None)

    assert form_errors(answer) == {
        "consent": "Your agreement is needed: tick the box to say we may contact you"
    }
    assert 'value="Sam Testperson"' in answer.text
    assert "Evenings are best." in answer.text
    assert stored(db) == []


def test_form_needs_an_email_address_or_a_phone_number(client: TestClient, db: Session) -> None:
    answer = send(client, "/interest", email="", phone="")

    assert form_errors(answer) == {
        "email": "Your e-mail address or phone number is needed, so that we can get in touch"
    }
    assert stored(db) == []


def test_every_problem_is_said_at_once_in_the_order_of_the_form(client: TestClient) -> None:
    answer = send(client, "/interest", full_name="", email="", phone="", consent=None)

    assert list(form_errors(answer).items()) == [
        ("full_name", "Enter your name"),
        ("email", "Your e-mail address or phone number is needed, so that we can get in touch"),
        ("consent", "Your agreement is needed: tick the box to say we may contact you"),
    ]


def test_phone_only_is_enough(client: TestClient, db: Session) -> None:
    assert send(client, "/interest", email="").status_code == 303
    assert [r.phone for r in stored(db)] == ["07700 900123"]


def test_each_size_limit_is_said_and_the_text_shown_again(client: TestClient, db: Session) -> None:
    too_long = {
        "full_name": ("n" * 121, "Your name must be 120 characters or fewer"),
        "email": ("a" * 250 + "@example.org", "Your e-mail address must be 254 characters or fewer"),
        "phone": ("0" * 31, "Your phone number must be 30 characters or fewer"),
        "message": ("m" * 1001, "Your message must be 1000 characters or fewer"),
    }
    for field, (text, said) in too_long.items():
        answer = send(client, "/interest", **{field: text})

        assert form_errors(answer) == {field: said}, field
        assert text in unescape(answer.text), field
    assert stored(db) == []


def test_malformed_contact_details_are_refused(client: TestClient) -> None:
    answer = send(client, "/interest", email="sam.example.org", phone="call me")

    assert form_errors(answer) == {
        "email": "Your e-mail address must be in the correct format, like name@example.org",
        "phone": "Your phone number must be a phone number, like 07700 900123",
    }


def test_unknown_role_is_refused(client: TestClient) -> None:
    answer = send(client, "/interest", roles=["astronaut"])

    assert list(form_errors(answer)) == ["roles"]


def test_odd_sendings_are_refused_plainly_or_tidied(client: TestClient, db: Session) -> None:
    assert list(form_errors(send(client, "/interest", roles=["pcso"] * 50))) == ["roles"]
    assert list(form_errors(send(client, "/interest", full_name="Sam\nTest"))) == ["full_name"]

    assert send(client, "/interest", roles=["pcso", "pcso"], message="a\x00b").status_code == 303

    assert [(r.roles, r.message) for r in stored(db)] == [(["pcso"], "ab")]


def test_filled_honeypot_gets_a_thank_you_but_nothing_is_kept(client: TestClient, db: Session) -> None:
    answer = send(client, "/interest", website="https://spam.example")

    assert (answer.status_code, answer.headers["location"]) == (303, "/interest/thanks")
    assert stored(db) == []
    assert trail(db) == []


def test_twenty_first_form_in_an_hour_from_one_address_is_429_with_everything_shown_again(
    client: TestClient, db: Session
) -> None:
    for _ in range(20):
        assert send(client, "/interest").status_code == 303

    answer = send(client, "/interest", full_name="Twenty One", message="Still keen!")

    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) > 0
    says(answer, "Too many forms have been sent from your address.", "Nothing you typed is lost", status=429)
    for shown in ('value="Twenty One"', 'value="sam@example.org"', 'value="07700 900123"', "Still keen!"):
        assert shown in answer.text, shown
    assert re.search(r'value="police_constable" checked', answer.text)
    assert re.search(r'id="consent" name="consent" type="checkbox" value="yes" checked', answer.text)
    assert len(stored(db)) == 20


def test_forms_of_events_the_public_cannot_see_do_not_exist(client: TestClient, make: Factory) -> None:
    draft = make.event(public=True)
    private = make.event(status=EventStatus.confirmed, public=False)
    cancelled = public_event(make)
    cancel_event(session=make.session, actor=SYSTEM, event_id=cancelled.id or 0, reason="Venue closed")

    for event_id in (draft.id, private.id, cancelled.id, 999_999):
        for path in (f"/events/{event_id}/interest", f"/events/{event_id}/interest/thanks"):
            answer = client.get(path)
            assert answer.status_code == 404, path
            assert "Venue closed" not in answer.text
        assert send(client, f"/events/{event_id}/interest", token_from="/interest").status_code == 404


def test_event_page_leads_to_the_form_unless_cancelled(client: TestClient, make: Factory) -> None:
    event = public_event(make)
    cancelled = public_event(make)
    cancel_event(session=make.session, actor=SYSTEM, event_id=cancelled.id or 0, reason="Venue closed")

    assert f'href="/events/{event.id}/interest"' in client.get(f"/events/{event.id}").text
    assert f'href="/events/{cancelled.id}/interest"' not in client.get(f"/events/{cancelled.id}").text


def test_poster_qr_code_leads_to_the_event_interest_form(client: TestClient, make: Factory) -> None:
    event = public_event(make)
    other = public_event(make)
    make.event(
        venue=make.session.get(Venue, other.venue_id),
        status=EventStatus.confirmed,
        public=True,
        starts_at=other.starts_at + timedelta(days=1),
    )

    single = client.get(f"/venues/{event.venue_id}/poster")
    listed = client.get(f"/venues/{other.venue_id}/poster")

    form_url = f"https://muster.test/events/{event.id}/interest"
    says(single, qr_svg(form_url), form_url, "Interested? Scan with your phone camera", "to leave your name")
    says(listed, qr_svg(f"https://muster.test/events/{other.id}/interest"), "Interested? Scan a code")
    assert client.get(form_url.removeprefix("https://muster.test")).status_code == 200
