"""Invitations to sign in, who has never signed in, and "Forgot your password?". Invitations
and password resets are outbox messages (see :mod:`app.notifications.account_messages`); the
link in each is issued when the worker composes it. Sending an invitation again, or revoking
one, ends every earlier unused invitation link at once and drops any earlier invitation not
yet sent; how often anyone is invited, or asks for a reset link, is limited.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app import records
from app.accounts.models import User
from app.accounts.service import get_user, normalise_email
from app.audit import service as audit
from app.audit.service import Actor
from app.clock import to_london, utcnow
from app.errors import Conflict, TooManyRequests
from app.notifications.account_messages import invite_user, request_password_reset
from app.notifications.models import PENDING, ActionLink, OutboxMessage
from app.notifications.outbox import SENDING, SKIPPED
from app.ratelimit.service import Limit, take

INVITATIONS_PER_HOUR = 5
INVITE_LIMIT = Limit(
    "invitation",
    INVITATIONS_PER_HOUR,
    timedelta(hours=1),
    f"This person has been sent {INVITATIONS_PER_HOUR} invitations in the last hour.",
)
FORGOT_BY_ADDRESS = Limit(
    "forgot-password:address",
    10,
    timedelta(minutes=15),
    "Too many requests for password links from this network address.",
)
FORGOT_BY_EMAIL = Limit(
    "forgot-password:email",
    5,
    timedelta(hours=1),
    "Too many requests for password links for this e-mail address.",
)

WAITING, OPEN, USED, ENDED, NOT_INVITED = "waiting", "open", "used", "ended", "not invited"
INVITATION_WORDS = {
    WAITING: "Invitation waiting to be sent",
    OPEN: "Invitation sent; its link works",
    USED: "Invitation used",
    ENDED: "Invitation link expired or revoked",
    NOT_INVITED: "Not invited",
}


@dataclass(frozen=True)
class SignInState:
    user: User
    invitation: str
    open_until: datetime | None = None

    @property
    def never_signed_in(self) -> bool:
        return self.user.last_sign_in_at is None

    @property
    def words(self) -> str:
        return INVITATION_WORDS[self.invitation]

    @property
    def invitation_open(self) -> bool:
        return self.invitation in (WAITING, OPEN)


def _never_signed_in_query() -> Any:
    return select(User).where(col(User.last_sign_in_at).is_(None), col(User.active).is_(True))


def list_users(
    *, session: Session, never_signed_in: bool = False, limit: int, offset: int
) -> tuple[list[User], int]:
    """Users by e-mail; only the active ones who have never signed in, if asked."""
    query = _never_signed_in_query() if never_signed_in else select(User)
    return records.page(session, query.order_by(col(User.email)), limit=limit, offset=offset)


def sign_in_states(session: Session, users: Sequence[User]) -> dict[int, SignInState]:
    """Each user's invitation: waiting in the outbox, sent with a working link, used, ended."""
    ids = [u.id for u in users if u.id is not None]
    now = utcnow()
    waiting: set[int] = set()
    open_until: dict[int, datetime] = {}
    used: set[int] = set()
    for chunk in records.chunks(ids):
        waiting.update(
            int(subject)
            for subject in session.exec(
                select(OutboxMessage.subject_id).where(
                    OutboxMessage.kind == "invitation",
                    col(OutboxMessage.subject_id).in_(chunk),
                    col(OutboxMessage.status).in_((PENDING, SENDING)),
                )
            ).all()
            if subject is not None
        )
        links = session.exec(
            select(ActionLink).where(
                ActionLink.purpose == "invitation", col(ActionLink.subject_id).in_(chunk)
            )
        ).all()
        for link in links:
            if link.used_at is not None:
                used.add(link.subject_id)
            elif link.expires_at > now:
                open_until[link.subject_id] = max(
                    link.expires_at, open_until.get(link.subject_id, link.expires_at)
                )
    states: dict[int, SignInState] = {}
    for user in users:
        assert user.id is not None
        if user.id in waiting:
            state = SignInState(user, WAITING)
        elif user.id in open_until:
            state = SignInState(user, OPEN, open_until[user.id])
        elif user.id in used:
            state = SignInState(user, USED)
        elif user.invited_at is not None:
            state = SignInState(user, ENDED)
        else:
            state = SignInState(user, NOT_INVITED)
        states[user.id] = state
    return states


def never_signed_in(*, session: Session, limit: int, offset: int) -> tuple[list[SignInState], int]:
    rows, total = list_users(session=session, never_signed_in=True, limit=limit, offset=offset)
    states = sign_in_states(session, rows)
    return [states[u.id] for u in rows if u.id is not None], total


def _close_invitations(session: Session, user_id: int, reason: str) -> int:
    """End the user's unused invitation links now, and drop invitations not yet sent."""
    now = utcnow()
    links: Any = session.execute(
        sa.update(ActionLink)
        .where(
            col(ActionLink.purpose) == "invitation",
            col(ActionLink.subject_id) == user_id,
            col(ActionLink.used_at).is_(None),
            col(ActionLink.expires_at) > now,
        )
        .values(expires_at=now)
    )
    waiting: Any = session.execute(
        sa.update(OutboxMessage)
        .where(
            col(OutboxMessage.kind) == "invitation",
            col(OutboxMessage.subject_id) == user_id,
            col(OutboxMessage.status) == PENDING,
        )
        .values(status=SKIPPED, last_error=reason)
    )
    return int(links.rowcount or 0) + int(waiting.rowcount or 0)


def _check_invitable(user: User) -> None:
    if not user.active:
        raise Conflict(f"the sign-in {user.email} is turned off; turn it on before inviting them")
    if user.last_sign_in_at is not None:
        raise Conflict(
            f"{user.email} has signed in already; if they have lost their password, "
            "'Forgot your password?' on the sign-in page sends them a link"
        )


def queue_invitation(session: Session, actor: Actor, user: User, *, replaced: bool = False) -> None:
    """Queue the user's invitation, note when, and audit it (``replaced``: earlier links were
    ended); commits nothing."""
    assert user.id is not None
    invite_user(session, user_id=user.id)
    user.invited_at = utcnow()
    session.add(user)
    earlier = "; the earlier invitation no longer works" if replaced else ""
    audit.note(session, actor, "invite", user, f"invitation to sign in sent to {user.email}{earlier}")


def _invite_again(session: Session, actor: Actor, user: User) -> None:
    """Invite the user, ending their earlier links."""
    assert user.id is not None
    replaced = _close_invitations(session, user.id, "replaced by a newer invitation") > 0
    queue_invitation(session, actor, user, replaced=replaced)


def invite(session: Session, *, actor: Actor, user_id: int) -> SignInState:
    """Send the user an invitation to sign in, or send it again: a new link, and every
    earlier unused one ends. At most :data:`INVITATIONS_PER_HOUR` an hour (429 past it)."""
    user = get_user(session=session, user_id=user_id)
    _check_invitable(user)
    # Counted before anything is written: the count has a transaction of its own.
    take(session, INVITE_LIMIT, f"user:{user_id}")
    _invite_again(session, actor, user)
    session.commit()
    return sign_in_states(session, [user])[user_id]


def revoke_invitation(session: Session, *, actor: Actor, user_id: int) -> SignInState:
    """End every unused invitation link of the user now; the sign-in itself stays."""
    user = get_user(session=session, user_id=user_id)
    closed = _close_invitations(session, user_id, "invitation revoked by an administrator")
    none_open = "" if closed else " (no invitation of theirs was open)"
    audit.note(session, actor, "revoke", user, f"invitation to {user.email} revoked{none_open}")
    session.commit()
    return sign_in_states(session, [user])[user_id]


@dataclass
class BulkInvitations:
    invited: list[User] = field(default_factory=list)
    left: list[tuple[User, str]] = field(default_factory=list)


def invite_never_signed_in(
    session: Session, *, actor: Actor, except_user_id: int | None = None
) -> BulkInvitations:
    """Invite everyone active who has never signed in and has no invitation open; say why
    anyone else was left out."""
    users = [
        u
        for u in session.exec(_never_signed_in_query().order_by(col(User.email))).all()
        if u.id != except_user_id
    ]
    states = sign_in_states(session, users)
    done = BulkInvitations()
    chosen: list[User] = []
    for user in users:
        assert user.id is not None
        state = states[user.id]
        if state.invitation == WAITING:
            done.left.append((user, "an invitation is waiting to be sent"))
            continue
        if state.invitation == OPEN and state.open_until is not None:
            done.left.append((user, f"the link sent already works until {_when(state.open_until)}"))
            continue
        try:
            take(session, INVITE_LIMIT, f"user:{user.id}")
        except TooManyRequests:
            done.left.append((user, f"sent {INVITATIONS_PER_HOUR} invitations in the last hour already"))
            continue
        chosen.append(user)
    for user in chosen:
        _invite_again(session, actor, user)
        done.invited.append(user)
    session.commit()
    return done


def _when(value: datetime) -> str:
    return f"{to_london(value):%-d %b %Y %H:%M}"


# --- forgotten passwords -------------------------------------------------------------------------

FORGOT_ANSWER = (
    "If an account uses that address, we have sent a link to it to choose a new password. "
    "The link works once, for one hour."
)


def forgot_password(session: Session, *, email: str, address: str) -> None:
    """Send a reset link if an active sign-in has this address. The caller answers the same
    whatever happens here, so the page tells nobody who has a sign-in; a burst from one
    network address or for one e-mail address is slowed (429)."""
    take(session, FORGOT_BY_ADDRESS, address or "unknown")
    take(session, FORGOT_BY_EMAIL, normalise_email(email))
    request_password_reset(session, email=email)
    session.commit()
