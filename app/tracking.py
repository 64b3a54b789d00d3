"""The hooks that must see every write, installed where the app, the worker and the CLI start.

Feeds' change counters and the notifications' outbox rows are written by SQLAlchemy session
hooks in the same transaction as the change; a process that writes without them would leave
calendars stale and people untold, so each entry point installs them explicitly.
"""

from app.feeds import changes as feed_changes
from app.notifications import triggers as notification_triggers


def install() -> None:
    """Register every change-tracking hook on all sessions (idempotent)."""
    feed_changes.install()
    notification_triggers.install()
