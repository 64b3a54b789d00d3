"""Secret feed tokens never reach the access log, as uvicorn really writes it."""

import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from uvicorn.logging import AccessFormatter

from app.web import redact_path
from tests.factories import Factory
from tests.feeds.conftest import path_of


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(
            AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False)
        )
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture()
def access_log() -> Iterator[_Lines]:
    handler = _Lines()
    logger = logging.getLogger("uvicorn.access")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_uvicorn_access_log_redacts_feed_tokens(
    server: str, access_log: _Lines, client: TestClient, make: Factory
):
    personal = path_of(client.post("/api/v1/me/feed", headers=make.headers("staff")).json()["link"]["url"])
    campaign = make.campaign()
    campaign_feed = path_of(
        client.post(f"/api/v1/campaigns/{campaign.id}/feed", headers=make.headers("coordinator")).json()[
            "link"
        ]["url"]
    )
    token = personal.removeprefix("/feeds/people/").removesuffix(".ics")
    campaign_token = campaign_feed.removeprefix("/feeds/campaigns/").removesuffix(".ics")

    with httpx.Client(base_url=server) as http:
        answers = [
            http.get(personal).status_code,
            http.get(personal + "?refresh=1").status_code,
            http.get(campaign_feed).status_code,
            http.get("/feeds/people/cal_guessed-token.ics").status_code,
            http.get(f"/feeds/venues/{campaign.id}.ics").status_code,
        ]

    assert answers == [200, 200, 200, 404, 404]
    # "127.0.0.1:<client port> - ": the client's port changes; the request line must not.
    assert [line.split(" - ", 1)[1] for line in access_log.lines[-5:]] == [
        '"GET /feeds/people/[redacted].ics HTTP/1.1" 200 OK',
        '"GET /feeds/people/[redacted].ics?refresh=1 HTTP/1.1" 200 OK',
        '"GET /feeds/campaigns/[redacted].ics HTTP/1.1" 200 OK',
        '"GET /feeds/people/[redacted].ics HTTP/1.1" 404 Not Found',
        f'"GET /feeds/venues/{campaign.id}.ics HTTP/1.1" 404 Not Found',
    ]
    joined = "\n".join(access_log.lines)
    assert token not in joined and campaign_token not in joined and "guessed" not in joined


def test_redact_path_leaves_public_paths_alone():
    assert redact_path("GET /feeds/venues/12.ics") == "GET /feeds/venues/12.ics"
    assert redact_path("GET /events/12.ics") == "GET /events/12.ics"
    assert redact_path("/feeds/people/cal_abc-_9.ics") == "/feeds/people/[redacted].ics"
    assert redact_path("/feeds/campaigns/cal_abc") == "/feeds/campaigns/[redacted]"


def test_redact_path_hides_message_links_and_doubled_slashes():
    assert redact_path("GET /respond/lnk_abc-_9 HTTP/1.1") == "GET /respond/[redacted] HTTP/1.1"
    assert (
        redact_path("POST /notifications/unsubscribe/eyJ4Ijo.sig")
        == "POST /notifications/unsubscribe/[redacted]"
    )
    assert redact_path("GET /feeds//people/cal_abc.ics") == "GET /feeds//people/[redacted].ics"
