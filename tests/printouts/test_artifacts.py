"""Render the demo force's printouts (``muster demo``) and keep them as PDFs and PNGs in
artifacts/printouts/, so anyone can look at what a force would print."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import col, select

from app import demo as demo_data
from app.events.models import Event
from app.venues.models import Venue
from tests.factories import Factory
from tests.printouts.conftest import ARTIFACTS, pdf_pages, write_pngs


def test_demo_printouts_written_as_png(client: TestClient, make: Factory) -> None:
    demo_data.load(make.session)
    blackburn = make.session.exec(
        select(Event)
        .where(Event.title == "Police recruitment drop-in – Blackburn")
        .order_by(col(Event.starts_at).desc())
    ).first()
    asda = make.session.exec(select(Venue).where(Venue.name == "Asda Grimshaw Park")).one()
    assert blackburn is not None
    monday = blackburn.starts_at.date() - timedelta(days=blackburn.starts_at.weekday())
    week = f"start={monday}&end={monday + timedelta(days=6)}"
    headers = make.headers("coordinator")
    outputs = {
        "demo-briefing": client.get(f"/events/{blackburn.id}/briefing.pdf", headers=headers),
        "demo-roster-week": client.get(f"/rosters.pdf?{week}", headers=headers),
        "demo-poster-a4": client.get(f"/venues/{blackburn.venue_id}/poster.pdf?size=A4"),
        "demo-poster-a3": client.get(f"/venues/{asda.id}/poster.pdf?size=A3"),
    }
    pages = {}
    for name, response in outputs.items():
        assert response.status_code == 200, (name, response.text[:300])
        pngs = write_pngs(name, response.content)
        pages[name] = (len(pdf_pages(response.content)), len(pngs))
    assert pages == {
        "demo-briefing": (2, 2),
        "demo-roster-week": (2, 2),
        "demo-poster-a4": (1, 1),
        "demo-poster-a3": (1, 1),
    }
    # The HTML print views too, to open in a browser beside the PDFs.
    views = {
        "demo-briefing": f"/events/{blackburn.id}/briefing",
        "demo-roster-week": f"/rosters?{week}",
        "demo-poster-a4": f"/venues/{blackburn.venue_id}/poster",
    }
    for name, path in views.items():
        view = client.get(path, headers=headers)
        assert view.status_code == 200, (name, view.text[:300])
        (ARTIFACTS / f"{name}.html").write_text(
            view.text.replace('href="/static/', 'href="../../app/static/')
        )
    csv = client.get(f"/events.csv?{week}", headers=headers)
    assert csv.status_code == 200
    (ARTIFACTS / "demo-events.csv").write_bytes(csv.content)
