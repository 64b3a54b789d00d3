"""The recruitment team's follow-up list of expressions of interest: filters, one record with
its status and note, erasure on request, the CSV export and the counts. Coordinators and
administrators only; everyone else is refused as on every /plan page."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts.deps import Planner
from app.campaigns.models import Campaign
from app.config import get_settings
from app.db import SessionDep
from app.enums import InterestStatus
from app.events.models import Event
from app.interest import service
from app.interest.models import InterestRecord
from app.interest.schemas import ROLE_WORDS
from app.interest.service import InterestFilters
from app.pages.common import (
    all_campaigns,
    by_id,
    choice_param,
    int_param,
    options,
    page_from,
    query_string,
    text_param,
)
from app.pages.flow import done, download
from app.pages.forms import FormInput, PostedForm, opened_at
from app.pages.rendering import render
from app.venues.models import Venue

router = APIRouter(tags=["pages"], include_in_schema=False)

STATUSES = [status.value for status in InterestStatus]


def _filters(request: Request) -> InterestFilters:
    status = choice_param(request, "status", STATUSES)
    return InterestFilters(
        status=InterestStatus(status) if status else None,
        event_id=int_param(request, "event_id"),
        campaign_id=int_param(request, "campaign_id"),
        town=text_param(request, "town", 120) or None,
    )


def _filter_query(filters: InterestFilters) -> str:
    return query_string(
        status=filters.status.value if filters.status else None,
        event_id=filters.event_id,
        campaign_id=filters.campaign_id,
        town=filters.town,
    )


@router.get("/plan/interest", response_class=HTMLResponse)
def follow_up_list(request: Request, session: SessionDep, _principal: Planner) -> Response:
    filters = _filters(request)
    page = page_from(request)
    rows, total = service.list_interest(session=session, filters=filters, limit=page.size, offset=page.offset)
    events = by_id(session, Event, {r.event_id for r in rows if r.event_id} | {filters.event_id or 0})
    context = {
        "rows": rows,
        "page": page.with_total(total),
        "filters": filters,
        "base_query": _filter_query(filters),
        "statuses": options(InterestStatus),
        "campaigns": all_campaigns(session),
        "towns": service.towns(session=session),
        "events_by_id": events,
        "role_words": ROLE_WORDS,
    }
    return render(request, "interest/list.html", context)


@router.get("/plan/interest.csv")
def follow_up_csv(request: Request, session: SessionDep, principal: Planner) -> Response:
    body, _count = service.export_csv(session=session, actor=principal.actor, filters=_filters(request))
    return download(
        body,
        media_type="text/csv; charset=utf-8",
        filename=f"interest-{service.stamp()}.csv",
        headers={"Cache-Control": "no-store"},
    )


def _detail(
    request: Request,
    session: Session,
    record: InterestRecord,
    form: FormInput | None = None,
    *,
    status: int = 200,
) -> Response:
    if form is None:
        form = FormInput()
        form.values.update(
            {
                "status": str(record.status),
                "coordinator_note": record.coordinator_note,
                "revision": str(record.revision),
            }
        )
    context = {
        "record": record,
        "form": form,
        "statuses": options(InterestStatus),
        "event": session.get(Event, record.event_id) if record.event_id else None,
        "venue": session.get(Venue, record.venue_id) if record.venue_id else None,
        "campaign": session.get(Campaign, record.campaign_id) if record.campaign_id else None,
        "role_words": ROLE_WORDS,
        "retention_days": get_settings().interest_retention_days,
    }
    return render(request, "interest/detail.html", context, status=status)


@router.get("/plan/interest/{interest_id:id}", response_class=HTMLResponse)
def follow_up_one(request: Request, session: SessionDep, _principal: Planner, interest_id: int) -> Response:
    return _detail(request, session, service.get_interest(session=session, interest_id=interest_id))


@router.post("/plan/interest/{interest_id:id}", response_class=HTMLResponse)
def follow_up_change(
    request: Request, session: SessionDep, principal: Planner, interest_id: int, form: PostedForm
) -> Response:
    record = service.get_interest(session=session, interest_id=interest_id)
    status = form.choice("status", InterestStatus, "a status")
    note = form.text("coordinator_note", "the note", max_length=2000)
    changed = form.submit(
        session,
        lambda: service.change_status(
            session=session,
            actor=principal.actor,
            interest_id=interest_id,
            status=status,
            note=note,
            expected=opened_at(form),
        ),
        field="status",
        record="expression of interest",
    )
    if changed is None:
        return _detail(request, session, record, form, status=400)
    return done(request, f"/plan/interest/{interest_id}", f"Saved: {str(changed.status).replace('_', ' ')}.")


@router.post("/plan/interest/{interest_id:id}/erase", response_class=HTMLResponse)
def follow_up_erase(
    request: Request, session: SessionDep, principal: Planner, interest_id: int, form: PostedForm
) -> Response:
    record = service.get_interest(session=session, interest_id=interest_id)
    if not form.flag("confirm_erase"):
        form.error("confirm_erase", "Tick the box to confirm the person asked for this to be erased")
        form.values.update({"status": str(record.status), "revision": str(record.revision)})
        return _detail(request, session, record, form, status=400)
    service.erase(session=session, actor=principal.actor, interest_id=interest_id)
    return done(
        request, "/plan/interest", f"Expression of interest {interest_id} erased. Nothing of it is kept."
    )


@router.get("/plan/interest/counts", response_class=HTMLResponse)
def follow_up_counts(request: Request, session: SessionDep, _principal: Planner) -> Response:
    campaign_id = int_param(request, "campaign_id")
    tables = []
    for by in service.COUNT_BY:
        counts = service.labelled_counts(session=session, by=by, campaign_id=campaign_id)
        tables.append((by, counts, sum(n for _, _, n in counts)))
    context = {"tables": tables, "campaign_id": campaign_id, "campaigns": all_campaigns(session)}
    return render(request, "interest/counts.html", context)
