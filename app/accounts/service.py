"""Users, sign-in and API tokens."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import ApiToken, User, UserVenue
from app.accounts.principal import Principal
from app.accounts.security import hash_password, new_token, token_digest, verify_password
from app.audit import service as audit
from app.audit.service import Actor
from app.clock import utcnow
from app.enums import Role
from app.errors import Conflict, Invalid, NotFound
from app.people.models import Person
from app.venues.models import Venue

MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user(*, session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    return user


def get_by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def venue_ids_of(*, session: Session, user_id: int) -> frozenset[int]:
    rows = session.exec(select(UserVenue.venue_id).where(UserVenue.user_id == user_id)).all()
    return frozenset(rows)


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
    user = User(
        email=email,
        full_name=full_name,
        password_hash=hash_password(password),
        role=role,
        person_id=person_id,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    for venue_id in venue_ids:
        session.add(UserVenue(user_id=user.id, venue_id=venue_id))
    audit.record(
        session=session,
        actor=actor,
        action="create",
        record_type="user",
        record_id=user.id,
        summary=f"user {email} ({role.value}) created",
        after={**audit.snapshot(user), "venue_ids": venue_ids},
    )
    session.commit()
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
    if isinstance(password, str):
        if len(password) < MIN_PASSWORD_LENGTH:
            raise Invalid(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
        user.password_hash = hash_password(password)
        user.session_version += 1
    if "active" in changes and not user.active:
        user.session_version += 1
    if isinstance(venue_ids, list):
        for link in session.exec(select(UserVenue).where(UserVenue.user_id == user_id)).all():
            session.delete(link)
        session.flush()
        for venue_id in new_venue_ids:
            session.add(UserVenue(user_id=user_id, venue_id=venue_id))
    session.add(user)
    audit.record(
        session=session,
        actor=actor,
        action="update",
        record_type="user",
        record_id=user_id,
        summary=f"user {user.email} updated",
        before=before,
        after={**audit.snapshot(user), "venue_ids": new_venue_ids},
    )
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


def create_api_token(*, session: Session, actor: Actor, email: str, name: str = "") -> str:
    """Make a new bearer token for a user; the token itself is shown once and never stored."""
    user = get_by_email(session=session, email=email)
    if user is None:
        raise NotFound(f"no user with e-mail {normalise_email(email)}")
    assert user.id is not None
    token = new_token("mst")
    row = ApiToken(user_id=user.id, name=name[:100], token_hash=token_digest(token))
    session.add(row)
    session.flush()
    assert row.id is not None
    audit.record(
        session=session,
        actor=actor,
        action="create",
        record_type="api_token",
        record_id=row.id,
        summary=f"API token created for {user.email}",
    )
    session.commit()
    return token


def user_for_token(*, session: Session, token: str) -> User | None:
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == token_digest(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return user


def revoke_api_tokens(*, session: Session, actor: Actor, user_id: int) -> int:
    rows = session.exec(
        select(ApiToken).where(ApiToken.user_id == user_id, col(ApiToken.revoked_at).is_(None))
    ).all()
    for row in rows:
        row.revoked_at = utcnow()
        session.add(row)
    audit.record(
        session=session,
        actor=actor,
        action="revoke",
        record_type="user",
        record_id=user_id,
        summary=f"{len(rows)} API token(s) revoked",
    )
    session.commit()
    return len(rows)
