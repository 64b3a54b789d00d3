"""Staff networks over JSON; their fields are declared in ``app.networks.schemas``."""

from fastapi import APIRouter

from app.accounts.deps import AnyUser, Planner
from app.api_common import Page, PageParams, PathId, ProblemRoute
from app.db import SessionDep
from app.networks import service
from app.networks.schemas import NetworkCreate, NetworkPublic, NetworkUpdate

router = APIRouter(prefix="/api/v1/networks", tags=["networks"], route_class=ProblemRoute)


@router.get("", response_model=Page[NetworkPublic])
def list_networks(session: SessionDep, _user: AnyUser, page: PageParams) -> Page[NetworkPublic]:
    """The staff networks people may volunteer to represent (names only: no members)."""
    rows, total = service.list_networks(session=session, limit=page.limit, offset=page.offset)
    return Page(items=[NetworkPublic.model_validate(r) for r in rows], total=total, **page.model_dump())


@router.post("", response_model=NetworkPublic, status_code=201)
def create_network(session: SessionDep, principal: Planner, body: NetworkCreate) -> NetworkPublic:
    network = service.create_network(session=session, actor=principal.actor, data=body.model_dump())
    return NetworkPublic.model_validate(network)


@router.get("/{network_id}", response_model=NetworkPublic)
def read_network(session: SessionDep, _user: AnyUser, network_id: PathId) -> NetworkPublic:
    return NetworkPublic.model_validate(service.get_network(session=session, network_id=network_id))


@router.patch("/{network_id}", response_model=NetworkPublic)
def update_network(
    session: SessionDep, principal: Planner, network_id: PathId, body: NetworkUpdate
) -> NetworkPublic:
    changes = body.changes()
    network = service.update_network(
        session=session, actor=principal.actor, network_id=network_id, changes=changes
    )
    return NetworkPublic.model_validate(network)
