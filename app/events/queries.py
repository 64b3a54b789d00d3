"""Read-only look-ups the event pages need beside ``service.py``, so page handlers never query."""

from sqlmodel import Session

from app.campaigns.models import Campaign
from app.events.models import Event
from app.venues.models import Venue


def venue_and_campaign(*, session: Session, event: Event) -> tuple[Venue | None, Campaign | None]:
    """The event's venue and campaign, for its page's heading."""
    return session.get(Venue, event.venue_id), session.get(Campaign, event.campaign_id)
