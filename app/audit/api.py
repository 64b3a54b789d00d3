from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.accounts.deps import Planner
from app.api_common import IdQuery, Page, PageParams, ProblemRoute, Public
from app.audit import service
from app.clock import LondonDateTime
from app.db import SessionDep

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], route_class=ProblemRoute)


class AuditOut(Public):
    id: int
    at: LondonDateTime
    actor_user_id: int | None
    actor_label: str
    action: str
    record_type: str
    record_id: int
    summary: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get("", response_model=Page[AuditOut])
def audit_trail(
    session: SessionDep,
    _planner: Planner,
    page: PageParams,
    record_type: Annotated[
        str | None, Query(max_length=40, description="e.g. event, person, assignment")
    ] = None,
    record_id: IdQuery = None,
) -> Page[AuditOut]:
    """Who changed what, and when: newest first."""
    rows, total = service.history(
        session=session, record_type=record_type, record_id=record_id, limit=page.limit, offset=page.offset
    )
    return Page(items=[AuditOut.model_validate(r) for r in rows], total=total, **page.model_dump())
