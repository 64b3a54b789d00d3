"""Loading what the printouts show, and deciding who may print it.

The rules: a briefing sheet or a roster carries the team's phone numbers, so it is for
coordinators and administrators, and for staff who are on the team themselves. Posters and
the public event list are for anyone, and only ever show public, non-draft events.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.accounts.principal import Principal
from app.assignments.service import team_of
from app.campaigns.models import Campaign
from app.clock import london_day_bounds, to_london, utcnow
from app.enums import ACTIVE_ASSIGNMENT_STATUSES, EventStatus, Role, label
from app.errors import Forbidden, Invalid, NotFound
from app.events.models import Event
from app.events.public import LISTED_PUBLICLY, listed_publicly
from app.events.service import EventFilters, filtered, get_event, list_events, staffing_states
from app.people.models import Person
from app.printouts import poster
from app.printouts import roster as build
from app.printouts.qr import qr_svg
from app.venues.models import Venue

# A printed roster longer than a quarter is a book nobody reads, and a slow render.
MAX_PRINT_DAYS = 93
# Spreadsheets are cheap: a year covers any campaign.
MAX_EXPORT_DAYS = 366
MAX_EVENTS = 2000
POSTER_SIZES = ("A4", "A3")
# What fits a poster in type readable from the door.
POSTER_MAX_EVENTS = 4


@dataclass(frozen=True)
class RangeFilters:
    start: date
    end: date
    campaign_id: int | None = None
    town: str | None = None
    person_id: int | None = None
    venue_id: int | None = None
    status: EventStatus | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def events(self, *, public_only: bool = False, dated: bool = True) -> EventFilters:
        """The same choice as event filters; undated, for looking beyond the period."""
        chosen = {
            name: getattr(self, name) for name in ("campaign_id", "venue_id", "town", "status", "person_id")
        }
        if dated:
            chosen.update(start=london_day_bounds(self.start)[0], end=london_day_bounds(self.end)[1])
        return EventFilters(public_only=public_only, **chosen)


def range_query(filters: RangeFilters) -> str:
    """The query string of a printout or export of exactly this period and these filters,
    so a link from a page gives what the page shows."""
    params: dict[str, str | int] = {"start": filters.start.isoformat(), "end": filters.end.isoformat()}
    for key, value in (
        ("campaign_id", filters.campaign_id),
        ("venue_id", filters.venue_id),
        ("town", filters.town),
        ("status", filters.status.value if filters.status else None),
        ("person_id", filters.person_id),
    ):
        if value is not None and value != "":
            params[key] = value
    return urlencode(params)


def nearest_period(
    *, session: Session, filters: RangeFilters, public_only: bool = False
) -> RangeFilters | None:
    """A period as long as ``filters``' that holds the matching event nearest to it (before
    or after), for an empty printout to offer; None when nothing matches at all."""
    first, last = london_day_bounds(filters.start)[0], london_day_bounds(filters.end)[1]
    undated = filters.events(public_only=public_only, dated=False)
    times = select(Event.starts_at, Event.ends_at)
    after = session.exec(
        filtered(times.where(Event.starts_at >= last), undated).order_by(col(Event.starts_at)).limit(1)
    ).first()
    before = session.exec(
        filtered(times.where(Event.ends_at <= first), undated).order_by(col(Event.ends_at).desc()).limit(1)
    ).first()
    if after is None and before is None:
        return None
    span = timedelta(days=filters.days - 1)
    if before is None or (after is not None and after[0] - last <= first - before[1]):
        assert after is not None
        day = to_london(after[0]).date()
        return replace(filters, start=day, end=day + span)
    day = to_london(before[0]).date()
    return replace(filters, start=day - span, end=day)


def _parse_day(value: str | None, name: str) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"{name}: '{value[:40]}' is not a date; use YYYY-MM-DD, e.g. 2026-07-15") from None


def parse_range(
    *,
    start: str | None,
    end: str | None,
    max_days: int,
    campaign_id: int | None = None,
    town: str | None = None,
    person_id: int | None = None,
    venue_id: int | None = None,
    status: EventStatus | None = None,
    today: date | None = None,
) -> RangeFilters:
    """Inclusive London dates; without them, the week from today."""
    first = _parse_day(start, "start") or today or to_london(utcnow()).date()
    last = _parse_day(end, "end") or first + timedelta(days=6)
    if last < first:
        raise Invalid(f"end ({last.isoformat()}) is before start ({first.isoformat()})")
    days = (last - first).days + 1
    if days > max_days:
        raise Invalid(
            f"the range {first.isoformat()} to {last.isoformat()} is {days} days; "
            f"at most {max_days} days fit one printout or export, so split it"
        )
    return RangeFilters(
        start=first,
        end=last,
        campaign_id=campaign_id,
        town=(town or "").strip() or None,
        person_id=person_id,
        venue_id=venue_id,
        status=status,
    )


@dataclass(frozen=True)
class Empty:
    """Why a printout or export holds no events, and the nearest period that would."""

    filters: RangeFilters
    scope: list[str]
    nearest: RangeFilters | None

    @property
    def period(self) -> str:
        return period_in_words(self.filters)


def period_in_words(filters: RangeFilters) -> str:
    """'Mon 7 Dec 2026 to Sun 13 Dec 2026', or one day alone."""
    if filters.start == filters.end:
        return f"{filters.start:%a %-d %b %Y}"
    return f"{filters.start:%a %-d %b %Y} to {filters.end:%a %-d %b %Y}"


def explain_empty(
    *, session: Session, principal: Principal | None, filters: RangeFilters, roster: bool
) -> Empty:
    """What an empty roster (``roster``) or event list was asked for, as its reader may see
    it: staff their own duties, anyone but a coordinator the public events."""
    planner = principal is not None and principal.is_planner
    if roster and principal is not None:
        filters = scope_roster(principal, filters)
    public_only = not roster and not planner
    nearest = nearest_period(session=session, filters=filters, public_only=public_only)
    return Empty(filters=filters, scope=_describe_scope(session, filters), nearest=nearest)


def matching_span(*, session: Session, filters: EventFilters) -> tuple[date, date] | None:
    """The London days of the first and last matching events (None when none match): the
    period an export of an undated list covers."""
    first, last = session.exec(
        filtered(select(func.min(Event.starts_at), func.max(Event.starts_at)), filters)
    ).one()
    if first is None or last is None:
        return None
    return to_london(first).date(), to_london(last).date()


def scope_roster(principal: Principal, filters: RangeFilters) -> RangeFilters:
    """Coordinators print any roster; staff print their own duties (with their teams)."""
    if principal.is_planner:
        return filters
    if principal.role != Role.staff:
        raise Forbidden("rosters carry the teams' phone numbers: only coordinators and the team print them")
    if principal.person_id is None:
        raise Forbidden("your account is not linked to a person, so you have no roster")
    if filters.person_id not in (None, principal.person_id):
        raise Forbidden("staff may print only their own roster")
    return replace(filters, person_id=principal.person_id)


def check_can_print_team(principal: Principal, team_person_ids: Iterable[int]) -> None:
    if principal.is_planner:
        return
    if principal.role == Role.staff and principal.person_id in set(team_person_ids):
        return
    raise Forbidden(
        "the briefing sheet carries the team's phone numbers: only coordinators and the team print it"
    )


def _describe_scope(session: Session, filters: RangeFilters) -> list[str]:
    """'Campaign: …', 'Venue: …', 'Town: …', 'Status: …', 'Person: …'; unknown ids are a
    404, not an empty roster."""
    scope = []
    if filters.campaign_id is not None:
        campaign = session.get(Campaign, filters.campaign_id)
        if campaign is None:
            raise NotFound(f"campaign {filters.campaign_id} does not exist")
        scope.append(f"Campaign: {campaign.name}")
    if filters.venue_id is not None:
        venue = session.get(Venue, filters.venue_id)
        if venue is None:
            raise NotFound(f"venue {filters.venue_id} does not exist")
        scope.append(f"Venue: {venue.name}")
    if filters.town:
        scope.append(f"Town: {filters.town}")
    if filters.status is not None:
        scope.append(f"Status: {label(filters.status)}")
    if filters.person_id is not None:
        person = session.get(Person, filters.person_id)
        if person is None:
            raise NotFound(f"person {filters.person_id} does not exist")
        scope.append(f"Person: {f'{person.rank_or_title} {person.name}'.strip()}")
    return scope


def _venues(session: Session, ids: set[int]) -> dict[int, Venue]:
    rows = session.exec(select(Venue).where(col(Venue.id).in_(ids))).all() if ids else []
    return {row.id: row for row in rows if row.id is not None}


def _campaigns(session: Session, ids: set[int]) -> dict[int, Campaign]:
    rows = session.exec(select(Campaign).where(col(Campaign.id).in_(ids))).all() if ids else []
    return {row.id: row for row in rows if row.id is not None}


def load_range(
    *, session: Session, filters: RangeFilters, with_team: bool, public_only: bool = False
) -> tuple[list[build.RosterEvent], list[str]]:
    """The events in the range as roster rows, in a fixed handful of queries however many."""
    scope = _describe_scope(session, filters)
    events, total = list_events(
        session=session, filters=filters.events(public_only=public_only), limit=MAX_EVENTS, offset=0
    )
    if total > MAX_EVENTS:
        raise Invalid(f"{total} events match; at most {MAX_EVENTS} fit one printout, so narrow the range")
    venues = _venues(session, {e.venue_id for e in events})
    campaigns = _campaigns(session, {e.campaign_id for e in events})
    ids = [e.id for e in events if e.id is not None]
    teams = team_of(session=session, event_ids=ids) if with_team else None
    staffing = staffing_states(session=session, events=events) if with_team else None
    rows = build.roster_events(events, venues=venues, campaigns=campaigns, teams=teams, staffing=staffing)
    return rows, scope


def load_roster(*, session: Session, principal: Principal, filters: RangeFilters) -> build.Roster:
    filters = scope_roster(principal, filters)
    events, scope = load_range(session=session, filters=filters, with_team=True)
    return build.build_roster(
        start=filters.start, end=filters.end, scope=scope, events=events, printed_at=utcnow()
    )


def load_event_list(
    *, session: Session, principal: Principal | None, filters: RangeFilters
) -> tuple[list[build.RosterEvent], bool]:
    """Coordinators export every event with its staffing; anyone else the public ones."""
    planner = principal is not None and principal.is_planner
    own = principal is not None and principal.person_id == filters.person_id
    if not planner and filters.person_id is not None and not own:
        raise Forbidden("only coordinators may list another person's events")
    events, _ = load_range(session=session, filters=filters, with_team=planner, public_only=not planner)
    return events, planner


def _contact_of_user(session: Session, user_id: int | None) -> build.Contact | None:
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        return None
    person = session.get(Person, user.person_id) if user.person_id is not None else None
    name = user.full_name or (person.name if person else "") or user.email
    return build.Contact(name=name, phone=person.phone if person else "", email=user.email)


def load_briefing(
    *, session: Session, principal: Principal, event_id: int, force_name: str
) -> build.Briefing:
    event = get_event(session=session, event_id=event_id)
    team = team_of(session=session, event_ids=[event_id])[event_id]
    check_can_print_team(principal, (a.person_id for a, _ in team if a.status in ACTIVE_ASSIGNMENT_STATUSES))
    venue = session.get(Venue, event.venue_id)
    campaign = session.get(Campaign, event.campaign_id)
    if venue is None or campaign is None:  # foreign keys make this unreachable
        raise NotFound(f"event {event_id} has lost its venue or campaign")
    campaign_coordinator = campaign.coordinator_user_id
    return build.build_briefing(
        force_name=force_name,
        event=event,
        venue=venue,
        campaign=campaign,
        team=team,
        staffing=staffing_states(session=session, events=[event])[event_id],
        coordinator=_contact_of_user(session, event.coordinator_user_id or campaign_coordinator),
        show_coordinators_notes=principal.is_planner,
        printed_at=utcnow(),
    )


def poster_size(value: str | None) -> str:
    size = (value or "A4").strip().upper()
    if size not in POSTER_SIZES:
        raise Invalid(f"size: '{(value or '')[:10]}' is not a poster size; use A4 or A3")
    return size


def _advertisable(event: Event) -> bool:
    return listed_publicly(event) and event.status == EventStatus.confirmed


def load_poster(
    *,
    session: Session,
    venue_id: int,
    size: str,
    event_id: int | None,
    force_name: str,
    base_url: str,
    now: datetime | None = None,
) -> poster.Poster:
    """The next public events at a venue, or one of them. Drafts and private events are
    'not found', so a poster link cannot be used to probe for them."""
    venue = session.get(Venue, venue_id)
    if venue is None:
        raise NotFound(f"venue {venue_id} does not exist")
    events: Sequence[Event]
    if event_id is not None:
        event = session.get(Event, event_id)
        if event is None or event.venue_id != venue_id or not listed_publicly(event):
            raise NotFound(f"venue {venue_id} has no public event {event_id}")
        if not _advertisable(event):
            raise Invalid(f"event {event_id} is {event.status}; there is nothing to advertise")
        events = [event]
    else:
        events = session.exec(
            select(Event)
            .where(
                Event.venue_id == venue_id,
                LISTED_PUBLICLY,
                Event.status == EventStatus.confirmed,
                Event.ends_at > (now or utcnow()),
            )
            .order_by(col(Event.starts_at), col(Event.id))
            .limit(POSTER_MAX_EVENTS)
        ).all()
        if not events:
            raise NotFound(f"{venue.name} has no upcoming public events to put on a poster")
    campaigns = _campaigns(session, {e.campaign_id for e in events})
    return poster.build_poster(
        force_name=force_name,
        size=size,
        venue=venue,
        events=events,
        campaigns=campaigns,
        base_url=base_url,
        qr=qr_svg,
    )
