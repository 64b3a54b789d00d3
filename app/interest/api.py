"""Expressions of interest over JSON, for administrators and coordinators only: the list,
one record, its follow-up status, erasure on request, and the counts.

There is no public JSON route to send one: ``/api/v1`` is for signed-in callers, and the
public's way in is the form at ``/interest``, which works without JavaScript.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.accounts.deps import Planner
from app.api_common import (
    ChangeRevision,
    IdQuery,
    Page,
    PageParams,
    PathId,
    ProblemRoute,
    ReadRevision,
    problems,
)
from app.db import SessionDep
from app.enums import InterestStatus
from app.interest import service
from app.interest.schemas import CountBy, CountRow, InterestCounts, InterestPublic, InterestUpdate

router = APIRouter(prefix="/api/v1/interest", tags=["interest"], route_class=ProblemRoute)


@router.get("", response_model=Page[InterestPublic])
def list_interest(
    session: SessionDep,
    _user: Planner,
    page: PageParams,
    status: Annotated[InterestStatus | None, Query(description="Only records at this status")] = None,
    event_id: IdQuery = None,
    campaign_id: IdQuery = None,
    town: Annotated[str | None, Query(max_length=120, description="Only records from this town")] = None,
) -> Page[InterestPublic]:
    filters = service.InterestFilters(status=status, event_id=event_id, campaign_id=campaign_id, town=town)
    rows, total = service.list_interest(
        session=session, filters=filters, limit=page.limit, offset=page.offset
    )
    return Page(items=[InterestPublic.model_validate(r) for r in rows], total=total, **page.model_dump())


@router.get("/counts", response_model=InterestCounts)
def interest_counts(
    session: SessionDep,
    _user: Planner,
    by: Annotated[CountBy, Query(description="What to count by")] = "event",
    campaign_id: IdQuery = None,
) -> InterestCounts:
    counts = service.labelled_counts(session=session, by=by, campaign_id=campaign_id)
    rows = [CountRow(key=key, label=name, count=n) for key, name, n in counts]
    return InterestCounts(by=by, campaign_id=campaign_id, total=sum(r.count for r in rows), rows=rows)


@router.get("/{interest_id}", response_model=InterestPublic)
def read_interest(
    session: SessionDep, _user: Planner, interest_id: PathId, revision: ReadRevision
) -> InterestPublic:
    record = service.get_interest(session=session, interest_id=interest_id)
    return InterestPublic.model_validate(revision.tag(record))


@router.patch("/{interest_id}", response_model=InterestPublic, responses=problems(412))
def update_interest(
    session: SessionDep,
    principal: Planner,
    interest_id: PathId,
    body: InterestUpdate,
    revision: ChangeRevision,
) -> InterestPublic:
    """Move it along the follow-up, with an optional note (send If-Match with its ETag)."""
    record = service.change_status(
        session=session,
        actor=principal.actor,
        interest_id=interest_id,
        status=body.status,
        note=body.coordinator_note,
        expected=revision.expected,
    )
    return InterestPublic.model_validate(revision.tag(record))


@router.delete("/{interest_id}", status_code=204)
def erase_interest(session: SessionDep, principal: Planner, interest_id: PathId) -> Response:
    """Erase it on the person's request: the record is deleted; the audit trail keeps only
    that it was erased, and by whom."""
    service.erase(session=session, actor=principal.actor, interest_id=interest_id)
    return Response(status_code=204)
