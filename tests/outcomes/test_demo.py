"""The demo's past events get illustrative outcomes, some with no-shows; the latest two wait."""

from datetime import date

from sqlmodel import Session, col, select

from app import demo
from app.assignments.models import Assignment
from app.enums import AttendanceStatus
from app.outcomes import service
from app.outcomes.demo import LEFT_WAITING, load_demo
from app.outcomes.models import EventOutcome


def test_demo_outcomes_leave_the_latest_past_events_waiting(db: Session) -> None:
    today = date.today()
    demo.load(db, today=today)

    recorded = load_demo(db, today=today)
    waiting, total = service.awaiting_outcome(session=db)
    absent = db.exec(select(Assignment).where(col(Assignment.attendance) == AttendanceStatus.absent)).all()
    outcomes = db.exec(select(EventOutcome)).all()

    assert recorded >= 2 and len(outcomes) == recorded
    assert total == LEFT_WAITING and len(waiting) == LEFT_WAITING
    assert absent and all(a.absence_reason for a in absent)
    assert all(o.what_worked.startswith("Illustrative:") for o in outcomes)
