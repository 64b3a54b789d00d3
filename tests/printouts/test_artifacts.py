"""Render the demo Wednesday's printouts and keep them as PNGs in artifacts/printouts/,
so anyone can look at what a force would print."""

from fastapi.testclient import TestClient

from tests.factories import Factory
from tests.printouts.conftest import pdf_pages, write_pngs
from tests.printouts.demo import Demo


def test_demo_printouts_written_as_png(client: TestClient, make: Factory, demo: Demo) -> None:
    headers = make.headers("coordinator")
    day = demo.day.isoformat()
    outputs = {
        "briefing": client.get(f"/events/{demo.blackburn.id}/briefing.pdf", headers=headers),
        "roster-day": client.get(f"/rosters.pdf?start={day}&end={day}", headers=headers),
        "poster-a4": client.get(f"/venues/{demo.venues[2].id}/poster.pdf?size=A4"),
        "poster-a3": client.get(f"/venues/{demo.venues[7].id}/poster.pdf?size=A3"),
    }
    pages = {}
    for name, response in outputs.items():
        assert response.status_code == 200, (name, response.text[:300])
        pngs = write_pngs(name, response.content)
        pages[name] = (len(pdf_pages(response.content)), len(pngs))
    assert pages == {
        "briefing": (2, 2),
        "roster-day": (2, 2),
        "poster-a4": (1, 1),
        "poster-a3": (1, 1),
    }
