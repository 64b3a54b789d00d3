"""What the printouts show, as plain data built from rows already loaded.

Pure: no FastAPI, no session. ``service.py`` loads the rows; the templates, the PDF renderer
and the CSV writer only read these dataclasses. Representation (network membership) is
deliberately absent from every dataclass here, so no printout can show it, whoever prints
it: a sheet left on a table in a job centre must not out anyone. Network staffing gaps are
therefore counted without naming the network.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from app.assignments.models import Assignment
from app.campaigns.models import Campaign
from app.clock import to_london
from app.enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    OPEN_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    EventStatus,
    label,
)
from app.events.models import Event
from app.events.staffing import StaffingState
from app.people.models import Person
from app.venues.models import Venue

# Outreach staff carry these to every event, whatever the event asks for besides; an item is
# left out when the event's own list already names it (the first words are the key).
ALWAYS_BRING = (
    ("warrant card", "Warrant card or staff ID, worn visibly"),
    ("briefing sheet", "This briefing sheet and the expressions-of-interest page"),
    ("leaflets", "Recruitment leaflets and application guides for the roles recruited"),
)

# Roles a visitor may tick on the expressions-of-interest page, after the campaign's own.
COMMON_ROLES = (
    "Police constable",
    "Special constable",
    "PCSO",
    "Police staff",
    "Control room operator",
)

# What fits between the date and the QR code on one poster page.
POSTER_DESCRIPTION_LIMIT = 420

# Statuses whose staffing still matters: gaps on a cancelled or finished event are noise.


@dataclass(frozen=True)
class TeamLine:
    """One person on an event's team, as the team sheet prints them."""

    person_id: int
    name: str
    rank_or_title: str
    role: str
    phone: str
    email: str
    confirmed: bool

    @property
    def role_label(self) -> str:
        return label(self.role)

    @property
    def display_name(self) -> str:
        return f"{self.rank_or_title} {self.name}".strip() if self.rank_or_title else self.name

    @property
    def reply(self) -> str:
        return "Confirmed" if self.confirmed else "Awaiting reply"


@dataclass(frozen=True)
class Staffing:
    ambassadors_needed: int = 0
    ambassadors: int = 0
    recruiters_needed: int = 0
    recruiters: int = 0
    awaiting_reply: int = 0


@dataclass(frozen=True)
class RosterEvent:
    """One event as a roster row: times already in London, team sorted by role."""

    event_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str
    public: bool
    campaign: str
    venue: str
    venue_kind: str
    address: str
    town: str
    postcode: str
    team: tuple[TeamLine, ...] = ()
    gaps: tuple[str, ...] = ()
    staffing: Staffing = field(default_factory=Staffing)
    partner_status: str = ""

    @property
    def day(self) -> date:
        return self.starts_at.date()

    @property
    def time_text(self) -> str:
        """'10:00–17:00', or with the end day when the event runs past midnight."""
        if self.ends_at.date() == self.starts_at.date():
            return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"
        return f"{self.starts_at:%H:%M}–{self.ends_at:%a %-d %b %H:%M}"

    @property
    def status_label(self) -> str:
        return label(self.status)

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES

    def members(self, *roles: str) -> list[TeamLine]:
        return [m for m in self.team if m.role in roles]

    @property
    def leads(self) -> list[TeamLine]:
        return self.members(AssignmentRole.lead)

    @property
    def recruiters(self) -> list[TeamLine]:
        return self.members(AssignmentRole.recruiter)

    @property
    def ambassadors(self) -> list[TeamLine]:
        return self.members(AssignmentRole.ambassador)


@dataclass(frozen=True)
class RosterDay:
    day: date
    events: tuple[RosterEvent, ...]

    @property
    def heading(self) -> str:
        return f"{self.day:%A %-d %B %Y}"


@dataclass(frozen=True)
class Roster:
    title: str
    scope: tuple[str, ...]
    start: date
    end: date
    printed_at: datetime
    days: tuple[RosterDay, ...]

    @property
    def events(self) -> list[RosterEvent]:
        return [e for d in self.days for e in d.events]

    @property
    def event_count(self) -> int:
        return sum(len(d.events) for d in self.days)

    @property
    def with_gaps(self) -> int:
        return sum(1 for e in self.events if e.gaps)

    @property
    def only_campaign(self) -> str:
        """The one campaign every event belongs to, said once in the header instead of
        on every row; empty when there are several."""
        names = {e.campaign for e in self.events}
        return names.pop() if len(names) == 1 else ""


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class VenueDetails:
    name: str
    kind: str
    address: str
    town: str
    postcode: str
    accessibility_notes: str
    parking_notes: str
    opening_notes: str
    partner_organisation: str
    contact: Contact | None

    @property
    def address_lines(self) -> list[str]:
        return address_lines(self.address, self.town, self.postcode)


@dataclass(frozen=True)
class Briefing:
    force_name: str
    event: RosterEvent
    campaign: str
    roles_recruited: tuple[str, ...]
    target_groups: tuple[str, ...]
    venue: VenueDetails
    needs: str
    wanted_languages: tuple[str, ...]
    public_description: str
    coordinators_notes: str
    what_to_bring: tuple[str, ...]
    coordinator: Contact | None
    roles_of_interest: tuple[str, ...]
    printed_at: datetime

    @property
    def date_text(self) -> str:
        return written_date(self.event.starts_at, self.event.ends_at)

    @property
    def time_text(self) -> str:
        return written_times(self.event.starts_at, self.event.ends_at)


@dataclass(frozen=True)
class PosterEvent:
    event_id: int
    title: str
    date_text: str
    time_text: str
    description: str
    status: str
    url: str
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


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word and marked with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def in_words(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def address_lines(address: str, town: str, postcode: str) -> list[str]:
    """Address, town and postcode, without the town twice when the address already ends in it."""
    lines = [address] if address else []
    if town and not address.casefold().rstrip(" ,").endswith(town.casefold()):
        lines.append(town)
    if postcode:
        lines.append(postcode)
    return lines


def written_date(starts_at: datetime, ends_at: datetime) -> str:
    """'Wednesday 15 July 2026', or the span when an event runs over several days."""
    start, end = to_london(starts_at), to_london(ends_at)
    if start.date() == end.date():
        return f"{start:%A %-d %B %Y}"
    return f"{start:%A %-d %B} to {end:%A %-d %B %Y}"


def written_times(starts_at: datetime, ends_at: datetime) -> str:
    """'10:00 to 17:00 (BST)': the zone matters the week the clocks change."""
    start, end = to_london(starts_at), to_london(ends_at)
    return f"{start:%H:%M} to {end:%H:%M} ({end:%Z})"


def twelve_hour(moment: datetime) -> str:
    """'10am', '3:30pm', '12 noon': how the public reads a time on a poster."""
    local = to_london(moment)
    if local.hour == 12 and local.minute == 0:
        return "12 noon"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


def _more(count: int, singular: str, plural: str) -> str:
    return f"needs {count} more {singular if count == 1 else plural}"


def _count(value: object) -> int:
    return value if isinstance(value, int) else 0


def gaps_in_words(state: StaffingState) -> list[str]:
    """What an event still lacks, for print: the networks asked for are counted, not named,
    since a named gap that disappears tells the reader who joined the network."""
    gaps: list[str] = []
    if state.ambassadors < state.ambassadors_needed:
        gaps.append(_more(state.ambassadors_needed - state.ambassadors, "ambassador", "ambassadors"))
    if state.recruiters < state.recruiters_needed:
        gaps.append(_more(state.recruiters_needed - state.recruiters, "recruiter", "recruiters"))
    network_short = sum(max(0, _count(n.get("needed")) - _count(n.get("have"))) for n in state.networks)
    if network_short:
        gaps.append(_more(network_short, "network ambassador", "network ambassadors"))
    for language in state.languages:
        if not language.get("have"):
            name = str(language.get("language", ""))
            article = "an" if name[:1].lower() in "aeiou" else "a"
            gaps.append(f"needs {article} {name} speaker")
    return gaps


_ROLE_ORDER = {AssignmentRole.lead: 0, AssignmentRole.recruiter: 1, AssignmentRole.ambassador: 2}


def team_lines(rows: Iterable[tuple[Assignment, Person]]) -> tuple[TeamLine, ...]:
    """The active team (proposed and confirmed), lead first, then by name."""
    lines = [
        TeamLine(
            person_id=person.id or 0,
            name=person.name,
            rank_or_title=person.rank_or_title,
            role=str(assignment.role),
            phone=person.phone,
            email=person.email,
            confirmed=assignment.status == AssignmentStatus.confirmed,
        )
        for assignment, person in rows
        if assignment.status in ACTIVE_ASSIGNMENT_STATUSES
    ]
    return tuple(sorted(lines, key=lambda m: (_ROLE_ORDER.get(AssignmentRole(m.role), 9), m.name)))


def roster_event(
    event: Event,
    *,
    venue: Venue | None,
    campaign: Campaign | None,
    team: Iterable[tuple[Assignment, Person]] = (),
    staffing: StaffingState | None = None,
) -> RosterEvent:
    status = EventStatus(event.status)
    gaps = gaps_in_words(staffing) if staffing is not None and status in OPEN_STATUSES else []
    return RosterEvent(
        event_id=event.id or 0,
        title=event.title,
        starts_at=to_london(event.starts_at),
        ends_at=to_london(event.ends_at),
        status=status.value,
        public=event.public,
        campaign=campaign.name if campaign else "",
        venue=venue.name if venue else "",
        venue_kind=label(venue.kind) if venue else "",
        address=venue.address if venue else "",
        town=venue.town if venue else "",
        postcode=venue.postcode if venue else "",
        team=team_lines(team),
        gaps=tuple(gaps),
        staffing=Staffing(
            ambassadors_needed=staffing.ambassadors_needed,
            ambassadors=staffing.ambassadors,
            recruiters_needed=staffing.recruiters_needed,
            recruiters=staffing.recruiters,
            awaiting_reply=staffing.awaiting_reply,
        )
        if staffing is not None
        else Staffing(ambassadors_needed=event.ambassadors_needed, recruiters_needed=event.recruiters_needed),
        partner_status=str(event.partner_status),
    )


def roster_events(
    events: Sequence[Event],
    *,
    venues: Mapping[int, Venue],
    campaigns: Mapping[int, Campaign],
    teams: Mapping[int, Sequence[tuple[Assignment, Person]]] | None = None,
    staffing: Mapping[int, StaffingState] | None = None,
) -> list[RosterEvent]:
    return [
        roster_event(
            event,
            venue=venues.get(event.venue_id),
            campaign=campaigns.get(event.campaign_id),
            team=(teams or {}).get(event.id or 0, ()),
            staffing=(staffing or {}).get(event.id or 0),
        )
        for event in events
    ]


def group_by_day(events: Iterable[RosterEvent]) -> tuple[RosterDay, ...]:
    """Days in order, each with its events by start time; an event belongs to the London
    day it starts on."""
    by_day: dict[date, list[RosterEvent]] = {}
    for event in sorted(events, key=lambda e: (e.starts_at, e.event_id)):
        by_day.setdefault(event.day, []).append(event)
    return tuple(RosterDay(day=day, events=tuple(items)) for day, items in sorted(by_day.items()))


def roster_title(start: date, end: date) -> str:
    """'Roster, 13 to 19 July 2026', compact when the range stays in one month or year."""
    if start == end:
        return f"Roster, {start:%A %-d %B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"Roster, {start:%-d} to {end:%-d %B %Y}"
    if start.year == end.year:
        return f"Roster, {start:%-d %B} to {end:%-d %B %Y}"
    return f"Roster, {start:%-d %B %Y} to {end:%-d %B %Y}"


def build_roster(
    *,
    start: date,
    end: date,
    scope: Sequence[str],
    events: Iterable[RosterEvent],
    printed_at: datetime,
) -> Roster:
    return Roster(
        title=roster_title(start, end),
        scope=tuple(scope),
        start=start,
        end=end,
        printed_at=to_london(printed_at),
        days=group_by_day(events),
    )


def _needs_in_words(event: Event) -> str:
    parts = []
    if event.recruiters_needed:
        parts.append(f"{event.recruiters_needed} recruiter{'s' if event.recruiters_needed != 1 else ''}")
    if event.ambassadors_needed:
        parts.append(f"{event.ambassadors_needed} ambassador{'s' if event.ambassadors_needed != 1 else ''}")
    return " and ".join(parts) or "no set team size"


def bring_list(text: str) -> list[str]:
    """The event's list (one item a line, or one line separated by commas or semicolons),
    then what every team brings and the event did not already name."""
    lines = [line.strip(" -•*\t") for line in text.splitlines()]
    items = [line for line in lines if line]
    if len(items) == 1:
        items = [part.strip() for part in items[0].replace(";", ",").split(",") if part.strip()]
    items = [item[:1].upper() + item[1:] for item in items]
    named = " ".join(items).casefold()
    return items + [wording for key, wording in ALWAYS_BRING if key not in named]


def build_briefing(
    *,
    force_name: str,
    event: Event,
    venue: Venue,
    campaign: Campaign,
    team: Sequence[tuple[Assignment, Person]],
    staffing: StaffingState,
    coordinator: Contact | None,
    show_coordinators_notes: bool,
    printed_at: datetime,
) -> Briefing:
    roles = tuple(campaign.roles_recruited or [])
    interest = roles + tuple(r for r in COMMON_ROLES if r.casefold() not in {x.casefold() for x in roles})
    contact = (
        Contact(name=venue.contact_name, phone=venue.contact_phone, email=venue.contact_email)
        if (venue.contact_name or venue.contact_phone or venue.contact_email)
        else None
    )
    return Briefing(
        force_name=force_name,
        event=roster_event(event, venue=venue, campaign=campaign, team=team, staffing=staffing),
        campaign=campaign.name,
        roles_recruited=roles,
        target_groups=tuple(campaign.target_groups or []),
        venue=VenueDetails(
            name=venue.name,
            kind=label(venue.kind),
            address=venue.address,
            town=venue.town,
            postcode=venue.postcode,
            accessibility_notes=venue.accessibility_notes,
            parking_notes=venue.parking_notes,
            opening_notes=venue.opening_notes,
            partner_organisation=venue.partner_organisation,
            contact=contact,
        ),
        needs=_needs_in_words(event),
        wanted_languages=tuple(event.wanted_languages or []),
        public_description=event.public_description,
        coordinators_notes=event.internal_notes if show_coordinators_notes else "",
        what_to_bring=tuple(bring_list(event.what_to_bring)),
        coordinator=coordinator,
        roles_of_interest=interest[:6],
        printed_at=to_london(printed_at),
    )


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
    """A poster of public events: titles, times and public text only, never who staffs them."""
    items = []
    roles: list[str] = []
    groups: list[str] = []
    for event in events:
        url = f"{base_url.rstrip('/')}/events/{event.id}"
        items.append(
            PosterEvent(
                event_id=event.id or 0,
                title=event.title,
                date_text=written_date(event.starts_at, event.ends_at),
                time_text=f"{twelve_hour(event.starts_at)} to {twelve_hour(event.ends_at)}",
                description=shorten(event.public_description, POSTER_DESCRIPTION_LIMIT),
                status=str(event.status),
                url=url,
                qr_svg=qr(url),
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
