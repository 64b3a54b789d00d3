"""Signed-in browsers, kept on the server.

The session cookie (signed by ``SessionMiddleware``) carries only a random session id and
the CSRF token; the database keeps the id's SHA-256 with the session's times. So a session
ends for good the moment it is ended here — at sign-out, "sign out everywhere", a password
change, deactivation or an administrator's word — and a copy of the cookie taken before
then opens nothing. Each session also ends after ``MUSTER_SESSION_IDLE_MINUTES`` unused and
``MUSTER_SESSION_MAX_AGE_HOURS`` after sign-in, whichever comes first.
"""

import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from sqlmodel import Session, col, select

from app import records
from app.accounts.models import User, UserSession
from app.accounts.security import token_digest
from app.audit import service as audit
from app.audit.service import Actor
from app.clock import utcnow
from app.config import get_settings
from app.pages.csrf import csrf_token

SESSION_ID_KEY = "sid"
# last_seen_at is written at most this often: a page view is not a database write.
TOUCH_EVERY = timedelta(minutes=1)


def _idle_limit() -> timedelta:
    return timedelta(minutes=get_settings().session_idle_minutes)


def is_live(row: UserSession, now: datetime) -> bool:
    """Not ended, not past its absolute limit, and used within the idle limit."""
    return row.revoked_at is None and now < row.expires_at and now - row.last_seen_at < _idle_limit()


def current_session_hash(request: Request) -> str | None:
    """The hash of this browser's session id, if the cookie carries one."""
    data = request.scope.get("session") or {}
    session_id = data.get(SESSION_ID_KEY)
    if not isinstance(session_id, str) or not 20 <= len(session_id) <= 100:
        return None
    return token_digest(session_id)


def start_session(request: Request, session: Session, user: User) -> None:
    """Sign ``user`` in on this browser: a fresh session id (nothing from the cookie session
    before, such as a planted id or CSRF token, carries over), recorded by its hash, with a
    new CSRF token; commits, and notes the user's last sign-in."""
    assert user.id is not None
    now = utcnow()
    # Signing in again on a browser ends the session it had (whoever it was for).
    old_hash = current_session_hash(request)
    old = session.get(UserSession, old_hash) if old_hash is not None else None
    if old is not None and old.revoked_at is None:
        old.revoked_at = now
        old.revoked_reason = "signed in again"
        session.add(old)
    request.session.clear()
    session_id = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            id_hash=token_digest(session_id),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=get_settings().session_max_age_hours),
            user_agent=request.headers.get("user-agent", "").replace("\x00", "")[:300],
        )
    )
    user.last_sign_in_at = now
    session.add(user)
    session.commit()
    request.session[SESSION_ID_KEY] = session_id
    csrf_token(request)
    request.state.principal = None


def end_session(request: Request, session: Session, reason: str) -> None:
    """Sign this browser out: its session ends on the server (commits) and the cookie
    session is emptied."""
    id_hash = current_session_hash(request)
    if id_hash is not None:
        row = session.get(UserSession, id_hash)
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            row.revoked_reason = reason[:200]
            session.add(row)
            session.commit()
    request.session.clear()
    request.state.principal = None


def end_all_sessions(session: Session, user_id: int, reason: str, *, commit: bool = True) -> int:
    """End every session of a user that has not already ended; how many were still open.

    Commits, unless ``commit=False`` (a larger use case, such as a password change, that
    commits the whole once)."""
    now = utcnow()
    result: Any = session.execute(
        sa.update(UserSession)
        .where(
            col(UserSession.user_id) == user_id,
            col(UserSession.revoked_at).is_(None),
            col(UserSession.expires_at) > now,
        )
        .values(revoked_at=now, revoked_reason=reason[:200])
        .execution_options(synchronize_session=False)
    )
    if commit:
        session.commit()
    return int(result.rowcount or 0)


def sign_out_everywhere(*, session: Session, actor: Actor, user_id: int) -> int:
    """End every session of a user (their own "sign out everywhere", or an administrator's
    word), with an audit entry; how many sessions were open."""
    user = records.get_or_404(session, User, user_id, "user")
    by_self = actor.user_id == user_id
    reason = "signed out everywhere" if by_self else f"signed out by {actor.label}"
    ended = end_all_sessions(session, user_id, reason, commit=False)
    audit.note(session, actor, "sign_out", user, f"{ended} session(s) of {user.email} ended ({reason})")
    session.commit()
    return ended


def user_for_session(request: Request, session: Session) -> User | None:
    """The active user this browser's live session belongs to, or None. A dead session id is
    dropped from the cookie; a live one's last_seen_at is brought up to date (at most once a
    minute, committed at once)."""
    id_hash = current_session_hash(request)
    if id_hash is None:
        return None
    now = utcnow()
    row = session.get(UserSession, id_hash)
    user = session.get(User, row.user_id) if row is not None else None
    if row is None or user is None or not user.active or not is_live(row, now):
        request.scope["session"].pop(SESSION_ID_KEY, None)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
        session.commit()
    return user


def live_sessions(*, session: Session, user_id: int) -> list[UserSession]:
    """A user's sessions that still work, the most recently used first."""
    now = utcnow()
    rows = session.exec(
        select(UserSession)
        .where(
            col(UserSession.user_id) == user_id,
            col(UserSession.revoked_at).is_(None),
            col(UserSession.expires_at) > now,
            col(UserSession.last_seen_at) > now - _idle_limit(),
        )
        .order_by(col(UserSession.last_seen_at).desc())
    ).all()
    return list(rows)
