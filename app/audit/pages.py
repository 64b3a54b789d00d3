"""The audit trail for coordinators: every change, newest first, or one record's history."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts.deps import Planner
from app.audit import service as audit
from app.db import SessionDep
from app.pages.common import choice_param, int_param, page_from, query_string
from app.pages.rendering import render

router = APIRouter(tags=["pages"], include_in_schema=False)

# Where each kind of record is shown, and the field that names it.
PAGES = {
    "event": ("title", "/plan/events/{}"),
    "person": ("name", "/plan/people/{}"),
    "venue": ("name", "/plan/venues/{}"),
    "campaign": ("name", "/plan/campaigns/{}"),
    "network": ("name", "/plan/networks/{}/edit"),
    "campaign_target": ("measure", "/plan/targets/{}"),
}


@router.get("/plan/audit", response_class=HTMLResponse)
def audit_view(request: Request, session: SessionDep, principal: Planner) -> Response:
    record_type = choice_param(request, "record_type", audit.RECORD_TYPES)
    record_id = int_param(request, "record_id")
    page = page_from(request)
    # An event's history includes its team's changes: "who changed my team?" is asked there.
    with_team = record_type == "event" and record_id is not None
    if record_type == "event" and record_id is not None:
        rows, total = audit.event_history(
            session=session, event_id=record_id, limit=page.size, offset=page.offset
        )
    else:
        rows, total = audit.history(
            session=session,
            record_type=record_type or None,
            record_id=record_id,
            limit=page.size,
            offset=page.offset,
        )
    context = {
        "rows": rows,
        "page": page.with_total(total),
        "record_type": record_type,
        "record_id": record_id,
        "record_types": audit.RECORD_TYPES,
        "with_team": with_team,
        "subject": _subject(session, record_type, record_id),
        "base_query": query_string(record_type=record_type, record_id=record_id),
    }
    return render(request, "audit/list.html", context)


def _subject(session: Session, record_type: str, record_id: int | None) -> tuple[str, str] | None:
    """The name and page of the record whose history is shown, if it still exists."""
    if record_type not in (*PAGES, "assignment") or record_id is None:
        return None
    found = audit.find_record(session=session, record_type=record_type, record_id=record_id)
    if found is None:
        return (f"{record_type} {record_id} (deleted)", "")
    if record_type == "assignment":
        return (f"assignment {record_id}", f"/plan/events/{getattr(found, 'event_id', '')}")
    attr, url = PAGES[record_type]
    return (str(getattr(found, attr)), url.format(record_id))
