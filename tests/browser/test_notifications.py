"""Messages as people meet them: the officer opens the accept link from a duty e-mail,
and the administrator reads the outbox. The demo has no mail server, so messages are
composed and kept in the outbox, exactly as ``make run`` does it.

Screenshots of the HTML e-mail and the outbox page go to artifacts/screenshots/.
"""

import re
from typing import Any

from playwright.sync_api import expect
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.db import make_engine
from app.notifications import triggers
from app.notifications.models import OutboxMessage
from app.people.models import Person
from app.worker.runner import Worker
from tests.browser.conftest import Server, sign_in
from tests.browser.test_journeys import Look, _book, _day


def _send_due(server: Server) -> None:
    """One worker's turns on the server's database, as `muster worker` would take them."""
    engine = make_engine(server.database_url)
    Worker(worker_id="browser-test", session_factory=lambda: Session(engine, expire_on_commit=False)).drain()
    engine.dispose()


def test_officer_accepts_a_duty_from_its_email_and_admin_reads_the_outbox(
    page: Any, server: Server, look: Look
) -> None:
    triggers.install()
    event_id = _book(
        server, venue_name="Jobcentre Plus Nelson", title="Nelson careers afternoon", day=_day(40)
    )
    with server.session() as session:
        user = session.exec(select(User).where(User.email == server.logins.staff)).one()
        person = session.get(Person, user.person_id)
        assert person is not None
    server.propose(event_id, person.id or 0)
    _send_due(server)
    with server.session() as session:
        message = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.sent_kind == "duty_proposed", OutboxMessage.recipient == person.email)
            .order_by(col(OutboxMessage.id).desc())
        ).first()
        assert message is not None and message.status == "held"
        # The path only: the worker here composed the link for the test suite's address.
        accept = re.search(r"Accept this duty: https?://[^/]+(/respond/\S+)", message.body_text)
        assert accept is not None

    sign_in(page, "admin@muster.example", server.logins.password)
    page.goto("/admin/outbox")
    expect(page.get_by_role("heading", name="Outbox")).to_be_visible()
    expect(page.get_by_text("No mail server is configured")).to_be_visible()
    look("admin-outbox")
    page.goto(f"/admin/outbox/{message.id}")
    look("admin-outbox-message")
    page.goto(f"/admin/outbox/{message.id}/html")
    expect(page.get_by_role("heading", name=re.compile("Can you do this duty?"))).to_be_visible()
    look("email-duty-proposed")
    page.context.clear_cookies()

    page.goto(accept.group(1))
    expect(page.get_by_text(re.compile("Nelson careers afternoon"))).to_be_visible()
    look("respond-accept-duty")
    page.get_by_role("button", name=re.compile("Accept")).click()
    expect(page.get_by_role("heading", name=re.compile("accepted|confirmed", re.IGNORECASE))).to_be_visible()
    look("respond-accept-done")
    page.goto(accept.group(1))
    expect(page.get_by_text(re.compile("used already", re.IGNORECASE))).to_be_visible()
