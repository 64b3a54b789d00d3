"""An event's history is complete: its team's changes and the venue's answers beside the
event's own, in one list; a cancelled event's staffing reads "Cancelled" (issue 16, 3-4)."""

import re
from html import unescape

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.assignments.models import Assignment
from app.enums import AssignmentRole
from tests.factories import Factory, future
from tests.forms import post, sign_in

HISTORY = re.compile(r'<h2 id="history">.*?</ul>', re.S)


def _history_lines(page: str) -> list[str]:
    found = HISTORY.search(page)
    assert found, "no history on the event page"
    items = re.findall(r"<li>(.*?)</li>", found.group(0), re.S)
    return [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", item))).strip() for item in items]


def test_event_history_lists_team_changes_and_venue_answer_newest_first(
    client: TestClient, make: Factory, db: Session
) -> None:
    venue = make.venue("JCP Darwen")
    event = make.event(venue=venue, title="Darwen jobs fair")
    other = make.event(venue=venue, title="Another day", starts_at=future(days=30))
    aisha, ben = make.person("Aisha Hussain"), make.person("Ben Clarke")
    make.assign(other, aisha)  # another event's team stays out of this history
    coordinator = make.user("coordinator", email="sgt@muster.test")
    sign_in(client, coordinator)
    post(client, f"/plan/events/{event.id}/team", {"person_id": aisha.id, "role": "ambassador"})
    post(client, f"/plan/events/{event.id}/team", {"person_id": ben.id, "role": "ambassador"})
    assignment_id = db.exec(
        select(Assignment.id).where(Assignment.event_id == event.id, Assignment.person_id == ben.id)
    ).one()
    post(client, f"/plan/assignments/{assignment_id}", {"role": AssignmentRole.recruiter.value})
    post(client, f"/plan/assignments/{assignment_id}", {"status": "declined", "reason": "On a course"})
    partner = make.user("partner", venues=[venue], email="jcp@muster.test")
    client.cookies.clear()
    sign_in(client, partner)
    post(
        client,
        f"/partner/events/{event.id}",
        {"answer": "declined", "message": "Closed for training"},
        token_from=f"/partner/events/{event.id}",
    )
    client.cookies.clear()
    sign_in(client, coordinator)

    lines = _history_lines(client.get(f"/plan/events/{event.id}").text)
    assert [line.split(" – ", 1)[1] for line in lines[:5]] == [
        "venue partner declined 'Darwen jobs fair': Closed for training (by jcp@muster.test)",
        "Ben Clarke on 'Darwen jobs fair': declined as recruiter (On a course) (by sgt@muster.test)",
        "Ben Clarke on 'Darwen jobs fair': proposed as recruiter (role ambassador → recruiter) (by sgt@muster.test)",
        "Ben Clarke proposed as ambassador on 'Darwen jobs fair' (by sgt@muster.test)",
        "Aisha Hussain proposed as ambassador on 'Darwen jobs fair' (by sgt@muster.test)",
    ]
    assert lines[5].endswith("event 'Darwen jobs fair' booked at JCP Darwen (by system)")
    assert not any("Another day" in line for line in lines)

    trail = client.get(f"/plan/audit?record_type=event&record_id={event.id}").text
    assert "6 changes to the event and its team" in trail
    assert "Ben Clarke on &#39;Darwen jobs fair&#39;: declined as recruiter (On a course)" in trail
    assert "Another day" not in trail


def test_cancelled_event_reads_cancelled_not_a_staffing_gap(client: TestClient, make: Factory) -> None:
    event = make.event(title="Rawtenstall open day")
    sign_in(client, make.user("coordinator"))
    post(client, f"/plan/events/{event.id}/cancel", {"reason": "Venue flooded"})
    page = client.get(f"/plan/events/{event.id}").text
    assert "Staffing: </span>Cancelled</span>" in page
    assert "Staffing gap" not in page and "needs 2 more" not in page

    listed = client.get("/plan/events").text
    assert "Staffing: </span>Cancelled</span>" in listed
    assert "needs 2 more" not in listed
