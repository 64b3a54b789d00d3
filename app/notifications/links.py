"""Single-use, expiring links in messages: accept or decline a duty, answer a booking,
set a password. The token is shown once, in the message; only its SHA-256 is stored."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.accounts.security import new_token, token_digest
from app.clock import utcnow
from app.config import get_settings
from app.errors import AppError, NotFound
from app.notifications.models import ActionLink

# What each link does, in the words its landing page uses.
PURPOSES = {
    "duty_accept": "accept a duty",
    "duty_decline": "decline a duty",
    "booking_confirm": "confirm a booking",
    "booking_decline": "decline a booking",
    "invitation": "set your password and sign in",
    "password_reset": "choose a new password",
}


class LinkGone(AppError, status=410, title="Link no longer works", slug="link-gone"):
    """A link that was used already or has expired: 410, with what to do instead."""


@dataclass(frozen=True)
class IssuedLink:
    url: str
    expires_at: datetime


def base_url() -> str:
    return get_settings().base_url.rstrip("/")


def issue(
    session: Session, *, purpose: str, subject_id: int, recipient: str, expires_at: datetime | None = None
) -> IssuedLink:
    """A new link, added to the caller's transaction."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown link purpose {purpose}")
    limit = utcnow() + timedelta(days=get_settings().action_link_days)
    expires = min(expires_at, limit) if expires_at is not None else limit
    token = new_token("lnk")
    session.add(
        ActionLink(
            token_hash=token_digest(token),
            purpose=purpose,
            subject_id=subject_id,
            recipient=recipient,
            expires_at=expires,
        )
    )
    return IssuedLink(url=f"{base_url()}/respond/{token}", expires_at=expires)


def find(session: Session, token: str) -> ActionLink:
    """The link behind a token, if it still works; LinkGone (410) or 404 otherwise."""
    if not token.startswith("lnk_") or len(token) > 100:
        raise NotFound("this link is not one of Muster's (check it was copied whole)")
    link = session.exec(select(ActionLink).where(ActionLink.token_hash == token_digest(token))).first()
    if link is None:
        raise NotFound("this link is not one of Muster's (check it was copied whole)")
    if link.used_at is not None:
        raise LinkGone("this link has been used already; each link in a message works once")
    if link.expires_at <= utcnow():
        raise LinkGone("this link has expired")
    return link


def use(session: Session, link: ActionLink) -> None:
    """Mark the link used, in the caller's transaction (with the change it makes)."""
    link.used_at = utcnow()
    session.add(link)
