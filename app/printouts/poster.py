"""A venue's poster, as plain data: its next public events with their QR codes, and the
roles and groups they recruit. Public text only: a poster never says who staffs an event."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.campaigns.models import Campaign
from app.events.models import Event
from app.printouts.wording import address_lines, in_words, shorten, twelve_hour, written_date
from app.venues.models import Venue

# What fits between the date and the QR code on one poster page.
POSTER_DESCRIPTION_LIMIT = 420


@dataclass(frozen=True)
class PosterEvent:
    event_id: int
    title: str
    date_text: str
    time_text: str
    description: str
    status: str
    url: str
    # Where the QR code leads: the event's "I'm interested" form, which shows its details too.
    interest_url: str
    qr_svg: str


@dataclass(frozen=True)
class Poster:
    force_name: str
    size: str
    venue: str
    address_lines: tuple[str, ...]
    roles: tuple[str, ...]
    target_groups: tuple[str, ...]
    events: tuple[PosterEvent, ...]

    @property
    def lead(self) -> PosterEvent:
        return self.events[0]

    @property
    def roles_text(self) -> str:
        return in_words(self.roles)

    @property
    def target_groups_text(self) -> str:
        """'ethnic minorities, women and LGBT+': mid-sentence, so no capitals but acronyms'."""
        return in_words([_mid_sentence(group) for group in self.target_groups])


def _mid_sentence(words: str) -> str:
    return words[:1].lower() + words[1:] if words[1:2].islower() else words


def _add_new(into: list[str], items: Iterable[str]) -> None:
    for item in items:
        if item not in into:
            into.append(item)


def build_poster(
    *,
    force_name: str,
    size: str,
    venue: Venue,
    events: Sequence[Event],
    campaigns: Mapping[int, Campaign],
    base_url: str,
    qr: Callable[[str], str],
) -> Poster:
    """A poster of public events: titles, times and public text only, never who staffs them.
    Each QR code leads to the event's "I'm interested" form, where a passer-by can leave
    their details for the recruitment team there and then."""
    items = []
    roles: list[str] = []
    groups: list[str] = []
    for event in events:
        url = f"{base_url.rstrip('/')}/events/{event.id}"
        interest_url = f"{url}/interest"
        items.append(
            PosterEvent(
                event_id=event.id or 0,
                title=event.title,
                date_text=written_date(event.starts_at, event.ends_at),
                time_text=f"{twelve_hour(event.starts_at)} to {twelve_hour(event.ends_at)}",
                description=shorten(event.public_description, POSTER_DESCRIPTION_LIMIT),
                status=str(event.status),
                url=url,
                interest_url=interest_url,
                qr_svg=qr(interest_url),
            )
        )
        campaign = campaigns.get(event.campaign_id)
        if campaign is not None:
            _add_new(roles, campaign.roles_recruited or [])
            _add_new(groups, campaign.target_groups or [])
    return Poster(
        force_name=force_name,
        size=size,
        venue=venue.name,
        address_lines=tuple(address_lines(venue.address, venue.town, venue.postcode)),
        roles=tuple(roles),
        target_groups=tuple(groups),
        events=tuple(items),
    )
