"""Is Muster up? ``/health`` for load balancers and monitors; the worker's details for
administrators."""

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from app.accounts.deps import Admin
from app.api_common import ProblemRoute, problems
from app.db import SessionDep
from app.errors import PROBLEM_MEDIA_TYPE
from app.worker.health import worker_health

log = logging.getLogger("muster.health")

router = APIRouter(tags=["health"], route_class=ProblemRoute)

NO_STORE = {"Cache-Control": "no-store"}


class WorkerSummary(BaseModel):
    queue_length: int
    oldest_due_at: str | None
    last_beat_at: str | None
    workers_alive: int
    failed_messages: int
    jobs_waiting: int


class HealthOut(BaseModel):
    status: str
    database: str
    worker: WorkerSummary


class WorkerHealthOut(BaseModel):
    ok: bool
    last_beat_at: str | None
    workers_alive: int
    queue_length: int
    oldest_due_at: str | None
    failed_messages: int
    jobs_waiting: int
    last_job_finished_at: str | None
    problems: list[str]


@router.get(
    "/health",
    response_model=HealthOut,
    responses={503: {**problems(503)[503], "description": "The database cannot be queried"}},
)
def health(session: SessionDep) -> JSONResponse:
    """200 while the database answers: ``ok``, or ``degraded`` when the background worker
    is stopped, behind, or has messages it could not deliver. 503 when the database does not answer."""
    try:
        report = worker_health(session)
    except SQLAlchemyError as exc:
        log.warning("health check: the database cannot be queried: %s", exc)
        body = {
            "type": "/problems/unavailable",
            "title": "Service unavailable",
            "status": 503,
            "detail": "the database cannot be queried",
            "instance": "/health",
            "database": "unavailable",
        }
        return JSONResponse(
            body, status_code=503, media_type=PROBLEM_MEDIA_TYPE, headers={**NO_STORE, "Retry-After": "5"}
        )
    full = report.as_dict()
    answer = HealthOut(
        status="ok" if report.ok else "degraded",
        database="ok",
        worker=WorkerSummary.model_validate(full),
    )
    return JSONResponse(answer.model_dump(), headers=NO_STORE)


@router.get("/api/v1/worker/health", response_model=WorkerHealthOut)
def read_worker_health(session: SessionDep, _admin: Admin) -> WorkerHealthOut:
    """The background worker in detail: heartbeats, the outbox queue, failed messages,
    waiting jobs, and what is wrong in words."""
    return WorkerHealthOut.model_validate(worker_health(session).as_dict())
