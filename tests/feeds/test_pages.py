"""My calendar: a person's secret calendar link, with its QR code, reset and turned off."""

from fastapi.testclient import TestClient

from tests.factories import Factory
from tests.forms import post, sign_in


def _staff(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("staff", person=make.person("Aisha Hussain")))


def _feed_url(page: str) -> str:
    return page.split('id="feed-url" type="text" value="')[1].split('"')[0]


def test_calendar_page_turns_on_link_with_qr_and_resets_it(client: TestClient, make: Factory) -> None:
    _staff(client, make)
    page = client.get("/my/calendar")
    assert "Make my calendar link" in page.text
    post(client, "/my/calendar")
    page = client.get("/my/calendar")
    first = _feed_url(page.text)
    assert first.startswith("https://muster.test/feeds/people/")
    assert 'href="webcal://muster.test/feeds/people/' in page.text
    assert 'src="data:image/svg+xml' in page.text
    assert "Outlook" in page.text and "Google Calendar" in page.text and "Apple Calendar" in page.text
    assert client.get(first.removeprefix("https://muster.test")).status_code == 200
    post(client, "/my/calendar/reset")
    page = client.get("/my/calendar")
    second = _feed_url(page.text)
    assert second != first
    assert client.get(first.removeprefix("https://muster.test")).status_code == 404


def test_calendar_link_turned_off_stops_working(client: TestClient, make: Factory) -> None:
    _staff(client, make)
    post(client, "/my/calendar")
    url = _feed_url(client.get("/my/calendar").text).removeprefix("https://muster.test")
    answer = post(client, "/my/calendar/off")
    assert answer.status_code == 303
    assert "Make my calendar link" in client.get("/my/calendar").text
    assert client.get(url).status_code == 404


def test_calendar_page_needs_a_sign_in_linked_to_a_person(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("partner"))
    assert client.get("/my/calendar").status_code == 403
