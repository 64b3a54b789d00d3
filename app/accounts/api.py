"""Who am I, my API tokens, and (administrators) the users, their roles, tokens and sessions."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from app.accounts import service
from app.accounts.deps import Admin, AnyUser
from app.accounts.models import ApiToken, User
from app.accounts.sessions import sign_out_everywhere
from app.api_common import (
    Name,
    Page,
    PageParams,
    PathId,
    ProblemRoute,
    RefId,
    ShortText,
    Strict,
)
from app.clock import LondonDateTime, utcnow
from app.db import SessionDep
from app.enums import Role
from app.fields import EmailAddress, Partial, Worded

router = APIRouter(prefix="/api/v1", tags=["accounts"], route_class=ProblemRoute)

Password = Annotated[str, Field(min_length=service.MIN_PASSWORD_LENGTH, max_length=200)]
VenueIds = Annotated[list[RefId], Field(max_length=50)]


class Me(BaseModel):
    id: int
    email: str
    full_name: str
    role: Role
    person_id: int | None
    venue_ids: list[int]


class UserFields(Worded, Strict):
    """What an administrator says about a sign-in, new or changed."""

    role: Role = Field(title="a role")
    full_name: ShortText = Field("", title="their name")
    person_id: RefId | None = Field(None, title="the person this sign-in is for")
    venue_ids: VenueIds = Field([], title="the venues")


class UserCreate(UserFields):
    """A new sign-in (``POST /api/v1/users``, and the administrator's form)."""

    email: EmailAddress = Field(title="the e-mail address")
    password: Password = Field(title="the password")


class UserChanges(UserFields):
    """A changed sign-in, as the administrator's form sends it whole; a PATCH is its partial."""

    password: Password | None = Field(None, title="the password")
    active: bool = Field(True, title="active")


class UserUpdate(Partial[UserChanges]):
    """A change to a sign-in: the fields sent, each with the same rules."""

    NULLABLE = frozenset({"person_id"})


class UserOut(BaseModel):
    id: int
    email: str
    full_name: str
    role: Role
    person_id: int | None
    active: bool
    venue_ids: list[int]
    created_at: LondonDateTime


def _user_out(session: SessionDep, user: User) -> UserOut:
    assert user.id is not None
    venue_ids = sorted(service.venue_ids_of(session=session, user_id=user.id))
    fields = user.model_dump(exclude={"password_hash", "session_version"}, warnings=False)
    return UserOut(**{**fields, "role": Role(user.role)}, venue_ids=venue_ids)


@router.get("/me", response_model=Me, tags=["accounts"])
def me(principal: AnyUser) -> Me:
    """The signed-in user: role, linked person (staff) and venues (partners)."""
    return Me(
        id=principal.user_id,
        email=principal.email,
        full_name=principal.name,
        role=principal.role,
        person_id=principal.person_id,
        venue_ids=sorted(principal.venue_ids),
    )


@router.get("/users", response_model=Page[UserOut])
def list_users(session: SessionDep, _admin: Admin, page: PageParams) -> Page[UserOut]:
    rows, total = service.list_users(session=session, limit=page.limit, offset=page.offset)
    return Page(items=[_user_out(session, u) for u in rows], total=total, **page.model_dump())


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(session: SessionDep, admin: Admin, body: UserCreate) -> UserOut:
    user = service.create_user(session=session, actor=admin.actor, **body.model_dump())
    return _user_out(session, user)


@router.get("/users/{user_id}", response_model=UserOut)
def read_user(session: SessionDep, _admin: Admin, user_id: PathId) -> UserOut:
    return _user_out(session, service.get_user(session=session, user_id=user_id))


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(session: SessionDep, admin: Admin, user_id: PathId, body: UserUpdate) -> UserOut:
    user = service.update_user(session=session, actor=admin.actor, user_id=user_id, changes=body.changes())
    return _user_out(session, user)


# --- API tokens ------------------------------------------------------------------------------


class TokenCreate(Strict):
    name: Annotated[Name, Field(max_length=100, description="What the token is for, to recognise it later")]
    expires_in_days: Annotated[
        int | None,
        Field(
            ge=1, le=service.TOKEN_MAX_DAYS, description="How long it works (default 90 days, at most 365)"
        ),
    ] = None


class TokenOut(BaseModel):
    id: int
    user_id: int
    name: str
    state: str = Field(description="active, expired or revoked")
    created_at: LondonDateTime
    expires_at: LondonDateTime
    last_used_at: LondonDateTime | None
    revoked_at: LondonDateTime | None


class NewToken(TokenOut):
    token: str = Field(description="The token itself: shown this once, never stored, never shown again")


def _token_out(row: ApiToken, now: datetime) -> TokenOut:
    assert row.id is not None
    return TokenOut(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        state=service.token_state(row, now),
        created_at=row.created_at,
        expires_at=service.token_expiry(row),
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


@router.get("/me/tokens", response_model=list[TokenOut])
def my_tokens(session: SessionDep, principal: AnyUser) -> list[TokenOut]:
    """Your API tokens, newest first, with when each expires and was last used."""
    now = utcnow()
    return [_token_out(t, now) for t in service.list_api_tokens(session=session, user_id=principal.user_id)]


@router.post("/me/tokens", response_model=NewToken, status_code=201)
def create_my_token(request: Request, session: SessionDep, principal: AnyUser, body: TokenCreate) -> NewToken:
    """Make an API token for yourself; the answer carries the token, shown this once.

    A token made with a token works no longer than the token that made it, so a token
    that leaks cannot be renewed past its own expiry."""
    caller: ApiToken | None = getattr(request.state, "api_token", None)
    row, token = service.issue_api_token(
        session=session,
        actor=principal.actor,
        user_id=principal.user_id,
        name=body.name,
        expires_in_days=body.expires_in_days,
        not_after=service.token_expiry(caller) if caller is not None else None,
    )
    return NewToken(**_token_out(row, utcnow()).model_dump(), token=token)


@router.delete("/me/tokens/{token_id}", status_code=204)
def revoke_my_token(session: SessionDep, principal: AnyUser, token_id: PathId) -> Response:
    """Revoke one of your tokens: it stops working at once."""
    service.revoke_api_token(
        session=session, actor=principal.actor, token_id=token_id, owner_id=principal.user_id
    )
    return Response(status_code=204)


@router.get("/users/{user_id}/tokens", response_model=list[TokenOut])
def user_tokens(session: SessionDep, _admin: Admin, user_id: PathId) -> list[TokenOut]:
    service.get_user(session=session, user_id=user_id)
    now = utcnow()
    return [_token_out(t, now) for t in service.list_api_tokens(session=session, user_id=user_id)]


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(session: SessionDep, admin: Admin, token_id: PathId) -> Response:
    """Revoke anyone's token (administrators): it stops working at once."""
    service.revoke_api_token(session=session, actor=admin.actor, token_id=token_id)
    return Response(status_code=204)


class SessionsEnded(BaseModel):
    ended: int = Field(description="How many signed-in browsers were signed out")


@router.post("/users/{user_id}/sessions/revoke", response_model=SessionsEnded)
def revoke_user_sessions(session: SessionDep, admin: Admin, user_id: PathId) -> SessionsEnded:
    """Sign a user out of every browser at once (their API tokens are not touched)."""
    return SessionsEnded(ended=sign_out_everywhere(session=session, actor=admin.actor, user_id=user_id))
