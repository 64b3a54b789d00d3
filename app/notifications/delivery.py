"""One worker's turn at the outbox: claim due messages, compose, send, record."""

import logging
import time
from collections import deque
from dataclasses import dataclass
from email.utils import formataddr

from sqlmodel import Session

from app.clock import utcnow
from app.config import get_settings
from app.notifications import outbox
from app.notifications.compose import compose
from app.notifications.composed import Composed, Skip
from app.notifications.links import base_url
from app.notifications.mime import build_mime
from app.notifications.models import OutboxMessage
from app.notifications.preferences import unsubscribe_token
from app.notifications.smtp import Mailer, PermanentFailure, TemporaryFailure

log = logging.getLogger("muster.worker")


@dataclass
class Delivered:
    claimed: int = 0
    sent: int = 0
    held: int = 0
    skipped: int = 0
    failed: int = 0
    retrying: int = 0


def _fill(message: OutboxMessage, composed: Composed) -> None:
    message.sent_kind = composed.kind
    message.recipient = composed.to_email.strip()
    message.to_address = formataddr((composed.to_name, composed.to_email.strip()))
    message.mail_subject = composed.subject[:300]
    message.body_text = composed.text
    message.body_html = composed.html
    message.calendar = composed.calendar
    message.calendar_method = composed.calendar_method
    message.state = composed.state
    headers: dict[str, str] = {}
    if composed.category is not None:
        # RFC 8058 one-click: mail programs POST to this address, no page in between.
        url = f"{base_url()}/notifications/unsubscribe/{unsubscribe_token(composed.to_email, composed.category)}"
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.headers = headers
    message.composed_at = utcnow()


def _compose_all(
    session: Session, messages: list[OutboxMessage], worker_id: str, done: Delivered
) -> list[OutboxMessage]:
    """Compose the claimed messages and save what each says before any is sent: a message
    sent again after a crash is the one composed. The batch is saved in one commit, written
    at the end (nothing is flushed while composing, so SQLite's write lock is held only for
    that commit). A message with nothing to send, or whose composer fails, is recorded on
    its own; the messages composed before it, undone with it, are composed again and from
    then on each is saved as it is composed."""
    todo = deque(messages)
    unsaved: list[OutboxMessage] = []
    saved: set[int] = set()
    one_by_one = False
    while todo:
        message = todo.popleft()
        if message.composed_at is not None:
            # Claimed again after a worker died mid-send: the same message, as composed.
            saved.add(id(message))
            continue
        try:
            with session.no_autoflush:
                composed = compose(session, message)
                _fill(message, composed)
                session.add(message)
        except Exception as exc:
            session.rollback()
            todo.extendleft(reversed(unsaved))
            unsaved.clear()
            one_by_one = True
            if isinstance(exc, Skip):
                outbox.record_skipped(session, message, worker_id=worker_id, reason=exc.reason)
                done.skipped += 1
                continue
            # A bug in a composer must not stop every other message.
            log.exception("composing outbox message %s failed", message.id)
            outbox.record_failure(
                session,
                message,
                worker_id=worker_id,
                error=f"could not compose the message: {exc!r}",
                permanent=True,
            )
            done.failed += 1
            continue
        unsaved.append(message)
        if one_by_one:
            session.commit()
            saved.update(id(m) for m in unsaved)
            unsaved.clear()
    session.commit()
    saved.update(id(m) for m in unsaved)
    return [m for m in messages if id(m) in saved]


def deliver_batch(session: Session, *, worker_id: str, limit: int = 50) -> Delivered:
    """Claim up to ``limit`` due messages and deal with each; how many went where."""
    done = Delivered()
    messages = outbox.claim(session, worker_id=worker_id, limit=limit)
    done.claimed = len(messages)
    if not messages:
        return done
    poisoned = [m for m in messages if outbox.abandoned_too_often(m)]
    for message in poisoned:
        outbox.give_up(session, message, worker_id=worker_id)
        done.failed += 1
    messages = [m for m in messages if m not in poisoned]
    ready = _compose_all(session, messages, worker_id, done)
    smtp_url = get_settings().smtp_url
    if not smtp_url:
        for message in ready:
            outbox.record_sent(session, message, worker_id=worker_id, held=True)
            done.held += 1
        return done
    renewed_at = time.monotonic()
    with Mailer(smtp_url) as mailer:
        for index, message in enumerate(ready):
            if time.monotonic() - renewed_at > outbox.LEASE.total_seconds() / 2:
                outbox.renew(session, ready[index:], worker_id=worker_id)
                renewed_at = time.monotonic()
            try:
                mailer.send(build_mime(message), recipient=message.recipient)
            except PermanentFailure as exc:
                outbox.record_failure(session, message, worker_id=worker_id, error=str(exc), permanent=True)
                done.failed += 1
                continue
            except TemporaryFailure as exc:
                outbox.record_failure(session, message, worker_id=worker_id, error=str(exc))
                done.retrying += 1
                if not mailer.connected:
                    rest = ready[index + 1 :]
                    outbox.release(session, rest, worker_id=worker_id, error=str(exc))
                    done.retrying += len(rest)
                    log.warning("mail server unreachable, %d message(s) wait: %s", len(rest) + 1, exc)
                    break
                continue
            outbox.record_sent(session, message, worker_id=worker_id)
            done.sent += 1
    return done
