"""The coordinator's records: venues, campaigns, people (with their opt-ins and time away),
networks, users and the audit trail."""

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts import invitations
from app.accounts import service as accounts
from app.accounts.deps import Admin, Planner
from app.accounts.models import User, UserVenue
from app.assignments.models import Assignment
from app.audit import service as audit
from app.campaigns import service as campaigns
from app.campaigns.models import Campaign
from app.clock import utcnow
from app.db import SessionDep
from app.enums import EventStatus, PersonKind, Role, UnavailabilityReason, VenueKind, label
from app.errors import NotFound
from app.events import service as events
from app.events.models import Event
from app.events.service import EventFilters
from app.networks import service as networks
from app.networks.models import Network
from app.pages.common import (
    all_networks,
    all_venues,
    by_id,
    int_param,
    page_from,
    query_string,
    see_other,
    text_param,
    towns,
)
from app.pages.csrf import checked_form
from app.pages.forms import (
    FormInput,
    opened_at,
    service_errors,
    unless_changed_meanwhile,
    values_from,
)
from app.pages.rendering import flash, render
from app.pages.staff import duties_of, parse_away
from app.people import service as people
from app.people.models import Person, Representation
from app.venues import service as venues
from app.venues.models import Venue

router = APIRouter(tags=["pages"], include_in_schema=False)


def fields_of(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in type(record).model_fields}


def _options(enum: Any) -> list[tuple[str, str]]:
    return [(m.value, label(m.value)) for m in enum]


def _upcoming_counts(session: Session, column: Any, ids: list[int]) -> dict[int, int]:
    """Upcoming, not cancelled events per venue or campaign, in one grouped query."""
    if not ids:
        return {}
    rows = session.exec(
        select(column, func.count())
        .where(col(column).in_(ids), Event.ends_at > utcnow(), Event.status != EventStatus.cancelled)
        .group_by(column)
    ).all()
    return {key: int(count) for key, count in rows}


# --- venues ----------------------------------------------------------------------


VENUE_TEXT = {
    "address": ("the address", 500),
    "town": ("the town", 120),
    "postcode": ("the postcode", 12),
    "accessibility_notes": ("the access notes", 2000),
    "parking_notes": ("the parking notes", 2000),
    "opening_notes": ("the opening notes", 2000),
    "partner_organisation": ("the partner organisation", 200),
    "contact_name": ("the contact's name", 200),
    "contact_phone": ("the contact's phone number", 40),
    "contact_email": ("the contact's e-mail address", 254),
}


def parse_venue(form: FormInput) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": form.text("name", "the venue's name", required=True, max_length=200),
        "kind": form.choice("kind", VenueKind, "the kind of venue"),
    }
    for name, (words, length) in VENUE_TEXT.items():
        data[name] = form.text(name, words, max_length=length)
    if data["contact_email"] and "@" not in data["contact_email"]:
        form.error("contact_email", "Enter an e-mail address in the correct format, like name@example.org")
    for name, words, low, high in (
        ("latitude", "the latitude", -90, 90),
        ("longitude", "the longitude", -180, 180),
    ):
        text = form.raw(name)
        if not text:
            data[name] = None
            continue
        try:
            value = float(text)
            if not low <= value <= high:
                raise ValueError
            data[name] = value
        except ValueError:
            form.error(name, f"Enter {words} as a number between {low} and {high}, like 53.748")
    data["active"] = form.flag("active")
    return data


def _venue_form(
    request: Request,
    form: FormInput,
    venue: Venue | None,
    status: int = 200,
    affected: list[dict[str, Any]] | None = None,
) -> Response:
    context = {"form": form, "venue": venue, "kinds": _options(VenueKind), "affected": affected or []}
    return render(request, "manage/venue_form.html", context, status=status)


@router.get("/plan/venues", response_class=HTMLResponse)
def venue_list(request: Request, session: SessionDep, principal: Planner) -> Response:
    town = text_param(request, "town", 120)
    kind = request.query_params.get("kind", "")
    kind = kind if kind in VenueKind.__members__ else ""
    page = page_from(request)
    rows, total = venues.list_venues(
        session=session, limit=page.size, offset=page.offset, town=town or None, kind=kind or None
    )
    counts = _upcoming_counts(session, Event.venue_id, [v.id for v in rows if v.id])
    context = {
        "rows": rows,
        "counts": counts,
        "page": page.with_total(total),
        "town": town,
        "kind": kind,
        "towns": towns(session),
        "kinds": _options(VenueKind),
        "base_query": query_string(town=town, kind=kind),
    }
    return render(request, "manage/venues.html", context)


@router.get("/plan/venues/new", response_class=HTMLResponse)
def new_venue(request: Request, principal: Planner) -> Response:
    form = FormInput()
    form.values.update({"kind": "job_centre", "active": "yes"})
    return _venue_form(request, form, None)


@router.post("/plan/venues/new", response_class=HTMLResponse)
async def create_venue(request: Request, session: SessionDep, principal: Planner) -> Response:
    form = FormInput(await checked_form(request))
    data = parse_venue(form)
    venue = None
    if form.ok:
        with service_errors(form, session):
            venue = venues.create_venue(session=session, actor=principal.actor, data=data)
    if venue is None:
        return _venue_form(request, form, None, status=400)
    flash(request, f"Added {venue.name}.")
    return see_other(f"/plan/venues/{venue.id}")


@router.get("/plan/venues/{venue_id:id}", response_class=HTMLResponse)
def venue_page(request: Request, session: SessionDep, principal: Planner, venue_id: int) -> Response:
    venue = venues.get_venue(session=session, venue_id=venue_id)
    upcoming, upcoming_total = events.list_events(
        session=session, filters=EventFilters(start=utcnow(), venue_id=venue_id), limit=20, offset=0
    )
    partners = session.exec(
        select(User)
        .join(UserVenue, col(UserVenue.user_id) == User.id)
        .where(UserVenue.venue_id == venue_id)
        .order_by(col(User.email))
    ).all()
    context = {
        "venue": venue,
        "upcoming": upcoming,
        "upcoming_total": upcoming_total,
        "states": events.staffing_states(session=session, events=upcoming),
        "partners": partners,
        "campaigns_by_id": by_id(session, Campaign, {e.campaign_id for e in upcoming}),
        "still_booked": [] if venue.active else venues.upcoming_events(session=session, venue_id=venue_id),
    }
    return render(request, "manage/venue.html", context)


@router.get("/plan/venues/{venue_id:id}/edit", response_class=HTMLResponse)
def edit_venue(request: Request, session: SessionDep, principal: Planner, venue_id: int) -> Response:
    venue = venues.get_venue(session=session, venue_id=venue_id)
    form = FormInput()
    form.values.update(values_from(fields_of(venue)))
    return _venue_form(request, form, venue)


@router.post("/plan/venues/{venue_id:id}/edit", response_class=HTMLResponse)
async def update_venue(request: Request, session: SessionDep, principal: Planner, venue_id: int) -> Response:
    venue = venues.get_venue(session=session, venue_id=venue_id)
    form = FormInput(await checked_form(request))
    data = parse_venue(form)
    affected = _venue_affected(session, venue) if venue.active and data["active"] is False else []
    if form.ok and affected and not form.flag("confirm_deactivation"):
        form.error(
            "confirm_deactivation",
            f"Confirm that the {len(affected)} upcoming events at {venue.name} should come off public view",
        )
    saved = False
    if form.ok:
        with unless_changed_meanwhile(form, session, "venue"), service_errors(form, session):
            venues.update_venue(
                session=session,
                principal=principal,
                venue_id=venue_id,
                changes=data,
                expected=opened_at(form),
            )
            saved = True
    if not saved:
        return _venue_form(request, form, venue, status=400, affected=affected)
    flash(request, _venue_retired_message(venue, affected) if affected else "Saved the venue.")
    return see_other(f"/plan/venues/{venue_id}")


def _venue_affected(session: Session, venue: Venue) -> list[dict[str, Any]]:
    """The upcoming events that taking the venue out of use affects, for the confirmation."""
    return [
        {"event": e, "status": e.status, "detail": "Shown to the public" if e.public else "Not public"}
        for e in venues.upcoming_events(session=session, venue_id=venue.id or 0)
    ]


def _venue_retired_message(venue: Venue, affected: list[dict[str, Any]]) -> str:
    return (
        f"{venue.name} is no longer in use. Its {len(affected)} upcoming events are off public view "
        "and flagged on the dashboard: move or cancel them."
    )


@router.get("/plan/venues/{venue_id:id}/deactivate", response_class=HTMLResponse)
def confirm_venue_deactivation(
    request: Request, session: SessionDep, principal: Planner, venue_id: int
) -> Response:
    venue = venues.get_venue(session=session, venue_id=venue_id)
    if not venue.active:
        return see_other(f"/plan/venues/{venue_id}")
    affected = _venue_affected(session, venue)
    upcoming = [item["event"] for item in affected]
    context = {
        "caption": venue.name,
        "heading": f"Take {venue.name} out of use",
        "summary": venues.deactivation_summary(venue, upcoming),
        "places": affected,
        "affected_title": "Events booked there",
        "action": f"/plan/venues/{venue_id}/deactivate",
        "button": "Take out of use" + (" and hide these events" if affected else ""),
        "back_href": f"/plan/venues/{venue_id}",
    }
    return render(request, "manage/deactivate.html", context)


@router.post("/plan/venues/{venue_id:id}/deactivate")
async def deactivate_venue(
    request: Request, session: SessionDep, principal: Planner, venue_id: int
) -> Response:
    await checked_form(request)
    venue = venues.get_venue(session=session, venue_id=venue_id)
    affected = _venue_affected(session, venue) if venue.active else []
    venues.update_venue(session=session, principal=principal, venue_id=venue_id, changes={"active": False})
    flash(
        request, _venue_retired_message(venue, affected) if affected else f"{venue.name} is no longer in use."
    )
    return see_other(f"/plan/venues/{venue_id}")


# --- campaigns ---------------------------------------------------------------------

TARGET_ROWS = 3


def parse_campaign(form: FormInput) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": form.text("name", "the campaign's name", required=True, max_length=200),
        "description": form.text("description", "the description", max_length=4000),
        "roles_recruited": form.words("roles_recruited", "roles", max_length=100),
        "target_groups": form.words("target_groups", "target groups", max_length=100),
        "starts_on": form.date_value("starts_on", "the first day"),
        "ends_on": form.date_value("ends_on", "the last day"),
        "targets_text": form.text("targets_text", "the targets", max_length=2000),
    }
    if data["starts_on"] and data["ends_on"] and data["ends_on"] < data["starts_on"]:
        form.error("ends_on", "The last day must be the same as or after the first day")
    targets = []
    for i in range(1, TARGET_ROWS + 1):
        name = form.text(f"target_label_{i}", "the target's description", max_length=120)
        goal = form.integer(f"target_{i}", "the target", maximum=1_000_000, required=False)
        baseline = form.integer(f"baseline_{i}", "the starting point", maximum=1_000_000, required=False)
        if name and goal is None:
            form.error(f"target_{i}", f"Enter the target number for '{name}'")
        if name and goal is not None:
            target: dict[str, Any] = {"label": name, "target": goal}
            if baseline is not None:
                target["baseline"] = baseline
            targets.append(target)
        elif (goal is not None or baseline is not None) and not name:
            form.error(f"target_label_{i}", "Say what the target counts, like 'ethnic-minority officers'")
    data["targets"] = targets
    return data


def _campaign_values(campaign: Campaign) -> FormInput:
    form = FormInput()
    form.values.update(
        {
            "name": campaign.name,
            "description": campaign.description,
            "roles_recruited": ", ".join(campaign.roles_recruited or []),
            "target_groups": ", ".join(campaign.target_groups or []),
            "starts_on": campaign.starts_on.isoformat(),
            "ends_on": campaign.ends_on.isoformat(),
            "targets_text": campaign.targets_text,
            "revision": str(campaign.revision),
        }
    )
    for i, target in enumerate(campaign.targets or [], start=1):
        if i > TARGET_ROWS:
            break
        form.values[f"target_label_{i}"] = str(target.get("label", ""))
        form.values[f"target_{i}"] = str(target.get("target", ""))
        form.values[f"baseline_{i}"] = str(target.get("baseline", ""))
    return form


def _campaign_form(
    request: Request, form: FormInput, campaign: Campaign | None, status: int = 200
) -> Response:
    context = {"form": form, "campaign": campaign, "rows": range(1, TARGET_ROWS + 1)}
    return render(request, "manage/campaign_form.html", context, status=status)


@router.get("/plan/campaigns", response_class=HTMLResponse)
def campaign_list(request: Request, session: SessionDep, principal: Planner) -> Response:
    page = page_from(request)
    rows, total = campaigns.list_campaigns(session=session, limit=page.size, offset=page.offset)
    counts = _upcoming_counts(session, Event.campaign_id, [c.id for c in rows if c.id])
    context = {"rows": rows, "counts": counts, "page": page.with_total(total), "today": utcnow().date()}
    return render(request, "manage/campaigns.html", context)


@router.get("/plan/campaigns/new", response_class=HTMLResponse)
def new_campaign(request: Request, principal: Planner) -> Response:
    return _campaign_form(request, FormInput(), None)


@router.post("/plan/campaigns/new", response_class=HTMLResponse)
async def create_campaign(request: Request, session: SessionDep, principal: Planner) -> Response:
    form = FormInput(await checked_form(request))
    data = parse_campaign(form)
    campaign = None
    if form.ok:
        data["coordinator_user_id"] = principal.user_id
        with service_errors(form, session):
            campaign = campaigns.create_campaign(session=session, actor=principal.actor, data=data)
    if campaign is None:
        return _campaign_form(request, form, None, status=400)
    flash(request, f"Started the campaign '{campaign.name}'.")
    return see_other(f"/plan/campaigns/{campaign.id}")


@router.get("/plan/campaigns/{campaign_id:id}", response_class=HTMLResponse)
def campaign_page(request: Request, session: SessionDep, principal: Planner, campaign_id: int) -> Response:
    campaign = campaigns.get_campaign(session=session, campaign_id=campaign_id)
    page = page_from(request)
    rows, total = events.list_events(
        session=session, filters=EventFilters(campaign_id=campaign_id), limit=page.size, offset=page.offset
    )
    status_counts = dict(
        session.exec(
            select(Event.status, func.count()).where(Event.campaign_id == campaign_id).group_by(Event.status)
        ).all()
    )
    from app.pages.staff import feeds_service

    feeds = feeds_service()
    feed = None
    if feeds is not None and hasattr(feeds, "campaign_feed_link"):
        feed = feeds.campaign_feed_link(session=session, principal=principal, campaign_id=campaign_id)
    context = {
        "campaign": campaign,
        "rows": rows,
        "page": page.with_total(total),
        "status_counts": {str(k): v for k, v in status_counts.items()},
        "states": events.staffing_states(session=session, events=rows),
        "venues_by_id": by_id(session, Venue, {e.venue_id for e in rows}),
        "feed": feed,
        "feeds_available": feeds is not None,
    }
    return render(request, "manage/campaign.html", context)


@router.post("/plan/campaigns/{campaign_id:id}/feed")
async def campaign_feed(
    request: Request, session: SessionDep, principal: Planner, campaign_id: int
) -> Response:
    form = FormInput(await checked_form(request))
    from app.pages.staff import feeds_service

    feeds = feeds_service()
    if feeds is None:
        raise NotFound("calendar feeds are not installed")
    if form.raw("action") == "reset":
        feeds.reset_campaign_feed(session=session, principal=principal, campaign_id=campaign_id)
        flash(
            request,
            "The old campaign calendar link has stopped working; here is the new one.",
            kind="warning",
        )
    else:
        feeds.create_campaign_feed(session=session, principal=principal, campaign_id=campaign_id)
        flash(request, "Your private calendar link for this campaign is ready.")
    return see_other(f"/plan/campaigns/{campaign_id}#feed")


@router.get("/plan/campaigns/{campaign_id:id}/edit", response_class=HTMLResponse)
def edit_campaign(request: Request, session: SessionDep, principal: Planner, campaign_id: int) -> Response:
    campaign = campaigns.get_campaign(session=session, campaign_id=campaign_id)
    return _campaign_form(request, _campaign_values(campaign), campaign)


@router.post("/plan/campaigns/{campaign_id:id}/edit", response_class=HTMLResponse)
async def update_campaign(
    request: Request, session: SessionDep, principal: Planner, campaign_id: int
) -> Response:
    campaign = campaigns.get_campaign(session=session, campaign_id=campaign_id)
    form = FormInput(await checked_form(request))
    data = parse_campaign(form)
    saved = False
    if form.ok:
        with unless_changed_meanwhile(form, session, "campaign"), service_errors(form, session):
            campaigns.update_campaign(
                session=session,
                actor=principal.actor,
                campaign_id=campaign_id,
                changes=data,
                expected=opened_at(form),
            )
            saved = True
    if not saved:
        return _campaign_form(request, form, campaign, status=400)
    flash(request, "Saved the campaign.")
    return see_other(f"/plan/campaigns/{campaign_id}")


# --- people --------------------------------------------------------------------------


def parse_person(form: FormInput) -> dict[str, Any]:
    return {
        "name": form.text("name", "the person's name", required=True, max_length=200),
        "staff_number": form.text("staff_number", "the staff number", required=True, max_length=40),
        "kind": form.choice("kind", PersonKind, "what they are"),
        "rank_or_title": form.text("rank_or_title", "the rank or title", max_length=120),
        "base_town": form.text("base_town", "the base", max_length=120),
        "languages": form.words("languages", "languages"),
        "monthly_limit": form.integer("monthly_limit", "the monthly limit", maximum=31, default=4),
        "email": form.text("email", "the e-mail address", max_length=254),
        "phone": form.text("phone", "the phone number", max_length=40),
        "active": form.flag("active"),
    }


def _person_form(
    request: Request,
    form: FormInput,
    person: Person | None,
    status: int = 200,
    affected: list[dict[str, Any]] | None = None,
) -> Response:
    context = {"form": form, "person": person, "kinds": _options(PersonKind), "affected": affected or []}
    return render(request, "manage/person_form.html", context, status=status)


@router.get("/plan/people", response_class=HTMLResponse)
def people_list(request: Request, session: SessionDep, principal: Planner) -> Response:
    q = text_param(request, "q", 80)
    town = text_param(request, "town", 120)
    network = int_param(request, "network")
    show = request.query_params.get("show", "active")
    active = {"active": True, "inactive": False}.get(show)
    page = page_from(request)
    rows, total = people.list_people(
        session=session,
        limit=page.size,
        offset=page.offset,
        town=town or None,
        active=active,
        q=q or None,
        network_id=network,
    )
    ids = {p.id for p in rows if p.id}
    from app.pages.picker import network_names_by_person

    bases = session.exec(
        select(Person.base_town).where(Person.base_town != "").distinct().order_by(col(Person.base_town))
    ).all()
    context = {
        "rows": rows,
        "page": page.with_total(total),
        "q": q,
        "town": town,
        "network": network,
        "show": show,
        "towns": [t for t in bases if t],
        "networks": all_networks(session),
        "represents": network_names_by_person(session, ids),
        "base_query": query_string(q=q, town=town, network=network, show=show),
    }
    return render(request, "manage/people.html", context)


@router.get("/plan/people/new", response_class=HTMLResponse)
def new_person(request: Request, principal: Planner) -> Response:
    form = FormInput()
    form.values.update({"kind": "police_officer", "monthly_limit": "4", "active": "yes"})
    return _person_form(request, form, None)


@router.post("/plan/people/new", response_class=HTMLResponse)
async def create_person(request: Request, session: SessionDep, principal: Planner) -> Response:
    form = FormInput(await checked_form(request))
    data = parse_person(form)
    person = None
    if form.ok:
        with service_errors(form, session, "staff_number"):
            person = people.create_person(session=session, actor=principal.actor, data=data)
    if person is None:
        return _person_form(request, form, None, status=400)
    flash(request, f"Added {person.name}.")
    return see_other(f"/plan/people/{person.id}")


def _person_page(
    request: Request, session: Session, person: Person, forms: dict[str, FormInput], status: int = 200
) -> Response:
    assert person.id is not None
    reps = people.representations_of(session=session, person_id=person.id)
    nets = all_networks(session)
    names = {n.id: n.name for n in nets}
    now = utcnow()
    away, _ = people.list_unavailability(
        session=session, limit=50, offset=0, person_id=person.id, start=now - timedelta(days=1)
    )
    duties = duties_of(session, person.id)
    upcoming = [d for d in duties if d[1].ends_at > now]
    past = [d for d in reversed(duties) if d[1].ends_at <= now][:15]
    user = session.exec(select(User).where(User.person_id == person.id)).first()
    context = {
        "person": person,
        "reps": [(r, names.get(r.network_id, "")) for r in reps],
        "other_networks": [(n.id, n.name) for n in nets if n.id not in {r.network_id for r in reps}],
        "away": away,
        "upcoming": upcoming,
        "past": past,
        "user": user,
        "rep_form": forms.get("rep", FormInput()),
        "away_form": forms.get("away") or _blank_away(),
        "reason_pairs": _options(UnavailabilityReason),
    }
    return render(request, "manage/person.html", context, status=status)


def _blank_away() -> FormInput:
    form = FormInput()
    form.values.update({"start_time": "00:00", "end_time": "23:59", "reason": "annual_leave"})
    return form


@router.get("/plan/people/{person_id:id}", response_class=HTMLResponse)
def person_page(request: Request, session: SessionDep, principal: Planner, person_id: int) -> Response:
    person = people.get_person(session=session, person_id=person_id)
    return _person_page(request, session, person, {})


@router.get("/plan/people/{person_id:id}/edit", response_class=HTMLResponse)
def edit_person(request: Request, session: SessionDep, principal: Planner, person_id: int) -> Response:
    person = people.get_person(session=session, person_id=person_id)
    form = FormInput()
    form.values.update(values_from(fields_of(person)))
    form.values["languages"] = ", ".join(person.languages or [])
    return _person_form(request, form, person)


@router.post("/plan/people/{person_id:id}/edit", response_class=HTMLResponse)
async def update_person(
    request: Request, session: SessionDep, principal: Planner, person_id: int
) -> Response:
    person = people.get_person(session=session, person_id=person_id)
    form = FormInput(await checked_form(request))
    data = parse_person(form)
    affected = _person_affected(session, person) if data["active"] is False else []
    if form.ok and affected and not form.flag("confirm_deactivation"):
        form.error(
            "confirm_deactivation",
            f"Confirm that {person.name} should be withdrawn from {len(affected)} upcoming events",
        )
    saved = False
    if form.ok:
        with (
            unless_changed_meanwhile(form, session, "person"),
            service_errors(form, session, "staff_number"),
        ):
            people.update_person(
                session=session,
                actor=principal.actor,
                person_id=person_id,
                changes=data,
                expected=opened_at(form),
            )
            saved = True
    if not saved:
        return _person_form(request, form, person, status=400, affected=affected)
    flash(request, _person_withdrawn_message(person, affected) if affected else "Saved.")
    return see_other(f"/plan/people/{person_id}")


def _person_affected(session: Session, person: Person) -> list[dict[str, Any]]:
    """The upcoming places that deactivating the person withdraws, for the confirmation."""
    return [
        {"event": e, "status": a.status, "detail": f"{v.name} · {label(a.role)}"}
        for a, e, v in people.upcoming_places(session=session, person_id=person.id or 0)
    ]


def _person_withdrawn_message(person: Person, affected: list[dict[str, Any]]) -> str:
    return (
        f"{person.name} is now inactive and has been withdrawn from {len(affected)} upcoming events; "
        "they will be told, and the events show the gap."
    )


@router.get("/plan/people/{person_id:id}/deactivate", response_class=HTMLResponse)
def confirm_person_deactivation(
    request: Request, session: SessionDep, principal: Planner, person_id: int
) -> Response:
    person = people.get_person(session=session, person_id=person_id)
    affected = _person_affected(session, person)
    if not person.active and not affected:
        return see_other(f"/plan/people/{person_id}")
    places = people.upcoming_places(session=session, person_id=person_id)
    context = {
        "caption": person.name,
        "heading": f"Deactivate {person.name}",
        "summary": people.deactivation_summary(person, places),
        "places": affected,
        "affected_title": "Places they will be withdrawn from",
        "action": f"/plan/people/{person_id}/deactivate",
        "button": "Deactivate" + (" and withdraw them" if affected else ""),
        "back_href": f"/plan/people/{person_id}",
    }
    return render(request, "manage/deactivate.html", context)


@router.post("/plan/people/{person_id:id}/deactivate")
async def deactivate_person(
    request: Request, session: SessionDep, principal: Planner, person_id: int
) -> Response:
    await checked_form(request)
    person = people.get_person(session=session, person_id=person_id)
    affected = _person_affected(session, person)
    people.update_person(
        session=session, actor=principal.actor, person_id=person_id, changes={"active": False}
    )
    flash(
        request,
        _person_withdrawn_message(person, affected) if affected else f"{person.name} is now inactive.",
    )
    return see_other(f"/plan/people/{person_id}")


@router.post("/plan/people/{person_id:id}/networks", response_class=HTMLResponse)
async def record_opt_in(
    request: Request, session: SessionDep, principal: Planner, person_id: int
) -> Response:
    person = people.get_person(session=session, person_id=person_id)
    form = FormInput(await checked_form(request))
    network_id = form.ident("network_id", "a network")
    if not form.flag("confirmed_by_person"):
        form.error("confirmed_by_person", "Confirm that the person asked for this themselves")
    saved = False
    if form.ok and network_id is not None:
        with service_errors(form, session, "network_id"):
            people.opt_in(
                session=session,
                actor=principal.actor,
                person_id=person_id,
                network_id=network_id,
                public_naming=form.flag("public_naming"),
            )
            saved = True
    if not saved:
        return _person_page(request, session, person, {"rep": form}, status=400)
    flash(request, "Recorded the opt-in.")
    return see_other(f"/plan/people/{person_id}#networks")


def _representation_of(session: Session, person_id: int, rep_id: int) -> Representation:
    rep = people.get_representation(session=session, representation_id=rep_id)
    if rep.person_id != person_id:
        raise NotFound(f"representation {rep_id} does not exist")
    return rep


@router.post("/plan/people/{person_id:id}/networks/{rep_id:id}/naming")
async def record_naming(
    request: Request, session: SessionDep, principal: Planner, person_id: int, rep_id: int
) -> Response:
    form = FormInput(await checked_form(request))
    _representation_of(session, person_id, rep_id)
    people.set_public_naming(
        session=session,
        actor=principal.actor,
        representation_id=rep_id,
        public_naming=form.flag("public_naming"),
    )
    flash(request, "Changed the public-naming consent.")
    return see_other(f"/plan/people/{person_id}#networks")


@router.post("/plan/people/{person_id:id}/networks/{rep_id:id}/withdraw")
async def record_withdrawal(
    request: Request, session: SessionDep, principal: Planner, person_id: int, rep_id: int
) -> Response:
    await checked_form(request)
    _representation_of(session, person_id, rep_id)
    people.withdraw(session=session, actor=principal.actor, representation_id=rep_id)
    flash(request, "Withdrawn and deleted.")
    return see_other(f"/plan/people/{person_id}#networks")


@router.post("/plan/people/{person_id:id}/unavailability", response_class=HTMLResponse)
async def record_away(request: Request, session: SessionDep, principal: Planner, person_id: int) -> Response:
    person = people.get_person(session=session, person_id=person_id)
    form = FormInput(await checked_form(request))
    data = parse_away(form)
    saved = False
    if form.ok:
        with service_errors(form, session):
            people.add_unavailability(
                session=session, actor=principal.actor, data={**data, "person_id": person_id}
            )
            saved = True
    if not saved:
        return _person_page(request, session, person, {"away": form}, status=400)
    flash(request, "Recorded the time away.")
    return see_other(f"/plan/people/{person_id}#away")


@router.post("/plan/people/{person_id:id}/unavailability/{row_id:id}/delete")
async def remove_away(
    request: Request, session: SessionDep, principal: Planner, person_id: int, row_id: int
) -> Response:
    await checked_form(request)
    row = people.get_unavailability(session=session, unavailability_id=row_id)
    if row.person_id != person_id:
        raise NotFound(f"unavailability {row_id} does not exist")
    people.remove_unavailability(session=session, actor=principal.actor, unavailability_id=row_id)
    flash(request, "Removed the time away.")
    return see_other(f"/plan/people/{person_id}#away")


# --- networks ------------------------------------------------------------------------


def parse_network(form: FormInput) -> dict[str, Any]:
    return {
        "name": form.text("name", "the network's name", required=True, max_length=120),
        "short_name": form.text("short_name", "the short name", max_length=40),
        "description": form.text("description", "the description", max_length=2000),
    }


def _networks_page(request: Request, session: Session, form: FormInput, status: int = 200) -> Response:
    nets = all_networks(session)
    counts = dict(
        session.exec(
            select(Representation.network_id, func.count()).group_by(col(Representation.network_id))
        ).all()
    )
    context = {"rows": nets, "counts": counts, "form": form}
    return render(request, "manage/networks.html", context, status=status)


@router.get("/plan/networks", response_class=HTMLResponse)
def network_list(request: Request, session: SessionDep, principal: Planner) -> Response:
    return _networks_page(request, session, FormInput())


@router.post("/plan/networks", response_class=HTMLResponse)
async def create_network(request: Request, session: SessionDep, principal: Planner) -> Response:
    form = FormInput(await checked_form(request))
    data = parse_network(form)
    created = None
    if form.ok:
        with service_errors(form, session, "name"):
            created = networks.create_network(session=session, actor=principal.actor, data=data)
    if created is None:
        return _networks_page(request, session, form, status=400)
    flash(request, f"Added the {created.name}.")
    return see_other("/plan/networks")


@router.get("/plan/networks/{network_id:id}/edit", response_class=HTMLResponse)
def edit_network(request: Request, session: SessionDep, principal: Planner, network_id: int) -> Response:
    network = networks.get_network(session=session, network_id=network_id)
    form = FormInput()
    form.values.update(values_from(fields_of(network)))
    return render(request, "manage/network_form.html", {"form": form, "network": network})


@router.post("/plan/networks/{network_id:id}/edit", response_class=HTMLResponse)
async def update_network(
    request: Request, session: SessionDep, principal: Planner, network_id: int
) -> Response:
    network = networks.get_network(session=session, network_id=network_id)
    form = FormInput(await checked_form(request))
    data = parse_network(form)
    saved = False
    if form.ok:
        with service_errors(form, session, "name"):
            networks.update_network(
                session=session, actor=principal.actor, network_id=network_id, changes=data
            )
            saved = True
    if not saved:
        return render(request, "manage/network_form.html", {"form": form, "network": network}, status=400)
    flash(request, "Saved the network.")
    return see_other("/plan/networks")


# --- users (administrators) ------------------------------------------------------------


def _user_form(
    request: Request, session: Session, form: FormInput, user: User | None, status: int = 200
) -> Response:
    context = {
        "form": form,
        "user": user,
        "roles": [(r.value, label(r.value)) for r in Role],
        "venue_options": [(v.id, f"{v.name} ({v.town})") for v in all_venues(session)],
    }
    return render(request, "manage/user_form.html", context, status=status)


def parse_user(session: Session, form: FormInput, *, new: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "full_name": form.text("full_name", "their name", required=True, max_length=200),
        "role": form.choice("role", Role, "a role"),
    }
    if new:
        email = form.text("email", "an e-mail address", required=True, max_length=254)
        if email and "@" not in email:
            form.error("email", "Enter an e-mail address in the correct format, like name@example.org")
        data["email"] = email
    password = form.values.text("password")
    if new or password:
        if len(password) < accounts.MIN_PASSWORD_LENGTH:
            form.error("password", f"The password must be at least {accounts.MIN_PASSWORD_LENGTH} characters")
        data["password"] = password[:1000]
    staff_number = form.text("staff_number", "the staff number", max_length=40)
    data["person_id"] = None
    if staff_number:
        person = session.exec(select(Person).where(Person.staff_number == staff_number)).first()
        if person is None:
            form.error("staff_number", f"No person has the staff number {staff_number}")
        else:
            data["person_id"] = person.id
    elif data["role"] == Role.staff:
        form.error("staff_number", "Enter the staff number of the person this sign-in is for")
    venue_ids = form.ids("venue_ids", "venue")
    if data["role"] == Role.partner and not venue_ids:
        form.error("venue_ids", "Select the venues this partner speaks for")
    data["venue_ids"] = venue_ids if data["role"] == Role.partner else []
    if not new:
        data["active"] = form.flag("active")
    return data


@router.get("/admin/users", response_class=HTMLResponse)
def user_list(request: Request, session: SessionDep, principal: Admin) -> Response:
    page = page_from(request)
    never = request.query_params.get("signed_in") == "never"
    rows, total = invitations.list_users(
        session=session, never_signed_in=never, limit=page.size, offset=page.offset
    )
    person_ids = {u.person_id for u in rows if u.person_id}
    links = session.exec(select(UserVenue).where(col(UserVenue.user_id).in_([u.id for u in rows]))).all()
    venue_names = by_id(session, Venue, {link.venue_id for link in links})
    user_venues: dict[int, list[str]] = {}
    for link in links:
        venue = venue_names.get(link.venue_id)
        user_venues.setdefault(link.user_id, []).append(venue.name if venue else str(link.venue_id))
    context = {
        "rows": rows,
        "page": page.with_total(total),
        "people": by_id(session, Person, person_ids),
        "user_venues": user_venues,
        "never": never,
        "sign_ins": invitations.sign_in_states(session, rows),
    }
    return render(request, "manage/users.html", context)


@router.get("/admin/users/new", response_class=HTMLResponse)
def new_user(request: Request, session: SessionDep, principal: Admin) -> Response:
    form = FormInput()
    form.values.update({"role": "staff"})
    return _user_form(request, session, form, None)


@router.post("/admin/users/new", response_class=HTMLResponse)
async def create_user(request: Request, session: SessionDep, principal: Admin) -> Response:
    form = FormInput(await checked_form(request))
    data = parse_user(session, form, new=True)
    user = None
    if form.ok:
        with service_errors(form, session):
            user = accounts.create_user(
                session=session,
                actor=principal.actor,
                email=data["email"],
                password=data["password"],
                role=data["role"],
                full_name=data["full_name"],
                person_id=data["person_id"],
                venue_ids=data["venue_ids"],
            )
    if user is None:
        form.values.pop("password", None)
        return _user_form(request, session, form, None, status=400)
    flash(request, f"Created the sign-in for {user.email}. Give them the password in person or by phone.")
    return see_other("/admin/users")


@router.get("/admin/users/{user_id:id}", response_class=HTMLResponse)
def edit_user(request: Request, session: SessionDep, principal: Admin, user_id: int) -> Response:
    user = accounts.get_user(session=session, user_id=user_id)
    form = FormInput()
    person = session.get(Person, user.person_id) if user.person_id else None
    form.values.update(
        {
            "full_name": user.full_name,
            "role": str(user.role),
            "staff_number": person.staff_number if person else "",
            "active": "yes" if user.active else "",
            "venue_ids": [str(v) for v in sorted(accounts.venue_ids_of(session=session, user_id=user_id))],
        }
    )
    return _user_form(request, session, form, user)


@router.post("/admin/users/{user_id:id}", response_class=HTMLResponse)
async def update_user(request: Request, session: SessionDep, principal: Admin, user_id: int) -> Response:
    user = accounts.get_user(session=session, user_id=user_id)
    form = FormInput(await checked_form(request))
    data = parse_user(session, form, new=False)
    if user_id == principal.user_id and (data.get("role") != Role.admin or not data.get("active")):
        form.error("role", "You cannot take away your own administrator access or deactivate yourself")
    saved = False
    if form.ok:
        with service_errors(form, session):
            accounts.update_user(session=session, actor=principal.actor, user_id=user_id, changes=data)
            saved = True
    if not saved:
        form.values.pop("password", None)
        return _user_form(request, session, form, user, status=400)
    flash(request, f"Saved {user.email}.")
    return see_other("/admin/users")


# --- audit -------------------------------------------------------------------------------

RECORD_TYPES = [
    "event",
    "assignment",
    "person",
    "representation",
    "unavailability",
    "venue",
    "campaign",
    "network",
    "user",
    "outbox_message",
]


@router.get("/plan/audit", response_class=HTMLResponse)
def audit_view(request: Request, session: SessionDep, principal: Planner) -> Response:
    record_type = request.query_params.get("record_type", "")
    record_type = record_type if record_type in RECORD_TYPES else ""
    record_id = int_param(request, "record_id")
    page = page_from(request)
    rows, total = audit.history(
        session=session,
        record_type=record_type or None,
        record_id=record_id,
        limit=page.size,
        offset=page.offset,
    )
    subject = _subject(session, record_type, record_id)
    context = {
        "rows": rows,
        "page": page.with_total(total),
        "record_type": record_type,
        "record_id": record_id,
        "record_types": RECORD_TYPES,
        "subject": subject,
        "base_query": query_string(record_type=record_type, record_id=record_id),
    }
    return render(request, "manage/audit.html", context)


def _subject(session: Session, record_type: str, record_id: int | None) -> tuple[str, str] | None:
    """The name and page of the record whose history is shown, if it still exists."""
    if not record_type or record_id is None:
        return None
    models: dict[str, tuple[Any, str, str]] = {
        "event": (Event, "title", "/plan/events/{}"),
        "person": (Person, "name", "/plan/people/{}"),
        "venue": (Venue, "name", "/plan/venues/{}"),
        "campaign": (Campaign, "name", "/plan/campaigns/{}"),
        "network": (Network, "name", "/plan/networks/{}/edit"),
        "assignment": (Assignment, "id", "/plan/assignments/{}"),
    }
    if record_type not in models:
        return None
    model, attr, url = models[record_type]
    found = session.get(model, record_id)
    if found is None:
        return (f"{record_type} {record_id} (deleted)", "")
    if record_type == "assignment":
        return (f"assignment {record_id}", f"/plan/events/{found.event_id}")
    return (str(getattr(found, attr)), url.format(record_id))
