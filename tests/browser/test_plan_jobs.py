"""A coordinator plans a busy month from the planner page in a real browser: the plan runs
in the background worker (its loop in a thread here, as `make run` runs it beside the
server), the page shows its progress live without a reload, then the review, and the
coordinator applies all but one proposal.

Screenshots of the plan in progress and finished go to artifacts/screenshots/
(plan-job-running-*.png, plan-job-done-*.png, and the top of the review in
plan-job-done-review.png).
"""

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from app.assignments.models import Assignment
from app.db import make_engine
from app.enums import AssignmentStatus
from app.worker.runner import Worker
from tests.browser.conftest import SCREENSHOTS, Server, sign_in
from tests.browser.test_journeys import Look, _book, _day
from tests.factories import Factory
from tests.staffing.test_jobs import busy_month

pytestmark = pytest.mark.browser


class BackgroundWorker:
    """`muster worker`'s loop on the server's database, in a thread, started when asked."""

    def __init__(self, server: Server) -> None:
        self.engine = make_engine(server.database_url)
        self.stop = threading.Event()
        runner = Worker(
            worker_id="browser-worker", session_factory=lambda: Session(self.engine, expire_on_commit=False)
        )
        self.thread = threading.Thread(target=runner.run, args=(self.stop,), daemon=True)

    def start(self) -> None:
        self.thread.start()


@pytest.fixture()
def worker(server: Server) -> Iterator[BackgroundWorker]:
    background = BackgroundWorker(server)
    yield background
    background.stop.set()
    if background.thread.is_alive():
        background.thread.join(timeout=120)
    background.engine.dispose()


def _proposed(server: Server, event_ids: set[int]) -> int:
    with server.session() as session:
        rows = session.exec(
            select(Assignment).where(
                col(Assignment.event_id).in_(sorted(event_ids)),
                Assignment.status == AssignmentStatus.proposed,
            )
        ).all()
        return len(rows)


def test_coordinator_watches_a_plan_live_then_applies_it(
    page: Any, server: Server, look: Look, worker: BackgroundWorker
) -> None:
    with server.session() as session:
        # Four months ahead: clear of the days the other browser tests book and staff.
        campaign = busy_month(Factory(session), events=300, people=200, ahead=4)
        campaign_id = campaign.id
    sign_in(page, server.logins.coordinator, server.logins.password)

    page.goto("/plan")
    page.get_by_role("link", name="Plan staffing").first.click()
    expect(page.get_by_role("heading", name="Plan staffing", exact=True)).to_be_visible()
    look("plan-staffing-start")
    page.get_by_label("Campaign").select_option(str(campaign_id))
    page.locator("#time_limit").select_option("30")
    page.get_by_role("button", name="Start the plan").click()
    expect(page).to_have_url(re.compile(r"/plan/staffing/jobs/\d+$"))

    # The page is loaded while the plan waits; then the worker takes it, and its progress
    # arrives in place: the heading, the steps and the figures change, the page stays loaded.
    expect(page.locator("[data-field=heading]")).to_have_text("Waiting for the background worker")
    page.evaluate("window.__samePage = true")
    worker.start()
    expect(page.locator("[data-field=heading]")).to_have_text("Working on the plan", timeout=30000)
    expect(page.locator(".phases__item.is-done").first).to_be_visible(timeout=30000)
    expect(page.locator("[data-figure=places] [data-field=value]")).not_to_have_text("–", timeout=30000)
    assert page.evaluate("window.__samePage") is True
    look("plan-job-running")

    # Once done, the page turns into the review by itself.
    expect(page.get_by_role("heading", name="Who, where and why")).to_be_visible(timeout=90000)
    assert page.evaluate("window.__samePage === undefined")
    expect(page.get_by_role("heading", name="How good it is")).to_be_visible()
    look("plan-job-done")
    # The top of the review at a glance, besides the whole page look() keeps.
    page.screenshot(
        path=str(SCREENSHOTS / "plan-job-done-review.png"),
        clip={"x": 0, "y": 0, "width": 1280, "height": 1700},
        full_page=True,
    )

    boxes = page.locator("input[name=proposal]")
    count = boxes.count()
    assert count > 10
    event_ids = {int(m) for m in re.findall(r'href="/plan/events/(\d+)"', page.content())}
    boxes.first.uncheck()
    page.get_by_role("button", name="Apply the ticked proposals").last.click()

    expect(page.locator(".notice--success")).to_contain_text(f"Proposed {count - 1} places on")
    assert _proposed(server, event_ids) == count - 1
    expect(page.locator("input[name=proposal]:disabled")).to_have_count(count - 1)


def test_coordinator_previews_one_events_team_then_applies_it(page: Any, server: Server, look: Look) -> None:
    event_id = _book(
        server, venue_name="Jobcentre Plus Darwen", title="Darwen jobs fair", day=_day(62, weekday=1)
    )
    sign_in(page, server.logins.coordinator, server.logins.password)

    page.goto(f"/plan/events/{event_id}")
    page.get_by_role("button", name="Propose a fair team for the gaps").click()

    expect(page.get_by_role("heading", name="Who, where and why")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the event")).to_be_visible()
    look("plan-one-event-preview")
    count = page.locator("input[name=proposal]").count()
    assert count == 3 and _proposed(server, {event_id}) == 0
    page.get_by_role("button", name="Apply all 3").first.click()

    expect(page).to_have_url(re.compile(rf"/plan/events/{event_id}#team$"))
    expect(page.locator(".notice--success")).to_contain_text("Proposed 3 places on 1 event")
    assert _proposed(server, {event_id}) == 3
