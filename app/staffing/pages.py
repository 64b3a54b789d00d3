"""The planner's pages for automatic staffing: plan a period or chosen events in the
background, watch it, stop it, review it, apply all or some.

The job page works without JavaScript (a refresh shows the latest); ``/static/plan-job.js``
polls the job's JSON every second and updates the progress in place.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts.deps import Planner
from app.clock import from_london
from app.db import SessionDep
from app.errors import Conflict, Invalid
from app.events import service as events
from app.events import warned
from app.events.service import EventFilters
from app.pages.calendar import utc_range
from app.pages.common import Page, all_campaigns, date_param, int_param, page_from, see_other, text_param
from app.pages.flow import done
from app.pages.forms import FormInput, PostedForm, service_errors
from app.pages.rendering import flash, render
from app.staffing import applying, jobs, service
from app.staffing.jobs import PlanJob
from app.staffing.review import ProposedAssignment
from app.worker.health import worker_health

router = APIRouter(tags=["pages"], include_in_schema=False)

# The time limits a coordinator may choose; "" leaves it to the plan's size.
TIME_LIMITS = (
    ("", "By the plan's size (recommended)"),
    ("30", "30 seconds"),
    ("60", "1 minute"),
    ("120", "2 minutes"),
)
PHASES = (
    ("starting", "Loading events and people"),
    ("greedy", "A first plan"),
    ("needs", "Network and language needs"),
    ("places", "Filling the places"),
    ("fairness", "Sharing the load fairly"),
    ("travel", "Cutting travel"),
)
FIGURES = (
    ("priority", "Needs unmet", "network and language needs no one on the team meets"),
    ("places", "Places unmet", "ambassador and recruiter places left open"),
    ("fairness", "Load gap", "most minus least loaded, overall and per network, summed over months"),
    ("travel", "Travel", "kilometres from each person's base to the venue"),
)
MAX_CHOSEN = service.MAX_PLAN_EVENTS
# Events on one page of a plan's review: a quarter's plan proposes thousands of people.
REVIEW_PAGE = 40


@dataclass
class EventGroup:
    """One event's proposals on the review, each with its number in the plan."""

    event_id: int
    title: str
    starts_at: datetime
    proposals: list[tuple[int, ProposedAssignment]]


@dataclass
class Comparison:
    label: str
    words: str
    plan: int
    greedy: int
    bound: int
    proven: bool
    unit: str = ""


def _ids(request: Request) -> list[int]:
    found = []
    for text in request.query_params.getlist("event")[:MAX_CHOSEN]:
        if text.isascii() and text.isdigit() and len(text) <= 9:
            found.append(int(text))
    return sorted(set(found))


def _start_context(session: Session, form: FormInput, event_ids: list[int]) -> dict[str, Any]:
    chosen = service.chosen_events(session=session, event_ids=event_ids)
    return {
        "form": form,
        "chosen": chosen,
        "plannable": [c for c in chosen if c.plannable],
        "campaign_options": [(c.id, c.name) for c in all_campaigns(session)],
        "time_limits": TIME_LIMITS,
        "recent": jobs.recent_plan_jobs(session=session),
        "figure_labels": {name: label for name, label, _ in FIGURES},
    }


def _day_ids(request: Request, session: Session) -> list[int]:
    """The events of one day on the calendar (``?day=``), as the dashboard's filters show them."""
    day = date_param(request, "day")
    if day is None:
        return []
    start, end = utc_range(day, day + timedelta(days=1))
    filters = EventFilters(
        start=start,
        end=end,
        town=text_param(request, "town", 120) or None,
        venue_id=int_param(request, "venue"),
        campaign_id=int_param(request, "campaign"),
    )
    found, _ = events.list_events(session=session, filters=filters, limit=MAX_CHOSEN, offset=0)
    return [e.id for e in found if e.id is not None]


@router.get("/plan/staffing", response_class=HTMLResponse)
def start_page(request: Request, session: SessionDep, principal: Planner) -> Response:
    """Choose what to plan (or confirm the events chosen elsewhere: ``?event=``, or a
    calendar day's with ``?day=``), and see recent plans."""
    form = FormInput()
    for key in ("campaign", "from", "to"):
        form.values[key] = request.query_params.get(key, "")[:20]
    chosen = _ids(request) or _day_ids(request, session)
    return render(request, "staffing/start.html", _start_context(session, form, chosen))


def _london_range(
    first: date | None, last: date | None, form: FormInput
) -> tuple[datetime | None, datetime | None]:
    if first is None and last is None:
        return None, None
    if first is None or last is None:
        form.error("from" if first is None else "to", "Enter both the first and the last day, or neither")
        return None, None
    if last < first:
        form.error("to", "The last day must be the same as or after the first day")
        return None, None
    return from_london(datetime.combine(first, datetime.min.time())), from_london(
        datetime.combine(last + timedelta(days=1), datetime.min.time())
    )


@router.post("/plan/staffing", response_class=HTMLResponse)
def start_plan(request: Request, session: SessionDep, principal: Planner, form: PostedForm) -> Response:
    """Start a plan in the background and go to its page."""
    event_ids = form.ids("event_ids", "event")
    limit_text = form.raw("time_limit")
    time_limit = float(limit_text) if limit_text in {value for value, _ in TIME_LIMITS if value} else None
    request_ = None
    if event_ids:
        request_ = jobs.PlanRequest(event_ids=tuple(event_ids), time_limit=time_limit)
    else:
        campaign_id = form.ident("campaign", "a campaign", required=False)
        first = form.date_value("from", "the first day", required=False)
        last = form.date_value("to", "the last day", required=False)
        start, end = _london_range(first, last, form)
        if form.ok and campaign_id is None and start is None:
            form.error("campaign", "Choose a campaign, or the first and last day to plan, or both")
        request_ = jobs.PlanRequest(campaign_id=campaign_id, start=start, end=end, time_limit=time_limit)
    job = None
    if form.ok:
        with service_errors(form, session):
            job = jobs.start_plan(session=session, principal=principal, request=request_)
    if job is None:
        context = _start_context(session, form, event_ids)
        return render(request, "staffing/start.html", context, status=400)
    return see_other(f"/plan/staffing/jobs/{job.id}")


def _groups(job: PlanJob) -> list[EventGroup]:
    groups: dict[int, EventGroup] = {}
    for index, proposal in enumerate(job.proposals):
        group = groups.setdefault(
            proposal.event_id, EventGroup(proposal.event_id, proposal.event_title, proposal.starts_at, [])
        )
        group.proposals.append((index, proposal))
    return sorted(groups.values(), key=lambda g: (g.starts_at, g.event_id))


def _comparison(job: PlanJob) -> list[Comparison]:
    report = job.report
    if report is None:
        return []
    objective = {o.name: o for o in report.objective}
    greedy = {
        "priority": report.greedy.priority_unmet,
        "places": report.places_needed - report.greedy.places_filled,
        "fairness": report.greedy.fairness,
        "travel": report.greedy.travel_km,
    }
    rows = []
    for name, label, words in FIGURES:
        figure = objective.get(name)
        if figure is not None:
            unit = " km" if name == "travel" else ""
            rows.append(
                Comparison(label, words, figure.value, greedy[name], figure.bound, figure.proven, unit)
            )
    return rows


def _job_context(session: Session, job: PlanJob, page: Page, **extra: Any) -> dict[str, Any]:
    figures = {f.name: f for f in job.figures}
    groups = _groups(job)
    page = page.with_total(len(groups))
    shown = groups[page.offset : page.offset + page.size]
    phase_names = [name for name, _ in PHASES]
    current = (
        phase_names.index(job.phase) if job.phase in phase_names else (-1 if job.status == "queued" else 0)
    )
    context: dict[str, Any] = {
        "job": job,
        "phases": PHASES,
        "current_phase": current,
        "figure_rows": [(name, label, words, figures.get(name)) for name, label, words in FIGURES],
        "groups": shown,
        # Warned, never refused: the plan's events may fall on dates a sergeant should know about.
        "planning_warnings": warned.warnings_of_events(
            session=session, event_ids=[g.event_id for g in shown]
        ),
        "page": page,
        "comparison": _comparison(job),
        "loads": [load for load in job.report.loads if load.proposed] if job.report else [],
        "worker_missing": job.status == "queued" and not worker_health(session).workers_alive,
        "refused": [],
        **extra,
    }
    return context


@router.get("/plan/staffing/jobs/{job_id:id}", response_class=HTMLResponse)
def job_page(request: Request, session: SessionDep, principal: Planner, job_id: int) -> Response:
    """A plan's progress while it runs; its review once it is done."""
    job = jobs.get_plan_job(session=session, job_id=job_id)
    return render(request, "staffing/job.html", _job_context(session, job, page_from(request, REVIEW_PAGE)))


@router.post("/plan/staffing/jobs/{job_id:id}/stop", response_class=HTMLResponse)
def stop_job(
    request: Request, session: SessionDep, principal: Planner, job_id: int, _form: PostedForm
) -> Response:
    url = f"/plan/staffing/jobs/{job_id}"
    try:
        job = jobs.stop_plan_job(session=session, job_id=job_id)
    except Conflict:
        session.rollback()
        return done(request, url, "The plan had already finished: here it is.", kind="info")
    if job.status == "stopped":
        return done(request, url, "Stopped before it started. Nothing was planned.", kind="info")
    said = "Stopping: the plan ends in a moment with the best it has found so far."
    return done(request, url, said, kind="info")


def _page(form: FormInput) -> Page:
    number = form.integer("page", "the page", minimum=1, maximum=100_000, default=1) or 1
    return Page(number, REVIEW_PAGE)


def _page_query(form: FormInput) -> str:
    number = _page(form).number
    return f"?page={number}" if number > 1 else ""


@router.post("/plan/staffing/jobs/{job_id:id}/apply", response_class=HTMLResponse)
def apply_job(
    request: Request, session: SessionDep, principal: Planner, job_id: int, form: PostedForm
) -> Response:
    """Write the ticked proposals (or all of them) as proposed assignments."""
    everything = form.raw("action") == "all"
    indices = None if everything else form.ids("proposal", "proposal")
    nothing_ticked = indices == [] and form.ok  # before the page number is read, as it may note an error
    review = f"/plan/staffing/jobs/{job_id}{_page_query(form)}#review"
    if nothing_ticked:
        return done(request, review, "Tick at least one proposal to apply, or apply them all.", kind="error")
    try:
        applied = applying.apply_plan_job(
            session=session, actor=principal.actor, job_id=job_id, indices=indices
        )
    except Conflict as exc:
        session.rollback()
        job = jobs.get_plan_job(session=session, job_id=job_id)
        refused = [str(r) for r in exc.extra.get("refused", [])]
        context = _job_context(session, job, _page(form), refused=refused, problem=exc.detail)
        return render(request, "staffing/job.html", context, status=409)
    except Invalid as exc:
        session.rollback()
        return done(request, review, exc.detail[:1].upper() + exc.detail[1:], kind="error")
    if applied.written:
        names = sorted({p.person_name for p in applied.written})
        events = {p.event_id for p in applied.written}
        flash(
            request,
            f"Proposed {len(applied.written)} {'place' if len(applied.written) == 1 else 'places'} on "
            f"{len(events)} {'event' if len(events) == 1 else 'events'} ({', '.join(names[:8])}"
            f"{', …' if len(names) > 8 else ''}). They are asked to accept on their My outreach page.",
        )
    else:
        flash(request, "Those proposals were applied before: nothing more was written.", kind="info")
    if applied.job.event_id is not None:
        return see_other(f"/plan/events/{applied.job.event_id}#team")
    return see_other(review)
