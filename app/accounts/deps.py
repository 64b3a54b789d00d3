"""Who is asking: session cookie (pages) or ``Authorization: Bearer`` (API clients)."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.accounts import service
from app.accounts.models import User
from app.accounts.principal import Principal
from app.accounts.sessions import user_for_session
from app.db import SessionDep
from app.enums import Role
from app.errors import Forbidden, Unauthorized

_bearer = HTTPBearer(
    auto_error=False, description="An API token (your account page, or `muster create-token`)"
)


def optional_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The signed-in user, from a bearer token when one is sent (a bad one is a 401 saying
    why), else from the browser's server-side session; None when neither."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached if isinstance(cached, Principal) else None
    user: User | None
    if credentials is not None:
        user, token = service.authenticate_token(session=session, token=credentials.credentials)
        request.state.api_token = token
    else:
        user = user_for_session(request, session)
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
