"""Every table, imported once so Alembic and SQLAlchemy see the whole schema."""

from app.accounts.models import ApiToken, User, UserVenue
from app.assignments.models import Assignment
from app.audit.models import AuditEntry
from app.campaigns.models import Campaign
from app.events.models import Event, EventNetworkNeed
from app.feeds.models import FeedToken
from app.networks.models import Network
from app.people.models import Person, Representation, Unavailability
from app.venues.models import Venue

__all__ = [
    "ApiToken",
    "Assignment",
    "AuditEntry",
    "Campaign",
    "Event",
    "EventNetworkNeed",
    "FeedToken",
    "Network",
    "Person",
    "Representation",
    "Unavailability",
    "User",
    "UserVenue",
    "Venue",
]
