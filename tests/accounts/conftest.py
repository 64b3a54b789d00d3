"""Helpers for the sign-in tests: what the session cookie holds, and moving a session's
clock instead of waiting for it."""

import base64
import json
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.accounts.models import UserSession
from app.accounts.security import token_digest
from app.clock import utcnow

COOKIE = "muster_session"


def cookie_data(client: TestClient) -> dict[str, Any]:
    """The session cookie's contents (signed, not encrypted: readable, not forgeable)."""
    value = client.cookies.get(COOKIE)
    assert value, "no session cookie"
    payload = value.split(".")[0]
    return dict(json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4))))


def session_row(db: Session, client: TestClient) -> UserSession:
    """The server's record of the client's session."""
    db.expire_all()
    row = db.get(UserSession, token_digest(cookie_data(client)["sid"]))
    assert row is not None
    return row


def sessions_of(db: Session, user_id: int | None) -> list[UserSession]:
    db.expire_all()
    return list(db.exec(select(UserSession).where(col(UserSession.user_id) == user_id)).all())


def move_session(db: Session, row: UserSession, **ago: timedelta) -> None:
    """Set the session's times (last_seen_at, expires_at, created_at) to now minus each delta."""
    now = utcnow()
    db.execute(
        sa.update(UserSession)
        .where(col(UserSession.id_hash) == row.id_hash)
        .values(**{name: now - delta for name, delta in ago.items()})
    )
    db.commit()
