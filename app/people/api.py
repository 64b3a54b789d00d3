"""People, their representation opt-ins (special-category data) and unavailability."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from app.accounts.deps import Planner, PlannerOrStaff
from app.accounts.principal import Principal
from app.api_common import (
    ChangeRevision,
    IdQuery,
    Page,
    PageParams,
    Patch,
    PathId,
    ProblemRoute,
    Public,
    ReadRevision,
    Reason,
    RefId,
    Strict,
    problems,
)
from app.clock import LondonDateTime
from app.db import SessionDep
from app.enums import Role, UnavailabilityReason
from app.errors import Forbidden, Invalid
from app.people import service
from app.people.models import Person, Representation
from app.people.schemas import (
    AffectedPlace,
    PersonCreate,
    PersonDeactivation,
    PersonPublic,
    PersonUpdate,
    RepresentationPublic,
)

router = APIRouter(prefix="/api/v1", tags=["people"], route_class=ProblemRoute)


@dataclass(frozen=True)
class Accepting:
    """Whether the client has seen the duties a change affects (the 409 lists them under
    ``affected``), and which of them the person asks to be released from: the services take
    these two fields as keyword arguments of the same names."""

    accept_conflicts: bool
    release: list[int]


def _accepting(
    accept_conflicts: Annotated[
        bool,
        Query(
            description="Save even though upcoming duties are affected; each is flagged to the coordinator"
        ),
    ] = False,
    release: Annotated[
        list[int], Query(description="With accept_conflicts: the affected assignment ids to ask release from")
    ] = [],  # noqa: B006 (FastAPI copies query defaults)
) -> Accepting:
    return Accepting(accept_conflicts, release)


AcceptingDep = Annotated[Accepting, Depends(_accepting)]


def _out(person: Person, reps: list[Representation] | None = None) -> PersonPublic:
    """The person as the API answers; ``reps``, their opt-ins, only for those who may see them."""
    out = PersonPublic.model_validate(person)
    if reps is not None:
        out.representations = [RepresentationPublic.model_validate(r) for r in reps]
    return out


def _one(session: SessionDep, person: Person, principal: Principal) -> PersonPublic:
    """One person: with their opt-ins for a coordinator or for themselves."""
    if person.id is None or not (principal.is_planner or principal.person_id == person.id):
        return _out(person)
    return _out(person, service.representations_of(session=session, person_id=person.id))


@router.get("/people", response_model=Page[PersonPublic])
def list_people(
    session: SessionDep,
    principal: Planner,
    page: PageParams,
    town: Annotated[str | None, Query(max_length=120)] = None,
    active: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Name or staff number contains")] = None,
    network_id: IdQuery = None,
) -> Page[PersonPublic]:
    rows, total = service.list_people(
        session=session,
        limit=page.limit,
        offset=page.offset,
        town=town,
        active=active,
        q=q,
        network_id=network_id,
    )
    reps = service.representations_by_person(session=session, person_ids=[p.id for p in rows if p.id])
    items = [_out(person, reps.get(person.id or 0, [])) for person in rows]
    return Page(items=items, total=total, **page.model_dump())


@router.post("/people", response_model=PersonPublic, status_code=201)
def create_person(session: SessionDep, principal: Planner, body: PersonCreate) -> PersonPublic:
    person = service.create_person(session=session, actor=principal.actor, data=body.model_dump())
    return _one(session, person, principal)


@router.get("/people/{person_id}", response_model=PersonPublic)
def read_person(
    session: SessionDep, principal: PlannerOrStaff, person_id: PathId, revision: ReadRevision
) -> PersonPublic:
    service.check_self_or_planner(principal, person_id, "record")
    person = service.get_person(session=session, person_id=person_id)
    return _one(session, revision.tag(person), principal)


@router.patch("/people/{person_id}", response_model=PersonPublic, responses=problems(412))
def update_person(
    session: SessionDep,
    principal: Planner,
    person_id: PathId,
    body: PersonUpdate,
    revision: ChangeRevision,
    accepting: AcceptingDep,
) -> PersonPublic:
    """Change a person. ``active: false`` also withdraws them from their upcoming places
    (see ``GET /api/v1/people/{person_id}/deactivation`` first). A lower monthly or weekly
    limit that leaves upcoming duties over it answers 409 listing them, unless
    ``accept_conflicts``."""
    person = service.update_person(
        session=session,
        actor=principal.actor,
        person_id=person_id,
        changes=body.changes(),
        expected=revision.expected,
        **vars(accepting),
    )
    return _one(session, revision.tag(person), principal)


@router.get("/people/{person_id}/deactivation", response_model=PersonDeactivation)
def person_deactivation(session: SessionDep, _principal: Planner, person_id: PathId) -> PersonDeactivation:
    """What deactivating the person would affect: their proposed and confirmed places on
    upcoming events, from which they would be withdrawn (and told)."""
    person = service.get_person(session=session, person_id=person_id)
    places = service.upcoming_places(session=session, person_id=person_id)
    return PersonDeactivation(
        person_id=person_id,
        name=person.name,
        active=person.active,
        summary=service.deactivation_summary(person, places),
        assignments=[
            AffectedPlace(
                assignment_id=a.id or 0,
                event_id=e.id or 0,
                title=e.title,
                venue_name=v.name,
                starts_at=e.starts_at,
                ends_at=e.ends_at,
                event_status=e.status,
                role=a.role,
                status=a.status,
            )
            for a, e, v in places
        ],
    )


# --- representation opt-ins ------------------------------------------------------------


class RepresentationCreate(Strict):
    network_id: RefId
    public_naming: bool = False


class RepresentationUpdate(Strict):
    public_naming: bool


@router.get("/people/{person_id}/representations", response_model=list[RepresentationPublic])
def list_representations(
    session: SessionDep, principal: PlannerOrStaff, person_id: PathId
) -> list[RepresentationPublic]:
    service.check_self_or_planner(principal, person_id, "representation opt-ins")
    service.get_person(session=session, person_id=person_id)
    reps = service.representations_of(session=session, person_id=person_id)
    return [RepresentationPublic.model_validate(r) for r in reps]


@router.post("/people/{person_id}/representations", response_model=RepresentationPublic, status_code=201)
def opt_in(
    session: SessionDep, principal: PlannerOrStaff, person_id: PathId, body: RepresentationCreate
) -> RepresentationPublic:
    """Record that the person volunteers to represent a network at outreach events."""
    service.check_self_or_planner(principal, person_id, "representation opt-ins")
    rep = service.opt_in(
        session=session,
        actor=principal.actor,
        person_id=person_id,
        network_id=body.network_id,
        public_naming=body.public_naming,
    )
    return RepresentationPublic.model_validate(rep)


@router.patch("/representations/{representation_id}", response_model=RepresentationPublic)
def set_public_naming(
    session: SessionDep, principal: PlannerOrStaff, representation_id: PathId, body: RepresentationUpdate
) -> RepresentationPublic:
    """Give or withdraw consent to be named publicly as representing the network."""
    rep = service.set_public_naming(
        session=session,
        actor=principal.actor,
        representation_id=representation_id,
        public_naming=body.public_naming,
        visible_to=principal,
    )
    return RepresentationPublic.model_validate(rep)


@router.delete("/representations/{representation_id}", status_code=204, responses=problems(409))
def withdraw(
    session: SessionDep,
    principal: PlannerOrStaff,
    representation_id: PathId,
    accepting: AcceptingDep,
) -> Response:
    """Withdraw the opt-in: it is deleted and stops being used at once, everywhere. Upcoming
    duties on events that ask for the network answer 409 listing them, unless
    ``accept_conflicts``."""
    service.withdraw(
        session=session,
        actor=principal.actor,
        representation_id=representation_id,
        visible_to=principal,
        **vars(accepting),
    )
    return Response(status_code=204)


# --- unavailability --------------------------------------------------------------------


class UnavailabilityCreate(Strict):
    person_id: RefId | None = Field(default=None, description="Defaults to the caller's own person")
    starts_at: LondonDateTime
    ends_at: LondonDateTime
    reason: UnavailabilityReason
    note: Reason = ""


class UnavailabilityUpdate(Patch):
    starts_at: LondonDateTime | None = None
    ends_at: LondonDateTime | None = None
    reason: UnavailabilityReason | None = None
    note: Reason | None = None


class UnavailabilityPublic(Public):
    id: int
    person_id: int
    starts_at: LondonDateTime
    ends_at: LondonDateTime
    reason: UnavailabilityReason
    note: str


@router.get("/unavailability", response_model=Page[UnavailabilityPublic])
def list_unavailability(
    session: SessionDep,
    principal: PlannerOrStaff,
    page: PageParams,
    person_id: IdQuery = None,
    start: Annotated[LondonDateTime | None, Query()] = None,
    end: Annotated[LondonDateTime | None, Query()] = None,
) -> Page[UnavailabilityPublic]:
    """Planners see anyone's; staff only their own."""
    if principal.role == Role.staff:
        if person_id is not None and person_id != principal.person_id:
            raise Forbidden("you may only see your own unavailability")
        person_id = principal.person_id
    rows, total = service.list_unavailability(
        session=session, limit=page.limit, offset=page.offset, person_id=person_id, start=start, end=end
    )
    return Page(
        items=[UnavailabilityPublic.model_validate(r) for r in rows], total=total, **page.model_dump()
    )


# 404: the person does not exist; 409: upcoming duties fall in it (not accepted).
@router.post(
    "/unavailability", response_model=UnavailabilityPublic, status_code=201, responses=problems(404, 409)
)
def add_unavailability(
    session: SessionDep,
    principal: PlannerOrStaff,
    body: UnavailabilityCreate,
    accepting: AcceptingDep,
) -> UnavailabilityPublic:
    """Record time away. ``ends_at`` is exclusive: whole days 12 to 14 January are sent as
    ``starts_at`` 12 January 00:00 and ``ends_at`` 15 January 00:00 (London time)."""
    data = body.model_dump()
    if data["person_id"] is None:
        if principal.person_id is None:
            raise Invalid("person_id is required (your sign-in is not linked to a person)")
        data["person_id"] = principal.person_id
    service.check_self_or_planner(principal, data["person_id"], "unavailability")
    row = service.add_unavailability(session=session, actor=principal.actor, data=data, **vars(accepting))
    return UnavailabilityPublic.model_validate(row)


@router.get("/unavailability/{unavailability_id}", response_model=UnavailabilityPublic)
def read_unavailability(
    session: SessionDep, principal: PlannerOrStaff, unavailability_id: PathId
) -> UnavailabilityPublic:
    row = service.get_unavailability(
        session=session, unavailability_id=unavailability_id, visible_to=principal
    )
    return UnavailabilityPublic.model_validate(row)


@router.patch("/unavailability/{unavailability_id}", response_model=UnavailabilityPublic)
def update_unavailability(
    session: SessionDep,
    principal: PlannerOrStaff,
    unavailability_id: PathId,
    body: UnavailabilityUpdate,
    accepting: AcceptingDep,
) -> UnavailabilityPublic:
    row = service.update_unavailability(
        session=session,
        actor=principal.actor,
        unavailability_id=unavailability_id,
        changes=body.changes(),
        visible_to=principal,
        accept_conflicts=accepting.accept_conflicts,
    )
    return UnavailabilityPublic.model_validate(row)


@router.delete("/unavailability/{unavailability_id}", status_code=204)
def remove_unavailability(
    session: SessionDep, principal: PlannerOrStaff, unavailability_id: PathId
) -> Response:
    service.remove_unavailability(
        session=session, actor=principal.actor, unavailability_id=unavailability_id, visible_to=principal
    )
    return Response(status_code=204)
