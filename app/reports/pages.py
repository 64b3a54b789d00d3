"""The campaign report (page, PDF, CSV) and "where to go next", for coordinators.

The page shows exact figures to the coordinator; ``?for=board`` shows the board version,
which is what the PDF and the CSV always are (see ``suppression.py``).
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import Planner
from app.campaigns import service as campaigns
from app.clock import utcnow
from app.config import get_settings
from app.db import SessionDep
from app.interest.service import retention
from app.pages.common import MAX_ID, choice_param, int_param  # MAX_ID: registers {name:id}
from app.pages.flow import download
from app.pages.rendering import render
from app.printouts import pdf
from app.reports import service, suppression
from app.reports.csv_export import report_csv
from app.reports.report import CampaignReport
from app.reports.where_next import where_next

router = APIRouter(tags=["pages"], include_in_schema=False)
assert MAX_ID

# The report carries no personal details, but is not for shared caches either.
PRIVATE = {"Cache-Control": "private, no-store"}


def _report(session: SessionDep, campaign_id: int, *, board: bool, printed: bool = False) -> CampaignReport:
    return service.campaign_report(
        session=session,
        campaign_id=campaign_id,
        board=board,
        now=utcnow(),
        force_name=get_settings().force_name,
        printed=printed,
    )


def _context(report: CampaignReport) -> dict[str, Any]:
    base = f"/plan/campaigns/{report.campaign_id}/report"
    return {
        "report": report,
        "base_href": base,
        "pdf_href": f"{base}.pdf",
        "csv_href": f"{base}.csv",
        "fewer_than": suppression.FEWER_THAN,
        "withheld_note": suppression.WITHHELD_NOTE,
    }


@router.get("/plan/campaigns/{campaign_id:id}/report", response_class=HTMLResponse)
def report_page(request: Request, session: SessionDep, principal: Planner, campaign_id: int) -> Response:
    board = choice_param(request, "for", ("board", "coordinator"), "coordinator") == "board"
    response = render(request, "reports/campaign.html", _context(_report(session, campaign_id, board=board)))
    response.headers.update(PRIVATE)
    return response


@router.get("/plan/campaigns/{campaign_id:id}/report.pdf")
def report_pdf(session: SessionDep, principal: Planner, campaign_id: int) -> Response:
    context = _context(_report(session, campaign_id, board=True, printed=True))
    return download(
        pdf.render_pdf("reports/campaign_print.html", context),
        media_type="application/pdf",
        filename=f"campaign-{campaign_id}-report.pdf",
        inline=True,
        headers=PRIVATE,
    )


@router.get("/plan/campaigns/{campaign_id:id}/report.csv")
def report_csv_file(session: SessionDep, principal: Planner, campaign_id: int) -> Response:
    return download(
        report_csv(_report(session, campaign_id, board=True)),
        media_type="text/csv; charset=utf-8",
        filename=f"campaign-{campaign_id}-report.csv",
        headers=PRIVATE,
    )


@router.get("/plan/where-next", response_class=HTMLResponse)
def where_next_page(request: Request, session: SessionDep, principal: Planner) -> Response:
    campaign_id = int_param(request, "campaign")
    rows, _ = campaigns.list_campaigns(session=session, limit=100, offset=0)
    context = {
        "towns": where_next(session=session, campaign_id=campaign_id),
        "campaigns": rows,
        "campaign_id": campaign_id,
        "retention_days": retention().days,
    }
    return render(request, "reports/where_next.html", context)
