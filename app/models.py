"""Every table, imported once so Alembic and SQLAlchemy see the whole schema."""

from app.accounts.models import ApiToken, User, UserSession, UserVenue
from app.assignments.models import Assignment
from app.audit.models import AuditEntry
from app.campaigns.models import Campaign
from app.events.models import Event, EventNetworkNeed
from app.feeds.models import FeedToken
from app.networks.models import Network
from app.notifications.models import ActionLink, NotificationPreference, OutboxMessage
from app.people.models import Person, Representation, Unavailability
from app.ratelimit.models import RateCounter
from app.venues.models import Venue
from app.worker.models import Job, WorkerHeartbeat

__all__ = [
    "ActionLink",
    "ApiToken",
    "Assignment",
    "AuditEntry",
    "Campaign",
    "Event",
    "EventNetworkNeed",
    "FeedToken",
    "Job",
    "Network",
    "NotificationPreference",
    "OutboxMessage",
    "Person",
    "RateCounter",
    "Representation",
    "Unavailability",
    "User",
    "UserSession",
    "UserVenue",
    "Venue",
    "WorkerHeartbeat",
]
