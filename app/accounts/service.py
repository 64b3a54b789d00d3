"""Users, sign-in and API tokens."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app import records
from app.accounts.models import ApiToken, User, UserVenue
from app.accounts.principal import Principal
from app.accounts.security import hash_password, new_token, token_digest, verify_password
from app.accounts.sessions import end_all_sessions
from app.audit import service as audit
from app.audit.service import Actor
from app.clock import to_london, utcnow
from app.config import get_settings
from app.enums import Role
from app.errors import Conflict, Invalid, NotFound, Unauthorized
from app.people.models import Person
from app.venues.models import Venue

MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user(*, session: Session, user_id: int) -> User:
    return records.get_or_404(session, User, user_id, "user")


def get_by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def venue_ids_of(*, session: Session, user_id: int) -> frozenset[int]:
    rows = session.exec(select(UserVenue.venue_id).where(UserVenue.user_id == user_id)).all()
    return frozenset(rows)


def user_of_person(*, session: Session, person_id: int) -> User | None:
    """The sign-in linked to a person, if they have one."""
    return session.exec(select(User).where(User.person_id == person_id)).first()


def venue_names_by_user(*, session: Session, user_ids: list[int]) -> dict[int, list[str]]:
    """The names of the venues each partner speaks for, in one query."""
    if not user_ids:
        return {}
    rows = session.exec(
        select(UserVenue.user_id, Venue.name)
        .join(Venue, col(Venue.id) == UserVenue.venue_id)
        .where(col(UserVenue.user_id).in_(user_ids))
        .order_by(col(Venue.name))
    ).all()
    names: dict[int, list[str]] = {}
    for user_id, name in rows:
        names.setdefault(user_id, []).append(name)
    return names


def principal_for(*, session: Session, user: User) -> Principal:
    assert user.id is not None
    venue_ids = venue_ids_of(session=session, user_id=user.id) if user.role == Role.partner else frozenset()
    return Principal(
        user_id=user.id,
        email=user.email,
        role=Role(user.role),
        name=user.full_name,
        person_id=user.person_id,
        venue_ids=venue_ids,
    )


def _check_links(*, session: Session, role: Role, person_id: int | None, venue_ids: list[int]) -> None:
    if person_id is not None and session.get(Person, person_id) is None:
        raise Invalid(f"person {person_id} does not exist")
    if role == Role.staff and person_id is None:
        raise Invalid("a staff user must be linked to a person (person_id)")
    for venue_id in venue_ids:
        if session.get(Venue, venue_id) is None:
            raise Invalid(f"venue {venue_id} does not exist")
    if role == Role.partner and not venue_ids:
        raise Invalid("a partner user must be linked to at least one venue (venue_ids)")
    if role != Role.partner and venue_ids:
        raise Invalid("only partner users are linked to venues")


def create_user(
    *,
    session: Session,
    actor: Actor,
    email: str,
    password: str,
    role: Role,
    full_name: str = "",
    person_id: int | None = None,
    venue_ids: list[int] | None = None,
) -> User:
    """Create a sign-in for someone; staff link to their person, partners to their venues."""
    email = normalise_email(email)
    if "@" not in email:
        raise Invalid(f"'{email}' is not an e-mail address")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if get_by_email(session=session, email=email) is not None:
        raise Conflict(f"a user with e-mail {email} already exists")
    venue_ids = sorted(set(venue_ids or []))
    _check_links(session=session, role=role, person_id=person_id, venue_ids=venue_ids)
    if person_id is not None:
        taken = session.exec(select(User).where(User.person_id == person_id)).first()
        if taken is not None:
            raise Conflict(f"person {person_id} already has a sign-in ({taken.email})")
    user = add_user(
        session=session,
        actor=actor,
        email=email,
        full_name=full_name,
        password_hash=hash_password(password),
        role=role,
        person_id=person_id,
        venue_ids=venue_ids,
    )
    session.commit()
    return user


def add_user(
    *,
    session: Session,
    actor: Actor,
    email: str,
    password_hash: str,
    role: Role,
    full_name: str = "",
    person_id: int | None = None,
    venue_ids: Sequence[int] = (),
    source: str = "",
) -> User:
    """Add a user row, its venue links and its audit entry to the session, checking nothing
    and committing nothing: the caller has checked the e-mail (normalised), the links and
    that the person has no sign-in yet. ``source`` (such as "imported from people.csv") is
    added to the audit summary in brackets."""
    user = User(
        email=email,
        full_name=full_name,
        password_hash=password_hash,
        role=role,
        person_id=person_id,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    for venue_id in venue_ids:
        session.add(UserVenue(user_id=user.id, venue_id=venue_id))
    from_where = f" ({source})" if source else ""
    after = {**audit.snapshot(user), "venue_ids": list(venue_ids)}
    audit.note(
        session, actor, "create", user, f"user {email} ({role.value}) created{from_where}", after=after
    )
    return user


def update_user(
    *,
    session: Session,
    actor: Actor,
    user_id: int,
    changes: dict[str, object],
) -> User:
    user = get_user(session=session, user_id=user_id)
    before = {
        **audit.snapshot(user),
        "venue_ids": sorted(venue_ids_of(session=session, user_id=user_id)),
    }
    venue_ids = changes.pop("venue_ids", None)
    password = changes.pop("password", None)
    for key, value in changes.items():
        setattr(user, key, value)
    role = Role(user.role)
    new_venue_ids = sorted(set(venue_ids)) if isinstance(venue_ids, list) else before["venue_ids"]
    _check_links(session=session, role=role, person_id=user.person_id, venue_ids=new_venue_ids)
    # A new password or a deactivation ends every session and revokes every API token at
    # once; reactivating a user later revives none of them.
    reason = ""
    if isinstance(password, str):
        if len(password) < MIN_PASSWORD_LENGTH:
            raise Invalid(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
        user.password_hash = hash_password(password)
        user.session_version += 1
        reason = "password changed"
    if "active" in changes and not user.active:
        user.session_version += 1
        reason = "deactivated"
    if isinstance(venue_ids, list):
        for link in session.exec(select(UserVenue).where(UserVenue.user_id == user_id)).all():
            session.delete(link)
        session.flush()
        for venue_id in new_venue_ids:
            session.add(UserVenue(user_id=user_id, venue_id=venue_id))
    session.add(user)
    summary = f"user {user.email} updated"
    if reason:
        ended = end_all_sessions(session, user_id, reason, commit=False)
        revoked = _revoke_tokens(session=session, user_id=user_id)
        if ended or revoked or before["active"] or password is not None:
            summary += f" ({reason}: {ended} session(s) ended, {revoked} API token(s) revoked)"
    after = {**audit.snapshot(user), "venue_ids": new_venue_ids}
    audit.note(session, actor, "update", user, summary, before=before, after=after)
    session.commit()
    return user


def list_users(*, session: Session, limit: int, offset: int) -> tuple[list[User], int]:
    total = session.exec(select(func.count()).select_from(User)).one()
    rows = session.exec(select(User).order_by(col(User.email)).offset(offset).limit(limit)).all()
    return list(rows), int(total)


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same time either way)."""
    user = get_by_email(session=session, email=email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        return None
    return user


# --- API tokens --------------------------------------------------------------------------

TOKEN_MAX_DAYS = 365
# Tokens made before tokens had an expiry last the longest a new one may.
LEGACY_TOKEN_DAYS = TOKEN_MAX_DAYS
# last_used_at is written at most this often: an API call is not a database write.
TOKEN_TOUCH_EVERY = timedelta(minutes=1)

ACTIVE, EXPIRED, REVOKED = "active", "expired", "revoked"


def token_expiry(row: ApiToken) -> datetime:
    return row.expires_at or row.created_at + timedelta(days=LEGACY_TOKEN_DAYS)


def token_state(row: ApiToken, now: datetime | None = None) -> str:
    if row.revoked_at is not None:
        return REVOKED
    if (now or utcnow()) >= token_expiry(row):
        return EXPIRED
    return ACTIVE


def _when(value: datetime) -> str:
    return to_london(value).strftime("%-d %B %Y at %H:%M (London time)")


def issue_api_token(
    *,
    session: Session,
    actor: Actor,
    user_id: int,
    name: str = "",
    expires_in_days: int | None = None,
    not_after: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Make a new bearer token for a user: the record, and the token itself, which is shown
    once and never stored (only its SHA-256 is). It lasts ``expires_in_days`` (the
    configured default when None; 1 to 365), and never beyond ``not_after``."""
    user = get_user(session=session, user_id=user_id)
    if not user.active:
        raise Invalid(f"{user.email} is deactivated: a deactivated user cannot have API tokens")
    days = get_settings().api_token_days if expires_in_days is None else expires_in_days
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise Invalid(f"an API token lasts from 1 to {TOKEN_MAX_DAYS} days, not {days}")
    name = " ".join(name.split())[:100]
    now = utcnow()
    expires_at = now + timedelta(days=days)
    if not_after is not None and not_after < expires_at:
        expires_at = not_after
    token = new_token("mst")
    row = ApiToken(
        user_id=user_id, name=name, token_hash=token_digest(token), created_at=now, expires_at=expires_at
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    summary = f"API token {name or row.id!r} created for {user.email}, expires {_when(expires_at)}"
    audit.note(session, actor, "create", row, summary)
    session.commit()
    return row, token


def create_api_token(
    *, session: Session, actor: Actor, email: str, name: str = "", expires_in_days: int | None = None
) -> str:
    """Make a new bearer token for the user with this e-mail; returns the token itself."""
    user = get_by_email(session=session, email=email)
    if user is None:
        raise NotFound(f"no user with e-mail {normalise_email(email)}")
    assert user.id is not None
    _row, token = issue_api_token(
        session=session, actor=actor, user_id=user.id, name=name, expires_in_days=expires_in_days
    )
    return token


def authenticate_token(*, session: Session, token: str) -> tuple[User, ApiToken]:
    """The user a bearer token speaks for, and its record; Unauthorized saying why not
    (unknown, revoked, expired, user deactivated). Notes when it was last used (at most
    once a minute, committed at once)."""
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == token_digest(token))).first()
    if row is None:
        raise Unauthorized("the API token is not known: check that it was copied whole")
    now = utcnow()
    state = token_state(row, now)
    if state == REVOKED:
        assert row.revoked_at is not None
        raise Unauthorized(f"the API token was revoked on {_when(row.revoked_at)}; make a new one")
    if state == EXPIRED:
        raise Unauthorized(f"the API token expired on {_when(token_expiry(row))}; make a new one")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise Unauthorized("the API token belongs to a deactivated user")
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_TOUCH_EVERY:
        row.last_used_at = now
        session.add(row)
        session.commit()
    return user, row


def list_api_tokens(*, session: Session, user_id: int) -> list[ApiToken]:
    """A user's tokens, newest first: active, expired and revoked alike."""
    rows = session.exec(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(col(ApiToken.id).desc())
    ).all()
    return list(rows)


def revoke_api_token(
    *, session: Session, actor: Actor, token_id: int, owner_id: int | None = None
) -> ApiToken:
    """Revoke one token (at once; revoking a revoked token changes nothing). With
    ``owner_id``, only that user's token: anyone else's reads as missing."""
    row = session.get(ApiToken, token_id)
    if row is None or (owner_id is not None and row.user_id != owner_id):
        raise NotFound(f"API token {token_id} does not exist")
    if row.revoked_at is not None:
        return row
    row.revoked_at = utcnow()
    session.add(row)
    user = session.get(User, row.user_id)
    owner = user.email if user else row.user_id
    audit.note(session, actor, "revoke", row, f"API token {row.name or token_id!r} of {owner} revoked")
    session.commit()
    return row


def _revoke_tokens(*, session: Session, user_id: int) -> int:
    rows = session.exec(
        select(ApiToken).where(ApiToken.user_id == user_id, col(ApiToken.revoked_at).is_(None))
    ).all()
    now = utcnow()
    for row in rows:
        row.revoked_at = now
        session.add(row)
    return len(rows)


def revoke_api_tokens(*, session: Session, actor: Actor, user_id: int) -> int:
    """Revoke every token of a user; how many were not revoked already."""
    user = get_user(session=session, user_id=user_id)
    count = _revoke_tokens(session=session, user_id=user_id)
    audit.note(session, actor, "revoke", user, f"{count} API token(s) revoked")
    session.commit()
    return count
