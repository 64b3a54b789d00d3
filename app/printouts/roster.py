"""What the team's printouts show, as plain data built from rows already loaded: rosters and
the briefing sheet (the venue's poster is ``poster.py``; the words both use, ``wording.py``).

Pure: no FastAPI, no session. ``service.py`` loads the rows; the templates, the PDF renderer
and the CSV writer only read these dataclasses. Representation (network membership) is
deliberately absent from every dataclass here, so no printout can show it, whoever prints
it: a sheet left on a table in a job centre must not out anyone. Network staffing gaps are
therefore counted without naming the network.
"""

from collections.abc import Iterable, Mapping, Sequence
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
    PartnerStatus,
    label,
)
from app.events.models import Event
from app.events.staffing import StaffingState
from app.people.models import Person

# The names imported ``as`` themselves are for callers: the poster and the words were once
# part of this module.
from app.printouts.poster import Poster as Poster
from app.printouts.wording import (
    address_lines,
    bring_list,
    gaps_in_words,
    needs_in_words,
    written_date,
    written_times,
)
from app.printouts.wording import in_words as in_words
from app.printouts.wording import shorten as shorten
from app.printouts.wording import twelve_hour as twelve_hour
from app.venues.models import Venue

# Roles a visitor may tick on the expressions-of-interest page, after the campaign's own.
COMMON_ROLES = (
    "Police constable",
    "Special constable",
    "PCSO",
    "Police staff",
    "Control room operator",
)


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
    def venue_declined(self) -> bool:
        """The venue said no and the coordinator has not yet asked again, moved or cancelled."""
        return self.open and self.partner_status == PartnerStatus.declined

    @property
    def status_label(self) -> str:
        """'Confirmed', or 'Confirmed · Venue declined': a team reading the sheet must know."""
        return label(self.status) + (" · Venue declined" if self.venue_declined else "")

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
        needs=needs_in_words(event),
        wanted_languages=tuple(event.wanted_languages or []),
        public_description=event.public_description,
        coordinators_notes=event.internal_notes if show_coordinators_notes else "",
        what_to_bring=tuple(bring_list(event.what_to_bring)),
        coordinator=coordinator,
        roles_of_interest=interest[:6],
        printed_at=to_london(printed_at),
    )
