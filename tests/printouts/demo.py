"""Demo-like data for the printouts: the Lancashire job-centre Wednesday from the seeds.

Used by the tests (which also write PNGs of the outputs to ``artifacts/printouts/``) and by
``bench/bench_printouts.py``. The names are invented.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from app.clock import from_london, to_london, utcnow
from app.enums import AssignmentRole, AssignmentStatus, EventStatus, PersonKind, Role, VenueKind
from app.events.models import Event
from app.networks.models import Network
from app.people.models import Person
from app.venues.models import Venue
from tests.factories import Factory

TOWNS = ("Accrington", "Bacup", "Blackburn", "Burnley", "Darwen", "Nelson", "Rawtenstall")

PEOPLE = (
    ("Sarah Whitworth", "Sergeant", PersonKind.police_officer, "Blackburn", "07700 900101", ["English"]),
    ("Imran Patel", "PC", PersonKind.police_officer, "Blackburn", "07700 900102", ["Urdu", "Gujarati"]),
    ("Aisha Begum", "PC", PersonKind.police_officer, "Burnley", "07700 900103", ["Bengali"]),
    ("Tom Hargreaves", "", PersonKind.police_staff, "Accrington", "07700 900104", []),
    ("Rachel Ainsworth", "PC", PersonKind.police_officer, "Nelson", "07700 900105", []),
    ("Daniel Okafor", "PC", PersonKind.police_officer, "Darwen", "07700 900106", ["Yoruba"]),
    ("Priya Mistry", "", PersonKind.police_staff, "Blackburn", "07700 900107", ["Gujarati"]),
    ("Mohammed Hussain", "PC", PersonKind.police_officer, "Nelson", "07700 900108", ["Urdu", "Punjabi"]),
    ("Claire Duckworth", "", PersonKind.police_staff, "Rawtenstall", "07700 900109", []),
    ("Gareth Lord", "PCSO", PersonKind.pcso, "Bacup", "07700 900110", []),
    ("Jasmin Kaur", "SC", PersonKind.special_constable, "Blackburn", "07700 900111", ["Punjabi"]),
    ("Lewis Ashworth", "PC", PersonKind.police_officer, "Burnley", "07700 900112", []),
    ("Nadia Rahman", "", PersonKind.police_staff, "Burnley", "07700 900113", ["Bengali"]),
    ("Michael Walsh", "Sergeant", PersonKind.police_officer, "Accrington", "07700 900114", []),
    ("Hannah Pickup", "PC", PersonKind.police_officer, "Darwen", "07700 900115", []),
    ("Yusuf Ali", "PC", PersonKind.police_officer, "Rawtenstall", "07700 900116", ["Arabic"]),
)

NETWORKS = ("Black Police Association", "LGBT+ Network", "Women's Network")


def next_wednesday(after_days: int = 14) -> date:
    day = to_london(utcnow()).date() + timedelta(days=after_days)
    return day + timedelta(days=(2 - day.weekday()) % 7)


def london(day: date, hour: int, minute: int = 0) -> datetime:
    return from_london(datetime.combine(day, time(hour, minute)))


@dataclass
class Demo:
    day: date
    coordinator_email: str
    venues: list[Venue] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    networks: list[Network] = field(default_factory=list)

    @property
    def blackburn(self) -> Event:
        return self.events[2]

    @property
    def asda(self) -> Event:
        return self.events[-1]


def build_demo(make: Factory) -> Demo:
    """Seven job centres 10:00–17:00 on one Wednesday, and Asda, Grimshaw Park, 15:00–19:00."""
    coordinator = make.user(Role.coordinator, email="recruitment.coordinator@muster.test")
    coordinator.full_name = "Sgt Andrea Holden"
    make.session.add(coordinator)
    make.session.commit()
    day = next_wednesday()
    demo = Demo(day=day, coordinator_email=coordinator.email)
    demo.networks = [make.network(name) for name in NETWORKS]
    campaign = make.campaign(
        "Police constables: East Lancashire",
        roles_recruited=["Police constable", "Special constable"],
        target_groups=["women", "people from ethnic minorities", "gay, lesbian and bisexual people"],
        targets_text="111 ethnic-minority officers by April (97 today)",
        coordinator_user_id=coordinator.id,
    )
    specials = make.campaign(
        "Special constables: Blackburn",
        roles_recruited=["Special constable"],
        target_groups=["people from ethnic minorities"],
        coordinator_user_id=coordinator.id,
    )
    for name, rank, kind, town, phone, languages in PEOPLE:
        demo.people.append(
            make.person(
                name,
                rank_or_title=rank,
                kind=kind,
                base_town=town,
                phone=phone,
                languages=languages,
                email=name.lower().replace(" ", ".") + "@lancashire.police.test",
                monthly_limit=8,
            )
        )
    bpa, lgbt, women = demo.networks
    for index in (1, 2, 5, 7, 15):
        make.represent(demo.people[index], bpa)
    make.represent(demo.people[4], lgbt)
    for index in (0, 2, 4, 6, 14):
        make.represent(demo.people[index], women)
    for town in TOWNS:
        demo.venues.append(
            make.venue(
                f"{town} Jobcentre Plus",
                kind=VenueKind.job_centre,
                town=town,
                address=f"{12 + len(town)} Market Street",
                postcode=f"BB{len(town)} {len(town) % 9 + 1}AB",
                accessibility_notes="Step-free entrance on Market Street; accessible toilet on the ground floor.",
                parking_notes="No staff parking: use the pay-and-display car park behind the bus station.",
                opening_notes="Open 09:00–17:00. Report to the front desk and sign in.",
                partner_organisation="Jobcentre Plus (DWP)",
                contact_name="Office manager",
                contact_phone=f"0800 169 {1000 + len(town):04d}",
                contact_email=f"{town.lower()}.jcp@dwp.test",
            )
        )
    demo.venues.append(
        make.venue(
            "Asda Blackburn",
            kind=VenueKind.supermarket,
            town="Blackburn",
            address="Grimshaw Park",
            postcode="BB2 3AB",
            accessibility_notes="Level access from the car park; stand is by the customer service desk.",
            parking_notes="Free customer car park; use the far end, away from the doors.",
            partner_organisation="Asda Stores",
            contact_name="Community champion",
            contact_phone="01254 000 111",
        )
    )
    teams = [
        (0, 3, (1, 4)),
        (13, 9, (5,)),
        (0, 6, (1, 2, 10)),
        (11, 12, (2, 7)),
        (14, None, (5,)),
        (None, 8, (7, 4)),
        (15, None, ()),
    ]
    for venue in demo.venues[:7]:
        event = make.event(
            venue=venue,
            campaign=campaign,
            starts_at=london(day, 10),
            hours=7,
            title=f"Careers in policing: {venue.town}",
            status=EventStatus.confirmed,
            public=True,
            public_description="Meet officers and staff from Lancashire Constabulary and find out how to "
            "apply. Everyone is welcome; no appointment needed.",
            what_to_bring="Pop-up banner and table cloth\nApplication packs (20)\nLaptop for online applications",
            internal_notes="Jobcentre advisers will send interested claimants over between appointments.",
            ambassadors_needed=2,
            recruiters_needed=1,
            wanted_languages=["Urdu"] if venue.town in ("Blackburn", "Nelson") else [],
            network_needs=[{"network_id": bpa.id, "min_count": 1}],
        )
        demo.events.append(event)
    # A lead may be on one job centre only: the same people are never booked twice.
    used: set[int] = set()
    for event, (lead, recruiter, ambassadors) in zip(demo.events, teams, strict=True):
        for index, role in [(lead, AssignmentRole.lead), (recruiter, AssignmentRole.recruiter)] + [
            (a, AssignmentRole.ambassador) for a in ambassadors
        ]:
            if index is None or index in used:
                continue
            used.add(index)
            status = AssignmentStatus.confirmed if index % 3 else AssignmentStatus.proposed
            make.assign(event, demo.people[index], role=role, status=status)
    asda = make.event(
        venue=demo.venues[7],
        campaign=specials,
        starts_at=london(day, 15),
        hours=4,
        title="Special constables: drop-in at Asda",
        status=EventStatus.confirmed,
        public=True,
        public_description="Could you volunteer as a special constable? Come and ask us anything.",
        ambassadors_needed=1,
        recruiters_needed=1,
    )
    demo.events.append(asda)
    return demo


def build_week(make: Factory, *, count: int = 50, start: date | None = None) -> date:
    """``count`` staffed events spread over one week (Monday to Sunday): the roster benchmark."""
    start = start or next_wednesday() - timedelta(days=2)
    campaign = make.campaign("Police constables: Lancashire week of action")
    venues = [make.venue(f"{town} Jobcentre Plus", town=town) for town in TOWNS]
    people = [make.person(f"Officer {n:02d}", phone=f"07700 9{n:05d}", monthly_limit=31) for n in range(40)]
    for n in range(count):
        day = start + timedelta(days=n % 7)
        slot = (n // 7) % 4
        event = make.event(
            venue=venues[n % len(venues)],
            campaign=campaign,
            starts_at=london(day, 9 + slot * 3),
            hours=2,
            title=f"Outreach session {n + 1}",
            status=EventStatus.confirmed if n % 5 else EventStatus.draft,
        )
        base = (n // 7 + n % 7) % 10 * 4
        for k in range(n % 4):
            make.assign(
                event,
                people[(base + k) % len(people)],
                role=AssignmentRole.lead if k == 0 else AssignmentRole.ambassador,
                status=AssignmentStatus.confirmed,
            )
    return start
