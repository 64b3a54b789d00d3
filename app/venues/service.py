from typing import Any

from sqlmodel import Session, col, select

from app import records
from app.accounts.principal import Principal
from app.audit.service import Actor
from app.errors import Forbidden
from app.venues.models import Venue

# What a partner may edit about their own venue; everything else is the coordinators'.
PARTNER_EDITABLE = frozenset({"accessibility_notes", "parking_notes", "opening_notes"})


def get_venue(*, session: Session, venue_id: int) -> Venue:
    return records.get_or_404(session, Venue, venue_id, "venue")


def check_can_see(principal: Principal | None, venue_id: int) -> None:
    if principal is not None and principal.role == "partner" and venue_id not in principal.venue_ids:
        raise Forbidden("partners see only their own venues")


def list_venues(
    *,
    session: Session,
    limit: int,
    offset: int,
    town: str | None = None,
    kind: str | None = None,
    only_ids: frozenset[int] | None = None,
) -> tuple[list[Venue], int]:
    query = select(Venue).order_by(col(Venue.town), col(Venue.name))
    if town:
        query = query.where(col(Venue.town).ilike(town.strip()))
    if kind:
        query = query.where(Venue.kind == kind)
    if only_ids is not None:
        query = query.where(col(Venue.id).in_(only_ids))
    return records.page(session, query, limit=limit, offset=offset)


def create_venue(*, session: Session, actor: Actor, data: dict[str, Any]) -> Venue:
    return records.create(
        session=session, actor=actor, record=Venue(**data), summary=f"venue {data['name']} created"
    )


def update_venue(*, session: Session, principal: Principal, venue_id: int, changes: dict[str, Any]) -> Venue:
    """Coordinators edit anything; a partner only the access, parking and opening notes."""
    venue = get_venue(session=session, venue_id=venue_id)
    if principal.role == "partner":
        check_can_see(principal, venue_id)
        refused = sorted(set(changes) - PARTNER_EDITABLE)
        if refused:
            raise Forbidden(f"partners may not change: {', '.join(refused)}")
    return records.update(
        session=session,
        actor=principal.actor,
        record=venue,
        changes=changes,
        summary=f"venue {venue.name} updated",
    )
