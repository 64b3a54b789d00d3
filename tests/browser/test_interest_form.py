"""Issue 17: a member of the public, on a phone, goes from an event's page (or its poster's
QR code) to the "I'm interested" form, gets its refusals read out plainly, and sends it —
without JavaScript too. Scanned with axe at phone width and photographed for the record."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import col, select

from app.enums import EventStatus
from app.events.models import Event
from app.events.public import LISTED_PUBLICLY
from app.interest.models import InterestRecord
from tests.browser.conftest import PHONE, ROOT, Server, response_status, serious_violations

pytestmark = pytest.mark.browser

Look = Callable[..., None]
PHOTO = ROOT / "artifacts" / "interest-form-phone.png"
# WCAG 2.2's enhanced target size, which a thumb on a phone needs more than the minimum.
TOUCH = 44


def _public_event(server: Server) -> Event:
    with server.session() as session:
        return session.exec(
            select(Event)
            .where(LISTED_PUBLICLY, Event.status == EventStatus.confirmed)
            .order_by(col(Event.starts_at))
        ).first()  # type: ignore[return-value]


def _phone(browser: Any, server: Server, *, javascript: bool = True) -> Any:
    context = browser.new_context(
        base_url=server.url, viewport=PHONE, locale="en-GB", is_mobile=True, java_script_enabled=javascript
    )
    tab = context.new_page()
    tab.set_default_timeout(15000)
    return tab


def _stored(server: Server) -> list[InterestRecord]:
    with server.session() as session:
        return list(session.exec(select(InterestRecord).order_by(col(InterestRecord.id))).all())


def test_interest_form_on_a_phone_is_accessible_and_photographed(browser: Any, server: Server) -> None:
    event = _public_event(server)
    tab = _phone(browser, server)
    tab.goto(f"/events/{event.id}")
    tab.get_by_role("link", name="I'm interested").click()

    assert tab.url.endswith(f"/events/{event.id}/interest")
    assert response_status(tab) == 200
    expect(tab.get_by_role("heading", level=1)).to_have_text("Interested in joining us?")
    assert serious_violations(tab) == []
    overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    for control in (tab.get_by_role("button", name="Send"), tab.get_by_label("Your name")):
        box = control.bounding_box()
        assert box is not None and box["height"] >= TOUCH, box
    consent = tab.locator("label[for=consent]").bounding_box()
    assert consent is not None and consent["height"] >= TOUCH - 4, consent
    PHOTO.parent.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(PHOTO), full_page=True)

    tab.get_by_role("button", name="Send").click()

    assert response_status(tab) == 400
    summary = tab.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Enter your name").click()
    expect(tab.get_by_label("Your name")).to_be_focused()
    assert serious_violations(tab) == []
    tab.screenshot(
        path=str(Path(PHOTO.parent, "screenshots", "interest-form-errors-phone.png")), full_page=True
    )

    tab.get_by_label("Your name").fill("Robin Axetest")
    tab.get_by_label("E-mail address").fill("robin@example.org")
    tab.locator("label[for=consent]").click()
    tab.get_by_role("button", name="Send").click()

    expect(tab.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert serious_violations(tab) == []
    tab.context.close()


def test_interest_form_works_without_javascript(browser: Any, server: Server) -> None:
    event = _public_event(server)
    before = len(_stored(server))
    tab = _phone(browser, server, javascript=False)
    tab.goto(f"/events/{event.id}/interest")

    tab.get_by_label("Your name").fill("Pat Browsertest")
    tab.get_by_label("Phone number").fill("07700 900999")
    tab.get_by_label("Special constable (a volunteer police officer)").check()
    tab.get_by_label("Anything you would like to tell us").fill("Weekends suit me.")
    tab.get_by_role("button", name="Send").click()
    # Forgot the agreement: everything typed is still there, with the one thing to fix.
    expect(tab.get_by_label("Your name")).to_have_value("Pat Browsertest")
    expect(tab.get_by_label("Special constable (a volunteer police officer)")).to_be_checked()
    expect(tab.locator("#consent-error")).to_contain_text("Your agreement is needed")
    tab.locator("label[for=consent]").click()
    tab.get_by_role("button", name="Send").click()

    expect(tab.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert tab.url.endswith(f"/events/{event.id}/interest/thanks")
    rows = _stored(server)
    assert len(rows) == before + 1
    assert (rows[-1].full_name, rows[-1].phone, rows[-1].roles, rows[-1].event_id) == (
        "Pat Browsertest",
        "07700 900999",
        ["special_constable"],
        event.id,
    )
    tab.context.close()
