"""The coordinator's pages: the dashboard, booking, an event and its team."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from app.accounts.deps import Planner
from app.assignments import service as assignments
from app.assignments.models import Assignment
from app.audit import service as audit
from app.booking import service as booking
from app.campaigns.models import Campaign
from app.clock import to_london, utcnow
from app.db import SessionDep
from app.enums import AssignmentRole, AssignmentStatus, EventStatus, PartnerStatus
from app.errors import Conflict, Invalid
from app.events import flows
from app.events import service as events
from app.events.models import Event
from app.events.service import EventFilters
from app.events.staffing import StaffingState
from app.networks.models import Network
from app.pages import calendar, picker
from app.pages.common import (
    all_campaigns,
    all_networks,
    all_venues,
    by_id,
    date_param,
    int_param,
    page_from,
    query_string,
    see_other,
    text_param,
    towns,
)
from app.pages.csrf import checked_form
from app.pages.forms import FormInput, london_parts, opened_at, service_errors, unless_changed_meanwhile
from app.pages.rendering import flash, render
from app.staffing import jobs as staffing_jobs
from app.staffing import service as staffing
from app.venues.models import Venue

router = APIRouter(tags=["pages"], include_in_schema=False)

VIEWS = ("month", "week", "list")
MAX_IN_RANGE = 5000
"""A calendar range holds at most this many events; past that the day cells say 'N more'."""


@dataclass(frozen=True)
class Together:
    """An offer to plan several events shown together in one go (see app/staffing/pages.py);
    without a count, the whole day (more than the calendar shows), found on the next page."""

    count: int | None
    href: str


def plan_together(shown: list[Event], states: dict[int, StaffingState]) -> Together | None:
    """The shown events a plan could add to, offered together when there are two or more:
    planning one at a time gives a small network's few members all to the first event."""
    now = utcnow()
    ids = sorted(
        {e.id for e in shown if e.id is not None and staffing.needs_planning(e, states.get(e.id), now=now)}
    )
    if len(ids) < 2:
        return None
    return Together(len(ids), "/plan/staffing?" + urlencode([("event", i) for i in ids]))


def _by_day(
    shown: list[Event], states: dict[int, StaffingState], days: list[calendar.Day], chosen: dict[str, Any]
) -> dict[str, Together]:
    """Each day's offer: the shown events with gaps, or the whole day where some are hidden."""
    found: dict[str, list[Event]] = defaultdict(list)
    for event in shown:
        found[to_london(event.starts_at).date().isoformat()].append(event)
    offers = {day: plan_together(events_of_day, states) for day, events_of_day in found.items()}
    for day in days:
        if day.more and day.date >= calendar.today_in_london():
            query = urlencode({"day": day.date.isoformat(), **{k: v for k, v in chosen.items() if v}})
            offers[day.date.isoformat()] = Together(None, f"/plan/staffing?{query}")
    return {day: offer for day, offer in offers.items() if offer is not None}


# --- the dashboard ----------------------------------------------------------------


def _filters_from(request: Request) -> dict[str, Any]:
    status_text = request.query_params.get("status", "")
    return {
        "campaign": int_param(request, "campaign"),
        "venue": int_param(request, "venue"),
        "town": text_param(request, "town", 120),
        "status": status_text if status_text in EventStatus.__members__ else "",
    }


def _event_filters(chosen: dict[str, Any], start: datetime | None, end: datetime | None) -> EventFilters:
    return EventFilters(
        start=start,
        end=end,
        town=chosen["town"] or None,
        venue_id=chosen["venue"],
        campaign_id=chosen["campaign"],
        status=EventStatus(chosen["status"]) if chosen["status"] else None,
    )


def _filter_options(session: Session) -> dict[str, Any]:
    return {
        "campaigns": all_campaigns(session),
        "venues": all_venues(session),
        "towns": towns(session),
        "statuses": list(EventStatus),
    }


def _lookups(session: Session, shown: list[Event]) -> dict[str, Any]:
    return {
        "venues_by_id": by_id(session, Venue, {e.venue_id for e in shown}),
        "campaigns_by_id": by_id(session, Campaign, {e.campaign_id for e in shown}),
    }


def _upcoming(session: Session, chosen: dict[str, Any]) -> list[Event]:
    """The open (draft or confirmed) events of the coming two weeks."""
    now = utcnow()
    upcoming, _ = events.list_events(
        session=session,
        filters=_event_filters({**chosen, "status": ""}, now, now + timedelta(days=flows.ATTENTION_DAYS)),
        limit=MAX_IN_RANGE,
        offset=0,
    )
    return [e for e in upcoming if e.status in (EventStatus.draft, EventStatus.confirmed)]


def _attention(
    session: Session, chosen: dict[str, Any]
) -> tuple[list[Event], dict[int, StaffingState], list[flows.Attention]]:
    upcoming = _upcoming(session, chosen)
    states = events.staffing_states(session=session, events=upcoming)
    return upcoming, states, flows.needing_attention(session=session, events=upcoming, states=states)


@router.get("/plan/attention", response_class=HTMLResponse)
def attention_list(request: Request, session: SessionDep, principal: Planner) -> Response:
    chosen = _filters_from(request)
    _, _, attention = _attention(session, chosen)
    context = {
        "attention": attention,
        "chosen": chosen,
        **_filter_options(session),
        **_lookups(session, [a.event for a in attention]),
    }
    return render(request, "planner/attention.html", context)


@router.get("/plan", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, principal: Planner) -> Response:
    view = request.query_params.get("view", "month")
    view = view if view in VIEWS else "month"
    today = calendar.today_in_london()
    anchor = date_param(request, "d") or today
    chosen = _filters_from(request)

    # Attention first (the coming two weeks, whatever the calendar shows); its staffing is
    # worked out below together with the calendar's, in one go.
    upcoming = _upcoming(session, chosen)

    # The calendar (or list) itself: lay it out from (id, start) pairs, then load only the
    # events that are shown, so a busy month costs the same as a quiet one.
    page = page_from(request)
    days: list[calendar.Day] = []
    weeks: list[list[calendar.Day]] = []
    listed: list[Event] = []
    if view in ("month", "week"):
        if view == "month":
            grid = [d for week in calendar.month_grid(anchor) for d in week]
            prev_anchor, next_anchor = calendar.shift_month(anchor, -1), calendar.shift_month(anchor, 1)
            heading = anchor.strftime("%B %Y")
        else:
            monday = calendar.start_of_week(anchor)
            grid = [monday + timedelta(days=i) for i in range(7)]
            prev_anchor, next_anchor = monday - timedelta(days=7), monday + timedelta(days=7)
            heading = f"{monday:%-d %B} to {grid[-1]:%-d %B %Y}"
        start, end = calendar.utc_range(grid[0], grid[-1] + timedelta(days=1))
        starts = events.event_starts(
            session=session, filters=_event_filters(chosen, start, end), limit=MAX_IN_RANGE
        )
        per_day = 4 if view == "month" else 12
        days = calendar.fill_days(
            grid, starts, per_day=per_day, month=anchor.month if view == "month" else None
        )
        shown_ids = {item[0] for d in days for item in d.events}
        records: dict[int, Event] = {e.id: e for e in upcoming if e.id is not None and e.id in shown_ids}
        records.update(by_id(session, Event, shown_ids - set(records)))
        calendar.swap_in(days, records)
        shown = [e for d in days for e in d.events]
        if view == "month":
            weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
    else:
        start, end = calendar.utc_range(anchor, anchor + timedelta(days=28))
        listed, total = events.list_events(
            session=session,
            filters=_event_filters(chosen, start, end),
            limit=page.size,
            offset=page.offset,
        )
        page = page.with_total(total)
        shown = listed
        prev_anchor, next_anchor = anchor - timedelta(days=28), anchor + timedelta(days=28)
        heading = f"{anchor:%-d %B} to {anchor + timedelta(days=27):%-d %B %Y}"

    wanted = {e.id: e for e in upcoming + shown}
    states = events.staffing_states(session=session, events=list(wanted.values()))
    upcoming_states = {e.id: states[e.id] for e in upcoming if e.id is not None}
    attention = flows.needing_attention(session=session, events=upcoming, states=upcoming_states)
    stats = {
        "upcoming": len(upcoming),
        "attention": len(attention),
        "unstaffed": sum(1 for s in upcoming_states.values() if not s.filled),
        "venue_pending": sum(1 for e in upcoming if e.partner_status == PartnerStatus.pending),
        "awaiting_staff": sum(s.awaiting_reply for s in upcoming_states.values()),
    }
    context = {
        "view": view,
        "anchor": anchor,
        "today": today,
        "heading": heading,
        "prev_anchor": prev_anchor,
        "next_anchor": next_anchor,
        "chosen": chosen,
        "filter_query": query_string(**chosen),
        "attention": attention[:9],
        "attention_total": len(attention),
        "stats": stats,
        "weeks": weeks,
        "days": days,
        "listed": listed,
        "page": page,
        "states": states,
        "together": _by_day(shown, states, days, chosen),
        "plans": staffing_jobs.plans_to_watch(session=session),
        **_filter_options(session),
        **_lookups(session, shown + [a.event for a in attention[:9]]),
    }
    return render(request, "planner/dashboard.html", context)


@router.get("/plan/events", response_class=HTMLResponse)
def event_list(request: Request, session: SessionDep, principal: Planner) -> Response:
    """Every event, past and future, filterable: the list behind the calendar."""
    chosen = _filters_from(request)
    first = date_param(request, "from")
    last = date_param(request, "to")
    start = calendar.utc_range(first, first)[0] if first else None
    end = calendar.utc_range(last + timedelta(days=1), last + timedelta(days=1))[0] if last else None
    page = page_from(request)
    rows, total = events.list_events(
        session=session, filters=_event_filters(chosen, start, end), limit=page.size, offset=page.offset
    )
    states = events.staffing_states(session=session, events=rows)
    context = {
        "rows": rows,
        "together": plan_together(rows, states),
        "page": page.with_total(total),
        "chosen": chosen,
        "first": first,
        "last": last,
        "base_query": query_string(**chosen, **{"from": first, "to": last}),
        "states": states,
        **_filter_options(session),
        **_lookups(session, rows),
    }
    return render(request, "planner/events.html", context)


# --- the event form (create, edit) ------------------------------------------------


def _event_form_context(session: Session, form: FormInput, **extra: Any) -> dict[str, Any]:
    campaigns = all_campaigns(session)
    venues = all_venues(session, active_only=True)
    return {
        "form": form,
        "campaign_options": [(c.id, c.name) for c in campaigns],
        "venue_options": [(v.id, f"{v.name} ({v.town})" if v.town else v.name) for v in venues],
        "venues": venues,
        "networks": all_networks(session),
        "bulk": False,
        "show_status": extra.get("event") is None,
        **extra,
    }


def parse_when(form: FormInput) -> tuple[datetime | None, datetime | None]:
    """Start date and time, end time, and an end date only when it runs past midnight."""
    start_day = form.date_value("start_date", "the date")
    start_time = form.time_value("start_time", "the start time")
    end_day = form.date_value("end_date", "the end date", required=False) or start_day
    end_time = form.time_value("end_time", "the end time")
    starts_at = form.london(start_day, start_time, "start_time", "the start time")
    ends_at = form.london(end_day, end_time, "end_time", "the end time")
    if starts_at and ends_at and ends_at <= starts_at:
        form.error("end_time", "The end time must be after the start time")
    return starts_at, ends_at


def parse_event_form(form: FormInput, networks: list[Network], *, with_place: bool = True) -> dict[str, Any]:
    """The fields of an event, in the words people type them; errors go on the form."""
    data: dict[str, Any] = {}
    data["campaign_id"] = form.ident("campaign_id", "a campaign")
    if with_place:
        data["venue_id"] = form.ident("venue_id", "a venue")
        data["title"] = form.text("title", "a title", required=True, max_length=200)
    else:
        data["title"] = form.text("title", "a title", max_length=200)
    data["starts_at"], data["ends_at"] = parse_when(form)
    data["ambassadors_needed"] = form.integer(
        "ambassadors_needed", "the number of ambassadors", maximum=50, default=0
    )
    data["recruiters_needed"] = form.integer(
        "recruiters_needed", "the number of recruiters", maximum=50, default=0
    )
    data["wanted_languages"] = form.words("wanted_languages", "languages")
    needs = []
    for network in networks:
        count = form.integer(
            f"need_{network.id}", f"the number from the {network.name}", maximum=20, default=0
        )
        if count:
            needs.append({"network_id": network.id, "min_count": count})
    data["network_needs"] = needs
    data["public"] = form.flag("public")
    data["public_description"] = form.text("public_description", "the public description", max_length=4000)
    data["what_to_bring"] = form.text("what_to_bring", "what to bring", max_length=2000)
    data["internal_notes"] = form.text("internal_notes", "the internal notes", max_length=4000)
    return data


def _event_values(session: Session, event: Event) -> FormInput:
    assert event.id is not None
    form = FormInput()
    start_date, start_time = london_parts(event.starts_at)
    end_date, end_time = london_parts(event.ends_at)
    needs = events.network_needs_of(session=session, event_ids=[event.id])[event.id]
    form.values.update(
        {
            "campaign_id": str(event.campaign_id),
            "venue_id": str(event.venue_id),
            "title": event.title,
            "start_date": start_date,
            "start_time": start_time,
            "end_date": end_date if end_date != start_date else "",
            "end_time": end_time,
            "ambassadors_needed": str(event.ambassadors_needed),
            "recruiters_needed": str(event.recruiters_needed),
            "wanted_languages": ", ".join(event.wanted_languages or []),
            "public": "yes" if event.public else "",
            "public_description": event.public_description,
            "what_to_bring": event.what_to_bring,
            "internal_notes": event.internal_notes,
            "revision": str(event.revision),
            **{f"need_{n.network_id}": str(n.min_count) for n in needs},
        }
    )
    return form


def _blank_event_form(request: Request, session: Session) -> FormInput:
    form = FormInput()
    campaigns = all_campaigns(session)
    day = date_param(request, "date") or calendar.today_in_london() + timedelta(days=14)
    form.values.update(
        {
            "campaign_id": str(int_param(request, "campaign") or (campaigns[0].id if campaigns else "")),
            "venue_id": str(int_param(request, "venue") or ""),
            "start_date": day.isoformat(),
            "start_time": "10:00",
            "end_time": "17:00",
            "ambassadors_needed": "2",
            "recruiters_needed": "1",
            "status": "draft",
            "public": "yes",
        }
    )
    return form


@router.get("/plan/events/new", response_class=HTMLResponse)
def new_event_form(request: Request, session: SessionDep, principal: Planner) -> Response:
    form = _blank_event_form(request, session)
    return render(request, "planner/event_form.html", _event_form_context(session, form, event=None))


@router.post("/plan/events/new", response_class=HTMLResponse)
async def create_event(request: Request, session: SessionDep, principal: Planner) -> Response:
    form = FormInput(await checked_form(request))
    networks = all_networks(session)
    data = parse_event_form(form, networks)
    data["status"] = form.choice("status", EventStatus, "draft or confirmed") or EventStatus.draft
    if data["status"] not in (EventStatus.draft, EventStatus.confirmed):
        form.error("status", "A new event is either a draft or confirmed")
    event = None
    if form.ok:
        with service_errors(form, session):
            event = events.create_event(session=session, actor=principal.actor, data=data)
    if event is None:
        context = _event_form_context(session, form, event=None)
        return render(request, "planner/event_form.html", context, status=400)
    flash(request, f"Booked '{event.title}'.")
    return see_other(f"/plan/events/{event.id}")


@router.get("/plan/events/{event_id:id}/edit", response_class=HTMLResponse)
def edit_event_form(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    form = _event_values(session, event)
    return render(request, "planner/event_form.html", _event_form_context(session, form, event=event))


@router.post("/plan/events/{event_id:id}/edit", response_class=HTMLResponse)
async def update_event(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    form = FormInput(await checked_form(request))
    networks = all_networks(session)
    data = parse_event_form(form, networks)
    if form.raw("action") == "revise":
        # Back from the conflicts dialog to the form, with everything as it was typed.
        return render(request, "planner/event_form.html", _event_form_context(session, form, event=event))
    accept = form.flag("accept_conflicts")
    found: dict[int, Any] = {}
    saved = False
    if form.ok:
        try:
            with unless_changed_meanwhile(form, session, "event"):
                _, found = events.update_event(
                    session=session,
                    actor=principal.actor,
                    event_id=event_id,
                    changes=data,
                    accept_conflicts=accept,
                    expected=opened_at(form),
                )
                saved = True
        except Conflict as exc:
            session.rollback()
            conflicts = exc.extra.get("conflicts")
            if conflicts:
                names = picker.names_for(session, {c["person_id"] for c in conflicts})
                context = {"event": event, "form": form, "conflicts": conflicts, "names": names}
                return render(request, "planner/move_conflicts.html", context, status=409)
            form.error("form", exc.detail)
        except Invalid as exc:
            session.rollback()
            form.error("form", exc.detail[:1].upper() + exc.detail[1:])
    if not saved:
        context = _event_form_context(session, form, event=event)
        return render(request, "planner/event_form.html", context, status=400)
    if found:
        flash(
            request,
            f"Moved '{event.title}'. {len(found)} of the team now clash and are marked on the team list.",
            kind="warning",
        )
    else:
        flash(request, "Saved your changes.")
    return see_other(f"/plan/events/{event_id}")


# --- status, cancel, duplicate ---------------------------------------------------


@router.post("/plan/events/{event_id:id}/status")
async def change_status(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    form = FormInput(await checked_form(request))
    status = form.choice("status", EventStatus, "a status")
    if status is None or status == EventStatus.cancelled:
        flash(request, "Choose confirm, back to draft or completed.", kind="error")
        return see_other(f"/plan/events/{event_id}")
    try:
        event = events.set_status(session=session, actor=principal.actor, event_id=event_id, status=status)
    except (Invalid, Conflict) as exc:
        session.rollback()
        flash(request, exc.detail[:1].upper() + exc.detail[1:], kind="error")
        return see_other(f"/plan/events/{event_id}")
    words = {
        EventStatus.confirmed: "Confirmed",
        EventStatus.draft: "Moved back to draft:",
        EventStatus.completed: "Marked as completed:",
    }
    flash(request, f"{words.get(status, 'Changed')} '{event.title}'.")
    return see_other(f"/plan/events/{event_id}")


@router.get("/plan/events/{event_id:id}/cancel", response_class=HTMLResponse)
def cancel_form(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    team = assignments.team_of(session=session, event_ids=[event_id])[event_id]
    active = [(a, p) for a, p in team if a.status in (AssignmentStatus.proposed, AssignmentStatus.confirmed)]
    context = {"event": event, "form": FormInput(), "team": active}
    return render(request, "planner/cancel.html", context)


@router.post("/plan/events/{event_id:id}/cancel", response_class=HTMLResponse)
async def cancel(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    form = FormInput(await checked_form(request))
    reason = form.text("reason", "a reason", required=True, max_length=500)
    done = False
    if form.ok:
        with service_errors(form, session):
            events.cancel_event(session=session, actor=principal.actor, event_id=event_id, reason=reason)
            done = True
    if not done:
        team = assignments.team_of(session=session, event_ids=[event_id])[event_id]
        active = [
            (a, p) for a, p in team if a.status in (AssignmentStatus.proposed, AssignmentStatus.confirmed)
        ]
        context = {"event": event, "form": form, "team": active}
        return render(request, "planner/cancel.html", context, status=400)
    flash(request, f"Cancelled '{event.title}'. Calendars and the public page now say so.")
    return see_other(f"/plan/events/{event_id}")


@router.get("/plan/events/{event_id:id}/duplicate", response_class=HTMLResponse)
def duplicate_form(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    form = FormInput()
    start_date, start_time = london_parts(event.starts_at + timedelta(days=7))
    form.values.update({"start_date": start_date, "start_time": start_time})
    return render(request, "planner/duplicate.html", {"event": event, "form": form})


@router.post("/plan/events/{event_id:id}/duplicate", response_class=HTMLResponse)
async def duplicate(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    form = FormInput(await checked_form(request))
    day = form.date_value("start_date", "the date")
    at = form.time_value("start_time", "the start time")
    starts_at = form.london(day, at, "start_time", "the start time")
    copy = None
    if form.ok and starts_at is not None:
        with service_errors(form, session):
            copy = flows.duplicate_event(
                session=session, actor=principal.actor, event_id=event_id, starts_at=starts_at
            )
    if copy is None:
        return render(request, "planner/duplicate.html", {"event": event, "form": form}, status=400)
    flash(request, f"Made a draft copy of '{event.title}'. Check it and add the team.")
    return see_other(f"/plan/events/{copy.id}")


# --- book across several venues ----------------------------------------------------


@router.get("/plan/book", response_class=HTMLResponse)
def book_form(request: Request, session: SessionDep, principal: Planner) -> Response:
    form = _blank_event_form(request, session)
    form.values["venue_ids"] = [str(v) for v in request.query_params.getlist("venue") if v.isdigit()]
    return render(request, "planner/book.html", _event_form_context(session, form, results=None, bulk=True))


@router.post("/plan/book", response_class=HTMLResponse)
async def book(request: Request, session: SessionDep, principal: Planner) -> Response:
    form = FormInput(await checked_form(request))
    networks = all_networks(session)
    data = parse_event_form(form, networks, with_place=False)
    venue_ids = form.ids("venue_ids", "venue", required=True)
    data["status"] = form.choice("status", EventStatus, "draft or confirmed") or EventStatus.draft
    if data["status"] not in (EventStatus.draft, EventStatus.confirmed):
        form.error("status", "New events are either drafts or confirmed")
    if not form.ok:
        return render(
            request,
            "planner/book.html",
            _event_form_context(session, form, results=None, bulk=True),
            status=400,
        )
    results: list[flows.VenueBooking] = []
    with service_errors(form, session):
        results = flows.book_at_venues(session=session, actor=principal.actor, data=data, venue_ids=venue_ids)
    booked = [r for r in results if r.booked]
    made = [r.event for r in booked if r.event is not None]
    together = plan_together(made, events.staffing_states(session=session, events=made))
    context = _event_form_context(session, form, results=results, booked=booked, bulk=True, together=together)
    return render(request, "planner/book.html", context, status=200 if booked else 400)


# --- the event page: details, staffing, team, picker -------------------------------


@router.get("/plan/events/{event_id:id}", response_class=HTMLResponse)
def event_page(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    event = events.get_event(session=session, event_id=event_id)
    assert event.id is not None
    state: StaffingState = events.staffing_states(session=session, events=[event])[event.id]
    team = assignments.team_of(session=session, event_ids=[event.id])[event.id]
    venue = session.get(Venue, event.venue_id)
    campaign = session.get(Campaign, event.campaign_id)
    search = picker.Search.from_request(request)
    candidates = picker.candidates(session=session, event=event, team=team, search=search)
    team_networks = picker.network_names_by_person(session, {p.id for _, p in team if p.id})
    history, history_total = audit.history(session=session, record_type="event", record_id=event_id, limit=5)
    context = {
        "event": event,
        "venue": venue,
        "campaign": campaign,
        "state": state,
        "team": team,
        "team_networks": team_networks,
        "picker": candidates,
        "search": search,
        "networks": all_networks(session),
        "roles": list(AssignmentRole),
        "history": history,
        "history_total": history_total,
        "open": event.status in (EventStatus.draft, EventStatus.confirmed),
        "ended": event.ends_at <= utcnow(),
        "ranked": candidates.ranked,
    }
    return render(request, "planner/event.html", context)


@router.post("/plan/events/{event_id:id}/team", response_class=HTMLResponse)
async def add_to_team(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    form = FormInput(await checked_form(request))
    person_id = form.ident("person_id", "a person")
    role = form.choice("role", AssignmentRole, "a role") or AssignmentRole.ambassador
    status = form.choice("status", AssignmentStatus, "a status", required=False) or AssignmentStatus.proposed
    back = f"/plan/events/{event_id}" + _picker_query(form) + "#team"
    if not form.ok or person_id is None:
        flash(request, "Choose a person and a role.", kind="error")
        return see_other(back)
    try:
        assignment = booking.assign(
            session=session,
            actor=principal.actor,
            event_id=event_id,
            person_id=person_id,
            role=role,
            status=status,
        )
    except (Invalid, Conflict) as exc:
        session.rollback()
        flash(request, exc.detail[:1].upper() + exc.detail[1:], kind="error")
        return see_other(back)
    name = picker.names_for(session, {assignment.person_id}).get(assignment.person_id, "They")
    flash(request, f"Added {name} as {role.value} ({status.value}).")
    return see_other(back)


def _picker_query(form: FormInput) -> str:
    keep = {k: form.raw(k) for k in ("q", "network", "order")}
    text = query_string(**keep)
    return "?" + text.rstrip("&") if text else ""


@router.post("/plan/assignments/{assignment_id:id}", response_class=HTMLResponse)
async def change_assignment(
    request: Request, session: SessionDep, principal: Planner, assignment_id: int
) -> Response:
    assignment = assignments.get_assignment(session=session, assignment_id=assignment_id)
    form = FormInput(await checked_form(request))
    changes: dict[str, Any] = {}
    role = form.choice("role", AssignmentRole, "a role", required=False)
    status = form.choice("status", AssignmentStatus, "a status", required=False)
    if role is not None:
        changes["role"] = role
    if status is not None:
        changes["status"] = status
        changes["reason"] = form.text("reason", "a reason", max_length=500)
    back = f"/plan/events/{assignment.event_id}#team"
    if not changes or not form.ok:
        flash(request, "Nothing to change.", kind="error")
        return see_other(back)
    try:
        assignments.update_assignment(
            session=session, principal=principal, assignment_id=assignment_id, changes=changes
        )
    except (Invalid, Conflict) as exc:
        session.rollback()
        flash(request, exc.detail[:1].upper() + exc.detail[1:], kind="error")
        return see_other(back)
    flash(request, "Updated the team.")
    return see_other(back)


@router.post("/plan/events/{event_id:id}/plan-staffing", response_class=HTMLResponse)
async def plan_staffing(request: Request, session: SessionDep, principal: Planner, event_id: int) -> Response:
    """A fair team for the event's gaps, as a preview: who and why, then apply all or some."""
    await checked_form(request)
    try:
        job = staffing_jobs.preview_event(session=session, principal=principal, event_id=event_id)
    except (Invalid, Conflict) as exc:
        session.rollback()
        flash(request, exc.detail[:1].upper() + exc.detail[1:], kind="error")
        return see_other(f"/plan/events/{event_id}#team")
    if not job.proposals:
        flash(request, "Nobody more could be proposed: the places are filled or nobody suitable is free.")
        return see_other(f"/plan/events/{event_id}#team")
    return see_other(f"/plan/staffing/jobs/{job.id}#review")


def team_counts(session: Session, event_ids: list[int]) -> dict[int, int]:
    """Active team sizes per event in one query."""
    if not event_ids:
        return {}
    rows = session.exec(
        select(Assignment.event_id).where(
            col(Assignment.event_id).in_(event_ids),
            col(Assignment.status).in_((AssignmentStatus.proposed, AssignmentStatus.confirmed)),
        )
    ).all()
    counts: dict[int, int] = {}
    for event_id in rows:
        counts[event_id] = counts.get(event_id, 0) + 1
    return counts
