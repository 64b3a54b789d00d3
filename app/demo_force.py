"""The demo force as data: networks, venues, campaigns, people, events and their teams.

Modelled on East Lancashire's job-centre outreach; ``app.demo`` loads it through the services.
Days count from the day it is loaded, so the demo always has upcoming events.
"""

from typing import Any

from app.enums import AssignmentRole, AssignmentStatus, EventStatus, UnavailabilityReason, VenueKind

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

# (name, town, address, postcode); what every job centre shares is in JOB_CENTRE_DETAILS.
JOB_CENTRES = [
    ("Jobcentre Plus Accrington", "Accrington", "Ellison Street, Accrington", "BB5 0AU"),
    ("Jobcentre Plus Bacup", "Bacup", "Burnley Road, Bacup", "OL13 8DB"),
    ("Jobcentre Plus Blackburn", "Blackburn", "Ainsworth Street, Blackburn", "BB1 6AR"),
    ("Jobcentre Plus Burnley", "Burnley", "Elizabeth Street, Burnley", "BB11 2BX"),
    ("Jobcentre Plus Darwen", "Darwen", "Railway Road, Darwen", "BB3 2RJ"),
    ("Jobcentre Plus Nelson", "Nelson", "Broadway, Nelson", "BB9 9SL"),
    ("Jobcentre Plus Rawtenstall", "Rawtenstall", "Bank Street, Rawtenstall", "BB4 6QS"),
]

JOB_CENTRE_DETAILS = {
    "kind": VenueKind.job_centre,
    "partner_organisation": "Jobcentre Plus (DWP)",
    "contact_name": "Partnership manager",
    "contact_phone": "0800 169 0190",
    "accessibility_notes": "Step-free entrance; hearing loop at reception.",
    "parking_notes": "No on-site parking; pay-and-display nearby.",
    "opening_notes": "Open 09:00–17:00 Monday to Friday.",
}
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
        "kind": VenueKind.mosque,
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

# Every venue, job centres first; the loader adds each town's latitude and longitude.
VENUES: list[dict[str, Any]] = [
    *(
        {"name": name, "town": town, "address": address, "postcode": postcode, **JOB_CENTRE_DETAILS}
        for name, town, address, postcode in JOB_CENTRES
    ),
    *OTHER_VENUES,
]

# Campaigns by key; "days" is when each runs, counted from the day the demo is loaded.
CAMPAIGNS: dict[str, dict[str, Any]] = {
    "pc": {
        "days": (-60, 150),
        "name": "Police constables – spring intake",
        "description": "Positive-action outreach for the spring police constable intake: "
        "encouraging women, LGBT+ people and people from ethnic minorities to apply.",
        "roles_recruited": ["Police constable"],
        "target_groups": ["Ethnic minorities", "Women", "LGBT+"],
        "targets_text": "Reach 111 officers from ethnic minorities by April (97 now); "
        "raise the share of women above 33% of strength.",
    },
    "specials": {
        "days": (-14, 90),
        "name": "Special constables",
        "description": "Volunteer special constables from every community.",
        "roles_recruited": ["Special constable"],
        "target_groups": ["Ethnic minorities", "Women"],
    },
    "control_room": {
        "days": (0, 120),
        "name": "Police control room operators",
        "description": "The first contact with the police: call handling and incident control.",
        "roles_recruited": ["Police control room operator"],
        "target_groups": ["Ethnic minorities", "Disabled people", "Speakers of community languages"],
    },
}

# First and last names of the demo's 40 people, paired in order.
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

# Role and status of a place on a team, shortened so that a team fits on a line.
A, R, L = AssignmentRole.ambassador, AssignmentRole.recruiter, AssignmentRole.lead
C, P = AssignmentStatus.confirmed, AssignmentStatus.proposed
Team = tuple[tuple[int, AssignmentRole, AssignmentStatus], ...]  # (person's index, role, status)

# An event is the data its service takes, except: "campaign" (a key of CAMPAIGNS), "venue"
# (a venue's name), "day" (counted from the Wednesday it belongs to), "hours" (London time),
# "network_needs" (how many of each network, by short name) and "team" (who staffs it).


def drop_in(town: str) -> dict[str, Any]:
    """The recruitment drop-in at a town's job centre, on a Wednesday."""
    return {
        "campaign": "pc",
        "venue": f"Jobcentre Plus {town}",
        "day": 0,
        "hours": ((10, 0), (17, 0)),
        "title": f"Police recruitment drop-in – {town}",
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
        "network_needs": {"BPA": 1} if town in ("Blackburn", "Nelson", "Burnley") else {},
        "wanted_languages": ["Urdu"] if town in ("Blackburn", "Nelson", "Burnley", "Accrington") else [],
    }


# Blackburn, Burnley and Nelson fully staffed; the rest with gaps a coordinator can see.
DROP_IN_TEAMS: dict[str, Team] = {
    "Blackburn": ((1, A, C), (13, A, C), (6, L, C)),  # BPA + Urdu
    "Burnley": ((5, A, C), (10, A, P), (16, R, C)),
    "Nelson": ((29, A, C), (15, A, C), (27, R, P)),
    "Accrington": ((3, A, C), (9, R, C)),  # needs 1 ambassador, Urdu speaker
    "Bacup": ((7, A, P),),  # needs 1 ambassador, a recruiter
    "Darwen": ((18, A, C), (19, R, C)),  # needs 1 ambassador
}

# Outreach beyond the job centres, in the days after the drop-ins.
EVENTS: list[dict[str, Any]] = [
    {
        "campaign": "specials",
        "venue": "Asda Grimshaw Park",
        "day": 1,
        "hours": ((15, 0), (19, 0)),
        "title": "Become a special constable",
        "status": EventStatus.confirmed,
        "public": True,
        "public_description": "Volunteer as a special constable: meet the specials team at the "
        "stand by customer services and find out what the role involves.",
        "what_to_bring": "Specials leaflets, table banner",
        "ambassadors_needed": 2,
        "recruiters_needed": 1,
        "network_needs": {"Women": 1},
        "team": ((24, A, C), (8, A, P), (22, R, C)),
    },
    {
        "campaign": "control_room",
        "venue": "Brookhouse Community Centre",
        "day": 9,
        "hours": ((17, 30), (20, 0)),
        "title": "Careers evening: police control room operators",
        "status": EventStatus.confirmed,
        "public": True,
        "public_description": "Meet control room operators and hear how they handle the first call.",
        "ambassadors_needed": 3,
        "recruiters_needed": 1,
        "network_needs": {"MPA": 1},
        "wanted_languages": ["Punjabi", "Gujarati"],
        "team": ((11, A, C), (17, A, P)),
    },
    {
        "campaign": "pc",
        "venue": "Nelson Central Mosque",
        "day": 11,
        "hours": ((14, 0), (16, 0)),
        "title": "Policing careers open afternoon",
        "status": EventStatus.draft,
        "public": False,
        "ambassadors_needed": 2,
        "recruiters_needed": 1,
        "network_needs": {"MPA": 2},
        "wanted_languages": ["Urdu"],
        "team": ((0, A, P),),
    },
    {
        "campaign": "pc",
        "venue": "Burnley College",
        "day": 14,
        "hours": ((11, 0), (15, 0)),
        "title": "Freshers' careers fair stand",
        "status": EventStatus.confirmed,
        "public": True,
        "public_description": "Find out about the routes into policing, including the degree apprenticeship.",
        "ambassadors_needed": 2,
        "recruiters_needed": 1,
        "network_needs": {"LGBT+": 1},
        "team": ((20, A, C), (34, A, C), (26, R, C)),
    },
    {
        "campaign": "control_room",
        "venue": "Accrington Library",
        "day": 23,
        "hours": ((10, 0), (13, 0)),
        "title": "Drop-in: working in the control room",
        "status": EventStatus.draft,
        "public": False,
        "ambassadors_needed": 1,
        "recruiters_needed": 1,
        "team": ((12, A, P),),
    },
]

# History: last month's completed job-centre day, recorded by an administrator.
PAST_DROP_IN: dict[str, Any] = {
    "campaign": "pc",
    "venue": "Jobcentre Plus Blackburn",
    "day": 0,
    "hours": ((10, 0), (17, 0)),
    "title": "Police recruitment drop-in – Blackburn",
    "status": EventStatus.confirmed,
    "public": True,
    "ambassadors_needed": 2,
    "recruiters_needed": 1,
    "team": ((2, A, C), (5, A, C), (6, R, C)),
}

# Time away: (person's index, first day counted from the drop-ins' Wednesday, days, reason).
AWAY = [
    (14, -2, 7, UnavailabilityReason.annual_leave),
    (21, 0, 3, UnavailabilityReason.training),
    (31, 9, 2, UnavailabilityReason.court),
]
