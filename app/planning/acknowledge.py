"""Planning warnings at the moment of booking: shown first, then booked anyway if the
coordinator says so. A warning never blocks; it only asks to be read, and the reading is
recorded in the audit trail.

A booking that would raise warnings the coordinator has not acknowledged is refused with
:class:`Unacknowledged` (409, the warnings in its body). Acknowledging is either a plain
yes (the API's ``acknowledge_warnings``) or, from a page, the fingerprint of the warnings
that were shown, so that a date changed after reading them is warned about afresh.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, SQLModel

from app.audit import service as audit
from app.audit.service import Actor
from app.errors import Conflict
from app.planning.warnings import PlanningWarning, planning_warnings
from app.venues.models import Venue


def as_json(warning: PlanningWarning) -> dict[str, Any]:
    return {
        "kind": warning.kind,
        "text": warning.text,
        "day": warning.day.isoformat(),
        "expected": warning.expected,
    }


def fingerprint(warnings: list[PlanningWarning]) -> str:
    """A short stable mark of exactly these warnings (what a page showed and a person read)."""
    text = "\n".join(w.text for w in warnings)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class VenueWarnings:
    """The warnings of one venue of a booking (one for a single event, one each in bulk)."""

    venue_id: int
    venue_name: str
    warnings: list[PlanningWarning] = field(default_factory=list)


class Unacknowledged(Conflict):
    """The booking raises planning warnings nobody has acknowledged yet: nothing is saved."""

    def __init__(self, found: list[VenueWarnings], *, bulk: bool = False) -> None:
        words = "; ".join((f"{v.venue_name}: " if bulk else "") + w.text for v in found for w in v.warnings)
        body = [
            {**as_json(w), "venue_id": v.venue_id, "venue_name": v.venue_name}
            for v in found
            for w in v.warnings
        ]
        super().__init__(
            f"planning warnings: {words}. Nothing is saved yet; send acknowledge_warnings=true to go ahead anyway.",
            extra={"warnings": body},
        )
        self.found = found
        self.fingerprint = fingerprint([w for v in found for w in v.warnings])


@dataclass(frozen=True)
class Gate:
    """How one booking treats planning warnings.

    ``acknowledged``: book despite any. ``shown``: the fingerprint of the warnings a page
    showed; it acknowledges them only while they are still exactly the warnings. ``known``:
    the warnings already worked out (a bulk booking works them out for all venues at once).
    """

    acknowledged: bool = False
    shown: str = ""
    known: tuple[PlanningWarning, ...] | None = None

    def accepts(self, found: list[PlanningWarning]) -> bool:
        return not found or self.acknowledged or (bool(self.shown) and self.shown == fingerprint(found))

    def check(self, session: Session, booking: Mapping[str, Any]) -> list[PlanningWarning]:
        """The warnings of a booking (its ``venue_id``, ``starts_at`` and ``ends_at``) once
        acknowledged; refused with :class:`Unacknowledged` (after rolling back) while not."""
        venue_id, starts_at, ends_at = booking["venue_id"], booking["starts_at"], booking["ends_at"]
        venue = session.get(Venue, venue_id)
        if venue is None or ends_at <= starts_at:
            return []  # the booking's own checks say what is wrong
        if self.known is not None:
            found = list(self.known)
        else:
            found = planning_warnings(session, venue=venue, starts_at=starts_at, ends_at=ends_at)
        if not self.accepts(found):
            session.rollback()
            raise Unacknowledged([VenueWarnings(venue_id, venue.name, found)])
        return found


def note_acknowledged(
    session: Session, actor: Actor, row: SQLModel, warnings: list[PlanningWarning], *, doing: str
) -> None:
    """One audit line naming the warnings the coordinator read and booked (or moved) despite."""
    if not warnings:
        return
    count = "a planning warning" if len(warnings) == 1 else f"{len(warnings)} planning warnings"
    summary = f"{doing} despite {count}, acknowledged: " + "; ".join(w.text for w in warnings)
    if len(summary) > 500:
        summary = summary[:499] + "…"
    audit.note(
        session, actor, "acknowledge", row, summary, after={"warnings": [as_json(w) for w in warnings]}
    )
