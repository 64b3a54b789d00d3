"""The coordinator's overview pages: the dashboard (calendar and attention), the list of
every event, and booking one event across several venues."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts.deps import Planner
from app.campaigns.models import Campaign
from app.clock import to_london, utcnow
from app.db import SessionDep
from app.enums import EventStatus, PartnerStatus, VenueKind
from app.events import flows, warned
from app.events import service as events
from app.events.models import Event
from app.events.pages import blank_event_form, event_form_context, parse_event_form
from app.events.service import EventFilters
from app.events.staffing import StaffingState
from app.events.warnings_pages import gate_from, held_for_warnings
from app.outcomes import service as outcomes
from app.pages import calendar
from app.pages.common import (
    all_campaigns,
    all_networks,
    all_venues,
    by_id,
    date_param,
    int_param,
    page_from,
    query_string,
    text_param,
    towns,
)
from app.pages.forms import FormInput, PostedForm, service_errors
from app.pages.rendering import render
from app.printouts import service as printouts
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


def _printable(chosen: dict[str, Any], first: date, last: date, max_days: int) -> printouts.RangeFilters:
    """The filters on screen as a printout's, over ``first`` to ``last`` (cut to ``max_days``)."""
    return printouts.RangeFilters(
        start=first,
        end=min(last, first + timedelta(days=max_days - 1)),
        campaign_id=chosen["campaign"],
        venue_id=chosen["venue"],
        town=chosen["town"] or None,
        status=EventStatus(chosen["status"]) if chosen["status"] else None,
    )


def _exports(chosen: dict[str, Any], first: date, last: date) -> dict[str, str]:
    """Export and print links for exactly the period and filters on screen."""
    export = _printable(chosen, first, last, printouts.MAX_EXPORT_DAYS)
    printed = _printable(chosen, first, last, printouts.MAX_PRINT_DAYS)
    return {
        "csv_href": "/events.csv?" + printouts.range_query(export),
        "csv_period": printouts.period_in_words(export),
        "print_href": "/rosters?" + printouts.range_query(printed),
        "print_period": printouts.period_in_words(printed),
    }


def _bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """The UTC instants from the start of ``first`` to the end of ``last`` (London days)."""
    start = calendar.utc_range(first, first)[0] if first else None
    end = calendar.utc_range(last + timedelta(days=1), last + timedelta(days=1))[0] if last else None
    return start, end


def _list_exports(
    session: Session, chosen: dict[str, Any], first: date | None, last: date | None
) -> dict[str, str]:
    """The events list's exports: its dates, or where undated, the first to the last of the
    matching events (the week from today when none match)."""
    if first is None or last is None:
        span = printouts.matching_span(session=session, filters=_event_filters(chosen, *_bounds(first, last)))
        first = first or (span[0] if span else calendar.today_in_london())
        last = last or (span[1] if span else first + timedelta(days=6))
    return _exports(chosen, first, max(first, last))


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


def _declined_later(session: Session, chosen: dict[str, Any]) -> list[Event]:
    """Open events beyond the coming two weeks that their venue declined: the sooner the
    coordinator rebooks, moves or cancels one, the likelier another date is free."""
    after = utcnow() + timedelta(days=flows.ATTENTION_DAYS)
    filters = _event_filters({**chosen, "status": ""}, after, None)
    filters.partner_status = PartnerStatus.declined
    later, _ = events.list_events(session=session, filters=filters, limit=MAX_IN_RANGE, offset=0)
    # A duty flagged by time away or a lower limit waits on the coordinator too, whatever its date.
    filters.partner_status, filters.flagged = None, True
    flagged, _ = events.list_events(session=session, filters=filters, limit=MAX_IN_RANGE, offset=0)
    later += [e for e in flagged if e not in later]
    return [e for e in later if e.status in (EventStatus.draft, EventStatus.confirmed)]


def _attention(
    session: Session, chosen: dict[str, Any]
) -> tuple[list[Event], dict[int, StaffingState], list[flows.Attention]]:
    upcoming = _upcoming(session, chosen)
    watched = upcoming + _declined_later(session, chosen)
    states = events.staffing_states(session=session, events=watched)
    return upcoming, states, flows.needing_attention(session=session, events=watched, states=states)


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
    planning_key: list[calendar.KeyEntry] = []
    listed: list[Event] = []
    if view in ("month", "week"):
        if view == "month":
            grid = [d for week in calendar.month_grid(anchor) for d in week]
            prev_anchor, next_anchor = calendar.shift_month(anchor, -1), calendar.shift_month(anchor, 1)
            heading = anchor.strftime("%B %Y")
            period = (anchor.replace(day=1), next_anchor - timedelta(days=1))
        else:
            monday = calendar.start_of_week(anchor)
            grid = [monday + timedelta(days=i) for i in range(7)]
            prev_anchor, next_anchor = monday - timedelta(days=7), monday + timedelta(days=7)
            heading = f"{monday:%-d %B} to {grid[-1]:%-d %B %Y}"
            period = (monday, grid[-1])
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
        dates = warned.dates_for_calendar(
            session=session, start=grid[0], end=grid[-1], venue_id=chosen["venue"]
        )
        planning_key = calendar.mark_planning_dates(days, dates)
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
        period = (anchor, anchor + timedelta(days=27))

    watched = upcoming + _declined_later(session, chosen)
    wanted = {e.id: e for e in watched + shown}
    states = events.staffing_states(session=session, events=list(wanted.values()))
    upcoming_states = {e.id: states[e.id] for e in upcoming if e.id is not None}
    attention = flows.needing_attention(session=session, events=watched, states=states)
    stats = {
        "upcoming": len(upcoming),
        "attention": len(attention),
        "unstaffed": sum(1 for s in upcoming_states.values() if not s.filled),
        "venue_pending": sum(1 for e in upcoming if e.partner_status == PartnerStatus.pending),
        "awaiting_staff": sum(s.awaiting_reply for s in upcoming_states.values()),
    }
    awaiting_outcome, awaiting_outcome_total = outcomes.awaiting_outcome(session=session)
    context = {
        "awaiting_outcome": awaiting_outcome,
        "awaiting_outcome_total": awaiting_outcome_total,
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
        "planning_key": planning_key,
        "listed": listed,
        "page": page,
        "states": states,
        "together": _by_day(shown, states, days, chosen),
        "plans": staffing_jobs.plans_to_watch(session=session),
        **_exports(chosen, *period),
        **_filter_options(session),
        **_lookups(session, shown + [a.event for a in attention[:9]] + awaiting_outcome),
    }
    return render(request, "planner/dashboard.html", context)


@router.get("/plan/events", response_class=HTMLResponse)
def event_list(request: Request, session: SessionDep, principal: Planner) -> Response:
    """Every event, past and future, filterable: the list behind the calendar."""
    chosen = _filters_from(request)
    first = date_param(request, "from")
    last = date_param(request, "to")
    page = page_from(request)
    rows, total = events.list_events(
        session=session,
        filters=_event_filters(chosen, *_bounds(first, last)),
        limit=page.size,
        offset=page.offset,
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
        **_list_exports(session, chosen, first, last),
        **_filter_options(session),
        **_lookups(session, rows),
    }
    return render(request, "planner/events.html", context)


# --- book across several venues ----------------------------------------------------


VENUE_KINDS_PLURAL = {
    VenueKind.job_centre: "job centres",
    VenueKind.supermarket: "supermarkets",
    VenueKind.community_centre: "community centres",
    VenueKind.mosque: "mosques",
    VenueKind.gurdwara: "gurdwaras",
    VenueKind.mandir: "mandirs",
    VenueKind.synagogue: "synagogues",
    VenueKind.church: "churches",
    VenueKind.place_of_worship: "other places of worship",
    VenueKind.college: "colleges",
    VenueKind.library: "libraries",
    VenueKind.sports_club: "sports clubs",
    VenueKind.other: "other venues",
}


@dataclass(frozen=True)
class VenueGroup:
    """A shortcut that ticks several venues at once; the link works without the script."""

    label: str
    venue_ids: list[int]
    href: str


def venue_groups(venues: list[Venue], form: FormInput) -> tuple[list[VenueGroup], list[VenueGroup]]:
    """Every kind and every town with two or more venues, each a link back to the form with
    them ticked on top of those already ticked (and the campaign and day kept)."""
    ticked = [int(v) for v in form.values.getlist("venue_ids") if v.isdigit()]
    kept = [(k, form.raw(f)) for k, f in (("campaign", "campaign_id"), ("date", "start_date")) if form.raw(f)]

    def group(label: str, members: list[Venue]) -> VenueGroup:
        ids = [v.id for v in members if v.id is not None]
        venue_query = [("venue", str(i)) for i in dict.fromkeys(ticked + ids)]
        return VenueGroup(label, ids, "/plan/book?" + urlencode(kept + venue_query) + "#venue_ids")

    by_kind: dict[str, list[Venue]] = defaultdict(list)
    by_town: dict[str, list[Venue]] = defaultdict(list)
    for venue in venues:
        by_kind[venue.kind].append(venue)
        if venue.town:
            by_town[venue.town].append(venue)
    kinds = [
        group(f"All {VENUE_KINDS_PLURAL.get(VenueKind(kind), kind)} ({len(found)})", found)
        for kind, found in sorted(by_kind.items())
        if len(found) > 1
    ]
    places = [
        group(f"All in {town} ({len(found)})", found)
        for town, found in sorted(by_town.items())
        if len(found) > 1
    ]
    return kinds, places


def _next_weekday(day: date) -> date:
    """Venues such as job centres are shut at weekends, so a default day is a weekday."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _book_context(session: Session, form: FormInput, **extra: Any) -> dict[str, Any]:
    context = event_form_context(session, form, bulk=True, **extra)
    context["kind_groups"], context["town_groups"] = venue_groups(context["venues"], form)
    return context


@router.get("/plan/book", response_class=HTMLResponse)
def book_form(request: Request, session: SessionDep, principal: Planner) -> Response:
    """The bulk booking form: no campaign until one is chosen (seven events booked into the
    wrong one are seven to fix), and a weekday."""
    form = blank_event_form(request, session)
    form.values["campaign_id"] = str(int_param(request, "campaign") or "")
    if date_param(request, "date") is None:
        form.values["start_date"] = _next_weekday(date.fromisoformat(form.values["start_date"])).isoformat()
    form.values["venue_ids"] = [str(v) for v in request.query_params.getlist("venue") if v.isdigit()]
    return render(request, "planner/book.html", _book_context(session, form, results=None))


@router.post("/plan/book", response_class=HTMLResponse)
def book(request: Request, session: SessionDep, principal: Planner, form: PostedForm) -> Response:
    networks = all_networks(session)
    data = parse_event_form(form, networks, with_place=False)
    venue_ids = form.ids("venue_ids", "venue", required=True)
    data["status"] = form.choice("status", EventStatus, "draft or confirmed") or EventStatus.draft
    if data["status"] not in (EventStatus.draft, EventStatus.confirmed):
        form.error("status", "New events are either drafts or confirmed")
    if not form.ok:
        return render(request, "planner/book.html", _book_context(session, form, results=None), status=400)
    results: list[flows.VenueBooking] = []
    to_read: dict[str, Any] = {}
    with service_errors(form, session), held_for_warnings(session, to_read):
        gate = gate_from(form)
        results = flows.book_at_venues(
            session=session, actor=principal.actor, data=data, venue_ids=venue_ids, warnings=gate
        )
    if to_read:
        return render(
            request, "planner/book.html", _book_context(session, form, results=None, **to_read), status=409
        )
    booked = [r for r in results if r.booked]
    made = [r.event for r in booked if r.event is not None]
    together = plan_together(made, events.staffing_states(session=session, events=made))
    context = _book_context(session, form, results=results, booked=booked, together=together)
    return render(request, "planner/book.html", context, status=200 if booked else 400)
