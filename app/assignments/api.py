"""Assignments: put people on events; staff accept or decline their own."""

from fastapi import APIRouter

from app.accounts.deps import AnyUser, Planner
from app.api_common import (
    IdQuery,
    Page,
    PageParams,
    Patch,
    PathId,
    ProblemRoute,
    Public,
    Reason,
    RefId,
    Strict,
    problems,
)
from app.assignments import service
from app.booking import service as booking
from app.clock import LondonDateTime
from app.db import SessionDep
from app.enums import AssignmentRole, AssignmentStatus, Role
from app.errors import Forbidden
from app.events.service import get_event

router = APIRouter(prefix="/api/v1/assignments", tags=["assignments"], route_class=ProblemRoute)


class AssignmentCreate(Strict):
    event_id: RefId
    person_id: RefId
    role: AssignmentRole = AssignmentRole.ambassador
    status: AssignmentStatus = AssignmentStatus.proposed


class AssignmentUpdate(Patch):
    role: AssignmentRole | None = None
    status: AssignmentStatus | None = None
    reason: Reason | None = None


class AssignmentOut(Public):
    id: int
    event_id: int
    person_id: int
    role: AssignmentRole
    status: AssignmentStatus
    revision: int
    conflict_note: str
    decline_reason: str
    created_at: LondonDateTime
    updated_at: LondonDateTime


@router.get("", response_model=Page[AssignmentOut])
def list_assignments(
    session: SessionDep,
    principal: AnyUser,
    page: PageParams,
    event_id: IdQuery = None,
    person_id: IdQuery = None,
    status: AssignmentStatus | None = None,
) -> Page[AssignmentOut]:
    """Planners see all; staff their own; partners those at their venues."""
    venue_ids = None
    if principal.role == Role.staff:
        if person_id is not None and person_id != principal.person_id:
            raise Forbidden("staff see only their own assignments")
        person_id = principal.person_id
    elif principal.role == Role.partner:
        venue_ids = principal.venue_ids
    rows, total = service.list_assignments(
        session=session,
        limit=page.limit,
        offset=page.offset,
        event_id=event_id,
        person_id=person_id,
        status=status,
        venue_ids=venue_ids,
    )
    return Page(items=[AssignmentOut.model_validate(r) for r in rows], total=total, **page.model_dump())


# 404: the event or the person does not exist.
@router.post("", response_model=AssignmentOut, status_code=201, responses=problems(404))
def create_assignment(session: SessionDep, principal: Planner, body: AssignmentCreate) -> AssignmentOut:
    """Put a person on an event; refused with 409 naming the clash if any booking rule says no."""
    row = booking.assign(
        session=session,
        actor=principal.actor,
        event_id=body.event_id,
        person_id=body.person_id,
        role=body.role,
        status=body.status,
    )
    return AssignmentOut.model_validate(row)


@router.get("/{assignment_id}", response_model=AssignmentOut)
def read_assignment(session: SessionDep, principal: AnyUser, assignment_id: PathId) -> AssignmentOut:
    row = service.get_assignment(session=session, assignment_id=assignment_id)
    service.check_can_see(principal, row, get_event(session=session, event_id=row.event_id))
    return AssignmentOut.model_validate(row)


@router.patch("/{assignment_id}", response_model=AssignmentOut)
def update_assignment(
    session: SessionDep, principal: AnyUser, assignment_id: PathId, body: AssignmentUpdate
) -> AssignmentOut:
    """Coordinators change role and status; staff accept (confirmed) or decline their own, with a reason."""
    if principal.role == Role.partner:
        raise Forbidden("partners cannot change assignments")
    row = service.update_assignment(
        session=session, principal=principal, assignment_id=assignment_id, changes=body.changes()
    )
    return AssignmentOut.model_validate(row)
