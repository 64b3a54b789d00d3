"""An officer marks herself away on training over a duty she is confirmed for: she is warned
with the duty named, asks to be released, and the sergeant's dashboard and the event page
flag it until the sergeant clears it."""

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from app.accounts import service as accounts
from app.audit.service import SYSTEM
from app.clock import to_london, utcnow
from app.enums import PersonKind, Role
from app.people import service as people
from tests.browser.conftest import Server, sign_in
from tests.browser.test_journeys import Look, _book

pytestmark = pytest.mark.browser

TITLE = "Accrington Library careers morning"
EMAIL = "nadia.rahman@muster.example"


def _officer_asked(server: Server) -> int:
    """A new officer with a sign-in, proposed for an event tomorrow; the event's id."""
    day = to_london(utcnow()).date() + timedelta(days=1)
    event_id = _book(server, venue_name="Accrington Library", title=TITLE, day=day)
    with server.session() as session:
        person = people.create_person(
            session=session,
            actor=SYSTEM,
            data={"name": "PC Nadia Rahman", "staff_number": "BR-4471", "kind": PersonKind.police_officer},
        )
        accounts.create_user(
            session=session,
            actor=SYSTEM,
            email=EMAIL,
            password=server.logins.password,
            role=Role.staff,
            person_id=person.id,
        )
    server.propose(event_id, person.id or 0)
    return event_id


def test_officer_away_over_a_duty_is_warned_and_the_sergeant_sees_it(
    page: Any, server: Server, look: Look
) -> None:
    event_id = _officer_asked(server)
    first = to_london(utcnow()).date()
    last = first + timedelta(days=2)
    span = f"{first:%a %-d %b} to {last:%a %-d %b}"

    # The officer accepts the duty, then enters three days of training over it.
    sign_in(page, EMAIL, server.logins.password)
    page.goto("/my")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text(f"Thank you: you are confirmed for '{TITLE}'.")).to_be_visible()
    page.goto("/my/unavailability")
    page.get_by_label("First day", exact=True).fill(first.isoformat())
    page.get_by_label("Last day", exact=True).fill(last.isoformat())
    page.get_by_label("Reason").select_option(label="Training")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="You are already on duty then")).to_be_visible()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    look("away-over-duty-warning", status=409)
    page.get_by_label(f"Ask to be released from {TITLE}").check()
    page.get_by_role("button", name="Save and tell the coordinator").click()
    expect(page.get_by_text(f"Saved: training, {span}.")).to_be_visible()
    expect(page.get_by_text("that you asked to be released from 1")).to_be_visible()
    expect(page.locator("li.card", has_text="Training")).to_contain_text(span)
    look("away-over-duty-saved")

    # The sergeant sees it on the dashboard and on the event, and clears it once resolved.
    page.context.clear_cookies()
    sign_in(page, server.logins.coordinator, server.logins.password)
    page.goto("/plan")
    expect(page.locator("ul.attention li", has_text=TITLE)).to_contain_text(
        "1 of the team flagged (a clash, time away or a limit)"
    )
    look("away-over-duty-dashboard")
    page.goto(f"/plan/events/{event_id}")
    team = page.locator("#team ~ .table-wrap")
    expect(team.get_by_text("Asks to be released", exact=True)).to_be_visible()
    expect(team).to_contain_text(f"Unavailable (training): {span} – asks to be released")
    look("away-over-duty-event")
    team.get_by_role("button", name="Clear the flag").click()
    expect(page.get_by_text("Cleared the flag.")).to_be_visible()
    expect(page.locator("#team ~ .table-wrap").get_by_text("Asks to be released", exact=True)).to_have_count(
        0
    )
