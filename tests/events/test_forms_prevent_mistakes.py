"""Forms that prevent mistakes (issue 16): bulk booking starts with no campaign and a
weekday and ticks venues by kind or town; the picker puts the best match first with the
suggestions API's reasons; an officer's duty page says how to reach the coordinator and lead."""

import re
from datetime import date, timedelta
from html import unescape

from fastapi.testclient import TestClient

from app.clock import to_london, utcnow
from app.enums import AssignmentRole, AssignmentStatus, EventStatus, VenueKind
from tests.factories import Factory, future
from tests.forms import form_errors, post, sign_in


def _planner(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("coordinator"))


def _ticked(page: str) -> set[str]:
    """The venue ids ticked on the bulk booking form."""
    return set(re.findall(r'name="venue_ids" type="checkbox" value="(\d+)" checked', page))


def _link(page: str, text: str) -> str:
    match = re.search(r'<a href="([^"]+)" data-tick="[\d,]*">' + re.escape(text) + "</a>", page)
    assert match, f"no link {text!r}"
    return unescape(match.group(1))


def test_bulk_booking_starts_with_no_campaign_and_a_weekday(client: TestClient, make: Factory) -> None:
    make.campaign("Spring recruitment")
    make.campaign("Summer recruitment")
    _planner(client, make)

    page = client.get("/plan/book").text

    campaign = page.split('name="campaign_id"')[1].split("</select>")[0]
    assert "selected" not in campaign
    chosen = date.fromisoformat(re.findall(r'name="start_date"[^>]*value="([\d-]+)"', page)[0])
    today = to_london(utcnow()).date()
    assert chosen.weekday() < 5
    assert today + timedelta(days=14) <= chosen <= today + timedelta(days=16)


def test_bulk_booking_without_a_campaign_asks_for_one(client: TestClient, make: Factory) -> None:
    venue = make.venue("Jobcentre Plus Nelson", town="Nelson")
    _planner(client, make)
    answer = post(
        client,
        "/plan/book",
        {
            "start_date": to_london(future(21)).date().isoformat(),
            "start_time": "10:00",
            "end_time": "15:00",
            "ambassadors_needed": "1",
            "recruiters_needed": "0",
            "status": "draft",
            "venue_ids": [venue.id],
        },
    )
    assert form_errors(answer) == {"campaign_id": "Select a campaign"}
    assert _ticked(answer.text) == {str(venue.id)}


def test_bulk_booking_ticks_every_job_centre_then_every_venue_in_a_town(
    client: TestClient, make: Factory
) -> None:
    nelson = make.venue("Jobcentre Plus Nelson", town="Nelson")
    burnley = make.venue("Jobcentre Plus Burnley", town="Burnley")
    bacup = make.venue("Jobcentre Plus Bacup", town="Bacup")
    shop = make.venue("Burnley Market Hall", town="Burnley", kind=VenueKind.supermarket)
    _planner(client, make)

    page = client.get("/plan/book").text
    assert _ticked(page) == set()
    ticked = client.get(_link(page, "All job centres (3)")).text
    assert _ticked(ticked) == {str(nelson.id), str(burnley.id), str(bacup.id)}

    both = client.get(_link(ticked, "All in Burnley (2)")).text
    assert _ticked(both) == {str(nelson.id), str(burnley.id), str(bacup.id), str(shop.id)}
    assert '<a href="/plan/book" data-tick="">Untick all</a>' in both


def test_bulk_booking_tick_links_keep_the_chosen_campaign_and_day(client: TestClient, make: Factory) -> None:
    campaign = make.campaign("Autumn recruitment")
    make.venue("Jobcentre Plus Nelson", town="Nelson")
    make.venue("Jobcentre Plus Burnley", town="Burnley")
    _planner(client, make)

    page = client.get(f"/plan/book?campaign={campaign.id}&date=2027-03-06").text
    ticked = client.get(_link(page, "All job centres (2)")).text

    assert f'<option value="{campaign.id}" selected>Autumn recruitment</option>' in ticked
    assert 'value="2027-03-06"' in ticked


def _urdu_event(make: Factory):  # type: ignore[no-untyped-def]
    venue = make.venue("Jobcentre Plus Burnley", town="Burnley", latitude=53.789, longitude=-2.248)
    return make.event(
        venue=venue,
        starts_at=future(20),
        ambassadors_needed=1,
        recruiters_needed=0,
        wanted_languages=["Urdu"],
    )


def _free(page: str) -> str:
    return page.split("<h3>Free at this time</h3>")[1].split("Not available")[0]


def _reasons(free: str, name: str) -> list[str]:
    item = free.split(f">{name}</a>")[1].split("</li>\n    \n    <li")[0]
    block = item.split('<ul class="picker__reasons">')[1].split("</ul>")[0]
    return [unescape(r) for r in re.findall(r"<li>(.*?)</li>", block)]


def test_picker_puts_the_wanted_language_before_the_nearest(client: TestClient, make: Factory) -> None:
    event = _urdu_event(make)
    make.person("Adam Near", base_town="Burnley", latitude=53.789, longitude=-2.248)
    make.person("Zara Speaker", base_town="Preston", latitude=53.759, longitude=-2.699, languages=["Urdu"])
    _planner(client, make)

    free = _free(client.get(f"/plan/events/{event.id}").text)

    assert free.index("Zara Speaker") < free.index("Adam Near")
    assert _reasons(free, "Zara Speaker")[0] == (
        "Speaks Urdu, which the event wants and nobody on the team speaks yet"
    )


def test_picker_reasons_read_as_the_suggestions_api(client: TestClient, make: Factory) -> None:
    event = _urdu_event(make)
    make.person("Adam Near", base_town="Burnley", latitude=53.789, longitude=-2.248)
    make.person("Zara Speaker", base_town="Preston", latitude=53.759, longitude=-2.699, languages=["Urdu"])
    api = client.get(f"/api/v1/events/{event.id}/suggestions", headers=make.headers("coordinator")).json()
    _planner(client, make)

    for order in ("best", "near"):
        free = _free(client.get(f"/plan/events/{event.id}?order={order}").text)
        for suggestion in api["candidates"]:
            said = [r[:1].upper() + r[1:] for r in suggestion["reasons"]]
            assert _reasons(free, suggestion["name"]) == said


def test_picker_nearest_order_keeps_the_nearest_first(client: TestClient, make: Factory) -> None:
    event = _urdu_event(make)
    make.person("Adam Near", base_town="Burnley", latitude=53.789, longitude=-2.248)
    make.person("Zara Speaker", base_town="Preston", latitude=53.759, longitude=-2.699, languages=["Urdu"])
    _planner(client, make)

    page = client.get(f"/plan/events/{event.id}?order=near").text

    assert '<option value="near" selected>Nearest, least used first</option>' in page
    free = _free(page)
    assert free.index("Adam Near") < free.index("Zara Speaker")


def test_cancelled_event_page_offers_nobody(client: TestClient, make: Factory) -> None:
    event = make.event(starts_at=future(20))
    make.change_event(event, status=EventStatus.cancelled, cancelled_reason="Venue closed")
    make.person("Adam Near")
    _planner(client, make)

    page = client.get(f"/plan/events/{event.id}")

    assert page.status_code == 200
    assert 'id="picker"' not in page.text


def _duty(client: TestClient, make: Factory):  # type: ignore[no-untyped-def]
    sergeant = make.person("Sgt Amir Khan", phone="01254 000111", email="amir.khan@police.test")
    coordinator = make.user("coordinator", person=sergeant, email="sergeant.khan@muster.test")
    event = make.event(starts_at=future(20), coordinator_user_id=coordinator.id)
    lead = make.person("Insp Jo Lead", email="jo.lead@police.test", phone="07700 900123")
    make.assign(event, lead, role=AssignmentRole.lead, status=AssignmentStatus.confirmed)
    colleague = make.person("PC Sam Other", email="sam.other@police.test", phone="07700 900999")
    make.assign(event, colleague, status=AssignmentStatus.confirmed)
    person = make.person("Aisha Hussain")
    sign_in(client, make.user("staff", person=person))
    make.assign(event, person)
    return client.get(f"/my/events/{event.id}").text


def _contacts(page: str) -> str:
    return page.split('id="contacts-title"')[1].split("</section>")[0]


def test_duty_page_shows_how_to_reach_the_lead_and_nobody_elses_details(
    client: TestClient, make: Factory
) -> None:
    page = _duty(client, make)

    contacts = _contacts(page)
    assert "<strong>Insp Jo Lead</strong>" in contacts
    assert '<a href="mailto:jo.lead@police.test">jo.lead@police.test</a>' in contacts
    assert '<a href="tel:07700900123">07700 900123</a>' in contacts
    assert "sam.other@police.test" not in page
    assert "07700 900999" not in page
    assert "<strong>PC Sam Other</strong> – ambassador" in page


def test_duty_page_shows_how_to_reach_the_coordinator(client: TestClient, make: Factory) -> None:
    contacts = _contacts(_duty(client, make))

    assert "<strong>Sgt Amir Khan</strong>" in contacts
    assert '<a href="mailto:sergeant.khan@muster.test">sergeant.khan@muster.test</a>' in contacts
    assert '<a href="tel:01254000111">01254 000111</a>' in contacts
