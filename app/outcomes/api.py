"""Event outcomes over the API: the lead or a coordinator records them; partners read the
headline counts of their own venues' events; staff read their own attendance."""

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.accounts.deps import AnyUser
from app.api_common import (
    ChangeRevision,
    LongText,
    PathId,
    ProblemRoute,
    ReadRevision,
    Reason,
    RefId,
    Strict,
    problems,
)
from app.clock import LondonDateTime
from app.db import SessionDep
from app.enums import AssignmentRole, AttendanceStatus
from app.outcomes import service
from app.outcomes.service import MAX_COUNT, Outcome

router = APIRouter(prefix="/api/v1", tags=["outcomes"], route_class=ProblemRoute)

OutcomeCount = Annotated[int, Field(ge=0, le=MAX_COUNT)]


class AttendanceLineIn(Strict):
    person_id: RefId
    attendance: AttendanceStatus
    absence_reason: Reason = Field(default="", description="Required when attendance is 'absent'")


class OutcomeIn(Strict):
    people_spoken_to: OutcomeCount
    interest_on_paper: OutcomeCount = Field(description="Expressions of interest taken on paper forms")
    leaflets: OutcomeCount = 0
    what_worked: LongText = ""
    attendance: Annotated[list[AttendanceLineIn], Field(max_length=200)] = Field(
        default=[], description="Every person on the team (proposed or confirmed), once each"
    )


class AttendanceLineOut(BaseModel):
    assignment_id: int
    person_id: int
    name: str
    role: AssignmentRole
    attendance: AttendanceStatus | None = Field(description="None: not recorded yet")
    absence_reason: str


class OutcomeOut(BaseModel):
    event_id: int
    recorded: bool
    people_spoken_to: int
    interest_on_paper: int
    leaflets: int
    what_worked: str
    recorded_at: LondonDateTime | None
    updated_at: LondonDateTime | None
    revision: int = Field(description="0 until recorded; also the ETag, to send back as If-Match")
    attendance: list[AttendanceLineOut]


class HeadlineOut(BaseModel):
    event_id: int
    title: str
    starts_at: LondonDateTime
    recorded: bool
    people_spoken_to: int | None
    interest_on_paper: int | None
    interest_online: int | None = Field(description="Interest registered online from the event's poster")
    fewer_than_5: list[str] = Field(
        default_factory=list,
        description="The counts (null above) that were 1 to 4 people: hidden from all but planners",
    )


class MyAttendanceOut(BaseModel):
    assignment_id: int
    event_id: int
    title: str
    venue_name: str
    starts_at: LondonDateTime
    role: AssignmentRole
    attendance: AttendanceStatus | None = Field(description="None: the outcome is not recorded yet")
    absence_reason: str


def _out(outcome: Outcome) -> OutcomeOut:
    record = outcome.record
    assert outcome.event.id is not None
    return OutcomeOut(
        event_id=outcome.event.id,
        recorded=record is not None,
        people_spoken_to=record.people_spoken_to if record else 0,
        interest_on_paper=record.interest_on_paper if record else 0,
        leaflets=record.leaflets if record else 0,
        what_worked=record.what_worked if record else "",
        recorded_at=record.recorded_at if record else None,
        updated_at=record.updated_at if record else None,
        revision=outcome.revision,
        attendance=[
            AttendanceLineOut(
                assignment_id=a.id or 0,
                person_id=p.id or 0,
                name=p.name,
                role=a.role,
                attendance=a.attendance,
                absence_reason=a.absence_reason,
            )
            for a, p in outcome.team
        ],
    )


@router.get("/events/{event_id}/outcome", response_model=OutcomeOut)
def read_outcome(
    session: SessionDep, principal: AnyUser, event_id: PathId, revision: ReadRevision
) -> OutcomeOut:
    """The event's outcome and its team's attendance (for its lead, coordinators and
    administrators); ``recorded`` false and revision 0 until someone records it."""
    outcome = service.outcome_to_record(session=session, principal=principal, event_id=event_id)
    return revision.tag(_out(outcome))


@router.put("/events/{event_id}/outcome", response_model=OutcomeOut, responses=problems(412))
def record_outcome(
    session: SessionDep, principal: AnyUser, event_id: PathId, body: OutcomeIn, revision: ChangeRevision
) -> OutcomeOut:
    """Record or correct the outcome of an event that has ended (409 before then, or if it
    was cancelled), with whether each person on the team attended (a reason for each no-show).
    With ``If-Match``, a change to an outcome someone else changed since answers 412."""
    outcome = service.record_outcome(
        session=session,
        principal=principal,
        event_id=event_id,
        data=body.model_dump(exclude={"attendance"}),
        attendance=[
            service.AttendanceIn(line.person_id, line.attendance, line.absence_reason)
            for line in body.attendance
        ],
        expected=revision.expected,
    )
    return revision.tag(_out(outcome))


@router.get("/events/{event_id}/outcome/headline", response_model=HeadlineOut)
def read_headline(session: SessionDep, principal: AnyUser, event_id: PathId) -> HeadlineOut:
    """The event's headline counts, for anyone signed in; a venue partner only for their own
    venues' events. Never the note or who attended."""
    found = service.headline(session=session, principal=principal, event_id=event_id)
    assert found.event.id is not None
    return HeadlineOut(
        event_id=found.event.id,
        title=found.event.title,
        starts_at=found.event.starts_at,
        recorded=found.recorded,
        people_spoken_to=found.people_spoken_to,
        interest_on_paper=found.interest_on_paper,
        interest_online=found.interest_online,
        fewer_than_5=list(found.fewer_than_5),
    )


@router.get("/me/attendance", response_model=list[MyAttendanceOut])
def my_attendance(session: SessionDep, principal: AnyUser) -> list[MyAttendanceOut]:
    """The caller's own duties on events that have ended, latest first (at most 100), with
    whether the outcome recorded them as attending; empty for a sign-in without a person."""
    if principal.person_id is None:
        return []
    return [
        MyAttendanceOut(
            assignment_id=a.id or 0,
            event_id=e.id or 0,
            title=e.title,
            venue_name=v.name,
            starts_at=e.starts_at,
            role=a.role,
            attendance=a.attendance,
            absence_reason=a.absence_reason,
        )
        for a, e, v in service.attendance_of(session=session, person_id=principal.person_id)
    ]
