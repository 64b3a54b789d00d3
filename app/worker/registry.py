"""Every kind of background job, in one place: periodic tasks and queued jobs by name."""

from datetime import timedelta

from app.interest import jobs as interest_jobs
from app.notifications import scheduling
from app.staffing import jobs as staffing_jobs
from app.worker import maintenance
from app.worker.jobs import Handler, Periodic

PERIODIC: tuple[Periodic, ...] = (
    # Reminders are found by looking ahead each minute, so they follow every change.
    Periodic("notifications.reminders", timedelta(minutes=1), scheduling.schedule_reminders),
    Periodic("notifications.digests", timedelta(minutes=5), scheduling.schedule_digests),
    Periodic("worker.prune", timedelta(days=1), maintenance.prune),
    # Expressions of interest past their retention period (MUSTER_INTEREST_RETENTION_DAYS).
    Periodic("interest.erase_expired", timedelta(days=1), interest_jobs.erase_expired),
)

HANDLERS: dict[str, Handler] = {
    **{task.kind: task.handler for task in PERIODIC},
    # Queued on demand: a staffing plan too long to answer at once (see app/staffing/jobs.py).
    staffing_jobs.KIND: staffing_jobs.run_plan_job,
}

# Jobs that may take minutes: the worker's loop runs them in a lane of their own, so that
# e-mails, reminders and digests keep going while a quarter's plan is solved.
LONG_KINDS: frozenset[str] = frozenset({staffing_jobs.KIND})
