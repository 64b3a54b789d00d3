"""Venue posters: public events only, in large type, with a locally drawn QR code."""

from datetime import timedelta

from fastapi.testclient import TestClient

from app.audit.service import SYSTEM
from app.clock import utcnow
from app.enums import EventStatus, PartnerStatus
from app.events.models import Event
from app.events.service import cancel_event
from app.printouts.qr import qr_svg
from tests.factories import Factory
from tests.printouts.conftest import A3, A4, page_sizes, pdf_text
from tests.printouts.demo import Demo


def test_poster_pdf_without_login_is_a4_with_event_and_link(client: TestClient, demo: Demo) -> None:
    venue = demo.venues[2]
    response = client.get(f"/venues/{venue.id}/poster.pdf")
    assert (response.status_code, response.headers["content-type"]) == (200, "application/pdf")
    assert response.headers["content-disposition"] == f'inline; filename="poster-venue-{venue.id}-A4.pdf"'
    assert page_sizes(response.content) == [A4]
    text = pdf_text(response.content)
    for expected in (
        "Lancashire Constabulary",
        "is recruiting: Police constable and Special constable",
        "Careers in policing: Blackburn",
        f"{demo.day:%A %-d %B %Y}",
        "10am to 5pm",
        "Blackburn Jobcentre Plus",
        f"https://muster.test/events/{demo.blackburn.id}",
        "Selection is always on merit.",
    ):
        assert expected in text, expected


def test_poster_a3_is_one_a3_page(client: TestClient, demo: Demo) -> None:
    response = client.get(f"/venues/{demo.venues[7].id}/poster.pdf?size=a3")
    assert response.status_code == 200
    assert page_sizes(response.content) == [A3]
    assert "3pm to 7pm" in pdf_text(response.content)


def test_poster_has_no_personal_data(client: TestClient, make: Factory, demo: Demo) -> None:
    venue = demo.venues[2]
    pdf = pdf_text(client.get(f"/venues/{venue.id}/poster.pdf").content)
    html = client.get(f"/venues/{venue.id}/poster").text
    for secret in (
        "Priya Mistry",
        "Aisha Begum",
        "07700",
        "Office manager",
        "0800 169",
        "Jobcentre advisers",
    ):
        assert secret not in pdf and secret not in html, secret
    for network in ("Black Police Association", "Network"):
        assert network not in pdf, network


def test_poster_html_draws_the_qr_code_inline(client: TestClient, demo: Demo) -> None:
    venue = demo.venues[2]
    response = client.get(f"/venues/{venue.id}/poster?size=A3")
    assert response.status_code == 200
    url = f"https://muster.test/events/{demo.blackburn.id}/interest"
    assert qr_svg(url) in response.text
    assert qr_svg(url).startswith('<svg viewBox="0 0 ')
    assert f'href="/venues/{venue.id}/poster.pdf?size=A3"' in response.text
    assert 'class="doc doc-poster poster-a3"' in response.text


def test_poster_lists_the_next_events_at_a_venue(client: TestClient, make: Factory, demo: Demo) -> None:
    venue = demo.venues[0]
    for n in range(1, 6):
        make.event(
            venue=venue,
            starts_at=demo.events[0].starts_at + timedelta(days=n),
            title=f"Open day {n}",
            status=EventStatus.confirmed,
            public=True,
        )
    text = pdf_text(client.get(f"/venues/{venue.id}/poster.pdf").content)
    shown = [
        t for t in ("Careers in policing: Accrington", "Open day 1", "Open day 2", "Open day 3") if t in text
    ]
    assert len(shown) == 4
    assert "Open day 4" not in text  # four fit a poster in readable type


def test_poster_of_one_event(client: TestClient, demo: Demo) -> None:
    response = client.get(f"/venues/{demo.venues[2].id}/poster.pdf?event_id={demo.blackburn.id}&size=A4")
    assert response.status_code == 200
    assert "Careers in policing: Blackburn" in pdf_text(response.content)


def test_poster_refuses_draft_and_private_events(client: TestClient, make: Factory, demo: Demo) -> None:
    venue = demo.venues[0]
    draft = make.event(venue=venue, starts_at=demo.asda.starts_at, title="Draft open day", public=True)
    private = make.event(
        venue=venue,
        starts_at=demo.asda.starts_at,
        title="Private",
        public=False,
        status=EventStatus.confirmed,
    )
    for event in (draft, private):
        for path in ("poster", "poster.pdf"):
            response = client.get(f"/venues/{venue.id}/{path}?event_id={event.id}")
            assert response.status_code == 404, (path, event.title)
    elsewhere = client.get(f"/venues/{demo.venues[1].id}/poster?event_id={demo.blackburn.id}")
    assert elsewhere.status_code == 404


def test_poster_of_venue_with_only_drafts_is_not_found(client: TestClient, make: Factory) -> None:
    venue = make.venue("Nelson Library")
    make.event(venue=venue, title="Draft open day", public=True)
    make.event(venue=venue, title="Private", public=False, status=EventStatus.confirmed)
    response = client.get(f"/venues/{venue.id}/poster.pdf", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json()["detail"] == "Nelson Library has no upcoming public events to put on a poster"


def test_poster_of_cancelled_event_says_why(client: TestClient, make: Factory, demo: Demo) -> None:
    cancel_event(session=make.session, actor=SYSTEM, event_id=demo.asda.id or 0, reason="refit")
    response = client.get(
        f"/venues/{demo.venues[7].id}/poster.pdf?event_id={demo.asda.id}",
        headers={"Accept": "application/json"},
    )
    assert (response.status_code, response.json()["detail"]) == (
        422,
        f"event {demo.asda.id} is cancelled; there is nothing to advertise",
    )


def test_poster_leaves_out_a_booking_the_venue_declined(
    client: TestClient, make: Factory, demo: Demo
) -> None:
    blackburn = make.session.get(Event, demo.blackburn.id)
    assert blackburn is not None
    blackburn.partner_status = PartnerStatus.declined
    make.session.add(blackburn)
    make.session.commit()
    venue = demo.venues[2]
    one = client.get(f"/venues/{venue.id}/poster.pdf?event_id={blackburn.id}")
    assert one.status_code == 404
    listing = client.get(f"/venues/{venue.id}/poster")
    assert "Careers in policing: Blackburn" not in listing.text


def test_poster_bad_size_and_unknown_venue(client: TestClient, demo: Demo) -> None:
    accept = {"Accept": "application/json"}
    bad = client.get(f"/venues/{demo.venues[2].id}/poster.pdf?size=A0", headers=accept)
    assert (bad.status_code, bad.json()["detail"]) == (422, "size: 'A0' is not a poster size; use A4 or A3")
    assert client.get("/venues/999/poster.pdf", headers=accept).status_code == 404
    assert utcnow() < demo.blackburn.starts_at
