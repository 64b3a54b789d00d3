"""Venues: where events are held, who speaks for them, and taking one out of use."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app import records
from app.accounts.models import User, UserVenue
from app.accounts.principal import Principal
from app.assignments.models import Assignment
from app.audit import service as audit
from app.audit.service import Actor
from app.clock import utcnow
from app.enums import AssignmentRole, AssignmentStatus, EventStatus
from app.errors import Forbidden
from app.events.models import Event
from app.people.models import Person
from app.venues import hours
from app.venues.models import Venue

OPEN_STATUSES = (EventStatus.draft, EventStatus.confirmed)
NO_LONGER_IN_USE = "the venue is no longer in use"

# What a partner may edit about their own venue; everything else is the coordinators'.
PARTNER_EDITABLE = frozenset({"accessibility_notes", "parking_notes", "opening_notes"})
# ... and their venue's opening hours, over the API.
PARTNER_MAY_SET = PARTNER_EDITABLE | {"opening_hours"}


def get_venue(*, session: Session, venue_id: int) -> Venue:
    return records.get_or_404(session, Venue, venue_id, "venue")


def check_can_see(principal: Principal | None, venue_id: int) -> None:
    if principal is not None and principal.role == "partner" and venue_id not in principal.venue_ids:
        raise Forbidden("partners see only their own venues")


def list_venues(
    *,
    session: Session,
    limit: int,
    offset: int,
    town: str | None = None,
    kind: str | None = None,
    only_ids: frozenset[int] | None = None,
) -> tuple[list[Venue], int]:
    query = select(Venue).order_by(col(Venue.town), col(Venue.name))
    if town:
        query = query.where(col(Venue.town).ilike(town.strip()))
    if kind:
        query = query.where(Venue.kind == kind)
    if only_ids is not None:
        query = query.where(col(Venue.id).in_(only_ids))
    return records.page(session, query, limit=limit, offset=offset)


def all_venues(*, session: Session, active_only: bool = False) -> list[Venue]:
    """Every venue (or every one in use), by town and name: for choosing one."""
    query = select(Venue).order_by(col(Venue.town), col(Venue.name))
    if active_only:
        query = query.where(col(Venue.active).is_(True))
    return list(session.exec(query).all())


def towns(*, session: Session) -> list[str]:
    """The towns that have a venue, in order: for filtering by town."""
    rows = session.exec(select(Venue.town).where(Venue.town != "").distinct().order_by(col(Venue.town)))
    return [t for t in rows.all() if t]


def upcoming_counts(*, session: Session, venue_ids: list[int]) -> dict[int, int]:
    """Upcoming, not cancelled events per venue, in one grouped query."""
    if not venue_ids:
        return {}
    rows = session.exec(
        select(Event.venue_id, func.count())
        .where(
            col(Event.venue_id).in_(venue_ids),
            Event.ends_at > utcnow(),
            Event.status != EventStatus.cancelled,
        )
        .group_by(col(Event.venue_id))
    ).all()
    return {venue_id: int(count) for venue_id, count in rows}


def partners_of(*, session: Session, venue_id: int) -> list[User]:
    """The sign-ins that speak for the venue (its partners), by e-mail address."""
    query = (
        select(User)
        .join(UserVenue, col(UserVenue.user_id) == User.id)
        .where(UserVenue.venue_id == venue_id)
        .order_by(col(User.email))
    )
    return list(session.exec(query).all())


def _week_in(data: dict[str, Any]) -> list[hours.OpenHours] | None:
    """The opening hours taken out of a body (None: not sent), as rows."""
    sent = data.pop("opening_hours", None)
    if sent is None:
        return None
    return [hours.OpenHours(d["weekday"], d["opens"], d["closes"]) for d in sent]


def create_venue(*, session: Session, actor: Actor, data: dict[str, Any]) -> Venue:
    data = dict(data)
    week = _week_in(data)
    venue = records.create(
        session=session,
        actor=actor,
        record=Venue(**data),
        summary=f"venue {data['name']} created",
        commit=False,
    )
    if week:
        _set_week(session, actor, venue, week)
    session.commit()
    return venue


def set_opening_hours(*, session: Session, actor: Actor, venue_id: int, week: list[hours.OpenHours]) -> Venue:
    """The venue's opening hours replaced (a new revision when they change), committed."""
    venue = records.lock(session, Venue, venue_id, "venue")
    if _set_week(session, actor, venue, week):
        records.bump(venue)
        session.add(venue)
    session.commit()
    return venue


def _set_week(session: Session, actor: Actor, venue: Venue, week: list[hours.OpenHours]) -> bool:
    """The venue's opening hours replaced, audited, when they differ; whether they did."""
    venue_id = venue.id or 0
    before = hours.week_of(session=session, venue_id=venue_id)
    if before == week:
        return False
    hours.replace_week(session=session, venue_id=venue_id, week=week)
    audit.note(
        session,
        actor,
        "update",
        venue,
        f"venue {venue.name}: opening hours {hours.describe(week)}",
        before={"opening_hours": hours.describe(before)},
        after={"opening_hours": hours.describe(week)},
    )
    return True


def update_venue(
    *,
    session: Session,
    principal: Principal,
    venue_id: int,
    changes: dict[str, Any],
    expected: records.Expected = None,
) -> Venue:
    """Coordinators edit anything; a partner only the access, parking and opening notes.

    Taking a venue out of use (``active`` false) takes its upcoming events off public view,
    in the same transaction; they stay booked, and the dashboard flags them until they are
    moved or cancelled. ``expected`` (from ``If-Match``) refuses the change with 412 if the
    venue has changed since."""
    venue = records.lock(session, Venue, venue_id, "venue")
    if principal.role == "partner":
        check_can_see(principal, venue_id)
        refused = sorted(set(changes) - PARTNER_MAY_SET)
        if refused:
            raise Forbidden(f"partners may not change: {', '.join(refused)}")
    records.check_revision(session, venue, expected)
    changes = dict(changes)
    week = _week_in(changes)
    retiring = changes.get("active") is False and venue.active
    revision = venue.revision
    venue = records.update(
        session=session,
        actor=principal.actor,
        record=venue,
        changes=changes,
        summary=f"venue {venue.name} " + ("taken out of use" if retiring else "updated"),
        commit=False,
        expected=expected,
    )
    # New hours are a new revision of the venue, once, however many fields changed with them.
    if week is not None and _set_week(session, principal.actor, venue, week) and venue.revision == revision:
        records.bump(venue)
        session.add(venue)
    if changes.get("active") is False:
        # Again for a venue already out of use: hides public events left from before this rule.
        _take_off_public_view(session, principal.actor, venue)
    session.commit()
    return venue


def upcoming_events(*, session: Session, venue_id: int, lock: bool = False) -> list[Event]:
    """The venue's draft and confirmed events that have not ended, soonest first."""
    query = (
        select(Event)
        .where(
            Event.venue_id == venue_id,
            Event.ends_at > utcnow(),
            col(Event.status).in_(OPEN_STATUSES),
        )
        .order_by(col(Event.starts_at), col(Event.id))
    )
    if lock and session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update(key_share=True)
    return list(session.exec(query.execution_options(populate_existing=lock)).all())


def deactivation_summary(venue: Venue, upcoming: list[Event]) -> str:
    """In words, what taking the venue out of use does (or did) to its upcoming events."""
    if not upcoming:
        return f"{venue.name} has no upcoming events."
    shown = sum(1 for e in upcoming if e.public)
    count = f"{len(upcoming)} upcoming event" + ("s are" if len(upcoming) != 1 else " is")
    if not venue.active:
        return (
            f"{venue.name} is no longer in use, but {count} still booked there, off public view: "
            "move or cancel them."
        )
    public = f" ({shown} shown to the public)" if shown else ""
    return (
        f"{count} booked at {venue.name}{public}. Taking it out of use takes them off public view "
        "and flags them on the dashboard until they are moved or cancelled; none is deleted."
    )


def _take_off_public_view(session: Session, actor: Actor, venue: Venue) -> None:
    for event in upcoming_events(session=session, venue_id=venue.id or 0, lock=True):
        if not event.public:
            continue
        before = audit.snapshot(event)
        event.public = False
        records.bump(event)
        session.add(event)
        summary = f"event '{event.title}' taken off public view: {venue.name} is no longer in use"
        audit.note(session, actor, "update", event, summary, before=before, after=audit.snapshot(event))


@dataclass(frozen=True)
class Visitor:
    """A team member as the venue partner sees them: a name and a role, nothing else."""

    name: str
    role: AssignmentRole
    confirmed: bool


# The lead first: the person the venue's staff will ask for on the day.
_ROLE_ORDER = {AssignmentRole.lead: 0, AssignmentRole.recruiter: 1, AssignmentRole.ambassador: 2}


def team_coming(*, session: Session, event_id: int) -> list[Visitor]:
    """Who is coming to the venue for an event: names and roles of the proposed and
    confirmed team, never their networks, contact details or anything else about them."""
    rows = session.exec(
        select(Person.name, Assignment.role, Assignment.status)
        .join(Person, col(Person.id) == Assignment.person_id)
        .where(
            Assignment.event_id == event_id,
            col(Assignment.status).in_((AssignmentStatus.proposed, AssignmentStatus.confirmed)),
        )
    ).all()
    found = [
        Visitor(name, AssignmentRole(role), status == AssignmentStatus.confirmed)
        for name, role, status in rows
    ]
    return sorted(found, key=lambda v: (_ROLE_ORDER[v.role], not v.confirmed, v.name))
