"""Staff networks: the associations people may volunteer to represent."""

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app import records
from app.audit.service import Actor
from app.errors import Conflict
from app.networks.models import Network
from app.people.models import Representation


def get_network(*, session: Session, network_id: int) -> Network:
    return records.get_or_404(session, Network, network_id, "network")


def list_networks(*, session: Session, limit: int, offset: int) -> tuple[list[Network], int]:
    return records.page(session, select(Network).order_by(col(Network.name)), limit=limit, offset=offset)


def all_networks(*, session: Session) -> list[Network]:
    """Every network, by name: for choosing one."""
    return list(session.exec(select(Network).order_by(col(Network.name))).all())


def representative_counts(*, session: Session) -> dict[int, int]:
    """How many people represent each network (a count, never who)."""
    rows = session.exec(
        select(Representation.network_id, func.count()).group_by(col(Representation.network_id))
    ).all()
    return {network_id: int(count) for network_id, count in rows}


def _ensure_unique_name(session: Session, name: str, network_id: int | None = None) -> None:
    clash = records.find_clash(session, Network, Network.name, name, except_id=network_id)
    if clash is not None:
        raise Conflict(f"a network called '{name}' already exists (network {clash.id})")


def create_network(*, session: Session, actor: Actor, data: dict[str, Any]) -> Network:
    _ensure_unique_name(session, data["name"])
    return records.create(
        session=session,
        actor=actor,
        record=Network(**data),
        summary=f"network {data['name']} created",
    )


def update_network(*, session: Session, actor: Actor, network_id: int, changes: dict[str, Any]) -> Network:
    network = get_network(session=session, network_id=network_id)
    if "name" in changes:
        _ensure_unique_name(session, changes["name"], network_id)
    return records.update(
        session=session,
        actor=actor,
        record=network,
        changes=changes,
        summary=f"network {network.name} updated",
    )
