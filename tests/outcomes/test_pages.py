"""The outcome form, the dashboard's list of events waiting for theirs, and My outreach."""

import httpx
from fastapi.testclient import TestClient

from app.enums import EventStatus
from tests.factories import Factory
from tests.forms import form_errors, post, says, sign_in
from tests.outcomes.conftest import Ran, body, run_event


def _form(ran: Ran, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "people_spoken_to": "42",
        "interest_on_paper": "7",
        "leaflets": "",
        "what_worked": "The stand by the entrance",
        f"attendance-{ran.lead.id}": "attended",
        f"attendance-{ran.aisha.id}": "attended",
        f"attendance-{ran.ben.id}": "absent",
        f"reason-{ran.ben.id}": "Called in sick",
    }
    data.update(changes)
    return data


def _send(client: TestClient, ran: Ran, **changes: object) -> httpx.Response:
    """The outcome form posted from its own page, with ``changes`` to the answers."""
    path = f"/events/{ran.event.id}/outcome"
    return post(client, path, _form(ran, **changes), token_from=path)


def test_outcome_form_lead_records_and_goes_back_to_my_outreach(
    client: TestClient, make: Factory, ran: Ran
) -> None:
    sign_in(client, make.user("staff", person=ran.lead))

    saved = _send(client, ran)
    mine = client.get("/my")

    assert (saved.status_code, saved.headers["location"]) == (303, "/my")
    says(mine, f"Saved the outcome of &#39;{ran.event.title}&#39;.", "Attended", "Change the outcome")
    read = client.get(f"/events/{ran.event.id}/outcome")
    says(read, 'value="42"', 'value="Called in sick"')


def test_outcome_form_asks_for_the_reason_of_a_no_show(client: TestClient, make: Factory, ran: Ran) -> None:
    sign_in(client, make.user("coordinator"))

    refused = _send(client, ran, **{f"reason-{ran.ben.id}": "", "people_spoken_to": "-3"})

    assert form_errors(refused) == {
        "people_spoken_to": "People spoken to must be between 0 and 100000",
        f"reason-{ran.ben.id}": "Enter the reason Ben Clarke did not attend",
    }


def test_outcome_form_is_not_for_an_ambassador(client: TestClient, make: Factory, ran: Ran) -> None:
    sign_in(client, make.user("staff", person=ran.aisha))

    assert client.get(f"/events/{ran.event.id}/outcome").status_code == 403


def test_outcome_form_says_why_a_cancelled_event_has_none(
    client: TestClient, make: Factory, ran: Ran
) -> None:
    make.change_event(ran.event, status=EventStatus.cancelled)
    sign_in(client, make.user("coordinator"))

    refused = _send(client, ran)

    assert form_errors(refused) == {} and "was cancelled, so it has no outcome to record" in refused.text


def test_dashboard_lists_past_events_waiting_for_their_outcome_oldest_first(
    client: TestClient, make: Factory, ran: Ran
) -> None:
    older = run_event(make, hours_ago=100, title="Older drop-in")
    recorded = run_event(make, hours_ago=60, title="Recorded drop-in")
    cancelled = run_event(make, hours_ago=70, title="Cancelled drop-in")
    make.change_event(cancelled.event, status=EventStatus.cancelled)
    coordinator = make.user("coordinator")
    client.put(
        f"/api/v1/events/{recorded.event.id}/outcome", json=body(recorded), headers=make.token(coordinator)
    )
    sign_in(client, coordinator)

    page = client.get("/plan").text
    section = page[page.index('id="awaiting-outcome"') :]
    section = section[: section.index("</ul>")]

    assert "Waiting for their outcome (2)" in section
    assert section.index("Older drop-in") < section.index(ran.event.title)
    assert f'href="/events/{older.event.id}/outcome"' in section
    assert "Recorded drop-in" not in section and "Cancelled drop-in" not in section


def test_event_page_links_to_the_outcome_once_the_event_has_ended(
    client: TestClient, make: Factory, ran: Ran
) -> None:
    sign_in(client, make.user("coordinator"))

    says(client.get(f"/plan/events/{ran.event.id}"), f'href="/events/{ran.event.id}/outcome"')


def test_my_outreach_shows_a_no_show_its_reason(client: TestClient, make: Factory, ran: Ran) -> None:
    client.put(f"/api/v1/events/{ran.event.id}/outcome", json=body(ran), headers=make.headers("coordinator"))
    sign_in(client, make.user("staff", person=ran.ben))

    mine = client.get("/my")

    says(mine, "Did not attend: “Called in sick”")
    assert "the outcome" not in mine.text  # only the lead is offered the form


def test_outcome_form_saved_meanwhile_says_what_changed(client: TestClient, make: Factory, ran: Ran) -> None:
    coordinator = make.user("coordinator")
    sign_in(client, coordinator)
    client.put(f"/api/v1/events/{ran.event.id}/outcome", json=body(ran), headers=make.token(coordinator))

    refused = _send(client, ran, revision="0", people_spoken_to="40")
    again = _send(client, ran, revision="1", people_spoken_to="40")

    says(refused, "Someone changed this outcome after you opened it", 'name="revision" value="1"', status=400)
    assert again.status_code == 303
