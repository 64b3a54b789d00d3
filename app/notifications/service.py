"""The administrators' view of the outbox: list, read and send again.

The other things the notification pages and API do have their own modules: the user's
e-mail choices and the one-click unsubscribe (``choices``), and the links in messages
(``respond``). Routes parse and render; every query and every change is in these modules.
"""

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.audit.service import Actor
from app.errors import Conflict, NotFound
from app.notifications import outbox
from app.notifications.models import PENDING, OutboxMessage

# Answering a link was done here before it had its own module; callers may still say so.
from app.notifications.respond import act as act
from app.notifications.respond import land as land


def list_messages(
    *, session: Session, status: str | None = None, search: str = "", limit: int, offset: int
) -> tuple[list[OutboxMessage], int]:
    """Messages newest first, of one status and/or to addresses containing ``search``."""
    query = select(OutboxMessage)
    if status:
        query = query.where(OutboxMessage.status == status)
    search = search.strip().lower()
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            sa.or_(
                func.lower(col(OutboxMessage.recipient)).like(pattern, escape="\\"),
                func.lower(col(OutboxMessage.to_address)).like(pattern, escape="\\"),
            )
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), int(total)


def status_counts(*, session: Session) -> dict[str, int]:
    """How many messages have each status (every status listed, 0 when none)."""
    rows = session.exec(select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))).all()
    found = {status: int(count) for status, count in rows}
    return {status: found.get(status, 0) for status in outbox.STATUSES}


def get_message(*, session: Session, message_id: int) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(f"outbox message {message_id} does not exist")
    return message


def waiting_on_topic(*, session: Session, message: OutboxMessage) -> OutboxMessage | None:
    """Another message about the same topic, waiting to be sent (at most one can be)."""
    return session.exec(
        select(OutboxMessage).where(
            OutboxMessage.topic == message.topic,
            OutboxMessage.status == PENDING,
            OutboxMessage.id != message.id,
        )
    ).first()


def _already_waiting(message_id: int, waiting_id: int | None) -> Conflict:
    which = f" (message {waiting_id})" if waiting_id else ""
    return Conflict(
        f"a newer message about the same thing is already waiting to be sent{which}; it will say "
        f"the latest, so message {message_id} is not sent again"
    )


def retry_message(*, session: Session, actor: Actor, message_id: int) -> OutboxMessage:
    """Send a failed message again, composed afresh from the state now."""
    message = get_message(session=session, message_id=message_id)
    if message.status != outbox.FAILED:
        raise Conflict(f"message {message_id} is {message.status}; only failed messages are sent again")
    waiting = waiting_on_topic(session=session, message=message)
    if waiting is not None:
        raise _already_waiting(message_id, waiting.id)
    before = {"status": message.status, "attempts": message.attempts, "last_error": message.last_error}
    retried = outbox.retry(session, message_id)
    assert retried is not None
    audit.note(
        session,
        actor,
        "retry",
        message,
        f"message to {message.recipient or message.to_address or 'nobody yet'} sent again",
        before=before,
        after={"status": retried.status, "attempts": retried.attempts, "last_error": retried.last_error},
    )
    try:
        session.commit()
    except IntegrityError:
        # Another message about the topic was added between the check and the commit.
        session.rollback()
        raise _already_waiting(message_id, None) from None
    return retried
