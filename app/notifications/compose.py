"""What a message says: each kind of message turns an outbox row into an e-mail, from the
database as it is when the message is sent.

A composer returns a :class:`Composed` message, or raises :class:`Skip` with the reason
there is nothing to send (the change was undone, the person opted out of that kind, there
is no address). Preferences are checked here, once, for every kind.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from app.notifications.models import OutboxMessage
from app.notifications.preferences import is_muted


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


def _composers() -> dict[str, Composer]:
    from app.notifications.messages import account, booking, digest, duty, reminder

    return {
        "duty": duty.compose,
        "booking": booking.compose,
        "reminder": reminder.compose,
        "digest": digest.compose,
        "invitation": account.compose_invitation,
        "password_reset": account.compose_password_reset,
    }


def compose(session: Session, message: OutboxMessage) -> Composed:
    composer = _composers().get(message.kind)
    if composer is None:
        raise Skip(f"no composer for messages of kind '{message.kind}'")
    composed = composer(session, message)
    if not composed.to_email or "@" not in composed.to_email:
        raise Skip("no e-mail address")
    if composed.category is not None and is_muted(session, composed.to_email, composed.category):
        raise Skip(muted_reason(composed.category))
    return composed
