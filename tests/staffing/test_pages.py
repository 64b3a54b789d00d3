"""The planner's staffing pages through HTTP: start a plan, watch it, stop it, review it,
apply all or some; one event's proposal as a preview; "plan these together" offers."""

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.assignments.models import Assignment
from app.audit.service import SYSTEM
from app.clock import to_london
from app.enums import AssignmentStatus, PersonKind
from app.events import service as events
from app.worker.models import Job
from app.worker.runner import Worker
from tests.dates import clear_days_ahead
from tests.factories import Factory, future
from tests.forms import post, sign_in
from tests.staffing.test_jobs import next_month, small_campaign


def _planner(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("coordinator", email="sergeant@muster.test"))


def _drain() -> None:
    Worker(worker_id="test-worker").drain()


def _pairs(db: Session) -> list[tuple[int, int]]:
    db.expire_all()
    rows = db.exec(select(Assignment).order_by(col(Assignment.event_id), col(Assignment.person_id))).all()
    return [(a.event_id, a.person_id) for a in rows if a.status == AssignmentStatus.proposed]


def _job_path(answer: object) -> str:
    location = answer.headers["location"]  # type: ignore[attr-defined]
    assert re.fullmatch(r"/plan/staffing/jobs/\d+(#review)?", location), location
    return str(location).split("#")[0]


def _start(client: TestClient, **form: object) -> str:
    answer = post(client, "/plan/staffing", form, token_from="/plan/staffing")
    assert answer.status_code == 303, answer.text
    return _job_path(answer)


def test_start_page_is_linked_from_the_dashboard_and_the_nav(client: TestClient, make: Factory) -> None:
    make.campaign(name="Specials spring")
    _planner(client, make)

    dashboard = client.get("/plan").text
    page = client.get("/plan/staffing")

    assert '<a class="button button--secondary" href="/plan/staffing">Plan staffing</a>' in dashboard
    assert '<a class="nav__link" href="/plan/staffing">Plan staffing</a>' in dashboard
    assert page.status_code == 200
    assert "Specials spring</option>" in page.text
    assert "No plans yet." in page.text


def test_start_a_campaign_plan_shows_it_waiting_with_a_stop_button(
    client: TestClient, make: Factory, db: Session
) -> None:
    campaign, _, _ = small_campaign(make)
    _planner(client, make)

    path = _start(client, campaign=campaign.id)
    page = client.get(path).text

    assert "<h1>Campaign &#39;Spring outreach&#39;</h1>" in page
    assert "Waiting for the background worker" in page
    assert "No background worker is running, so this plan cannot start." in page
    assert f'data-plan-job="/api/v1/staffing/jobs/{path.rsplit("/", 1)[1]}"' in page
    assert '<script src="/static/plan-job.js" defer></script>' in page
    assert "Stop and keep the best so far</button>" in page
    assert "Started by sergeant@muster.test" in page
    assert client.get("/static/plan-job.js").status_code == 200
    assert _pairs(db) == []


def test_start_a_plan_of_days_plans_those_days(client: TestClient, make: Factory) -> None:
    inside = make.event(starts_at=next_month(5, 10), ambassadors_needed=1, recruiters_needed=0)
    make.event(starts_at=next_month(20, 10), ambassadors_needed=1, recruiters_needed=0)
    make.person()
    day = to_london(inside.starts_at).date()
    _planner(client, make)

    path = _start(client, **{"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()})
    _drain()
    page = client.get(path).text

    assert f"Events from {to_london(inside.starts_at):%a %-d %b %Y} 00:00 to" in page
    assert page.count('name="proposal"') == 1


def test_start_without_a_scope_or_with_days_backwards_says_what_to_fix(
    client: TestClient, make: Factory
) -> None:
    _planner(client, make)

    nothing = post(client, "/plan/staffing", {}, token_from="/plan/staffing")
    backwards = post(
        client, "/plan/staffing", {"from": "2027-03-10", "to": "2027-03-01"}, token_from="/plan/staffing"
    )
    too_long = post(
        client, "/plan/staffing", {"from": "2027-01-01", "to": "2027-12-31"}, token_from="/plan/staffing"
    )

    assert nothing.status_code == backwards.status_code == too_long.status_code == 400
    assert "Choose a campaign, or the first and last day to plan, or both" in nothing.text
    assert "The last day must be the same as or after the first day" in backwards.text
    assert "A plan covers at most 184 days; plan a shorter range" in too_long.text


def test_start_without_the_csrf_token_is_refused(client: TestClient, make: Factory, db: Session) -> None:
    campaign, _, _ = small_campaign(make)
    _planner(client, make)

    answer = client.post("/plan/staffing", data={"campaign": str(campaign.id)}, follow_redirects=False)

    assert answer.status_code == 403
    assert db.exec(select(Job)).all() == []


def test_finished_plan_shows_who_where_why_and_the_figures_against_a_simple_plan(
    client: TestClient, make: Factory
) -> None:
    campaign, _, _ = small_campaign(make)
    _planner(client, make)
    path = _start(client, campaign=campaign.id)

    _drain()
    page = client.get(path).text

    assert "Ready to review" in page
    assert page.count('name="proposal" type="checkbox"') == 3
    assert '<span class="person-name">Recruiter One</span>' in page
    assert "Can take the open recruiter place (recruitment staff)" in page
    assert "Simple plan" in page and "Best possible" in page and "Proven</strong>" in page
    assert "Apply the ticked proposals</button>" in page
    assert "Apply all 3</button>" in page
    recent = client.get("/plan/staffing").text
    assert f'<a href="{path}">Campaign &#39;Spring outreach&#39;</a>' in recent


def test_apply_the_ticked_proposals_then_the_rest(client: TestClient, make: Factory, db: Session) -> None:
    campaign, (first, second), (officer, recruiter) = small_campaign(make)
    _planner(client, make)
    path = _start(client, campaign=campaign.id)
    _drain()
    page = client.get(path).text
    numbers = re.findall(r'name="proposal" type="checkbox" value="(\d+)"', page)

    some = post(client, f"{path}/apply", {"proposal": numbers[0], "action": "chosen"}, token_from=path)
    after_some = _pairs(db)
    rest = post(client, f"{path}/apply", {"action": "all"}, token_from=path)

    assert some.status_code == rest.status_code == 303
    assert len(after_some) == 1
    assert _pairs(db) == sorted([(first.id, officer.id), (first.id, recruiter.id), (second.id, officer.id)])
    shown = client.get(path).text
    assert "Proposed 2 places on 2 events" in shown
    assert "Every proposal of this plan has been applied." in shown
    assert shown.count(" disabled>") == 3


def test_apply_with_nothing_ticked_asks_for_a_choice(client: TestClient, make: Factory, db: Session) -> None:
    campaign, _, _ = small_campaign(make)
    _planner(client, make)
    path = _start(client, campaign=campaign.id)
    _drain()

    answer = post(client, f"{path}/apply", {"action": "chosen"}, token_from=path)

    assert answer.status_code == 303
    assert "Tick at least one proposal to apply, or apply them all." in client.get(path).text
    assert _pairs(db) == []


def test_apply_an_out_of_date_plan_shows_why_and_writes_nothing(
    client: TestClient, make: Factory, db: Session
) -> None:
    campaign, (first, _), (officer, _) = small_campaign(make)
    _planner(client, make)
    path = _start(client, campaign=campaign.id)
    _drain()
    clash = make.event(starts_at=first.starts_at + timedelta(hours=1), title="Booked meanwhile")
    make.assign(clash, officer)

    answer = post(client, f"{path}/apply", {"action": "all"}, token_from=path)

    assert answer.status_code == 409
    assert "Nothing was written: the plan is out of date" in answer.text
    assert "Booked meanwhile" in answer.text
    assert _pairs(db) == [(clash.id, officer.id)]


def test_stop_a_waiting_plan_from_its_page(client: TestClient, make: Factory) -> None:
    campaign, _, _ = small_campaign(make)
    _planner(client, make)
    path = _start(client, campaign=campaign.id)

    answer = post(client, f"{path}/stop", token_from=path)
    page = client.get(path).text

    assert answer.status_code == 303
    assert "Stopped before it started. Nothing was planned." in page
    assert "This plan was stopped before it started" in page
    again = post(client, f"{path}/stop", token_from=path)
    assert again.status_code == 303
    assert "The plan had already finished: here it is." in client.get(path).text


def test_event_page_proposal_is_a_preview_then_applied(
    client: TestClient, make: Factory, db: Session
) -> None:
    event = make.event(starts_at=next_month(5, 10), ambassadors_needed=1, recruiters_needed=1)
    make.event(starts_at=next_month(6, 10), ambassadors_needed=1, recruiters_needed=0)
    officer = make.person("Officer")
    staff = make.person("Staff", kind=PersonKind.police_staff)
    _planner(client, make)
    assert "Propose a fair team for the gaps" in client.get(f"/plan/events/{event.id}").text

    preview = post(client, f"/plan/events/{event.id}/plan-staffing", token_from=f"/plan/events/{event.id}")
    path = _job_path(preview)
    page = client.get(path).text

    assert _pairs(db) == []
    assert f'<a class="back-link" href="/plan/events/{event.id}#team">Back to the event</a>' in page
    assert page.count('name="proposal" type="checkbox"') == 2
    applied = post(client, f"{path}/apply", {"action": "all"}, token_from=path)
    assert applied.headers["location"] == f"/plan/events/{event.id}#team"
    assert _pairs(db) == sorted([(event.id, officer.id), (event.id, staff.id)])
    assert "Proposed 2 places on 1 event (Officer, Staff)." in client.get(f"/plan/events/{event.id}").text


def test_event_page_proposal_with_nobody_free_says_so(client: TestClient, make: Factory, db: Session) -> None:
    event = make.event(starts_at=next_month(5, 10), ambassadors_needed=1, recruiters_needed=0)
    _planner(client, make)

    answer = post(client, f"/plan/events/{event.id}/plan-staffing", token_from=f"/plan/events/{event.id}")

    assert answer.headers["location"] == f"/plan/events/{event.id}#team"
    assert "Nobody more could be proposed" in client.get(f"/plan/events/{event.id}").text


def test_events_shown_together_are_offered_to_plan_together(client: TestClient, make: Factory) -> None:
    day = future(12, hour=9)
    morning = make.event(starts_at=day, hours=2, title="Morning stand")
    afternoon = make.event(starts_at=day + timedelta(hours=4), hours=2, title="Afternoon stand")
    called_off = make.event(starts_at=day + timedelta(hours=1), hours=2, title="Called off")
    events.cancel_event(session=make.session, actor=SYSTEM, event_id=called_off.id, reason="venue closed")
    wanted = f"/plan/staffing?event={morning.id}&amp;event={afternoon.id}"
    iso = to_london(day).date().isoformat()
    _planner(client, make)

    week = client.get(f"/plan?view=week&d={iso}").text
    listed = client.get(f"/plan/events?from={iso}&to={iso}").text
    start = client.get(f"/plan/staffing?event={morning.id}&event={afternoon.id}&event={called_off.id}").text

    assert f'<a class="cal-plan" href="{wanted}">Plan 2 together' in week
    assert f'href="{wanted}">Plan these 2 events together</a>' in listed
    assert "Plan these 2 events together</h2>" in start
    assert start.index("Morning stand") < start.index("Called off") < start.index("Afternoon stand")
    assert (
        '<strong class="tag tag--grey">Left out</strong> <span class="small">it is cancelled</span>' in start
    )
    assert f'<input type="hidden" name="event_ids" value="{morning.id}">' in start
    assert f'<input type="hidden" name="event_ids" value="{called_off.id}">' not in start


def test_chosen_events_planned_together_share_a_small_network(
    client: TestClient, make: Factory, db: Session
) -> None:
    # One at a time, the first event would take both members; together, each gets one.
    disability = make.network("Disability Network")
    venue_a, venue_b = (
        make.venue("Jobcentre Bacup", town="Bacup"),
        make.venue("Jobcentre Nelson", town="Nelson"),
    )
    needs = [{"network_id": disability.id, "min_count": 1}]
    bacup, nelson = (
        make.event(
            venue=venue,
            starts_at=next_month(7, 10),
            ambassadors_needed=2,
            recruiters_needed=0,
            network_needs=needs,
        )
        for venue in (venue_a, venue_b)
    )
    members = [make.person(f"Member {k}", base_town="Bacup") for k in range(2)]
    for member in members:
        make.represent(member, disability)
    others = [make.person(f"Other {k}", base_town="Nelson") for k in range(2)]
    _planner(client, make)

    path = _start(client, event_ids=[bacup.id, nelson.id])
    _drain()
    post(client, f"{path}/apply", {"action": "all"}, token_from=path)

    by_event = {eid: {pid for e, pid in _pairs(db) if e == eid} for eid in (bacup.id, nelson.id)}
    assert all(len(team & {m.id for m in members}) == 1 for team in by_event.values())
    assert len(others) == 2


def test_bulk_booking_offers_to_plan_the_booked_events_together(client: TestClient, make: Factory) -> None:
    venues = [make.venue(f"Jobcentre {town}", town=town) for town in ("Burnley", "Darwen")]
    campaign = make.campaign()
    day = to_london(future(clear_days_ahead(20))).date().isoformat()
    _planner(client, make)

    answer = post(
        client,
        "/plan/book",
        {
            "venue_ids": [v.id for v in venues],
            "campaign_id": campaign.id,
            "title": "Careers drop-in",
            "start_date": day,
            "start_time": "10:00",
            "end_time": "16:00",
            "ambassadors_needed": "2",
            "recruiters_needed": "1",
            "status": "draft",
        },
        token_from="/plan/book",
    )

    assert answer.status_code == 200, answer.text
    assert "Plan these 2 events together</a>" in answer.text


def test_staffing_pages_are_for_planners_only(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("staff"))

    assert client.get("/plan/staffing").status_code == 403
    assert client.get("/plan/staffing/jobs/1").status_code == 403


def test_unknown_plan_page_is_404(client: TestClient, make: Factory) -> None:
    _planner(client, make)

    page = client.get("/plan/staffing/jobs/999999")

    assert page.status_code == 404
    assert "Plan job 999999 does not exist." in page.text


def test_dashboard_shows_plans_running_or_waiting_for_review(client: TestClient, make: Factory) -> None:
    campaign, _, _ = small_campaign(make)
    _planner(client, make)
    path = _start(client, campaign=campaign.id)
    link = f'<a href="{path}">Campaign &#39;Spring outreach&#39;</a>'

    waiting = client.get("/plan").text
    _drain()
    ready = client.get("/plan").text
    post(client, f"{path}/apply", {"action": "all"}, token_from=path)
    applied = client.get("/plan").text

    assert link in waiting and "Waiting to start" in waiting
    assert link in ready and "3 proposals to review" in ready
    assert link not in applied


def test_a_calendar_day_with_more_than_it_shows_is_planned_whole(client: TestClient, make: Factory) -> None:
    day = future(16, hour=8)
    titles = [f"Stand {k}" for k in range(6)]
    for k, title in enumerate(titles):
        make.event(starts_at=day + timedelta(hours=k), hours=1, title=title)
    iso = to_london(day).date().isoformat()
    _planner(client, make)

    month = client.get(f"/plan?view=month&d={iso}").text
    offer = re.search(r'<a class="cal-plan" href="([^"]+)">Plan the day together', month)
    assert offer is not None
    start = client.get(offer.group(1).replace("&amp;", "&")).text

    assert offer.group(1) == f"/plan/staffing?day={iso}"
    assert "Plan these 6 events together</h2>" in start
    assert [start.index(t) for t in titles] == sorted(start.index(t) for t in titles)


def test_plan_review_shows_each_events_planning_warnings_in_words(client: TestClient, make: Factory) -> None:
    from tests.dates import london
    from tests.events.test_planning_warnings import bank_holiday, holiday_words

    day, name = bank_holiday()
    campaign = make.campaign(name="Bank holiday stands")
    make.event(campaign=campaign, starts_at=london(day, 10), hours=6, ambassadors_needed=1)
    make.person("Officer One")
    _planner(client, make)
    path = _start(client, campaign=campaign.id)

    _drain()
    page = client.get(path).text

    assert "Ready to review" in page
    # Warned, never refused: the plan still proposes the place.
    assert page.count('name="proposal" type="checkbox"') == 1
    assert f"<li>{holiday_words(day, name)}</li>" in page
