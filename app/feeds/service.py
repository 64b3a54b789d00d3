"""Calendar feeds: secret links, what each feed shows, and serving them from the cache.

Four feeds. The personal feed (secret link) is internal: a person's duties with their team,
what to bring and the coordinator's contact. The campaign feed (secret link, coordinators)
shows every event of a campaign with its staffing state. The venue feed and a single
event's .ics are public: public text only, and staff named only with their consent.
"""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.accounts.principal import Principal
from app.accounts.security import token_digest
from app.assignments.models import Assignment
from app.assignments.service import team_of
from app.audit import service as audit
from app.campaigns.models import Campaign
from app.clock import utcnow
from app.config import get_settings
from app.enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    EventStatus,
    FeedKind,
    Role,
    label,
)
from app.errors import Conflict, NotFound
from app.events.models import Event
from app.events.service import staffing_states
from app.feeds import changes
from app.feeds.cache import FeedCache, RenderedFeed, content_etag
from app.feeds.ical import CalendarEvent, CalendarMeta, Status, build_calendar
from app.feeds.models import FeedToken
from app.people.models import Person, Representation
from app.venues.models import Venue

TOKEN_PREFIX = "cal_"
MAX_TOKEN_LENGTH = 100
# How far back feeds reach: long enough for "when did I last do one", short enough that a
# busy person's feed does not grow for ever.
HISTORY_DAYS = 180
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)

CACHE = FeedCache()

_NO_FEED = "there is no calendar at this address (the link may have been reset)"


# --- links ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedLink:
    """A secret feed URL in the two forms clients want: https, and webcal:// (one click)."""

    kind: FeedKind
    url: str
    webcal_url: str
    created_at: datetime
    campaign_id: int | None = None


def _base_url() -> str:
    return get_settings().base_url.rstrip("/")


def _webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[-1]


def _derive_token(nonce: str) -> str:
    """HMAC of the link's nonce under the server secret: 256 bits nobody can compute from
    the database, and rotating MUSTER_SECRET_KEY ends every link at once."""
    key = get_settings().secret_key.encode()
    mac = hmac.new(key, b"muster-calendar-link:" + nonce.encode(), hashlib.sha256).digest()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def _path_of(kind: FeedKind, token: str) -> str:
    return f"/feeds/{'people' if kind == FeedKind.person else 'campaigns'}/{token}.ics"


def _link_of(row: FeedToken) -> FeedLink | None:
    token = _derive_token(row.nonce)
    if not row.nonce or token_digest(token) != row.token_hash:
        return None  # made under another secret: dead, like the URL it had
    url = _base_url() + _path_of(FeedKind(row.kind), token)
    return FeedLink(
        kind=FeedKind(row.kind),
        url=url,
        webcal_url=_webcal(url),
        created_at=row.created_at,
        campaign_id=row.campaign_id,
    )


def venue_feed_url(venue_id: int) -> str:
    """The public subscription URL of a venue's events."""
    return f"{_base_url()}/feeds/venues/{venue_id}.ics"


def event_ics_url(event_id: int) -> str:
    """The public "add to calendar" download of one event."""
    return f"{_base_url()}/events/{event_id}.ics"


def webcal_url(url: str) -> str:
    """The webcal:// form of a feed URL, which calendar apps open as a subscription."""
    return _webcal(url)


def _active_rows(
    session: Session, *, user_id: int, kind: FeedKind, campaign_id: int | None = None
) -> list[FeedToken]:
    query = select(FeedToken).where(
        FeedToken.user_id == user_id, FeedToken.kind == kind, col(FeedToken.revoked_at).is_(None)
    )
    if campaign_id is not None:
        query = query.where(FeedToken.campaign_id == campaign_id)
    return list(session.exec(query.order_by(col(FeedToken.id).desc())).all())


def _current(
    session: Session, *, user_id: int, kind: FeedKind, campaign_id: int | None = None
) -> FeedLink | None:
    for row in _active_rows(session, user_id=user_id, kind=kind, campaign_id=campaign_id):
        link = _link_of(row)
        if link is not None:
            return link
    return None


def _revoke(session: Session, principal: Principal, *, kind: FeedKind, campaign_id: int | None = None) -> int:
    rows = _active_rows(session, user_id=principal.user_id, kind=kind, campaign_id=campaign_id)
    now = utcnow()
    for row in rows:
        row.revoked_at = now
        session.add(row)
        assert row.id is not None
        audit.record(
            session=session,
            actor=principal.actor,
            action="revoke",
            record_type="feed_token",
            record_id=row.id,
            summary=f"{kind.value} calendar link revoked"
            + (f" (campaign {campaign_id})" if campaign_id else ""),
        )
    return len(rows)


def _issue(
    session: Session,
    principal: Principal,
    *,
    kind: FeedKind,
    person_id: int | None = None,
    campaign_id: int | None = None,
) -> FeedLink:
    nonce = secrets.token_hex(16)
    row = FeedToken(
        kind=kind,
        user_id=principal.user_id,
        person_id=person_id,
        campaign_id=campaign_id,
        nonce=nonce,
        token_hash=token_digest(_derive_token(nonce)),
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    audit.record(
        session=session,
        actor=principal.actor,
        action="create",
        record_type="feed_token",
        record_id=row.id,
        summary=f"{kind.value} calendar link created" + (f" (campaign {campaign_id})" if campaign_id else ""),
    )
    link = _link_of(row)
    assert link is not None
    return link


def _person_of(principal: Principal) -> int:
    if principal.person_id is None:
        raise Conflict(
            "your account is not linked to a person in Muster, so there are no duties to put in a "
            "calendar; ask an administrator to link it"
        )
    return principal.person_id


def person_feed_link(*, session: Session, principal: Principal) -> FeedLink | None:
    """The caller's personal calendar link, or None until they turn it on."""
    if principal.person_id is None:
        return None
    return _current(session, user_id=principal.user_id, kind=FeedKind.person)


def feed_links(*, session: Session, principal: Principal) -> list[FeedLink]:
    """Every live secret link of the caller: the personal one first, then campaigns'."""
    links = []
    personal = person_feed_link(session=session, principal=principal)
    if personal is not None:
        links.append(personal)
    if principal.is_planner:
        for row in _active_rows(session, user_id=principal.user_id, kind=FeedKind.campaign):
            link = _link_of(row)
            if link is not None:
                links.append(link)
    return links


def create_person_feed(*, session: Session, principal: Principal) -> tuple[FeedLink, bool]:
    """Turn on the caller's personal feed; (link, True) if new, the existing link if on."""
    person_id = _person_of(principal)
    existing = person_feed_link(session=session, principal=principal)
    if existing is not None:
        return existing, False
    _revoke(session, principal, kind=FeedKind.person)  # links dead by a secret rotation
    link = _issue(session, principal, kind=FeedKind.person, person_id=person_id)
    session.commit()
    return link, True


def reset_person_feed(*, session: Session, principal: Principal) -> FeedLink:
    """Revoke the caller's personal link (it answers 404 at once) and issue a new one."""
    person_id = _person_of(principal)
    _revoke(session, principal, kind=FeedKind.person)
    link = _issue(session, principal, kind=FeedKind.person, person_id=person_id)
    session.commit()
    return link


def revoke_person_feed(*, session: Session, principal: Principal) -> bool:
    """Turn the caller's personal feed off; True if there was one."""
    count = _revoke(session, principal, kind=FeedKind.person)
    session.commit()
    return count > 0


def _check_campaign(session: Session, campaign_id: int) -> None:
    if session.get(Campaign, campaign_id) is None:
        raise NotFound(f"campaign {campaign_id} does not exist")


def campaign_feed_link(*, session: Session, principal: Principal, campaign_id: int) -> FeedLink | None:
    """The caller's secret link to a campaign's feed, or None."""
    _check_campaign(session, campaign_id)
    return _current(session, user_id=principal.user_id, kind=FeedKind.campaign, campaign_id=campaign_id)


def create_campaign_feed(
    *, session: Session, principal: Principal, campaign_id: int
) -> tuple[FeedLink, bool]:
    """A coordinator's secret link to a campaign's feed; (link, True) if new."""
    existing = campaign_feed_link(session=session, principal=principal, campaign_id=campaign_id)
    if existing is not None:
        return existing, False
    _revoke(session, principal, kind=FeedKind.campaign, campaign_id=campaign_id)
    link = _issue(session, principal, kind=FeedKind.campaign, campaign_id=campaign_id)
    session.commit()
    return link, True


def reset_campaign_feed(*, session: Session, principal: Principal, campaign_id: int) -> FeedLink:
    """Revoke the caller's link to a campaign's feed and issue a new one."""
    _check_campaign(session, campaign_id)
    _revoke(session, principal, kind=FeedKind.campaign, campaign_id=campaign_id)
    link = _issue(session, principal, kind=FeedKind.campaign, campaign_id=campaign_id)
    session.commit()
    return link


def revoke_campaign_feed(*, session: Session, principal: Principal, campaign_id: int) -> bool:
    """Revoke the caller's link to a campaign's feed; True if there was one."""
    _check_campaign(session, campaign_id)
    count = _revoke(session, principal, kind=FeedKind.campaign, campaign_id=campaign_id)
    session.commit()
    return count > 0


@dataclass(frozen=True)
class _Holder:
    person_id: int | None
    campaign_id: int | None
    versions: changes.Versions


_TOKENS = FeedToken.__table__  # type: ignore[attr-defined]
_USERS = User.__table__  # type: ignore[attr-defined]
_ALL_COUNTER = changes.COUNTERS.alias("all_counter")
_OWN_COUNTER = changes.COUNTERS.alias("own_counter")
_OWN_SCOPE = sa.case(
    (
        _TOKENS.c.kind == FeedKind.person.value,
        sa.literal("person:") + sa.cast(_TOKENS.c.person_id, sa.String),
    ),
    else_=sa.literal("campaign:") + sa.cast(_TOKENS.c.campaign_id, sa.String),
)
# The whole question a polling client asks, in one round trip: is the link alive, whose is
# it, and has anything in its feed changed ('all' and the feed's own counter). Built once:
# building a statement costs more than running it.
_HOLDER = (
    sa.select(
        _TOKENS.c.kind,
        _TOKENS.c.nonce,
        _TOKENS.c.person_id,
        _TOKENS.c.campaign_id,
        _TOKENS.c.revoked_at,
        _USERS.c.active,
        _USERS.c.role,
        _USERS.c.person_id,
        _ALL_COUNTER.c.version,
        _ALL_COUNTER.c.changed_at,
        _OWN_COUNTER.c.version,
        _OWN_COUNTER.c.changed_at,
    )
    .select_from(
        _TOKENS.join(_USERS, _USERS.c.id == _TOKENS.c.user_id)
        .outerjoin(_ALL_COUNTER, _ALL_COUNTER.c.scope == changes.ALL)
        .outerjoin(_OWN_COUNTER, _OWN_COUNTER.c.scope == _OWN_SCOPE)
    )
    .where(_TOKENS.c.token_hash == sa.bindparam("digest"))
)


def _holder_of(session: Session, token: str, kind: FeedKind) -> _Holder:
    """Who a secret link belongs to and its feed's counters, or 404 that says nothing about why."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        raise NotFound(_NO_FEED)
    row = session.connection().execute(_HOLDER, {"digest": token_digest(token)}).first()
    if row is None:
        raise NotFound(_NO_FEED)
    (row_kind, nonce, person_id, campaign_id, revoked_at, active, role, user_person_id, *counters) = row
    valid = (
        row_kind == kind
        and revoked_at is None
        and active
        and hmac.compare_digest(_derive_token(nonce), token)
        and (
            (kind == FeedKind.person and person_id is not None and person_id == user_person_id)
            or (
                kind == FeedKind.campaign
                and campaign_id is not None
                and role in (Role.admin, Role.coordinator)
            )
        )
    )
    if not valid:
        raise NotFound(_NO_FEED)
    all_version, all_changed, own_version, own_changed = counters
    versions = ((all_version or 0, all_changed), (own_version or 0, own_changed))
    return _Holder(person_id=person_id, campaign_id=campaign_id, versions=versions)


# --- serving ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Window:
    """What a feed includes today. Day-granular, so a feed's version changes once a day."""

    day: date
    history_start: datetime
    cancelled_since: datetime

    @classmethod
    def today(cls) -> "_Window":
        day = utcnow().date()
        start = datetime.combine(day, time(), UTC)
        return cls(
            day=day,
            history_start=start - timedelta(days=HISTORY_DAYS),
            cancelled_since=start - timedelta(days=get_settings().cancelled_feed_days),
        )

    @property
    def starts(self) -> datetime:
        return datetime.combine(self.day, time(), UTC)


def _serve(
    session: Session,
    *,
    key: Hashable,
    scopes: tuple[str, ...],
    build: Callable[[_Window], CalendarMeta],
    versions: changes.Versions | None = None,
) -> RenderedFeed:
    """The cached body if nothing it shows has changed since; otherwise build it now.

    The counters are read before the data, so a body can only be newer than its version
    (then it is rebuilt once more), never older: no stale feed from any worker.
    """
    if versions is None:
        versions = changes.read_versions(session, (changes.ALL, *scopes))
    window = _Window.today()
    version = (versions, window.day)

    def _build() -> RenderedFeed:
        meta = build(window)
        body = build_calendar(meta).encode()
        stamps = [changed for _, changed in versions if changed is not None]
        stamps += [e.last_modified for e in meta.events]
        stamps.append(window.starts)
        return RenderedFeed(
            body=body, etag=content_etag(body), last_modified=max([EPOCH, *stamps]), version=version
        )

    return CACHE.get_or_build(key, version, _build)


def person_feed(*, session: Session, token: str) -> RenderedFeed:
    """A person's duties, by their secret link."""
    holder = _holder_of(session, token, FeedKind.person)
    person_id = holder.person_id
    assert person_id is not None
    return _serve(
        session,
        key=("person", person_id),
        scopes=(changes.scope_of("person", person_id),),
        build=lambda window: _person_calendar(session, person_id, window),
        versions=holder.versions,
    )


def campaign_feed(*, session: Session, token: str) -> RenderedFeed:
    """Every event of a campaign with its staffing state, by a coordinator's secret link."""
    holder = _holder_of(session, token, FeedKind.campaign)
    campaign_id = holder.campaign_id
    assert campaign_id is not None
    return _serve(
        session,
        key=("campaign", campaign_id),
        scopes=(changes.scope_of("campaign", campaign_id),),
        build=lambda window: _campaign_calendar(session, campaign_id, window),
        versions=holder.versions,
    )


def venue_feed(*, session: Session, venue_id: int) -> RenderedFeed:
    """The public events at a venue."""
    if session.get(Venue, venue_id) is None:
        raise NotFound(f"there is no venue {venue_id}")
    return _serve(
        session,
        key=("venue", venue_id),
        scopes=(changes.scope_of("venue", venue_id),),
        build=lambda window: _venue_calendar(session, venue_id, window),
    )


def event_ics(*, session: Session, event_id: int) -> RenderedFeed:
    """One public event, for "add to calendar"."""
    event = session.get(Event, event_id)
    if event is None or not event.public or event.status == EventStatus.draft:
        raise NotFound(f"there is no public event {event_id}")
    return _serve(
        session,
        key=("event", event_id),
        scopes=(changes.scope_of("event", event_id),),
        build=lambda window: _event_calendar(session, event_id),
    )


# --- what the feeds say ----------------------------------------------------------------


@lru_cache
def _uid_host() -> str:
    return urlsplit(get_settings().base_url).hostname or "muster"


def _uid(kind: str, event_id: int) -> str:
    """Stable per event and per feed kind, so the same event in a personal and a public
    calendar are two entries a client never merges or confuses."""
    return f"muster-{kind}-event-{event_id}@{_uid_host()}"


def _event_url(event_id: int) -> str:
    return f"{_base_url()}/events/{event_id}"


def _lines(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def _location(venue: Venue) -> str:
    return ", ".join(p.strip() for p in (venue.name, venue.address, venue.town, venue.postcode) if p.strip())


def _geo(venue: Venue) -> tuple[float, float] | None:
    if venue.latitude is None or venue.longitude is None:
        return None
    return (venue.latitude, venue.longitude)


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _teams(session: Session, event_ids: Sequence[int]) -> dict[int, list[tuple[Assignment, Person]]]:
    teams: dict[int, list[tuple[Assignment, Person]]] = {}
    for ids in _chunks(event_ids):
        teams.update(team_of(session=session, event_ids=ids))
    return teams


# Who runs the stand first, then recruitment staff, then ambassadors.
_ROLE_ORDER = {AssignmentRole.lead: 0, AssignmentRole.recruiter: 1, AssignmentRole.ambassador: 2}


def _team_text(team: list[tuple[Assignment, Person]], *, leave_out: int | None = None) -> str:
    """'Ann Lee (lead), Bob Roy (ambassador, proposed)': names and roles only, never
    which network anyone represents."""
    names = []
    for assignment, person in sorted(team, key=lambda m: (_ROLE_ORDER.get(m[0].role, 9), m[1].name)):
        if person.id == leave_out or assignment.status not in ACTIVE_ASSIGNMENT_STATUSES:
            continue
        role = label(assignment.role).lower()
        pending = ", proposed" if assignment.status == AssignmentStatus.proposed else ""
        names.append(f"{person.name} ({role}{pending})")
    return ", ".join(names)


def _coordinators(session: Session, user_ids: set[int]) -> dict[int, str]:
    """Each coordinator's contact line: name, e-mail and (internal feeds only) phone."""
    if not user_ids:
        return {}
    rows = session.exec(
        select(User, Person)
        .join(Person, col(Person.id) == User.person_id, isouter=True)
        .where(col(User.id).in_(sorted(user_ids)))
    ).all()
    contacts = {}
    for user, person in rows:
        assert user.id is not None
        name = user.full_name or (person.name if person else "")
        phone = person.phone if person else ""
        contacts[user.id] = ", ".join(p for p in (name, user.email, phone) if p)
    return contacts


def _campaigns(session: Session, campaign_ids: set[int]) -> dict[int, Campaign]:
    if not campaign_ids:
        return {}
    rows = session.exec(select(Campaign).where(col(Campaign.id).in_(sorted(campaign_ids)))).all()
    return {c.id: c for c in rows if c.id is not None}


def _status(event: Event, *, tentative: bool = False) -> Status:
    if event.status == EventStatus.cancelled:
        return Status.cancelled
    if event.status == EventStatus.draft or tentative:
        return Status.tentative
    return Status.confirmed


def _recently(window: _Window, *stamps: datetime) -> bool:
    return max(stamps) >= window.cancelled_since


def _person_calendar(session: Session, person_id: int, window: _Window) -> CalendarMeta:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(_NO_FEED)
    rows = session.exec(
        select(Assignment, Event, Venue)
        .join(Event, col(Event.id) == Assignment.event_id)
        .join(Venue, col(Venue.id) == Event.venue_id)
        .where(Assignment.person_id == person_id, Event.ends_at >= window.history_start)
        .order_by(col(Event.starts_at), col(Event.id))
    ).all()
    rows = [
        (a, e, v)
        for a, e, v in rows
        if (a.status in ACTIVE_ASSIGNMENT_STATUSES and e.status != EventStatus.cancelled)
        or _recently(window, a.updated_at, e.updated_at)
    ]
    event_ids = [e.id for _, e, _ in rows if e.id is not None]
    teams = _teams(session, event_ids)
    campaigns = _campaigns(session, {e.campaign_id for _, e, _ in rows})
    coordinator_of = {
        e.id: e.coordinator_user_id or campaigns[e.campaign_id].coordinator_user_id
        for _, e, _ in rows
        if e.campaign_id in campaigns
    }
    contacts = _coordinators(session, {u for u in coordinator_of.values() if u is not None})
    entries = []
    for assignment, event, venue in rows:
        assert event.id is not None
        role = label(assignment.role)
        off = assignment.status not in ACTIVE_ASSIGNMENT_STATUSES
        status = Status.cancelled if off else _status(event, tentative=assignment.status == "proposed")
        if event.status == EventStatus.cancelled:
            headline = "This event has been cancelled" + (
                f": {event.cancelled_reason}" if event.cancelled_reason else "."
            )
        elif assignment.status == AssignmentStatus.declined:
            headline = "You declined this duty."
        elif assignment.status == AssignmentStatus.withdrawn:
            headline = "You have been taken off this duty."
        elif assignment.status == AssignmentStatus.proposed:
            headline = f"You are proposed as {role.lower()}: please accept or decline in Muster."
        else:
            headline = f"Your role: {role.lower()} (confirmed)."
        if event.status == EventStatus.draft and not off:
            headline += " The event itself is not confirmed yet."
        team = _team_text(teams.get(event.id, []), leave_out=person_id)
        contact = contacts.get(coordinator_of.get(event.id) or 0, "")
        campaign = campaigns.get(event.campaign_id)
        if status == Status.cancelled:
            summary = f"Cancelled: {event.title}"
        elif assignment.status == AssignmentStatus.proposed:
            summary = f"{event.title} ({role.lower()}, proposed)"
        else:
            summary = f"{event.title} ({role.lower()})"
        entries.append(
            CalendarEvent(
                uid=_uid("duty", event.id),
                summary=summary,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                status=status,
                sequence=event.revision + assignment.revision,
                created=min(event.created_at, assignment.created_at),
                last_modified=max(event.updated_at, assignment.updated_at),
                location=_location(venue),
                geo=_geo(venue),
                description=_lines(
                    headline,
                    assignment.conflict_note and f"Note: {assignment.conflict_note}",
                    f"Team: {team}" if team else "Team: nobody else yet",
                    event.what_to_bring and f"What to bring: {event.what_to_bring}",
                    contact and f"Coordinator: {contact}",
                    f"Venue: {_location(venue)}",
                    venue.accessibility_notes and f"Access: {venue.accessibility_notes}",
                    venue.parking_notes and f"Parking: {venue.parking_notes}",
                    (campaign is not None and f"Campaign: {campaign.name}") or "",
                    f"In Muster: {_event_url(event.id)}",
                ),
                url=_event_url(event.id),
                contact=contact,
                categories=("Outreach", role),
            )
        )
    settings = get_settings()
    return CalendarMeta(
        name=f"Outreach duties: {person.name}",
        description=f"{person.name}'s positive-action outreach duties ({settings.force_name}), from Muster.",
        url=_base_url() + "/",
        refresh_minutes=settings.feed_refresh_minutes,
        events=entries,
    )


def _public_names(session: Session, event_ids: Sequence[int]) -> dict[int, list[str]]:
    """Who may be named on public pages: confirmed, and consented to be named publicly.
    Names only: the network they represent is never said here."""
    named: dict[int, list[str]] = {}
    consenting = select(Representation.person_id).where(col(Representation.public_naming).is_(True))
    for ids in _chunks(event_ids):
        rows = session.execute(
            select(Assignment.event_id, Person.name)
            .join(Person, col(Person.id) == Assignment.person_id)
            .where(
                col(Assignment.event_id).in_(ids),
                Assignment.status == AssignmentStatus.confirmed,
                col(Person.id).in_(consenting),
            )
            .order_by(col(Person.name))
        ).all()
        for event_id, name in rows:
            named.setdefault(event_id, []).append(name)
    return named


def _public_entry(event: Event, venue: Venue, names: list[str]) -> CalendarEvent:
    assert event.id is not None
    status = _status(event)
    cancelled = status == Status.cancelled
    return CalendarEvent(
        uid=_uid("public", event.id),
        summary=("Cancelled: " if cancelled else "") + event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        status=status,
        sequence=event.revision,
        created=event.created_at,
        last_modified=event.updated_at,
        location=_location(venue),
        geo=_geo(venue),
        description=_lines(
            "This event has been cancelled." if cancelled else "",
            event.public_description,
            (names and "Meet: " + ", ".join(names)) or "",
            f"Where: {_location(venue)}",
            venue.accessibility_notes and f"Access: {venue.accessibility_notes}",
            f"More: {_event_url(event.id)}",
        ),
        url=_event_url(event.id),
        categories=("Police recruitment",),
        public=True,
    )


def _venue_calendar(session: Session, venue_id: int, window: _Window) -> CalendarMeta:
    venue = session.get(Venue, venue_id)
    if venue is None:
        raise NotFound(f"there is no venue {venue_id}")
    events = [
        e
        for e in session.exec(
            select(Event)
            .where(
                Event.venue_id == venue_id,
                col(Event.public).is_(True),
                col(Event.status).in_((EventStatus.confirmed, EventStatus.completed, EventStatus.cancelled)),
                Event.ends_at >= window.history_start,
            )
            .order_by(col(Event.starts_at), col(Event.id))
        ).all()
        if e.status != EventStatus.cancelled or _recently(window, e.updated_at)
    ]
    names = _public_names(session, [e.id for e in events if e.id is not None])
    settings = get_settings()
    return CalendarMeta(
        name=f"Police recruitment events at {venue.name}",
        description=f"{settings.force_name} recruitment events at {_location(venue)}.",
        url=_base_url() + "/",
        source=venue_feed_url(venue_id),
        refresh_minutes=settings.feed_refresh_minutes,
        events=[_public_entry(e, venue, names.get(e.id or 0, [])) for e in events],
    )


def _event_calendar(session: Session, event_id: int) -> CalendarMeta:
    event = session.get(Event, event_id)
    if event is None or not event.public or event.status == EventStatus.draft:
        raise NotFound(f"there is no public event {event_id}")
    venue = session.get(Venue, event.venue_id)
    assert venue is not None
    names = _public_names(session, [event_id]).get(event_id, [])
    return CalendarMeta(
        name=event.title,
        url=_event_url(event_id),
        refresh_minutes=get_settings().feed_refresh_minutes,
        events=[_public_entry(event, venue, names)],
    )


def _campaign_calendar(session: Session, campaign_id: int, window: _Window) -> CalendarMeta:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(_NO_FEED)
    rows = [
        (e, v)
        for e, v in session.exec(
            select(Event, Venue)
            .join(Venue, col(Venue.id) == Event.venue_id)
            .where(Event.campaign_id == campaign_id, Event.ends_at >= window.history_start)
            .order_by(col(Event.starts_at), col(Event.id))
        ).all()
        if e.status != EventStatus.cancelled or _recently(window, e.updated_at)
    ]
    events = [e for e, _ in rows]
    states = {}
    for start in range(0, len(events), 500):
        states.update(staffing_states(session=session, events=events[start : start + 500]))
    teams = _teams(session, [e.id for e in events if e.id is not None])
    entries = []
    for event, venue in rows:
        assert event.id is not None
        state = states[event.id]
        status = _status(event)
        team = _team_text(teams.get(event.id, []))
        last_modified = max(
            [event.updated_at, *(a.updated_at for a, _ in teams.get(event.id, []))],
        )
        prefix = {Status.cancelled: "Cancelled: ", Status.tentative: "Draft: "}.get(status, "")
        staffed = "" if status == Status.cancelled else (" (staffed)" if state.filled else " (needs staff)")
        entries.append(
            CalendarEvent(
                uid=_uid("campaign", event.id),
                summary=f"{prefix}{event.title}{staffed}",
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                status=status,
                sequence=event.revision,
                created=event.created_at,
                last_modified=last_modified,
                location=_location(venue),
                geo=_geo(venue),
                description=_lines(
                    f"Event: {label(event.status)}" + (" (public)" if event.public else " (not public)"),
                    f"Staffing: {state.summary}",
                    f"Ambassadors: {state.ambassadors} of {state.ambassadors_needed}; "
                    f"recruiters: {state.recruiters} of {state.recruiters_needed}",
                    f"Team: {team}" if team else "Team: nobody yet",
                    f"Venue: {_location(venue)}",
                    f"In Muster: {_event_url(event.id)}",
                ),
                url=_event_url(event.id),
                categories=("Outreach", label(event.status)),
            )
        )
    settings = get_settings()
    return CalendarMeta(
        name=f"Campaign: {campaign.name}",
        description=f"Every event of the {campaign.name} campaign with its staffing, from Muster.",
        url=_base_url() + "/",
        refresh_minutes=settings.feed_refresh_minutes,
        events=entries,
    )
