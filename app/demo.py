"""A realistic demo force, modelled on East Lancashire's job-centre outreach.

Dates are relative to today so the demo always has upcoming events. Everything is created
through the services, so the booking rules and the audit trail apply to the demo too.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.accounts import service as accounts
from app.audit.service import Actor
from app.booking import service as booking
from app.campaigns import service as campaigns
from app.clock import from_london
from app.enums import (
    AssignmentRole,
    AssignmentStatus,
    EventStatus,
    PersonKind,
    Role,
    UnavailabilityReason,
    VenueKind,
)
from app.errors import AppError
from app.events import service as events
from app.events.models import Event
from app.networks import service as networks
from app.notifications.triggers import QUIET
from app.people import service as people
from app.people.models import Person
from app.venues import service as venues

DEMO_PASSWORD = "muster-demo-2026"
DEMO_ACTOR = Actor(user_id=None, label="demo loader", role="admin")

NETWORKS = [
    ("Black Police Association", "BPA"),
    ("LGBT+ Network", "LGBT+"),
    ("Women's Network", "Women"),
    ("Disability Network", "Enable"),
    ("Muslim Police Association", "MPA"),
    ("Sikh Police Association", "SPA"),
]

# (town, latitude, longitude)
TOWNS = {
    "Accrington": (53.7534, -2.3638),
    "Bacup": (53.7041, -2.2007),
    "Blackburn": (53.7480, -2.4821),
    "Burnley": (53.7893, -2.2405),
    "Darwen": (53.6980, -2.4610),
    "Nelson": (53.8346, -2.2180),
    "Rawtenstall": (53.7000, -2.2900),
}

JOB_CENTRES = [
    ("Jobcentre Plus Accrington", "Accrington", "Ellison Street, Accrington", "BB5 0AU"),
    ("Jobcentre Plus Bacup", "Bacup", "Burnley Road, Bacup", "OL13 8DB"),
    ("Jobcentre Plus Blackburn", "Blackburn", "Ainsworth Street, Blackburn", "BB1 6AR"),
    ("Jobcentre Plus Burnley", "Burnley", "Elizabeth Street, Burnley", "BB11 2BX"),
    ("Jobcentre Plus Darwen", "Darwen", "Railway Road, Darwen", "BB3 2RJ"),
    ("Jobcentre Plus Nelson", "Nelson", "Broadway, Nelson", "BB9 9SL"),
    ("Jobcentre Plus Rawtenstall", "Rawtenstall", "Bank Street, Rawtenstall", "BB4 6QS"),
]

OTHER_VENUES: list[dict[str, Any]] = [
    {
        "name": "Asda Grimshaw Park",
        "kind": VenueKind.supermarket,
        "town": "Blackburn",
        "address": "Grimshaw Park, Blackburn",
        "postcode": "BB2 3AH",
        "partner_organisation": "Asda Stores",
        "accessibility_notes": "Level access from the car park; stand by the customer services desk.",
        "parking_notes": "Free customer car park; staff park at the far end.",
    },
    {
        "name": "Brookhouse Community Centre",
        "kind": VenueKind.community_centre,
        "town": "Blackburn",
        "address": "Brookhouse Lane, Blackburn",
        "postcode": "BB1 6PJ",
        "partner_organisation": "Brookhouse Residents' Association",
        "accessibility_notes": "Ramp at the side entrance; accessible toilet.",
    },
    {
        "name": "Nelson Central Mosque",
        "kind": VenueKind.place_of_worship,
        "town": "Nelson",
        "address": "Cross Street, Nelson",
        "postcode": "BB9 7NN",
        "partner_organisation": "Mosque committee",
        "accessibility_notes": "Community hall on the ground floor. Shoes off in the prayer hall only.",
    },
    {
        "name": "Burnley College",
        "kind": VenueKind.college,
        "town": "Burnley",
        "address": "Princess Way, Burnley",
        "postcode": "BB12 0AN",
        "partner_organisation": "Burnley College careers service",
        "parking_notes": "Visitor spaces at the main entrance; sign in at reception.",
    },
    {
        "name": "Accrington Library",
        "kind": VenueKind.library,
        "town": "Accrington",
        "address": "St James Street, Accrington",
        "postcode": "BB5 1NQ",
        "partner_organisation": "Lancashire Libraries",
    },
]

FIRST = [
    "Aisha",
    "Imran",
    "Priya",
    "Tom",
    "Sarah",
    "Kwame",
    "Zara",
    "Daniel",
    "Fatima",
    "Liam",
    "Nadia",
    "Harpreet",
    "Grace",
    "Mohammed",
    "Emma",
    "Tariq",
    "Joanne",
    "Ravi",
    "Chloe",
    "Yusuf",
    "Hannah",
    "Bilal",
    "Sophie",
    "Amir",
    "Kirsty",
    "Jaspreet",
    "Paul",
    "Samira",
    "Ewa",
    "Adebayo",
    "Rachel",
    "Hamza",
    "Megan",
    "Sunil",
    "Lucy",
    "Farah",
    "Gareth",
    "Noor",
    "Kasia",
    "Marcus",
]
LAST = [
    "Hussain",
    "Patel",
    "Khan",
    "Walsh",
    "Ahmed",
    "Mensah",
    "Ali",
    "Brennan",
    "Begum",
    "Holt",
    "Iqbal",
    "Kaur",
    "Okafor",
    "Rashid",
    "Taylor",
    "Mahmood",
    "Kershaw",
    "Mistry",
    "Ashworth",
    "Shah",
    "Clegg",
    "Akhtar",
    "Riley",
    "Javed",
    "Duckworth",
    "Singh",
    "Haworth",
    "Malik",
    "Nowak",
    "Adeyemi",
    "Entwistle",
    "Sadiq",
    "Pilling",
    "Chauhan",
    "Greenwood",
    "Aziz",
    "Lord",
    "Bibi",
    "Kowalska",
    "Campbell",
]
LANGUAGE_SETS = [
    [],
    ["Urdu"],
    ["Punjabi", "Urdu"],
    [],
    ["Gujarati"],
    [],
    ["Bengali"],
    [],
    ["Polish"],
    [],
    ["Urdu"],
    ["Punjabi"],
    [],
    ["Urdu", "Arabic"],
    [],
    ["Urdu"],
    [],
    ["Gujarati", "Hindi"],
    ["British Sign Language"],
    [],
]
# Index of network in NETWORKS for some people: their own, withdrawable opt-ins.
OPT_INS = {
    0: [4],
    1: [0, 4],
    2: [2],
    4: [2, 1],
    5: [0],
    6: [4, 2],
    7: [1],
    8: [4],
    10: [2, 4],
    11: [5],
    12: [0, 2],
    13: [4],
    14: [3],
    15: [4],
    17: [5],
    18: [3, 2],
    20: [1],
    21: [4],
    24: [2],
    25: [5],
    27: [4, 2],
    29: [0],
    31: [4],
    33: [5],
    34: [1, 2],
    35: [4],
    38: [2],
    39: [0],
}


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


def load(session: Session, *, today: date | None = None) -> DemoLogins:
    """Create the demo force. Refuses to run on a database that already has people."""
    if not is_empty(session):
        raise AppError("the database already has data; the demo loads only into an empty one")
    today = today or date.today()
    actor = DEMO_ACTOR
    # The demo's history is not news: nobody is e-mailed about what it sets up.
    session.info[QUIET] = True

    network_ids = [
        networks.create_network(session=session, actor=actor, data={"name": n, "short_name": s}).id
        for n, s in NETWORKS
    ]

    job_centres = []
    for name, town, address, postcode in JOB_CENTRES:
        lat, lon = TOWNS[town]
        job_centres.append(
            venues.create_venue(
                session=session,
                actor=actor,
                data={
                    "name": name,
                    "kind": VenueKind.job_centre,
                    "town": town,
                    "address": address,
                    "postcode": postcode,
                    "latitude": lat,
                    "longitude": lon,
                    "partner_organisation": "Jobcentre Plus (DWP)",
                    "contact_name": "Partnership manager",
                    "contact_phone": "0800 169 0190",
                    "accessibility_notes": "Step-free entrance; hearing loop at reception.",
                    "parking_notes": "No on-site parking; pay-and-display nearby.",
                    "opening_notes": "Open 09:00–17:00 Monday to Friday.",
                },
            )
        )
    others = []
    for data in OTHER_VENUES:
        lat, lon = TOWNS[data["town"]]
        others.append(
            venues.create_venue(
                session=session, actor=actor, data={**data, "latitude": lat, "longitude": lon}
            )
        )
    asda, community, mosque, college, library = others

    pc = campaigns.create_campaign(
        session=session,
        actor=actor,
        data={
            "name": "Police constables – spring intake",
            "description": "Positive-action outreach for the spring police constable intake: "
            "encouraging women, LGBT+ people and people from ethnic minorities to apply.",
            "roles_recruited": ["Police constable"],
            "target_groups": ["Ethnic minorities", "Women", "LGBT+"],
            "starts_on": today - timedelta(days=30),
            "ends_on": today + timedelta(days=150),
            "targets_text": "Reach 111 officers from ethnic minorities by April (97 now); "
            "raise the share of women above 33% of strength.",
            "targets": [
                {"label": "Officers from ethnic minorities", "target": 111, "baseline": 97},
                {"label": "New officers recruited", "target": 150, "baseline": 0},
            ],
        },
    )
    specials = campaigns.create_campaign(
        session=session,
        actor=actor,
        data={
            "name": "Special constables",
            "description": "Volunteer special constables from every community.",
            "roles_recruited": ["Special constable"],
            "target_groups": ["Ethnic minorities", "Women"],
            "starts_on": today - timedelta(days=14),
            "ends_on": today + timedelta(days=90),
        },
    )
    control_room = campaigns.create_campaign(
        session=session,
        actor=actor,
        data={
            "name": "Police control room operators",
            "description": "The first contact with the police: call handling and incident control.",
            "roles_recruited": ["Police control room operator"],
            "target_groups": ["Ethnic minorities", "Disabled people", "Speakers of community languages"],
            "starts_on": today,
            "ends_on": today + timedelta(days=120),
        },
    )

    kinds = [PersonKind.police_officer] * 6 + [
        PersonKind.police_staff,
        PersonKind.pcso,
        PersonKind.special_constable,
    ]
    town_names = list(TOWNS)
    persons: list[Person] = []
    for i in range(40):
        town = town_names[i % len(town_names)]
        lat, lon = TOWNS[town]
        kind = kinds[i % len(kinds)]
        rank = {
            PersonKind.police_officer: "Sergeant" if i % 10 == 3 else "Police constable",
            PersonKind.police_staff: "Recruitment officer" if i % 2 else "HR adviser",
            PersonKind.pcso: "PCSO",
            PersonKind.special_constable: "Special constable",
        }[kind]
        name = f"{FIRST[i]} {LAST[i]}"
        persons.append(
            people.create_person(
                session=session,
                actor=actor,
                data={
                    "name": name,
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
                },
            )
        )
    for index, opt_ins in OPT_INS.items():
        for k, network_index in enumerate(opt_ins):
            people.opt_in(
                session=session,
                actor=actor,
                person_id=persons[index].id or 0,
                network_id=network_ids[network_index] or 0,
                public_naming=(index % 3 == 0 and k == 0),
            )

    wednesday = _next_weekday(today, 2, 5)
    bpa, lgbt, women, _disability, mpa, _spa = network_ids
    job_centre_events = []
    for venue in job_centres:
        job_centre_events.append(
            events.create_event(
                session=session,
                actor=actor,
                data={
                    "campaign_id": pc.id,
                    "venue_id": venue.id,
                    "title": f"Police recruitment drop-in – {venue.town}",
                    "starts_at": _at(wednesday, 10),
                    "ends_at": _at(wednesday, 17),
                    "status": EventStatus.confirmed,
                    "public": True,
                    "public_description": "Thinking about a career in policing? Come and talk to serving "
                    "officers and our recruitment team about life in Lancashire Constabulary, the "
                    "application process and the support on offer. Everyone is welcome; we especially "
                    "encourage women, LGBT+ people and people from ethnic minorities to come along.",
                    "internal_notes": "Bring the pop-up banner and application packs. Park at the station.",
                    "what_to_bring": "Warrant card, uniform, 30 application packs, pop-up banner",
                    "ambassadors_needed": 2,
                    "recruiters_needed": 1,
                    "network_needs": [{"network_id": bpa, "min_count": 1}]
                    if venue.town in ("Blackburn", "Nelson", "Burnley")
                    else [],
                    "wanted_languages": ["Urdu"]
                    if venue.town in ("Blackburn", "Nelson", "Burnley", "Accrington")
                    else [],
                },
            )
        )
    thursday = wednesday + timedelta(days=1)
    asda_event = events.create_event(
        session=session,
        actor=actor,
        data={
            "campaign_id": specials.id,
            "venue_id": asda.id,
            "title": "Become a special constable",
            "starts_at": _at(thursday, 15),
            "ends_at": _at(thursday, 19),
            "status": EventStatus.confirmed,
            "public": True,
            "public_description": "Volunteer as a special constable: meet the specials team at the "
            "stand by customer services and find out what the role involves.",
            "what_to_bring": "Specials leaflets, table banner",
            "ambassadors_needed": 2,
            "recruiters_needed": 1,
            "network_needs": [{"network_id": women, "min_count": 1}],
        },
    )
    later = wednesday + timedelta(days=9)
    community_event = events.create_event(
        session=session,
        actor=actor,
        data={
            "campaign_id": control_room.id,
            "venue_id": community.id,
            "title": "Careers evening: police control room operators",
            "starts_at": _at(later, 17, 30),
            "ends_at": _at(later, 20, 0),
            "status": EventStatus.confirmed,
            "public": True,
            "public_description": "Meet control room operators and hear how they handle the first call.",
            "ambassadors_needed": 3,
            "recruiters_needed": 1,
            "network_needs": [{"network_id": mpa, "min_count": 1}],
            "wanted_languages": ["Punjabi", "Gujarati"],
        },
    )
    mosque_event = events.create_event(
        session=session,
        actor=actor,
        data={
            "campaign_id": pc.id,
            "venue_id": mosque.id,
            "title": "Policing careers open afternoon",
            "starts_at": _at(later + timedelta(days=2), 14),
            "ends_at": _at(later + timedelta(days=2), 16),
            "status": EventStatus.draft,
            "public": False,
            "ambassadors_needed": 2,
            "recruiters_needed": 1,
            "network_needs": [{"network_id": mpa, "min_count": 2}],
            "wanted_languages": ["Urdu"],
        },
    )
    college_event = events.create_event(
        session=session,
        actor=actor,
        data={
            "campaign_id": pc.id,
            "venue_id": college.id,
            "title": "Freshers' careers fair stand",
            "starts_at": _at(later + timedelta(days=5), 11),
            "ends_at": _at(later + timedelta(days=5), 15),
            "status": EventStatus.confirmed,
            "public": True,
            "public_description": "Find out about the routes into policing, including the degree apprenticeship.",
            "ambassadors_needed": 2,
            "recruiters_needed": 1,
            "network_needs": [{"network_id": lgbt, "min_count": 1}],
        },
    )
    library_event = events.create_event(
        session=session,
        actor=actor,
        data={
            "campaign_id": control_room.id,
            "venue_id": library.id,
            "title": "Drop-in: working in the control room",
            "starts_at": _at(later + timedelta(days=14), 10),
            "ends_at": _at(later + timedelta(days=14), 13),
            "status": EventStatus.draft,
            "public": False,
            "ambassadors_needed": 1,
            "recruiters_needed": 1,
        },
    )
    # History: last month's completed job-centre day, recorded by an administrator.
    past_day = _next_weekday(today - timedelta(days=35), 2, 0)
    past = events.create_event(
        session=session,
        actor=actor,
        data={
            "campaign_id": pc.id,
            "venue_id": job_centres[2].id,
            "title": "Police recruitment drop-in – Blackburn",
            "starts_at": _at(past_day, 10),
            "ends_at": _at(past_day, 17),
            "status": EventStatus.confirmed,
            "public": True,
            "ambassadors_needed": 2,
            "recruiters_needed": 1,
        },
    )

    def staff(event: Any, person_index: int, role: AssignmentRole, status: AssignmentStatus) -> None:
        try:
            booking.assign(
                session=session,
                actor=actor,
                event_id=event.id,
                person_id=persons[person_index].id or 0,
                role=role,
                status=status,
            )
        except AppError:
            session.rollback()

    A, R, L = AssignmentRole.ambassador, AssignmentRole.recruiter, AssignmentRole.lead
    C, P = AssignmentStatus.confirmed, AssignmentStatus.proposed
    staff(past, 2, A, C)
    staff(past, 5, A, C)
    staff(past, 6, R, C)
    events.set_status(session=session, actor=actor, event_id=past.id or 0, status=EventStatus.completed)
    # Blackburn, Burnley and Nelson fully staffed; the rest with gaps a coordinator can see.
    plan = {
        2: [(1, A, C), (13, A, C), (6, L, C)],  # Blackburn: BPA + Urdu
        3: [(5, A, C), (10, A, P), (16, R, C)],  # Burnley
        5: [(29, A, C), (15, A, C), (27, R, P)],  # Nelson
        0: [(3, A, C), (9, R, C)],  # Accrington: needs 1 ambassador, Urdu speaker
        1: [(7, A, P)],  # Bacup: needs 1 ambassador, a recruiter
        4: [(18, A, C), (19, R, C)],  # Darwen: needs 1 ambassador
    }
    for venue_index, team in plan.items():
        for person_index, role, status in team:
            staff(job_centre_events[venue_index], person_index, role, status)
    staff(asda_event, 24, A, C)
    staff(asda_event, 8, A, P)
    staff(asda_event, 22, R, C)
    staff(community_event, 11, A, C)
    staff(community_event, 17, A, P)
    staff(mosque_event, 0, A, P)
    staff(college_event, 20, A, C)
    staff(college_event, 34, A, C)
    staff(college_event, 26, R, C)
    staff(library_event, 12, A, P)

    for i, (offset, days, reason) in enumerate(
        [
            (2, 7, UnavailabilityReason.annual_leave),
            (0, 3, UnavailabilityReason.training),
            (10, 2, UnavailabilityReason.court),
        ]
    ):
        start = wednesday - timedelta(days=offset) if i < 2 else later
        people.add_unavailability(
            session=session,
            actor=actor,
            data={
                "person_id": persons[[14, 21, 31][i]].id,
                "starts_at": _at(start, 0),
                "ends_at": _at(start + timedelta(days=days), 0),
                "reason": reason,
                "note": "",
            },
        )

    logins = DemoLogins(
        admin="admin@muster.example",
        coordinator="sergeant@muster.example",
        staff="aisha.hussain@muster.example",
        partner="jcp.blackburn@muster.example",
        password=DEMO_PASSWORD,
    )
    accounts.create_user(
        session=session,
        actor=actor,
        email=logins.admin,
        password=DEMO_PASSWORD,
        role=Role.admin,
        full_name="Muster Administrator",
    )
    coordinator = accounts.create_user(
        session=session,
        actor=actor,
        email=logins.coordinator,
        password=DEMO_PASSWORD,
        role=Role.coordinator,
        full_name="Sgt Karen Whitworth (recruitment)",
    )
    accounts.create_user(
        session=session,
        actor=actor,
        email=logins.staff,
        password=DEMO_PASSWORD,
        role=Role.staff,
        full_name=persons[0].name,
        person_id=persons[0].id,
    )
    accounts.create_user(
        session=session,
        actor=actor,
        email=logins.partner,
        password=DEMO_PASSWORD,
        role=Role.partner,
        full_name="Jobcentre Plus Blackburn partnership manager",
        venue_ids=[job_centres[2].id or 0],
    )
    # The sergeant is the contact for every demo event (the loader booked them on her behalf).
    for event in session.exec(select(Event)).all():
        event.coordinator_user_id = coordinator.id
        session.add(event)
    session.commit()
    session.info.pop(QUIET, None)
    return logins
