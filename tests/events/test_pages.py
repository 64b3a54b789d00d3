"""The coordinator's pages: dashboard, booking, moving, cancelling, copying, the team."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.assignments.models import Assignment
from app.audit.service import SYSTEM
from app.clock import to_london
from app.enums import AssignmentStatus, EventStatus
from app.events.models import Event
from tests.dates import clear_days_ahead
from tests.factories import Factory, fresh, future
from tests.forms import form_errors, post, sign_in


def _planner(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("coordinator"))


def _london_day(days: int) -> str:
    return to_london(future(days)).date().isoformat()


def test_dashboard_shows_event_with_its_staffing_gap_first(client: TestClient, make: Factory) -> None:
    venue = make.venue("Jobcentre Plus Bacup", town="Bacup")
    event = make.event(venue=venue, starts_at=future(3), title="Bacup drop-in")
    _planner(client, make)
    page = client.get("/plan")
    assert page.status_code == 200
    attention = page.text.split('id="attention"')[1].split("<h2>Calendar</h2>")[0]
    assert f'<a class="attention__title" href="/plan/events/{event.id}">Bacup drop-in</a>' in attention
    assert "Needs 2 more ambassadors; needs 1 more recruiter; still a draft" in attention


def test_dashboard_week_view_lists_the_event(client: TestClient, make: Factory) -> None:
    event = make.event(starts_at=future(10), title="Week event")
    _planner(client, make)
    day = to_london(event.starts_at).date().isoformat()
    page = client.get(f"/plan?view=week&d={day}")
    assert page.status_code == 200
    assert f'href="/plan/events/{event.id}"' in page.text


def test_dashboard_filters_by_town(client: TestClient, make: Factory) -> None:
    here = make.event(venue=make.venue("Nelson JCP", town="Nelson"), starts_at=future(5), title="In Nelson")
    there = make.event(venue=make.venue("Darwen JCP", town="Darwen"), starts_at=future(5), title="In Darwen")
    _planner(client, make)
    day = to_london(here.starts_at).date().isoformat()
    page = client.get(f"/plan?view=list&d={day}&town=Nelson")
    assert f'href="/plan/events/{here.id}">In Nelson</a>' in page.text
    assert f'href="/plan/events/{there.id}">In Darwen</a>' not in page.text


def _event_form(make: Factory, **over: object) -> dict[str, object]:
    campaign = make.campaign()
    venue = make.venue()
    data: dict[str, object] = {
        "campaign_id": campaign.id,
        "venue_id": venue.id,
        "title": "Careers stand",
        "start_date": _london_day(clear_days_ahead(20)),
        "start_time": "10:00",
        "end_time": "17:00",
        "ambassadors_needed": "2",
        "recruiters_needed": "1",
        "status": "draft",
        "public": "yes",
    }
    data.update(over)
    return data


def test_create_event_with_errors_shows_summary_and_keeps_input(client: TestClient, make: Factory) -> None:
    _planner(client, make)
    data = _event_form(make, title="", start_time="25:99", public_description="Come and chat")
    answer = post(client, "/plan/events/new", data)
    assert answer.status_code == 400
    assert "<title>Error: Book an event – Muster</title>" in answer.text
    assert form_errors(answer) == {
        "title": "Enter a title",
        "start_time": "The start time must be a real time, like 10:00",
    }
    assert 'value="25:99"' in answer.text
    assert ">Come and chat</textarea>" in answer.text


def test_create_event_books_it_and_opens_its_page(client: TestClient, make: Factory, db: Session) -> None:
    _planner(client, make)
    answer = post(client, "/plan/events/new", _event_form(make, title="Blackburn stand"))
    assert answer.status_code == 303
    event = db.exec(select(Event).where(Event.title == "Blackburn stand")).one()
    assert answer.headers["location"] == f"/plan/events/{event.id}"
    assert to_london(event.starts_at).strftime("%H:%M") == "10:00"
    assert event.status == EventStatus.draft
    page = client.get(answer.headers["location"])
    assert "Booked &#39;Blackburn stand&#39;." in page.text


def test_create_event_end_before_start_is_refused(client: TestClient, make: Factory) -> None:
    _planner(client, make)
    answer = post(client, "/plan/events/new", _event_form(make, start_time="15:00", end_time="14:00"))
    assert form_errors(answer) == {"end_time": "The end time must be after the start time"}


def test_book_across_venues_reports_each_venue(client: TestClient, make: Factory, db: Session) -> None:
    campaign = make.campaign()
    accrington = make.venue("Jobcentre Plus Accrington", town="Accrington")
    burnley = make.venue("Jobcentre Plus Burnley", town="Burnley")
    darwen = make.venue("Jobcentre Plus Darwen", town="Darwen")
    day = _london_day(21)
    taken = make.event(
        venue=darwen, campaign=campaign, starts_at=future(21, hour=11), hours=2, title="Darwen fair"
    )
    _planner(client, make)
    answer = post(
        client,
        "/plan/book",
        {
            "campaign_id": campaign.id,
            "title": "",
            "start_date": day,
            "start_time": "10:00",
            "end_time": "17:00",
            "ambassadors_needed": "2",
            "recruiters_needed": "1",
            "status": "confirmed",
            "venue_ids": [accrington.id, burnley.id, darwen.id],
        },
    )
    assert answer.status_code == 200
    assert "Booked at 2 of 3 venues" in answer.text
    made = db.exec(select(Event).where(Event.id != taken.id).order_by(Event.id)).all()
    assert [e.title for e in made] == [
        "Police recruitment at Jobcentre Plus Accrington",
        "Police recruitment at Jobcentre Plus Burnley",
    ]
    assert all(e.status == EventStatus.confirmed for e in made)
    assert (
        "<strong>Jobcentre Plus Darwen</strong>: not booked – already booked for &#39;Darwen fair&#39;"
        in answer.text
    )


def test_book_across_venues_without_venues_asks_for_one(client: TestClient, make: Factory) -> None:
    _planner(client, make)
    data = _event_form(make)
    data.pop("venue_id")
    answer = post(client, "/plan/book", data)
    assert form_errors(answer) == {"venue_ids": "Select at least one venue"}


def test_moving_event_onto_a_clash_asks_then_marks_it(client: TestClient, make: Factory, db: Session) -> None:
    person = make.person("Asha Patel")
    here = make.event(starts_at=future(15, hour=9), hours=2, title="Morning")
    other = make.event(starts_at=future(15, hour=13), hours=2, title="Afternoon")
    make.assign(here, person)
    make.assign(other, person)
    _planner(client, make)
    form = client.get(f"/plan/events/{here.id}/edit").text
    assert 'value="Morning"' in form
    data = _event_form(
        make,
        title="Morning",
        start_date=to_london(other.starts_at).date().isoformat(),
        start_time=to_london(other.starts_at).strftime("%H:%M"),
        end_time=to_london(other.ends_at).strftime("%H:%M"),
    )
    data["campaign_id"] = here.campaign_id
    data["venue_id"] = here.venue_id
    dialog = post(client, f"/plan/events/{here.id}/edit", data)
    assert dialog.status_code == 409
    assert "Moving this event creates conflicts" in dialog.text
    assert "<strong>Asha Patel</strong>: Asha Patel is already on &#39;Afternoon&#39;" in dialog.text
    assert fresh(db, Event, here.id).starts_at == here.starts_at  # nothing saved yet
    moved = post(client, f"/plan/events/{here.id}/edit", {**data, "accept_conflicts": "yes"})
    assert moved.status_code == 303
    assert fresh(db, Event, here.id).starts_at == other.starts_at
    mark = db.exec(select(Assignment).where(Assignment.event_id == here.id)).one()
    assert mark.conflict_note.startswith("Asha Patel is already on 'Afternoon'")


def test_conflicts_dialog_back_button_keeps_what_was_typed(client: TestClient, make: Factory) -> None:
    event = make.event(starts_at=future(15))
    _planner(client, make)
    data = _event_form(make, title="Changed title", action="revise")
    data["campaign_id"] = event.campaign_id
    data["venue_id"] = event.venue_id
    answer = post(client, f"/plan/events/{event.id}/edit", data)
    assert answer.status_code == 200
    assert 'value="Changed title"' in answer.text


def test_confirm_event_from_its_page(client: TestClient, make: Factory, db: Session) -> None:
    event = make.event(title="To confirm")
    _planner(client, make)
    answer = post(client, f"/plan/events/{event.id}/status", {"status": "confirmed"})
    assert answer.status_code == 303
    assert fresh(db, Event, event.id).status == EventStatus.confirmed
    assert "Confirmed &#39;To confirm&#39;." in client.get(f"/plan/events/{event.id}").text


def test_completing_a_future_event_says_why_not(client: TestClient, make: Factory) -> None:
    event = make.event(status=EventStatus.confirmed)
    _planner(client, make)
    post(client, f"/plan/events/{event.id}/status", {"status": "completed"})
    page = client.get(f"/plan/events/{event.id}")
    assert f"Event {event.id} has not ended yet, so it cannot be completed" in page.text


def test_cancel_needs_a_reason_then_cancels(client: TestClient, make: Factory, db: Session) -> None:
    event = make.event(status=EventStatus.confirmed, public=True)
    _planner(client, make)
    refused = post(client, f"/plan/events/{event.id}/cancel", {"reason": ""})
    assert form_errors(refused) == {"reason": "Enter a reason"}
    done = post(client, f"/plan/events/{event.id}/cancel", {"reason": "Venue closed for repairs"})
    assert done.status_code == 303
    assert fresh(db, Event, event.id).status == EventStatus.cancelled
    public = client.get(f"/events/{event.id}")
    assert "This event is cancelled" in public.text
    assert "Venue closed for repairs" in public.text


def test_duplicate_makes_a_draft_copy_a_week_later(client: TestClient, make: Factory, db: Session) -> None:
    event = make.event(starts_at=future(10), status=EventStatus.confirmed, wanted_languages=["Urdu"])
    _planner(client, make)
    form = client.get(f"/plan/events/{event.id}/duplicate").text
    later = to_london(event.starts_at + timedelta(days=7))
    assert f'value="{later.date().isoformat()}"' in form
    answer = post(
        client,
        f"/plan/events/{event.id}/duplicate",
        {"start_date": later.date().isoformat(), "start_time": later.strftime("%H:%M")},
    )
    assert answer.status_code == 303
    copy = db.exec(select(Event).where(Event.id != event.id)).one()
    assert answer.headers["location"] == f"/plan/events/{copy.id}"
    assert (copy.status, copy.venue_id, copy.wanted_languages) == (
        EventStatus.draft,
        event.venue_id,
        ["Urdu"],
    )
    assert copy.starts_at == event.starts_at + timedelta(days=7)


def test_picker_shows_who_is_free_and_why_others_are_not(client: TestClient, make: Factory) -> None:
    event = make.event(starts_at=future(12, hour=10), hours=4)
    busy_event = make.event(starts_at=future(12, hour=11), hours=1, title="Other stand")
    make.person("Free Person")
    busy = make.person("Busy Person")
    away = make.person("Away Person")
    make.assign(busy_event, busy)
    make.away(away, future(11), future(13), "annual_leave")
    _planner(client, make)
    page = client.get(f"/plan/events/{event.id}")
    free_part, blocked_part = page.text.split("<h3>Free at this time</h3>")[1].split("Not available (2)")
    assert "Free Person" in free_part and "Busy Person" not in free_part and "Away Person" not in free_part
    assert "Busy Person is already on &#39;Other stand&#39;" in blocked_part
    assert "Away Person is unavailable (annual leave)" in blocked_part


def test_picker_search_narrows_by_name(client: TestClient, make: Factory) -> None:
    event = make.event()
    make.person("Bilal Khan")
    make.person("Ruth Ellis")
    _planner(client, make)
    page = client.get(f"/plan/events/{event.id}?q=bilal")
    assert "Bilal Khan" in page.text
    assert "Ruth Ellis" not in page.text


def test_add_person_to_team_then_withdraw(client: TestClient, make: Factory, db: Session) -> None:
    event = make.event()
    person = make.person("Grace Obi")
    _planner(client, make)
    added = post(client, f"/plan/events/{event.id}/team", {"person_id": person.id, "role": "ambassador"})
    assert added.status_code == 303
    page = client.get(f"/plan/events/{event.id}")
    assert "Added Grace Obi as ambassador (proposed)." in page.text
    assignment = db.exec(select(Assignment)).one()
    assert (assignment.person_id, assignment.status) == (person.id, AssignmentStatus.proposed)
    post(client, f"/plan/assignments/{assignment.id}", {"status": "withdrawn"})
    assert fresh(db, Assignment, assignment.id).status == AssignmentStatus.withdrawn


def test_adding_a_clashing_person_is_refused_with_the_clash_named(client: TestClient, make: Factory) -> None:
    event = make.event(starts_at=future(12, hour=10), hours=4)
    other = make.event(starts_at=future(12, hour=11), hours=1, title="Elsewhere")
    person = make.person("Dan Cole")
    make.assign(other, person)
    _planner(client, make)
    post(client, f"/plan/events/{event.id}/team", {"person_id": person.id, "role": "ambassador"})
    page = client.get(f"/plan/events/{event.id}")
    assert "Dan Cole cannot be booked on" in page.text
    assert "Dan Cole is already on &#39;Elsewhere&#39;" in page.text


def test_change_role_on_the_team(client: TestClient, make: Factory, db: Session) -> None:
    event = make.event()
    assignment = make.assign(event, make.person())
    _planner(client, make)
    post(client, f"/plan/assignments/{assignment.id}", {"role": "lead"})
    assert fresh(db, Assignment, assignment.id).role == "lead"


def test_event_page_shows_staffing_needs_against_team(client: TestClient, make: Factory) -> None:
    network = make.network("Women's Network")
    event = make.event()
    from app.events import service as events

    events.update_event(
        session=make.session,
        actor=SYSTEM,
        event_id=event.id,
        changes={"network_needs": [{"network_id": network.id, "min_count": 1}]},
    )
    person = make.person("Kate Lowe")
    make.represent(person, network)
    make.assign(event, person)
    _planner(client, make)
    page = client.get(f"/plan/events/{event.id}")
    assert '<span>Ambassadors</span><span class="needs__count">1 of 2</span>' in page.text
    assert '<span>Women&#39;s Network</span><span class="needs__count">1 of 1</span>' in page.text
    assert "Represents: Women&#39;s Network" in page.text


def test_staffing_gap_keeps_network_names_as_written(client: TestClient, make: Factory) -> None:
    network = make.network("LGBT+ Network")
    event = make.event(starts_at=future(4))
    from app.events import service as events

    events.update_event(
        session=make.session,
        actor=SYSTEM,
        event_id=event.id,
        changes={"network_needs": [{"network_id": network.id, "min_count": 1}]},
    )
    _planner(client, make)
    page = client.get("/plan")
    assert "needs 1 more ambassador from the LGBT+ Network" in page.text


def test_picker_puts_the_least_used_local_person_first(client: TestClient, make: Factory) -> None:
    venue = make.venue(town="Burnley")
    event = make.event(venue=venue, starts_at=future(20, hour=10), hours=2)
    busy = make.person("Anna Busy", base_town="Burnley")
    make.person("Zoe Free", base_town="Burnley")
    make.person("Aaron Away", base_town="Preston")
    make.assign(make.event(starts_at=future(22, hour=10), hours=2), busy)
    _planner(client, make)
    page = client.get(f"/plan/events/{event.id}?order=near").text
    free = page.split("<h3>Free at this time</h3>")[1]
    assert free.index("Zoe Free") < free.index("Anna Busy") < free.index("Aaron Away")


def test_picker_best_match_ranks_with_the_staffing_engines_reasons(client: TestClient, make: Factory) -> None:
    network = make.network("Women's Network")
    event = make.event(
        starts_at=future(20), ambassadors_needed=1, network_needs=[{"network_id": network.id, "min_count": 1}]
    )
    make.person("Alan Near")
    member = make.person("Ruth Member")
    make.represent(member, network)
    _planner(client, make)

    page = client.get(f"/plan/events/{event.id}?order=best").text

    assert '<option value="best" selected>Best match first</option>' in page
    assert "Best match first: whoever brings a wanted language or network" in page
    free = page.split("<h3>Free at this time</h3>")[1]
    assert free.index("Ruth Member") < free.index("Alan Near")
    assert "Represents the Women&#39;s Network, which the event still needs (1 more)" in free


def test_saving_an_event_form_over_someone_elses_change_asks_first(client: TestClient, make: Factory) -> None:
    event = make.event(starts_at=future(clear_days_ahead(20)), title="Careers stand")
    _planner(client, make)
    opened = client.get(f"/plan/events/{event.id}/edit")
    assert f'<input type="hidden" name="revision" value="{event.revision}">' in opened.text
    other = make.token(make.user("coordinator", email="other.sergeant@muster.test"))
    client.patch(f"/api/v1/events/{event.id}", json={"title": "Careers morning"}, headers=other)
    mine = _event_form(make, title="Careers stand (Blackburn)", revision=str(event.revision))
    mine.update(campaign_id=event.campaign_id, venue_id=event.venue_id)

    stopped = post(client, f"/plan/events/{event.id}/edit", mine)

    assert stopped.status_code == 400
    assert "Someone changed this event after you opened it (title changed from" in stopped.text
    assert "Careers stand (Blackburn)" in stopped.text
    current = client.get(f"/api/v1/events/{event.id}", headers=other).json()
    assert current["title"] == "Careers morning"

    saved = post(client, f"/plan/events/{event.id}/edit", {**mine, "revision": str(current["revision"])})

    assert saved.status_code == 303
    assert (
        client.get(f"/api/v1/events/{event.id}", headers=other).json()["title"] == "Careers stand (Blackburn)"
    )
