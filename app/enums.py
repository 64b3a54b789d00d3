"""The closed vocabularies of the domain, with the words people read."""

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    coordinator = "coordinator"
    staff = "staff"
    partner = "partner"


class PersonKind(StrEnum):
    police_officer = "police_officer"
    special_constable = "special_constable"
    pcso = "pcso"
    police_staff = "police_staff"


class VenueKind(StrEnum):
    job_centre = "job_centre"
    supermarket = "supermarket"
    community_centre = "community_centre"
    mosque = "mosque"
    gurdwara = "gurdwara"
    mandir = "mandir"
    synagogue = "synagogue"
    church = "church"
    # Kept for other places of worship (and the venues recorded before the kinds above).
    place_of_worship = "place_of_worship"
    college = "college"
    library = "library"
    sports_club = "sports_club"
    other = "other"


class EventStatus(StrEnum):
    draft = "draft"
    confirmed = "confirmed"
    completed = "completed"
    cancelled = "cancelled"


class PartnerStatus(StrEnum):
    pending = "pending"
    confirmed = "confirmed"
    declined = "declined"


class AssignmentRole(StrEnum):
    ambassador = "ambassador"
    recruiter = "recruiter"
    lead = "lead"


class AssignmentStatus(StrEnum):
    proposed = "proposed"
    confirmed = "confirmed"
    declined = "declined"
    withdrawn = "withdrawn"


class AttendanceStatus(StrEnum):
    """Whether a person on an event's team turned up (recorded with the event's outcome)."""

    attended = "attended"
    absent = "absent"


class UnavailabilityReason(StrEnum):
    annual_leave = "annual_leave"
    training = "training"
    shift = "shift"
    sickness = "sickness"
    court = "court"
    other = "other"


class FeedKind(StrEnum):
    person = "person"
    campaign = "campaign"


class InterestRole(StrEnum):
    """The roles a member of the public may say they are interested in."""

    police_constable = "police_constable"
    special_constable = "special_constable"
    pcso = "pcso"
    police_staff = "police_staff"
    control_room = "control_room"
    detective = "detective"
    other = "other"


class InterestStatus(StrEnum):
    """Where the recruitment team is with an expression of interest."""

    new = "new"
    contacted = "contacted"
    applied = "applied"
    not_interested = "not_interested"


ACTIVE_ASSIGNMENT_STATUSES = (AssignmentStatus.proposed, AssignmentStatus.confirmed)
# Events people can still be added to or planned for.
OPEN_STATUSES = (EventStatus.draft, EventStatus.confirmed)

LABELS: dict[str, str] = {
    "police_officer": "Police officer",
    "special_constable": "Special constable",
    "pcso": "PCSO",
    "police_staff": "Police staff",
    "job_centre": "Job centre",
    "supermarket": "Supermarket",
    "community_centre": "Community centre",
    "mosque": "Mosque",
    "gurdwara": "Gurdwara",
    "mandir": "Mandir",
    "synagogue": "Synagogue",
    "church": "Church",
    "place_of_worship": "Place of worship",
    "college": "College",
    "library": "Library",
    "sports_club": "Sports club",
    "other": "Other",
    "annual_leave": "Annual leave",
    "training": "Training",
    "shift": "On shift",
    "sickness": "Sickness",
    "court": "Court",
    "attended": "Attended",
    "absent": "Did not attend",
}


def label(value: str) -> str:
    """The human word for an enum value: 'job_centre' → 'Job centre'."""
    return LABELS.get(str(value), str(value).replace("_", " ").capitalize())
