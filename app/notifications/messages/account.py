"""Account messages: an invitation to sign in for the first time, and a link to choose a
new password. Neither can be switched off; each carries one single-use link."""

from datetime import timedelta

from sqlmodel import Session

from app.accounts.models import User
from app.clock import utcnow
from app.enums import Role
from app.notifications import links
from app.notifications.composed import Composed, Skip
from app.notifications.models import OutboxMessage
from app.notifications.render import render_email

RESET_LINK_LIFETIME = timedelta(hours=1)

# What the new user will do in Muster, in their words.
ROLE_WORDS = {
    Role.admin: "look after users and everything the outreach coordinators do",
    Role.coordinator: "plan outreach events, staff them and follow the gaps",
    Role.staff: "see your outreach duties, accept or decline them and say when you are away",
    Role.partner: "see and confirm the events booked at your venue",
}


def _user(session: Session, message: OutboxMessage) -> User:
    user = session.get(User, message.subject_id or 0)
    if user is None:
        raise Skip("the user no longer exists")
    assert user.id is not None
    return user


def _account_message(
    user: User, link: links.IssuedLink, *, kind: str, subject: str, **context: object
) -> Composed:
    """A message with one single-use link, for the user's sign-in: never switched off."""
    text, html = render_email(
        kind, {"user": user, "link": link, "login_url": f"{links.base_url()}/login", **context}
    )
    return Composed(
        kind=kind,
        to_email=user.email,
        to_name=user.full_name,
        subject=subject,
        text=text,
        html=html,
        category=None,
    )


def compose_invitation(session: Session, message: OutboxMessage) -> Composed:
    user = _user(session, message)
    link = links.issue(session, purpose="invitation", subject_id=user.id or 0, recipient=user.email)
    return _account_message(
        user,
        link,
        kind="invitation",
        subject="You have been invited to sign in to Muster",
        role_words=ROLE_WORDS.get(Role(user.role), "plan and staff outreach events"),
    )


def compose_password_reset(session: Session, message: OutboxMessage) -> Composed:
    user = _user(session, message)
    if not user.active:
        raise Skip("the user's sign-in is switched off")
    link = links.issue(
        session,
        purpose="password_reset",
        subject_id=user.id or 0,
        recipient=user.email,
        expires_at=utcnow() + RESET_LINK_LIFETIME,
    )
    return _account_message(user, link, kind="password_reset", subject="Choose a new password for Muster")
