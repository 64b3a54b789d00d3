"""A composed message, or the reason there is none: what every composer returns or raises."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from app.notifications.models import OutboxMessage


class Skip(Exception):
    """Nothing to send for this row; the reason is kept on the outbox page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Composed:
    kind: str
    to_email: str
    to_name: str
    subject: str
    text: str
    html: str
    # The preference a one-click unsubscribe turns off; None for messages that cannot be
    # switched off (duty cancellations, account messages).
    category: str | None
    calendar: str = ""
    calendar_method: str = ""
    state: dict[str, Any] = field(default_factory=dict)


Composer = Callable[[Session, OutboxMessage], Composed]


def muted_reason(category: str) -> str:
    """The reason kept on a message not sent because its kind was switched off (the
    booking messages read it back: a muted partner still knew of the booking)."""
    return f"the recipient switched off '{category}' messages"
