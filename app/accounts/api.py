"""Who am I, and (administrators) the users and their roles."""

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.accounts import service
from app.accounts.deps import Admin, AnyUser
from app.accounts.models import User
from app.api_common import Email, Page, PageParams, Patch, PathId, RefId, ShortText, Strict
from app.clock import LondonDateTime
from app.db import SessionDep
from app.enums import Role

router = APIRouter(prefix="/api/v1", tags=["accounts"])

Password = Annotated[str, Field(min_length=10, max_length=200)]
VenueIds = Annotated[list[RefId], Field(max_length=50)]


class Me(BaseModel):
    id: int
    email: str
    full_name: str
    role: Role
    person_id: int | None
    venue_ids: list[int]


class UserCreate(Strict):
    email: Email
    password: Password
    role: Role
    full_name: ShortText = ""
    person_id: RefId | None = None
    venue_ids: VenueIds = []


class UserUpdate(Patch):
    NULLABLE = frozenset({"person_id"})

    full_name: ShortText | None = None
    role: Role | None = None
    person_id: RefId | None = None
    venue_ids: VenueIds | None = None
    active: bool | None = None
    password: Password | None = None


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
