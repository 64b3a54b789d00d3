"""Print views and their PDFs and CSVs: parse, load, render. Each HTML view has a PDF twin
drawn from the same template; the rules live in ``service.py``."""

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import AnyUser, OptionalUser
from app.api_common import PathId, ProblemRoute, problems
from app.config import get_settings
from app.db import SessionDep
from app.enums import EventStatus
from app.pages.common import MAX_ID  # importing it registers the {name:id} path convertor
from app.pages.rendering import render
from app.printouts import csv_export, pdf, service
from app.printouts.service import RangeFilters
from app.ratelimit.service import Limit, take

router = APIRouter(tags=["printouts"], route_class=ProblemRoute)

# What the print routes answer besides their own page (404 and 422 come from ProblemRoute).
_TO_SIGN_IN: dict[int | str, dict[str, Any]] = {
    303: {"description": "A browser that is not signed in is sent to the sign-in page"}
}
SIGNED_IN = {**problems(401, 403, html=True), **_TO_SIGN_IN}
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
    **problems(503, html=True),
}
CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}
RANGE = problems(404, html=True)  # the campaign or the person filtered on does not exist

# Team sheets carry phone numbers: no shared cache, no copy left in a proxy.
PRIVATE = {"Cache-Control": "private, no-store"}
PUBLIC = {"Cache-Control": "public, max-age=300"}

StartQuery = Annotated[
    str | None, Query(max_length=40, description="First London day, YYYY-MM-DD (default today)")
]
EndQuery = Annotated[
    str | None, Query(max_length=40, description="Last London day, inclusive (default start + 6 days)")
]
# Ids are bounded as in the API: in paths by the ``{name:id}`` convertor (a larger one is a
# 404, like any missing page), in queries by validation (a 422).
CampaignQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
TownQuery = Annotated[str | None, Query(max_length=120)]
VenueQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
StatusQuery = Annotated[EventStatus | None, Query(description="Only events with this status")]
PersonQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
SizeQuery = Annotated[str | None, Query(max_length=10, description="A4 (default) or A3")]
EventQuery = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="One event only (default: the next ones)")
]


def _range(max_days: int) -> Callable[..., RangeFilters]:
    def dependency(
        start: StartQuery = None,
        end: EndQuery = None,
        campaign_id: CampaignQuery = None,
        town: TownQuery = None,
        person_id: PersonQuery = None,
        venue_id: VenueQuery = None,
        status: StatusQuery = None,
    ) -> RangeFilters:
        return service.parse_range(
            start=start,
            end=end,
            max_days=max_days,
            campaign_id=campaign_id,
            town=town,
            person_id=person_id,
            venue_id=venue_id,
            status=status,
        )

    return dependency


# Rendering a PDF costs far more than writing a CSV, so print ranges are shorter.
PrintRange = Annotated[RangeFilters, Depends(_range(service.MAX_PRINT_DAYS))]
ExportRange = Annotated[RangeFilters, Depends(_range(service.MAX_EXPORT_DAYS))]


# A PDF takes a core for a moment: anyone may print a poster, but one address without a
# sign-in gets this many a minute (a 429 with Retry-After after that). Signed-in users are
# not counted; the renderer queue (pdf.py) keeps everyone's share fair.
ANONYMOUS_PDFS = Limit("pdf:anonymous", 20, timedelta(minutes=1), "Too many PDFs from your address.")


def anonymous_pdf_allowance(request: Request, session: SessionDep, principal: OptionalUser) -> None:
    """A dependency of every PDF route open to anonymous callers."""
    if principal is None:
        take(session, ANONYMOUS_PDFS, request.client.host if request.client else "unknown")


def _page(request: Request, template: str, context: dict[str, Any], *, headers: dict[str, str]) -> Response:
    response = render(request, template, context)
    response.headers.update(headers)
    return response


def _pdf(template: str, context: dict[str, Any], *, filename: str, headers: dict[str, str]) -> Response:
    """The HTML view's template as a PDF, opened in the browser's viewer."""
    return Response(
        pdf.render_pdf(template, context),
        media_type="application/pdf",
        headers={**headers, "Content-Disposition": f'inline; filename="{filename}"'},
    )


def _csv(body: bytes, *, filename: str) -> Response:
    """A spreadsheet to save; every export is private, as some carry phone numbers."""
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _range_name(filters: RangeFilters) -> str:
    return f"{filters.start.isoformat()}-to-{filters.end.isoformat()}"


def _wants_page(request: Request) -> bool:
    """A person following a link (their browser asks for HTML first) rather than a program."""
    return "text/html" in request.headers.get("accept", "")


def _empty(
    request: Request,
    session: SessionDep,
    principal: OptionalUser,
    filters: RangeFilters,
    *,
    roster: bool,
) -> Response:
    """Instead of a blank roster or a header-only file: what was asked for, and a link to
    the same printout for the nearest period that has events."""
    empty = service.explain_empty(session=session, principal=principal, filters=filters, roster=roster)
    path = "/rosters" if roster else "/events.csv"
    context = {
        "empty": empty,
        "roster": roster,
        "nearest_href": f"{path}?{service.range_query(empty.nearest)}" if empty.nearest else "",
        "nearest_period": service.period_in_words(empty.nearest) if empty.nearest else "",
        "force_name": get_settings().force_name,
    }
    return _page(request, "printouts/empty.html", context, headers=PRIVATE)


# ---- Briefing sheet ---------------------------------------------------------------------


def _briefing_context(session: SessionDep, principal: AnyUser, event_id: int) -> dict[str, Any]:
    briefing = service.load_briefing(
        session=session, principal=principal, event_id=event_id, force_name=get_settings().force_name
    )
    return {"b": briefing, "pdf_href": f"/events/{event_id}/briefing.pdf"}


@router.get(
    "/events/{event_id:id}/briefing",
    response_class=HTMLResponse,
    summary="Event briefing sheet",
    responses=SIGNED_IN,
)
def briefing_page(request: Request, event_id: PathId, session: SessionDep, principal: AnyUser) -> Response:
    context = _briefing_context(session, principal, event_id)
    return _page(request, "printouts/briefing.html", context, headers=PRIVATE)


@router.get(
    "/events/{event_id:id}/briefing.pdf",
    response_class=Response,
    summary="Event briefing sheet as PDF (A4)",
    responses={**SIGNED_IN, **PDF},
)
def briefing_pdf(event_id: PathId, session: SessionDep, principal: AnyUser) -> Response:
    context = _briefing_context(session, principal, event_id)
    return _pdf(
        "printouts/briefing.html", context, filename=f"briefing-event-{event_id}.pdf", headers=PRIVATE
    )


# ---- Rosters ----------------------------------------------------------------------------


def _roster_context(session: SessionDep, principal: AnyUser, filters: RangeFilters) -> dict[str, Any]:
    roster = service.load_roster(session=session, principal=principal, filters=filters)
    query = service.range_query(filters)
    return {
        "roster": roster,
        "force_name": get_settings().force_name,
        "pdf_href": f"/rosters.pdf?{query}",
        "csv_href": f"/rosters.csv?{query}",
    }


@router.get(
    "/rosters",
    response_class=HTMLResponse,
    summary="Roster for a date range",
    responses={**SIGNED_IN, **RANGE},
)
def roster_page(request: Request, session: SessionDep, principal: AnyUser, filters: PrintRange) -> Response:
    context = _roster_context(session, principal, filters)
    if not context["roster"].event_count:
        return _empty(request, session, principal, filters, roster=True)
    return _page(request, "printouts/roster.html", context, headers=PRIVATE)


@router.get(
    "/rosters.pdf",
    response_class=Response,
    summary="Roster as PDF (A4 landscape)",
    responses={**SIGNED_IN, **RANGE, **PDF},
)
def roster_pdf(session: SessionDep, principal: AnyUser, filters: PrintRange) -> Response:
    context = _roster_context(session, principal, filters)
    return _pdf(
        "printouts/roster.html", context, filename=f"roster-{_range_name(filters)}.pdf", headers=PRIVATE
    )


@router.get(
    "/rosters.csv",
    response_class=Response,
    summary="Roster as CSV: one row per person per event",
    responses={**SIGNED_IN, **RANGE, **CSV},
)
def roster_csv(session: SessionDep, principal: AnyUser, filters: ExportRange) -> Response:
    roster = service.load_roster(session=session, principal=principal, filters=filters)
    return _csv(csv_export.roster_csv(roster), filename=f"roster-{_range_name(filters)}.csv")


@router.get(
    "/events.csv",
    response_class=Response,
    summary="Event list as CSV (public events unless a coordinator asks)",
    # 401: an unknown API token; 403: another person's events, asked for by someone else.
    responses={**problems(401, 403, html=True), **RANGE, **CSV},
)
def events_csv(
    request: Request, session: SessionDep, principal: OptionalUser, filters: ExportRange
) -> Response:
    events, planner = service.load_event_list(session=session, principal=principal, filters=filters)
    if not events and _wants_page(request):
        return _empty(request, session, principal, filters, roster=False)
    body = csv_export.events_csv(events, base_url=get_settings().base_url, planner=planner)
    return _csv(body, filename=f"events-{_range_name(filters)}.csv")


# ---- Venue poster -----------------------------------------------------------------------


def _poster_context(
    session: SessionDep, venue_id: int, size: str | None, event_id: int | None
) -> dict[str, Any]:
    settings = get_settings()
    poster = service.load_poster(
        session=session,
        venue_id=venue_id,
        size=service.poster_size(size),
        event_id=event_id,
        force_name=settings.force_name,
        base_url=settings.base_url,
    )
    only = f"&event_id={event_id}" if event_id is not None else ""
    return {
        "poster": poster,
        "pdf_href_a4": f"/venues/{venue_id}/poster.pdf?size=A4{only}",
        "pdf_href_a3": f"/venues/{venue_id}/poster.pdf?size=A3{only}",
    }


@router.get("/venues/{venue_id:id}/poster", response_class=HTMLResponse, summary="Venue poster")
def poster_page(
    request: Request,
    venue_id: PathId,
    session: SessionDep,
    size: SizeQuery = None,
    event_id: EventQuery = None,
) -> Response:
    context = _poster_context(session, venue_id, size, event_id)
    return _page(request, "printouts/poster.html", context, headers=PUBLIC)


@router.get(
    "/venues/{venue_id:id}/poster.pdf",
    response_class=Response,
    summary="Venue poster as PDF (A4 or A3)",
    dependencies=[Depends(anonymous_pdf_allowance)],
    # 401: an unknown API token; 429: too many without signing in.
    responses={**problems(401, 429, html=True), **PDF},
)
def poster_pdf(
    venue_id: PathId, session: SessionDep, size: SizeQuery = None, event_id: EventQuery = None
) -> Response:
    context = _poster_context(session, venue_id, size, event_id)
    filename = f"poster-venue-{venue_id}-{context['poster'].size}.pdf"
    return _pdf("printouts/poster.html", context, filename=filename, headers=PUBLIC)
