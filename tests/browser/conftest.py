"""Browser tests: a real uvicorn server on a loopback port, a temporary SQLite file with the
demo force, and Debian's Chromium driven by Playwright.

Locally they are skipped (with the reason) when /usr/bin/chromium is missing; in CI
(``CI=true``) a missing browser is a failure, never a skip.
"""

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.ci import need
from tests.servers import answers, free_port, stop, wait_until_ready

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 360, "height": 760}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    need(f"{CHROMIUM} is not installed here; the browser tests run in CI")


@dataclass
class Server:
    url: str
    database_url: str
    logins: Any

    def session(self) -> Any:
        """A database session on the server's own database, for setting up a scene."""
        from sqlmodel import Session

        from app.db import make_engine

        return Session(make_engine(self.database_url), expire_on_commit=False)

    def propose(self, event_id: int, person_id: int) -> int:
        """Book the person on the event as a proposed ambassador; the assignment's id."""
        from app.audit.service import SYSTEM
        from app.booking import service as booking
        from app.enums import AssignmentRole

        with self.session() as session:
            assignment = booking.assign(
                session=session,
                actor=SYSTEM,
                event_id=event_id,
                person_id=person_id,
                role=AssignmentRole.ambassador,
            )
            return int(assignment.id or 0)


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    _require_chromium()
    from sqlmodel import Session

    from app import demo, migrate
    from app.db import make_engine

    folder = Path(tempfile.mkdtemp(prefix="muster-browser-"))
    database_url = f"sqlite:///{folder / 'browser.db'}"
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        logins = demo.load(session)
    engine.dispose()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "MUSTER_DATABASE_URL": database_url,
        "MUSTER_SECRET_KEY": "browser-test-secret-key-0123456789-abcdefghijklmnop",
        "MUSTER_BASE_URL": url,
        # Every journey signs in from 127.0.0.1, often as the same person within a minute.
        "MUSTER_SIGN_IN_ATTEMPTS_PER_ACCOUNT": "1000",
        "MUSTER_SIGN_IN_ATTEMPTS_PER_ADDRESS": "1000",
    }
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - closed after the server stops
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_ready(process, lambda: answers(f"{url}/login"), folder / "server.log")
        yield Server(url=url, database_url=database_url, logins=logins)
    finally:
        stop(process)
        log.close()


@pytest.fixture(scope="session")
def browser(server: Server) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(base_url=server.url, viewport=DESKTOP, locale="en-GB")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    tab = context.new_page()
    tab.set_default_timeout(15000)
    yield tab
    context.close()


def sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:2000]


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical WCAG 2.2 AA (and best-practice) findings on the page."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") in ("serious", "critical"):
            targets = [", ".join(map(str, node.get("target", []))) for node in violation["nodes"][:3]]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


def response_status(page: Any) -> int:
    """The HTTP status of the document now shown, however it was reached (goto, link, form)."""
    return int(page.evaluate("performance.getEntriesByType('navigation')[0]?.responseStatus ?? 0"))


@pytest.fixture()
def look(page: Any) -> Iterator[Callable[..., None]]:
    """Scan the current page with axe-core and photograph it at desktop and phone width.

    The page must be the one meant: its status is checked first (200 unless the walk says
    otherwise, e.g. 403 for the refusal page), so a 404 or a 500 is never scanned as a pass."""
    problems: list[str] = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _look(name: str, status: int = 200) -> None:
        shown = response_status(page)
        assert shown == status, f"{name} {page.url}: answered {shown}, not {status}"
        for violation in serious_violations(page):
            problems.append(f"{name} {page.url}: {violation}")
        page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(50)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            problems.append(f"{name} {page.url}: the page is {overflow}px wider than a 360px phone")
        page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
        page.set_viewport_size(DESKTOP)

    yield _look
    assert problems == [], "\n".join(problems)
