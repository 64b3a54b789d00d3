"""Illustrative outcomes for the demo's past events: fictitious numbers and notes, some
no-shows with their reasons, and the latest past events left waiting for their outcome so the
dashboard has something to ask for."""

from datetime import date

from sqlmodel import Session, col, select

from app.audit.service import Actor
from app.clock import london_day_bounds, utcnow
from app.enums import AttendanceStatus, EventStatus
from app.events.models import Event
from app.outcomes import service
from app.outcomes.service import AttendanceIn

DEMO_ACTOR = Actor(user_id=None, label="demo loader (illustrative outcomes)", role="admin")

LEFT_WAITING = 2
"""The latest past events get no outcome: the coordinator's dashboard lists them."""

NOTES = (
    "Illustrative: the stand by the entrance caught people after their appointments; "
    "the special constables' leaflet ran out by noon.",
    "Illustrative: quieter than hoped in the morning. Speaking Urdu and Punjabi opened most "
    "conversations; bring more paper forms.",
    "Illustrative: the careers adviser sent people over to us. A table inside would beat the "
    "doorway on a cold day.",
    "Illustrative: good questions about PCSO shifts and childcare; next time bring someone "
    "who joined as a parent.",
)

ABSENCES = ("Called in to cover a shift", "Sick on the morning", "Court warning came through late")


def load_demo(session: Session, *, today: date) -> int:
    """Record outcomes for the demo's past events (all but the latest ``LEFT_WAITING``),
    through the service so rules and audit apply; returns how many were recorded."""
    # Events that had ended by the demo's today, and really have (a today ahead of the clock).
    before_today = min(london_day_bounds(today)[0], utcnow())
    past = session.exec(
        select(Event)
        .where(Event.status != EventStatus.cancelled, Event.ends_at <= before_today)
        .order_by(col(Event.starts_at), col(Event.id))
    ).all()
    recorded = 0
    no_shows = 0
    for index, event in enumerate(past[: max(0, len(past) - LEFT_WAITING)]):
        assert event.id is not None
        team = service.get_outcome(session=session, event_id=event.id).team
        attendance = []
        for position, (assignment, _) in enumerate(team):
            # Every third event, its last ambassador did not come: a reason is always given.
            absent = index % 3 == 1 and position == len(team) - 1 and assignment.role != "lead"
            if absent:
                attendance.append(
                    AttendanceIn(
                        assignment.person_id, AttendanceStatus.absent, ABSENCES[no_shows % len(ABSENCES)]
                    )
                )
                no_shows += 1
            else:
                attendance.append(AttendanceIn(assignment.person_id, AttendanceStatus.attended))
        spoken = 18 + (index * 7) % 31
        service.save_outcome(
            session=session,
            actor=DEMO_ACTOR,
            event_id=event.id,
            data={
                "people_spoken_to": spoken,
                "interest_on_paper": 2 + (index * 3) % 7,
                "leaflets": spoken + 15,
                "what_worked": NOTES[index % len(NOTES)],
            },
            attendance=attendance,
        )
        recorded += 1
    return recorded
