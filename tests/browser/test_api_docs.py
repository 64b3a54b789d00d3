"""The API documentation works on a closed network: every request /docs makes stays on the app."""

from typing import Any
from urllib.parse import urlsplit

from tests.browser.conftest import Server


def test_docs_render_with_every_request_served_by_the_app(page: Any, server: Server) -> None:
    elsewhere: list[str] = []
    ours = urlsplit(server.url).netloc

    def only_ours(route: Any) -> None:
        if urlsplit(route.request.url).netloc == ours:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_ours)
    page.goto("/docs")
    # Swagger UI has drawn the operations from our OpenAPI document.
    page.get_by_text("/api/v1/events", exact=True).first.wait_for()
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("Muster")
    assert elsewhere == [], f"/docs asked for files from elsewhere: {elsewhere}"
