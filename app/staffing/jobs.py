"""Plans as background jobs: started from the API or the planner page, run by the worker,
watched while they run, stopped on request, then reviewed and applied, all or some.

A plan job's row keeps what was asked (its payload), the plan's progress while it runs and,
once done, the whole plan as a preview (``result["report"]``): nothing is written until
someone applies it (``applying``). A job belongs to the force: any planner may watch, stop
or apply it.
"""

import logging
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlmodel import Session

from app.accounts.principal import Principal
from app.clock import utcnow
from app.enums import OPEN_STATUSES
from app.errors import Conflict, NotFound
from app.events import service as events
from app.staffing import review, service, suggestions
from app.staffing.progress import Progress, Watch
from app.staffing.review import PlanReport, ProposedAssignment
from app.worker.jobs import (
    ABANDONED,
    DONE,
    FAILED,
    JOBS,
    QUEUED,
    RUNNING,
    STOPPED,
    JobContext,
    add_job,
    request_stop,
)
from app.worker.models import Job

log = logging.getLogger("muster.staffing")

KIND = "staffing.plan"
# Plans whose time limit is at most this many seconds are answered at once; longer ones
# become jobs, so nobody's request (or a server worker) waits on the solver.
SYNC_UP_TO_SECONDS = 5.0
# Progress reaches the job's row at most this often, and a stop is heard this soon.
BEAT_SECONDS = 1.0
# With no news from the engine, the lease is still renewed this often (it lasts minutes).
RENEW_SECONDS = 20.0
RECENT = 10
FINISHED = (DONE, FAILED, STOPPED)


@dataclass(frozen=True)
class PlanRequest:
    """What to plan and how: a campaign, a date range, or chosen events."""

    campaign_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    event_ids: tuple[int, ...] | None = None
    seed: int = 0
    time_limit: float | None = None
    reproducible: bool = False
    dry_run: bool = False

    @property
    def scope(self) -> dict[str, Any]:
        return {
            "campaign_id": self.campaign_id,
            "start": self.start,
            "end": self.end,
            "event_ids": list(self.event_ids) if self.event_ids is not None else None,
        }

    def as_payload(self) -> dict[str, Any]:
        data: dict[str, Any] = _REQUEST.dump_python(self, mode="json")
        return data

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> "PlanRequest":
        """The request from a job's payload (its other keys are the job's own)."""
        return _REQUEST.validate_python(payload)


_REQUEST = TypeAdapter(PlanRequest)


@dataclass
class TierFigure:
    """One figure of the best plan so far, against the bound proven so far."""

    name: str
    words: str
    value: int
    bound: int
    proven: bool


@dataclass
class PlanJob:
    id: int
    status: str  # queued, running, done, failed or stopped (before it ran)
    stop_requested: bool
    stopped: bool  # ended early on request, with the best plan found by then
    scope: str
    request: PlanRequest
    started_by: str
    started_by_user_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    phase: str | None
    seconds: float | None
    time_limit: float | None
    figures: list[TierFigure]
    error: str
    report: PlanReport | None
    applied: dict[int, int] = field(default_factory=dict)  # proposal index → assignment id
    event_id: int | None = None  # a one-event preview: the event it came from
    proposed: int = 0  # how many proposals the finished plan makes

    @property
    def elapsed(self) -> float:
        """Wall-clock seconds since a worker took it (loading included), until it ended."""
        if self.started_at is None:
            return 0.0
        return max(0.0, ((self.finished_at or utcnow()) - self.started_at).total_seconds())

    @property
    def to_review(self) -> int:
        """Proposals neither applied nor yet decided on."""
        return max(0, self.proposed - len(self.applied)) if self.status == DONE else 0

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def proposals(self) -> list[ProposedAssignment]:
        return self.report.assignments if self.report else []


# --- starting ------------------------------------------------------------------------------------


def _payload(
    request: PlanRequest, principal: Principal, scope: str, event_id: int | None = None
) -> dict[str, Any]:
    return {
        **request.as_payload(),
        "scope": scope,
        "started_by": {"user_id": principal.user_id, "name": principal.name or principal.email},
        "event_id": event_id,
    }


def start_plan(
    *, session: Session, principal: Principal, request: PlanRequest, scope: str | None = None
) -> PlanJob:
    """Queue a plan for the background worker (422 for a scope that cannot be planned)."""
    words = scope if scope is not None else service.scope_of(session=session, **request.scope)
    job_id = add_job(session, kind=KIND, payload=_payload(request, principal, words))
    session.commit()
    return get_plan_job(session=session, job_id=job_id)


def plan_now_or_later(
    *, session: Session, principal: Principal, request: PlanRequest
) -> PlanReport | PlanJob:
    """A plan whose time limit is a few seconds at most, made (and written, unless a dry run)
    at once; a longer one queued as a job whose result is a preview to apply."""
    prepared = service.prepare(session=session, **request.scope)
    limit = service.time_limit_for(instance=prepared.instance, requested=request.time_limit)
    if limit <= SYNC_UP_TO_SECONDS:
        return service.plan_prepared(
            session=session,
            actor=principal.actor,
            prepared=prepared,
            time_limit=limit,
            seed=request.seed,
            dry_run=request.dry_run,
            reproducible=request.reproducible,
        )
    session.rollback()  # nothing was changed; the job starts in a transaction of its own
    return start_plan(
        session=session, principal=principal, request=replace(request, time_limit=limit), scope=prepared.scope
    )


def preview_event(*, session: Session, principal: Principal, event_id: int, seed: int = 0) -> PlanJob:
    """A fair team for one event's gaps, planned at once (one event is small) and kept as a
    finished plan job, to review and apply like any other."""
    event = events.get_event(session=session, event_id=event_id)
    if event.status not in OPEN_STATUSES:
        raise Conflict(f"event {event_id} '{event.title}' is {event.status}; nobody can be added to it")
    if event.starts_at <= utcnow():
        raise Conflict(f"event {event_id} '{event.title}' has already started")
    request = PlanRequest(event_ids=(event_id,), seed=seed)
    prepared = service.prepare(session=session, event_ids=[event_id])
    # However long plans may run, this one is answered while the coordinator waits.
    limit = min(service.time_limit_for(instance=prepared.instance, requested=None), SYNC_UP_TO_SECONDS)
    outcome = service.solve(prepared=prepared, time_limit=limit, seed=seed)
    reasons = suggestions.explain(session=session, by_id=prepared.by_id, proposals=outcome.proposals)
    report = service.report(prepared=prepared, outcome=outcome, reasons=reasons)
    payload = _payload(replace(request, time_limit=limit), principal, prepared.scope, event_id=event_id)
    job_id = add_job(
        session, kind=KIND, payload=payload, status=DONE, result=_finished(outcome.tiers, report)
    )
    session.commit()
    return get_plan_job(session=session, job_id=job_id)


# --- reading -------------------------------------------------------------------------------------


def _figures(tiers: list[dict[str, Any]]) -> list[TierFigure]:
    return [
        TierFigure(
            name=str(t["name"]),
            words=review.tier_words(str(t["name"])),
            value=int(t["value"]),
            bound=int(t["bound"]),
            proven=bool(t["proven"]),
        )
        for t in tiers
    ]


def _error(job: Job) -> str:
    """The reason a job failed, in words (a refusal's class name is no help to a person)."""
    text = job.error or ""
    for prefix in ("Invalid: ", "Conflict: ", "NotFound: "):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def _view(job: Job, *, full: bool = True) -> PlanJob:
    assert job.id is not None
    payload = dict(job.payload or {})
    result = dict(job.result or {})
    status, error = job.status, _error(job)
    if status == RUNNING and job.claimed_until is not None and job.claimed_until < utcnow():
        # Its worker died; the next worker's housekeeping will record it, but say so now.
        status, error = FAILED, ABANDONED
    started_by = payload.get("started_by") or {}
    report = review.from_json(result["report"]) if full and status == DONE and result.get("report") else None
    return PlanJob(
        id=job.id,
        status=status,
        stop_requested=job.stop_requested_at is not None,
        stopped=bool(result.get("stopped")),
        scope=str(payload.get("scope") or "a plan"),
        request=PlanRequest.from_payload(payload),
        started_by=str(started_by.get("name") or "someone"),
        started_by_user_id=started_by.get("user_id"),
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        phase=result.get("phase"),
        seconds=result.get("seconds"),
        time_limit=result.get("time_limit", payload.get("time_limit")),
        figures=_figures(result.get("tiers") or []),
        error=error,
        report=report,
        applied={int(k): int(v) for k, v in (result.get("applied") or {}).items()},
        event_id=payload.get("event_id"),
        proposed=int((result.get("report") or {}).get("proposed") or 0),
    )


def get_plan_job(*, session: Session, job_id: int) -> PlanJob:
    """A plan job as it stands (404 for an unknown id or another kind of job)."""
    job = session.get(Job, job_id, populate_existing=True)
    if job is None or job.kind != KIND:
        raise NotFound(f"plan job {job_id} does not exist")
    return _view(job)


# What a list of plans shows, read from the result in the database: a quarter's whole plan
# is megabytes of JSON, and a list of ten must not load ten of them.
_SUMMARY_FIELDS = ("phase", "seconds", "time_limit", "tiers", "stopped", "applied")


def _summaries(session: Session, *conditions: Any, limit: int) -> list[PlanJob]:
    columns = [c for c in JOBS.c if c.name != "result"]
    parts = [JOBS.c.result[name].label(name) for name in _SUMMARY_FIELDS]
    proposed = JOBS.c.result[("report", "proposed")].label("proposed")
    rows = session.execute(
        sa.select(*columns, *parts, proposed)
        .where(JOBS.c.kind == KIND, *conditions)
        .order_by(JOBS.c.created_at.desc(), JOBS.c.id.desc())
        .limit(limit)
    ).mappings()
    views = []
    for row in rows:
        result = {name: row[name] for name in _SUMMARY_FIELDS if row[name] is not None}
        result["report"] = {"proposed": row["proposed"]}
        job = Job(**{c.name: row[c.name] for c in columns}, result=result)
        views.append(_view(job, full=False))
    return views


def recent_plan_jobs(*, session: Session, limit: int = RECENT) -> list[PlanJob]:
    """The latest plan jobs, newest first, without their full results."""
    return _summaries(session, limit=limit)


def plans_to_watch(*, session: Session, days: int = 7, limit: int = 5) -> list[PlanJob]:
    """Period plans of the last few days still running, or done with proposals to review,
    for the dashboard (one event's previews are reviewed where they were made)."""
    since = utcnow() - timedelta(days=days)
    views = _summaries(
        session, JOBS.c.status.in_((QUEUED, RUNNING, DONE)), JOBS.c.created_at >= since, limit=limit * 4
    )
    return [v for v in views if v.event_id is None and (not v.finished or v.to_review)][:limit]


# --- stopping --------------------------------------------------------------------------------


def stop_plan_job(*, session: Session, job_id: int) -> PlanJob:
    """Ask a plan to stop: queued, it never runs; running, it ends soon with the best plan so far."""
    job = get_plan_job(session=session, job_id=job_id)
    if job.finished:
        raise Conflict(f"plan job {job_id} has already ended ({job.status}); there is nothing to stop")
    request_stop(session, job_id=job_id)
    return get_plan_job(session=session, job_id=job_id)


# --- running (the worker's handler) ---------------------------------------------------------------


def _progress(progress: Progress) -> dict[str, Any]:
    return {
        "phase": progress.phase,
        "seconds": round(progress.seconds, 1),
        "time_limit": progress.time_limit,
        "tiers": [asdict(t) for t in progress.tiers],
    }


def _finished(tiers: list[Any], report: PlanReport) -> dict[str, Any]:
    return {
        "phase": "done",
        "seconds": report.seconds,
        "time_limit": report.time_limit,
        "tiers": [{"name": t.name, "value": t.value, "bound": t.bound, "proven": t.proven} for t in tiers],
        "stopped": report.stopped,
        "report": review.to_json(report),
        "applied": {},
    }


class _Pump:
    """Carries the engine's progress to the job's row at most once a second, renews the
    lease meanwhile, and passes a stop asked for on the page or the API to the engine."""

    def __init__(self, context: JobContext, *, time_limit: float) -> None:
        self.context = context
        self.time_limit = time_limit
        self.watch = Watch(report=self._hear)
        self._latest: Progress | None = None
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"plan-job-{context.job_id}", daemon=True)

    def _hear(self, progress: Progress) -> None:
        """Called from the engine's threads: only keeps the latest news."""
        with self._lock:
            self._latest = progress

    def start(self) -> None:
        starting = {"phase": "starting", "seconds": 0.0, "time_limit": self.time_limit, "tiers": []}
        # Also hears a stop asked for while the job waited in the queue.
        if self.context.beat(starting):
            self.watch.stop.set()
        self._thread.start()

    def _run(self) -> None:
        written: Progress | None = None
        renewed = time.monotonic()
        while not self._closed.wait(BEAT_SECONDS):
            try:
                with self._lock:
                    latest = self._latest
                if latest is not None and latest is not written:
                    asked = self.context.beat(_progress(latest))
                    written, renewed = latest, time.monotonic()
                elif time.monotonic() - renewed >= RENEW_SECONDS:
                    asked = self.context.beat()
                    renewed = time.monotonic()
                else:
                    asked = self.context.stop_requested()
                if asked:
                    self.watch.stop.set()
            except Exception:  # the database blinked: the next beat tries again
                log.exception("plan job %s: could not record its progress", self.context.job_id)

    def close(self) -> None:
        self._closed.set()
        self._thread.join()


def run_plan_job(session: Session, payload: dict[str, Any], context: JobContext) -> dict[str, Any]:
    """The worker's handler: make the plan, reporting progress; the result is a preview."""
    request = PlanRequest.from_payload(payload)
    prepared = service.prepare(session=session, **request.scope)
    limit = service.time_limit_for(instance=prepared.instance, requested=request.time_limit)
    session.commit()  # no read transaction is held open while the solver runs
    pump = _Pump(context, time_limit=limit)
    pump.start()
    try:
        outcome = service.solve(
            prepared=prepared,
            time_limit=limit,
            seed=request.seed,
            reproducible=request.reproducible,
            watch=pump.watch,
        )
    finally:
        pump.close()
    reasons = suggestions.explain(session=session, by_id=prepared.by_id, proposals=outcome.proposals)
    report = service.report(prepared=prepared, outcome=outcome, reasons=reasons)
    session.commit()
    return _finished(outcome.tiers, report)
