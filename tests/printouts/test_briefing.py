"""The event briefing sheet: what the team carries on the day, for the team and coordinators."""

import pytest
from fastapi.testclient import TestClient

from app.enums import AssignmentRole
from tests.factories import Factory
from tests.forms import sign_in
from tests.printouts.conftest import A4, page_sizes, pdf_pages, pdf_text
from tests.printouts.demo import NETWORKS, Demo


def test_briefing_pdf_for_coordinator_has_sheet_and_interest_page(
    client: TestClient, make: Factory, demo: Demo
) -> None:
    response = client.get(f"/events/{demo.blackburn.id}/briefing.pdf", headers=make.headers("coordinator"))
    assert (response.status_code, response.headers["content-type"]) == (200, "application/pdf")
    assert response.headers["cache-control"] == "private, no-store"
    assert page_sizes(response.content) == [A4, A4]
    sheet, interest = (" ".join(p.split()) for p in pdf_pages(response.content))
    day = f"{demo.day:%A %-d %B %Y}"
    for expected in (
        "Careers in policing: Blackburn",
        day,
        "10:00 to 17:00",
        "Police constables: East Lancashire",
        "Police constable, Special constable",
        "Blackburn Jobcentre Plus",
        "Step-free entrance on Market Street",
        "pay-and-display car park",
        "Jobcentre Plus (DWP)",
        "0800 169 1009",
        "Priya Mistry",
        "07700 900107",
        "PC Aisha Begum",
        "SC Jasmin Kaur",
        "Pop-up banner and table cloth",
        "Warrant card or staff ID",
        "Sgt Andrea Holden",
        "recruitment.coordinator@muster.test",
        "needs an Urdu speaker",
        "Page 1 of 2",
    ):
        assert expected in sheet, expected
    for expected in (
        "Interested in a career with us?",
        "Phone number or email",
        "Role of interest",
        "Consent.",
        "delete them within 12 months",
        "Page 2 of 2",
    ):
        assert expected in interest, expected


def test_briefing_html_view_is_the_same_sheet(client: TestClient, make: Factory, demo: Demo) -> None:
    response = client.get(f"/events/{demo.blackburn.id}/briefing", headers=make.headers("admin"))
    assert response.status_code == 200
    html = response.text
    assert '<link rel="stylesheet" href="/static/print.css">' in html
    assert f'href="/events/{demo.blackburn.id}/briefing.pdf"' in html
    assert "07700 900107" in html and "Interested in a career with us?" in html
    assert client.get("/static/print.css").status_code == 200


def test_briefing_for_team_member_by_session_cookie(client: TestClient, make: Factory, demo: Demo) -> None:
    member = demo.people[2]  # Aisha Begum, an ambassador at Blackburn
    sign_in(client, make.user("staff", person=member))
    response = client.get(f"/events/{demo.blackburn.id}/briefing.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "07700 900107" in text
    # Coordinators' notes are for planners: the team's copy leaves them out.
    assert "Coordinator's notes" not in text
    assert "Jobcentre advisers will send" not in text


def test_briefing_for_staff_not_on_the_team_is_refused(client: TestClient, make: Factory, demo: Demo) -> None:
    outsider = make.user("staff", person=demo.people[3])  # on Accrington, not Blackburn
    response = client.get(f"/events/{demo.blackburn.id}/briefing.pdf", headers=make.token(outsider))
    assert response.status_code == 403


def test_briefing_for_declined_member_is_refused(client: TestClient, make: Factory) -> None:
    event = make.event()
    person = make.person()
    assignment = make.assign(event, person, role=AssignmentRole.ambassador)
    headers = make.token(make.user("staff", person=person))
    declined = client.patch(
        f"/api/v1/assignments/{assignment.id}", json={"status": "declined"}, headers=headers
    )
    assert declined.status_code == 200, declined.text
    assert client.get(f"/events/{event.id}/briefing", headers=headers).status_code == 403


def test_briefing_for_partner_of_the_venue_is_refused(client: TestClient, make: Factory, demo: Demo) -> None:
    partner = make.user("partner", venues=[demo.venues[2]])
    response = client.get(f"/events/{demo.blackburn.id}/briefing.pdf", headers=make.token(partner))
    assert response.status_code == 403


def test_briefing_for_anonymous_sends_to_sign_in(client: TestClient, demo: Demo) -> None:
    page = client.get(f"/events/{demo.blackburn.id}/briefing.pdf", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (
        303,
        f"/login?next=/events/{demo.blackburn.id}/briefing.pdf",
    )
    api = client.get(f"/events/{demo.blackburn.id}/briefing", headers={"Accept": "application/json"})
    assert api.status_code == 401


def test_briefing_of_unknown_event_is_not_found(client: TestClient, make: Factory) -> None:
    response = client.get("/events/999/briefing.pdf", headers=make.headers("coordinator"))
    assert response.status_code == 404
    assert "event 999 does not exist" in response.text.lower()


def test_briefing_never_prints_representation(client: TestClient, make: Factory, demo: Demo) -> None:
    # Nelson wants a Black Police Association ambassador and has not got one; Accrington's
    # ambassador Imran Patel represents it. Neither fact may reach paper.
    headers = make.headers("coordinator")
    for event in (demo.events[5], demo.events[0]):
        pdf = pdf_text(client.get(f"/events/{event.id}/briefing.pdf", headers=headers).content)
        html = client.get(f"/events/{event.id}/briefing", headers=headers).text
        for name in NETWORKS:
            assert name not in pdf and name.replace("'", "&#39;") not in html, name
        for word in ("Black Police", "LGBT", "Network", "network:"):
            assert word not in pdf, word
    nelson = pdf_text(client.get(f"/events/{demo.events[5].id}/briefing.pdf", headers=headers).content)
    assert "needs 1 more network ambassador" in nelson


def test_briefing_of_a_long_team_still_has_its_interest_page(client: TestClient, make: Factory) -> None:
    event = make.event(ambassadors_needed=8, recruiters_needed=2)
    for n in range(10):
        role = AssignmentRole.ambassador if n >= 2 else AssignmentRole.recruiter
        make.assign(event, make.person(f"Team Member {n:02d}", phone=f"07700 90{n:04d}"), role=role)
    response = client.get(f"/events/{event.id}/briefing.pdf", headers=make.headers("coordinator"))
    pages = pdf_pages(response.content)
    assert "Team Member 09" in " ".join(pages)
    assert "Interested in a career with us?" in pages[-1]


def test_briefing_pdf_when_every_renderer_is_busy_says_try_again(
    client: TestClient, make: Factory, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One renderer, and no waiting: while another download holds it, a second is told to
    # come back (503, Retry-After) rather than queueing behind it without end; once it is
    # free, the same request succeeds.
    from app.config import get_settings
    from app.printouts import pdf

    monkeypatch.setenv("MUSTER_PDF_RENDERS_AT_ONCE", "1")
    monkeypatch.setenv("MUSTER_PDF_QUEUE_SECONDS", "0")
    get_settings.cache_clear()
    pdf.renderers.cache_clear()
    try:
        url, headers = f"/events/{demo.blackburn.id}/briefing.pdf", make.headers("coordinator")
        assert pdf.renderers().acquire(timeout=1)  # a render in progress
        page = client.get(url, headers=headers)  # a link followed in a browser: a page
        assert (page.status_code, page.headers["retry-after"]) == (503, "5")
        assert "Every PDF renderer is busy (1 at once); please try again" in page.text
        busy = client.get(url, headers={**headers, "Accept": "application/json"})
        assert (busy.status_code, busy.headers["retry-after"]) == (503, "5")
        assert busy.headers["content-type"] == "application/problem+json"
        assert busy.json()["detail"].startswith("every PDF renderer is busy (1 at once)")
        pdf.renderers().release()
        done = client.get(url, headers=headers)
        assert (done.status_code, done.headers["content-type"]) == (200, "application/pdf")
    finally:
        get_settings.cache_clear()
        pdf.renderers.cache_clear()
