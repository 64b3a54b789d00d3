"""Every kind of background job, in one place: periodic tasks and queued jobs by name."""

from datetime import timedelta

from app.notifications import scheduling
from app.worker import maintenance
from app.worker.jobs import Handler, Periodic

PERIODIC: tuple[Periodic, ...] = (
    # Reminders are found by looking ahead each minute, so they follow every change.
    Periodic("notifications.reminders", timedelta(minutes=1), scheduling.schedule_reminders),
    Periodic("notifications.digests", timedelta(minutes=5), scheduling.schedule_digests),
    Periodic("worker.prune", timedelta(days=1), maintenance.prune),
)

HANDLERS: dict[str, Handler] = {task.kind: task.handler for task in PERIODIC}
