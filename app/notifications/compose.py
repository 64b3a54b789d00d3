"""What a message says: each kind of message turns an outbox row into an e-mail, from the
database as it is when the message is sent.

A composer returns a :class:`Composed` message, or raises :class:`Skip` with the reason
there is nothing to send (the change was undone, the person opted out of that kind, there
is no address). Preferences are checked here, once, for every kind.
"""

from sqlmodel import Session

from app.notifications.composed import Composed, Composer, Skip, muted_reason
from app.notifications.messages import account, booking, digest, duty, reminder
from app.notifications.models import OutboxMessage
from app.notifications.preferences import is_muted


def _composers() -> dict[str, Composer]:
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
