"""Who is asking: session cookie (pages) or ``Authorization: Bearer`` (API clients)."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.accounts import service
from app.accounts.models import User
from app.accounts.principal import Principal
from app.db import SessionDep
from app.enums import Role
from app.errors import Forbidden, Unauthorized

_bearer = HTTPBearer(auto_error=False, description="An API token from `muster create-token`")

SESSION_USER_KEY = "uid"
SESSION_VERSION_KEY = "sv"


def _user_from_cookie(request: Request, session: SessionDep) -> User | None:
    data = request.scope.get("session") or {}
    user_id = data.get(SESSION_USER_KEY)
    if not isinstance(user_id, int):
        return None
    user = session.get(User, user_id)
    if user is None or not user.active or data.get(SESSION_VERSION_KEY) != user.session_version:
        return None
    return user


def optional_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached if isinstance(cached, Principal) else None
    user: User | None
    if credentials is not None:
        user = service.user_for_token(session=session, token=credentials.credentials)
        if user is None:
            raise Unauthorized("the API token is unknown or revoked")
    else:
        user = _user_from_cookie(request, session)
    if user is None:
        return None
    principal = service.principal_for(session=session, user=user)
    request.state.principal = principal
    return principal


def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized("sign in, or send an API token as 'Authorization: Bearer <token>'")
    return principal


def require(*roles: Role) -> Callable[[Principal], Principal]:
    allowed = frozenset(roles)
    names = ", ".join(sorted(r.value for r in allowed))

    def _check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(f"this needs one of the roles: {names}")
        return principal

    return _check


OptionalUser = Annotated[Principal | None, Depends(optional_principal)]
AnyUser = Annotated[Principal, Depends(current_principal)]
Planner = Annotated[Principal, Depends(require(Role.admin, Role.coordinator))]
PlannerOrStaff = Annotated[Principal, Depends(require(Role.admin, Role.coordinator, Role.staff))]
Admin = Annotated[Principal, Depends(require(Role.admin))]
