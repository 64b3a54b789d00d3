"""The API documentation page and its assets come from the app itself, never a CDN."""

import re

from fastapi.testclient import TestClient


def test_docs_page_loads_swagger_ui_from_the_app(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assets = [s for s in sources if s.endswith((".js", ".css"))]
    assert assets, "the docs page names its script and style sheet"
    for asset in assets:
        assert asset.startswith("/static/"), f"{asset} is not served by the app"
        served = client.get(asset)
        assert served.status_code == 200 and len(served.content) > 10_000, asset
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Muster"
