"""Asking for account messages: an invitation to a new user, a password-reset link.

Both add an outbox row in the caller's transaction (the caller commits), so a sign-in
created and its invitation stand or fall together. Each request is its own topic: two
invitations are two messages, never merged into one.
"""

import uuid
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.clock import utcnow
from app.errors import NotFound
from app.notifications.models import OutboxMessage
from app.notifications.outbox import Wanted, enqueue
from app.notifications.preferences import normalise

# Enough for a mistyped password or a lost e-mail; more would let anyone flood a mailbox.
RESETS_PER_HOUR = 3


def invite_user(session: Session, *, user_id: int) -> None:
    """Send the user a link to set their password and sign in."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    enqueue(
        session,
        [
            Wanted(
                topic=f"account:invitation:{user_id}:{uuid.uuid4().hex}",
                kind="invitation",
                subject_id=user_id,
                recipient=user.email,
            )
        ],
    )


def request_password_reset(session: Session, *, email: str) -> None:
    """Send a reset link if an active user has this address; otherwise do nothing, and say
    nothing, so the page that asks cannot be used to find out who has a sign-in."""
    user = session.exec(
        select(User).where(User.email == normalise(email), col(User.active).is_(True))
    ).first()
    if user is None or user.id is None:
        return
    recent = session.exec(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.kind == "password_reset",
            OutboxMessage.subject_id == user.id,
            OutboxMessage.created_at > utcnow() - timedelta(hours=1),
        )
    ).one()
    if recent >= RESETS_PER_HOUR:
        return
    enqueue(
        session,
        [
            Wanted(
                topic=f"account:password_reset:{user.id}:{uuid.uuid4().hex}",
                kind="password_reset",
                subject_id=user.id,
                recipient=user.email,
            )
        ],
    )
