"""Load the demo force (``app.demo_force``) into an empty database.

Everything is created through the services, so the booking rules and the audit trail apply
to the demo too.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.accounts import service as accounts
from app.accounts.models import User
from app.audit.service import Actor
from app.booking import service as booking
from app.campaigns import service as campaigns
from app.clock import from_london
from app.demo_force import (
    AWAY,
    CAMPAIGNS,
    DROP_IN_TEAMS,
    EVENTS,
    FIRST,
    JOB_CENTRES,
    LANGUAGE_SETS,
    LAST,
    NETWORKS,
    OPT_INS,
    PAST_DROP_IN,
    TOWNS,
    VENUES,
    Team,
    drop_in,
)
from app.enums import AssignmentStatus, EventStatus, PartnerStatus, PersonKind, Role
from app.errors import AppError
from app.events import service as events
from app.events.models import Event
from app.interest import demo as interest_demo
from app.networks import service as networks
from app.notifications.triggers import QUIET
from app.outcomes import demo as outcomes_demo
from app.people import service as people
from app.people.models import Person
from app.planning import demo as planning_demo
from app.representation import demo as representation_demo
from app.venues import service as venues

DEMO_PASSWORD = "muster-demo-2026"
DEMO_ACTOR = Actor(user_id=None, label="demo loader", role="admin")

# Six in every nine people are police officers, then one each of the other kinds.
KINDS = [PersonKind.police_officer] * 6 + [
    PersonKind.police_staff,
    PersonKind.pcso,
    PersonKind.special_constable,
]


@dataclass
class DemoLogins:
    admin: str
    coordinator: str
    staff: str
    partner: str
    password: str


def is_empty(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Person)).one() == 0


def _next_weekday(today: date, weekday: int, min_days: int) -> date:
    day = today + timedelta(days=min_days)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return from_london(datetime.combine(day, time(hour, minute)))


def _person(i: int) -> dict[str, Any]:
    """The demo's i-th person: kinds, towns and languages in turn, the last one inactive."""
    town = list(TOWNS)[i % len(TOWNS)]
    lat, lon = TOWNS[town]
    kind = KINDS[i % len(KINDS)]
    rank = {
        PersonKind.police_officer: "Sergeant" if i % 10 == 3 else "Police constable",
        PersonKind.police_staff: "Recruitment officer" if i % 2 else "HR adviser",
        PersonKind.pcso: "PCSO",
        PersonKind.special_constable: "Special constable",
    }[kind]
    return {
        "name": f"{FIRST[i]} {LAST[i]}",
        "staff_number": f"LC{4100 + i * 7}",
        "kind": kind,
        "rank_or_title": rank,
        "base_town": town,
        "latitude": lat,
        "longitude": lon,
        "languages": ["English", *LANGUAGE_SETS[i % len(LANGUAGE_SETS)]],
        "monthly_limit": 2 if i % 5 == 0 else 4,
        "email": f"{FIRST[i].lower()}.{LAST[i].lower()}@police.example",
        "phone": f"07700 900{i:03d}",
        "active": i != 39,
    }


def load(session: Session, *, today: date | None = None) -> DemoLogins:
    """Create the demo force. Refuses to run on a database that already has people."""
    if not is_empty(session):
        raise AppError("the database already has data; the demo loads only into an empty one")
    today = today or date.today()
    actor = DEMO_ACTOR
    # The demo's history is not news: nobody is e-mailed about what it sets up.
    session.info[QUIET] = True

    network_ids = [
        networks.create_network(session=session, actor=actor, data={"name": n, "short_name": s}).id or 0
        for n, s in NETWORKS
    ]
    network_by_short_name = {short: network_ids[i] for i, (_, short) in enumerate(NETWORKS)}
    venue_ids = {}
    for data in VENUES:
        lat, lon = TOWNS[data["town"]]
        venue = venues.create_venue(
            session=session, actor=actor, data={**data, "latitude": lat, "longitude": lon}
        )
        venue_ids[venue.name] = venue.id
    campaign_ids = {}
    for key, campaign in CAMPAIGNS.items():
        data = dict(campaign)
        first, last = data.pop("days")
        data.update(starts_on=today + timedelta(days=first), ends_on=today + timedelta(days=last))
        campaign_ids[key] = campaigns.create_campaign(session=session, actor=actor, data=data).id

    # The 97 -> 111 target, its figures, the community beside the workforce: all illustrative.
    representation_demo.load_demo(session, today=today, campaign_id=campaign_ids["pc"] or 0, actor=actor)

    persons = [people.create_person(session=session, actor=actor, data=_person(i)) for i in range(40)]
    for index, opt_ins in OPT_INS.items():
        for k, network_index in enumerate(opt_ins):
            people.opt_in(
                session=session,
                actor=actor,
                person_id=persons[index].id or 0,
                network_id=network_ids[network_index],
                public_naming=(index % 3 == 0 and k == 0),
            )

    def add_event(spec: dict[str, Any], wednesday: date) -> Event:
        day = wednesday + timedelta(days=spec["day"])
        starts, ends = spec["hours"]
        data = {k: v for k, v in spec.items() if k not in ("campaign", "venue", "day", "hours", "team")}
        data.update(
            campaign_id=campaign_ids[spec["campaign"]],
            venue_id=venue_ids[spec["venue"]],
            starts_at=_at(day, *starts),
            ends_at=_at(day, *ends),
            network_needs=[
                {"network_id": network_by_short_name[short], "min_count": count}
                for short, count in spec.get("network_needs", {}).items()
            ],
        )
        return events.create_event(session=session, actor=actor, data=data)

    def staff(event: Event, team: Team) -> None:
        for person_index, role, status in team:
            try:
                booking.assign(
                    session=session,
                    actor=actor,
                    event_id=event.id or 0,
                    person_id=persons[person_index].id or 0,
                    role=role,
                    status=status,
                )
            except AppError:
                session.rollback()

    wednesday = _next_weekday(today, 2, 5)
    drop_ins = {town: add_event(drop_in(town), wednesday) for _, town, _, _ in JOB_CENTRES}
    outreach = [add_event(spec, wednesday) for spec in EVENTS]
    # Past drop-ins give the outcomes, the reports and "where to go next" something to count.
    past = [add_event(PAST_DROP_IN, _next_weekday(today - timedelta(days=35), 2, 0))]
    staff(past[0], PAST_DROP_IN["team"])
    six_weeks_ago = _next_weekday(today - timedelta(days=49), 2, 0)
    for town, team in DROP_IN_TEAMS.items():
        past.append(add_event(drop_in(town), six_weeks_ago))
        staff(past[-1], tuple((who, role, AssignmentStatus.confirmed) for who, role, _ in team))
    for event in past:
        # They went ahead, so their venues had said yes.
        event.partner_status = PartnerStatus.confirmed
        events.set_status(session=session, actor=actor, event_id=event.id or 0, status=EventStatus.completed)
    for town, team in DROP_IN_TEAMS.items():
        staff(drop_ins[town], team)
    for event, spec in zip(outreach, EVENTS, strict=True):
        staff(event, spec["team"])

    for person_index, first_day, days, reason in AWAY:
        start = wednesday + timedelta(days=first_day)
        people.add_unavailability(
            session=session,
            actor=actor,
            data={
                "person_id": persons[person_index].id,
                "starts_at": _at(start, 0),
                "ends_at": _at(start + timedelta(days=days), 0),
                "reason": reason,
                "note": "",
            },
            # Demo time away never refuses: a duty under it is flagged, as a person's would be.
            accept_conflicts=True,
        )

    logins = DemoLogins(
        admin="admin@muster.example",
        coordinator="sergeant@muster.example",
        staff="aisha.hussain@muster.example",
        partner="jcp.blackburn@muster.example",
        password=DEMO_PASSWORD,
    )

    def sign_in(email: str, role: Role, full_name: str, **links: Any) -> User:
        return accounts.create_user(
            session=session,
            actor=actor,
            email=email,
            password=DEMO_PASSWORD,
            role=role,
            full_name=full_name,
            **links,
        )

    sign_in(logins.admin, Role.admin, "Muster Administrator")
    coordinator = sign_in(logins.coordinator, Role.coordinator, "Sgt Karen Whitworth (recruitment)")
    sign_in(logins.staff, Role.staff, persons[0].name, person_id=persons[0].id)
    partner_venue = venue_ids["Jobcentre Plus Blackburn"] or 0
    sign_in(
        logins.partner,
        Role.partner,
        "Jobcentre Plus Blackburn partnership manager",
        venue_ids=[partner_venue],
    )
    # The sergeant is the contact for every demo event (the loader booked them on her behalf).
    for event in session.exec(select(Event)).all():
        event.coordinator_user_id = coordinator.id
        session.add(event)
    session.commit()
    planning_demo.load_demo(session)
    outcomes_demo.load_demo(session, today=today)
    interest_demo.load_demo(session, today=today)
    session.info.pop(QUIET, None)
    return logins
