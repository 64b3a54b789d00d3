"""The coordinator's people pages: the list, one person, the form and deactivation. What a
person opts into and their time away are recorded from their page: ``availability_pages``."""

from dataclasses import replace
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.deps import Planner
from app.assignments import service as assignments
from app.assignments.models import Assignment
from app.clock import utcnow
from app.db import SessionDep
from app.enums import PersonKind, UnavailabilityReason, label
from app.events.models import Event
from app.networks import service as networks
from app.pages.common import int_param, options, page_from, query_string, see_other, text_param
from app.pages.flow import done
from app.pages.forms import FormInput, PostedForm, opened_at
from app.pages.rendering import render
from app.pages.retiring import Affected, Retiring
from app.people import confirming
from app.people import service as people
from app.people.models import Person
from app.people.schemas import PersonCreate
from app.venues.models import Venue

router = APIRouter(tags=["pages"], include_in_schema=False)

RETIRING = Retiring(
    pages="/plan/people",
    heading="Deactivate {name}",
    affected_title="Places they will be withdrawn from",
    button="Deactivate",
    button_affecting="Deactivate and withdraw them",
    confirm="Confirm that {name} should be withdrawn from {count} upcoming events",
    done="{name} is now inactive and has been withdrawn from {count} upcoming events; "
    "they will be told, and the events show the gap.",
    done_alone="{name} is now inactive.",
)

LOWER_LIMIT = confirming.Asking(
    heading="The lower limit leaves duties over it",
    intro="This person already holds more duties than the new limit allows. Save it, and each duty "
    "over the limit is flagged on the dashboard and the event until it is resolved; tick any they "
    "ask to be released from.",
    action="",
    back="",
    button="Save and flag the duties",
    event_link="/plan/events/",
)

# The form leaves the base's map position to the API and the import.
FORM_FIELDS = (
    "name",
    "staff_number",
    "kind",
    "rank_or_title",
    "base_town",
    "languages",
    "monthly_limit",
    "max_duties_per_week",
    "email",
    "phone",
    "active",
)


def _person_form(
    request: Request,
    form: FormInput,
    person: Person | None,
    status: int = 200,
    affected: Affected | None = None,
) -> Response:
    context = {"form": form, "person": person, "kinds": options(PersonKind), "affected": affected or []}
    return render(request, "people/form.html", context, status=status)


@router.get("/plan/people", response_class=HTMLResponse)
def people_list(request: Request, session: SessionDep, principal: Planner) -> Response:
    q = text_param(request, "q", 80)
    town = text_param(request, "town", 120)
    network = int_param(request, "network")
    show = request.query_params.get("show", "active")
    page = page_from(request)
    rows, total = people.list_people(
        session=session,
        limit=page.size,
        offset=page.offset,
        town=town or None,
        active={"active": True, "inactive": False}.get(show),
        q=q or None,
        network_id=network,
    )
    context = {
        "rows": rows,
        "page": page.with_total(total),
        "q": q,
        "town": town,
        "network": network,
        "show": show,
        "towns": people.base_towns(session=session),
        "networks": networks.all_networks(session=session),
        "represents": people.network_names_by_person(
            session=session, person_ids={p.id for p in rows if p.id}
        ),
        "base_query": query_string(q=q, town=town, network=network, show=show),
    }
    return render(request, "people/list.html", context)


@router.get("/plan/people/new", response_class=HTMLResponse)
def new_person(request: Request, principal: Planner) -> Response:
    form = FormInput()
    form.values.update({"kind": "police_officer", "monthly_limit": "4", "active": "yes"})
    return _person_form(request, form, None)


@router.post("/plan/people/new", response_class=HTMLResponse)
def create_person(request: Request, session: SessionDep, principal: Planner, form: PostedForm) -> Response:
    data = form.parse(PersonCreate, fields=FORM_FIELDS)
    person = form.submit(
        session,
        lambda: people.create_person(session=session, actor=principal.actor, data=data),
        field="staff_number",
    )
    if person is None:
        return _person_form(request, form, None, status=400)
    return done(request, f"/plan/people/{person.id}", f"Added {person.name}.")


def person_page(
    request: Request, session: Session, person: Person, forms: dict[str, FormInput], status: int = 200
) -> Response:
    """The person's page; ``forms`` holds an opt-in or time-away form sent back with errors."""
    assert person.id is not None
    reps = people.representations_of(session=session, person_id=person.id)
    nets = networks.all_networks(session=session)
    names = {n.id: n.name for n in nets}
    now = utcnow()
    away, _ = people.list_unavailability(
        session=session, limit=50, offset=0, person_id=person.id, start=now - timedelta(days=1)
    )
    duties = assignments.duties_of(session=session, person_id=person.id)
    context = {
        "person": person,
        "reps": [(r, names.get(r.network_id, "")) for r in reps],
        "other_networks": [(n.id, n.name) for n in nets if n.id not in {r.network_id for r in reps}],
        "away": away,
        "away_spans": people.away_spans(away),
        "upcoming": [d for d in duties if d[1].ends_at > now],
        "past": [d for d in reversed(duties) if d[1].ends_at <= now][:15],
        "user": accounts.user_of_person(session=session, person_id=person.id),
        "rep_form": forms.get("rep", FormInput()),
        "away_form": forms.get("away") or _blank_away(),
        "reason_pairs": options(UnavailabilityReason),
    }
    return render(request, "people/detail.html", context, status=status)


def _blank_away() -> FormInput:
    form = FormInput()
    form.values.update({"start_time": "00:00", "end_time": "23:59", "reason": "annual_leave"})
    return form


@router.get("/plan/people/{person_id:id}", response_class=HTMLResponse)
def show_person(request: Request, session: SessionDep, principal: Planner, person_id: int) -> Response:
    return person_page(request, session, people.get_person(session=session, person_id=person_id), {})


@router.get("/plan/people/{person_id:id}/edit", response_class=HTMLResponse)
def edit_person(request: Request, session: SessionDep, principal: Planner, person_id: int) -> Response:
    person = people.get_person(session=session, person_id=person_id)
    form = FormInput.opened_on(person)
    form.values["languages"] = ", ".join(person.languages or [])
    return _person_form(request, form, person)


@router.post("/plan/people/{person_id:id}/edit", response_class=HTMLResponse)
def update_person(
    request: Request, session: SessionDep, principal: Planner, person_id: int, form: PostedForm
) -> Response:
    person = people.get_person(session=session, person_id=person_id)
    data = form.parse(PersonCreate, fields=FORM_FIELDS)
    affected = _person_affected(session, person) if not form.flag("active") else []
    RETIRING.ask_on(form, person, affected)
    over = people.limit_conflicts(session=session, person=person, changes=data) if form.ok else []
    if over and not confirming.confirmed(form):
        asking = replace(
            LOWER_LIMIT, action=f"/plan/people/{person_id}/edit", back=f"/plan/people/{person_id}"
        )
        return confirming.confirmation(request, form, over, asking)
    release = confirming.released(form)
    saved = form.submit(
        session,
        lambda: people.update_person(
            session=session,
            actor=principal.actor,
            person_id=person_id,
            changes=data,
            expected=opened_at(form),
            accept_conflicts=True,
            release=release,
        ),
        field="staff_number",
        record="person",
    )
    if saved is None:
        return _person_form(request, form, person, status=400, affected=affected)
    said = RETIRING.said(person, affected) if affected else "Saved."
    return done(
        request, f"/plan/people/{person_id}", said + confirming.said(over, release).replace(" you ", " they ")
    )


def _person_affected(session: Session, person: Person) -> Affected:
    """The upcoming places that deactivating the person withdraws, for the confirmation."""
    return _described(people.upcoming_places(session=session, person_id=person.id or 0))


def _described(places: list[tuple[Assignment, Event, Venue]]) -> Affected:
    return [{"event": e, "status": a.status, "detail": f"{v.name} · {label(a.role)}"} for a, e, v in places]


@router.get("/plan/people/{person_id:id}/deactivate", response_class=HTMLResponse)
def confirm_person_deactivation(
    request: Request, session: SessionDep, principal: Planner, person_id: int
) -> Response:
    person = people.get_person(session=session, person_id=person_id)
    places = people.upcoming_places(session=session, person_id=person_id)
    if not person.active and not places:
        return see_other(f"/plan/people/{person_id}")
    summary = people.deactivation_summary(person, places)
    return RETIRING.confirmation(request, person, summary, _described(places))


@router.post("/plan/people/{person_id:id}/deactivate")
def deactivate_person(
    request: Request, session: SessionDep, principal: Planner, person_id: int, _form: PostedForm
) -> Response:
    person = people.get_person(session=session, person_id=person_id)
    affected = _person_affected(session, person)
    people.update_person(
        session=session, actor=principal.actor, person_id=person_id, changes={"active": False}
    )
    return done(request, f"/plan/people/{person_id}", RETIRING.said(person, affected))
