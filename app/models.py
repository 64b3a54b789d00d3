"""Every table, imported once so Alembic and SQLAlchemy see the whole schema."""

from app.accounts.models import ApiToken, User, UserSession, UserVenue
from app.assignments.models import Assignment
from app.audit.models import AuditEntry
from app.campaigns.models import Campaign
from app.events.models import Event, EventNetworkNeed
from app.feeds.models import FeedToken
from app.interest.models import InterestRecord
from app.networks.models import Network
from app.notifications.models import ActionLink, NotificationPreference, OutboxMessage
from app.outcomes.models import EventOutcome
from app.people.models import Person, Representation, Unavailability
from app.planning.models import LocalDate, WeeklyPattern
from app.ratelimit.models import RateCounter
from app.representation.models import (
    BeforeAfter,
    CampaignTarget,
    PopulationShare,
    TargetSnapshot,
    WorkforceShare,
)
from app.venues.models import Venue, VenueOpeningHours
from app.worker.models import Job, WorkerHeartbeat

__all__ = [
    "ActionLink",
    "ApiToken",
    "Assignment",
    "AuditEntry",
    "BeforeAfter",
    "Campaign",
    "CampaignTarget",
    "Event",
    "EventNetworkNeed",
    "EventOutcome",
    "FeedToken",
    "InterestRecord",
    "Job",
    "LocalDate",
    "Network",
    "NotificationPreference",
    "OutboxMessage",
    "Person",
    "PopulationShare",
    "RateCounter",
    "Representation",
    "TargetSnapshot",
    "Unavailability",
    "User",
    "UserSession",
    "UserVenue",
    "Venue",
    "VenueOpeningHours",
    "WeeklyPattern",
    "WorkerHeartbeat",
    "WorkforceShare",
]
