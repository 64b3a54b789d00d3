"""Small builders for test data, through the services (so rules and audit apply)."""

from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.assignments.models import Assignment
from app.audit.service import SYSTEM
from app.booking import service as booking
from app.campaigns import service as campaigns
from app.campaigns.models import Campaign
from app.enums import AssignmentRole, AssignmentStatus, PersonKind, Role, UnavailabilityReason, VenueKind
from app.events import service as events
from app.events.models import Event
from app.networks import service as networks
from app.networks.models import Network
from app.people import service as people
from app.people.models import Person, Representation, Unavailability
from app.venues import service as venues
from app.venues.models import Venue

PASSWORD = "correct horse battery staple"

Row = TypeVar("Row")


def fresh(session: Session, model: type[Row], key: Any) -> Row:
    """The row as the database holds it now, with what the app committed in its own sessions."""
    session.expire_all()
    row = session.get(model, key)
    assert row is not None, f"no {model.__name__} {key!r}"
    return row


def future(days: int = 14, hour: int = 10, minute: int = 0) -> datetime:
    """A UTC instant ``days`` ahead at ``hour`` UTC, well clear of 'now'."""
    base = datetime.now(UTC).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return base + timedelta(days=days)


class Factory:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def network(self, name: str | None = None, **kw: Any) -> Network:
        data = {"name": name or f"Network {self._next()}", **kw}
        return networks.create_network(session=self.session, actor=SYSTEM, data=data)

    def person(self, name: str | None = None, **kw: Any) -> Person:
        n = self._next()
        data: dict[str, Any] = {
            "name": name or f"Person {n}",
            "staff_number": kw.pop("staff_number", f"SN{n:05d}"),
            "kind": PersonKind.police_officer,
            "base_town": "Blackburn",
            "monthly_limit": 4,
            **kw,
        }
        return people.create_person(session=self.session, actor=SYSTEM, data=data)

    def represent(self, person: Person, network: Network, public_naming: bool = False) -> Representation:
        assert person.id is not None and network.id is not None
        return people.opt_in(
            session=self.session,
            actor=SYSTEM,
            person_id=person.id,
            network_id=network.id,
            public_naming=public_naming,
        )

    def away(
        self,
        person: Person,
        starts_at: datetime,
        ends_at: datetime,
        reason: UnavailabilityReason | str = UnavailabilityReason.annual_leave,
        **kw: Any,
    ) -> Unavailability:
        """Time the person is not available, recorded through the service."""
        data = {"person_id": person.id, "starts_at": starts_at, "ends_at": ends_at, "reason": reason, **kw}
        return people.add_unavailability(session=self.session, actor=SYSTEM, data=data)

    def venue(self, name: str | None = None, **kw: Any) -> Venue:
        data: dict[str, Any] = {
            "name": name or f"Venue {self._next()}",
            "kind": VenueKind.job_centre,
            "town": "Blackburn",
            "address": "1 High Street",
            "postcode": "BB1 1AA",
            **kw,
        }
        return venues.create_venue(session=self.session, actor=SYSTEM, data=data)

    def campaign(self, name: str | None = None, **kw: Any) -> Campaign:
        today = date.today()
        data: dict[str, Any] = {
            "name": name or f"Campaign {self._next()}",
            "starts_on": today - timedelta(days=30),
            "ends_on": today + timedelta(days=180),
            "roles_recruited": ["Police constable"],
            **kw,
        }
        return campaigns.create_campaign(session=self.session, actor=SYSTEM, data=data)

    def event(
        self,
        *,
        venue: Venue | None = None,
        campaign: Campaign | None = None,
        starts_at: datetime | None = None,
        hours: float = 7,
        **kw: Any,
    ) -> Event:
        venue = venue or self.venue()
        campaign = campaign or self.campaign()
        starts_at = starts_at or future()
        data: dict[str, Any] = {
            "campaign_id": campaign.id,
            "venue_id": venue.id,
            "title": kw.pop("title", f"Outreach at {venue.name}"),
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=hours),
            "ambassadors_needed": 2,
            "recruiters_needed": 1,
            **kw,
        }
        return events.create_event(session=self.session, actor=SYSTEM, data=data)

    def change_event(self, event: Event, **changes: Any) -> Event:
        """The event edited through the service, as a coordinator's change (so rules and triggers apply)."""
        assert event.id is not None
        changed, _ = events.update_event(
            session=self.session, actor=SYSTEM, event_id=event.id, changes=changes
        )
        return changed

    def move_event(self, event: Event, by: timedelta, **changes: Any) -> Event:
        """The event moved later (or earlier) by ``by``, keeping its length."""
        return self.change_event(event, starts_at=event.starts_at + by, ends_at=event.ends_at + by, **changes)

    def assign(
        self,
        event: Event,
        person: Person,
        role: AssignmentRole = AssignmentRole.ambassador,
        status: AssignmentStatus = AssignmentStatus.proposed,
    ) -> Assignment:
        assert event.id is not None and person.id is not None
        return booking.assign(
            session=self.session,
            actor=SYSTEM,
            event_id=event.id,
            person_id=person.id,
            role=role,
            status=status,
        )

    def user(
        self,
        role: Role | str,
        *,
        person: Person | None = None,
        venues: list[Venue] | None = None,
        email: str | None = None,
    ) -> User:
        role = Role(role)
        if role == Role.staff and person is None:
            person = self.person()
        if role == Role.partner and not venues:
            venues = [self.venue()]
        return accounts.create_user(
            session=self.session,
            actor=SYSTEM,
            email=email or f"{role.value}{self._next()}@muster.test",
            password=PASSWORD,
            role=role,
            person_id=person.id if person else None,
            venue_ids=[v.id for v in venues or [] if v.id is not None],
        )

    def token(self, user: User) -> dict[str, str]:
        """Authorization headers for the user, through a real API token."""
        token = accounts.create_api_token(session=self.session, actor=SYSTEM, email=user.email)
        return {"Authorization": f"Bearer {token}"}

    def headers(self, role: Role | str, **kw: Any) -> dict[str, str]:
        return self.token(self.user(role, **kw))
