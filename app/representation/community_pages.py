"""The community beside the workforce (``/plan/community``): a table and a bar chart per
area, the figures behind them, and a small CSV import with a preview of each line."""

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from app.accounts.deps import Planner
from app.db import SessionDep
from app.errors import Invalid, NotFound
from app.pages.csrf import checked_form
from app.pages.flow import attempt, done
from app.pages.forms import FormInput, PostedForm, opened_at
from app.pages.rendering import render
from app.representation import charts, community, shares_csv
from app.representation.models import PopulationShare, WorkforceShare
from app.representation.schemas import PopulationShareFields, WorkforceShareFields

router = APIRouter(tags=["pages"], include_in_schema=False)

KINDS: dict[str, tuple[community.ShareModel, type[BaseModel], str]] = {
    "population": (PopulationShare, PopulationShareFields, "community figure"),
    "workforce": (WorkforceShare, WorkforceShareFields, "workforce figure"),
}


def _kind(kind: str) -> tuple[community.ShareModel, type[BaseModel], str]:
    if kind not in KINDS:
        raise NotFound(f"no figures of the kind {kind[:40]!r}")
    return KINDS[kind]


@router.get("/plan/community", response_class=HTMLResponse)
def community_page(request: Request, session: SessionDep, principal: Planner) -> Response:
    areas: list[dict[str, Any]] = []
    for area, rows in community.by_area(community.community_rows(session)):
        bars: list[tuple[str, float]] = []
        series: list[str] = []
        for row in rows:
            if row.community_percent is not None:
                bars.append((f"{row.group}: community", row.community_percent))
                series.append("community")
            if row.workforce_percent is not None:
                bars.append((f"{row.group}: workforce", row.workforce_percent))
                series.append("workforce")
        label = community.area_words(area)
        title = f"{label}: community and workforce shares (%)"
        chart = charts.bar_chart(bars, title=title, unit="%", series=series, chart_id=f"area-{len(areas)}")
        areas.append({"label": label, "rows": rows, "chart": chart})
    return render(request, "representation/community.html", {"areas": areas})


@router.get("/plan/community/figures", response_class=HTMLResponse)
def figures(request: Request, session: SessionDep, principal: Planner) -> Response:
    context = {
        "population": community.all_shares(session, PopulationShare),
        "workforce": community.all_shares(session, WorkforceShare),
        "area_words": community.area_words,
    }
    return render(request, "representation/figures.html", context)


def _share_form(
    request: Request, kind: str, form: FormInput, share_id: int | None = None, status: int = 200
) -> Response:
    action = f"/plan/community/{kind}/" + ("new" if share_id is None else f"{share_id}/edit")
    context = {"form": form, "kind": kind, "noun": KINDS[kind][2], "action": action}
    return render(request, "representation/share_form.html", context, status=status)


@router.get("/plan/community/{kind}/new", response_class=HTMLResponse)
def new_share(request: Request, principal: Planner, kind: str) -> Response:
    _kind(kind)
    return _share_form(request, kind, FormInput())


@router.post("/plan/community/{kind}/new", response_class=HTMLResponse)
def create_share(
    request: Request, session: SessionDep, principal: Planner, kind: str, form: PostedForm
) -> Response:
    model, fields, noun = _kind(kind)
    data = form.parse(fields)
    row = form.submit(
        session,
        lambda: community.create_share(session=session, actor=principal.actor, model=model, data=data),
    )
    if row is None:
        return _share_form(request, kind, form, status=400)
    return done(
        request,
        "/plan/community/figures",
        f"Added the {noun}: {row.group}, {community.area_words(row.area)}.",
    )


def _kind_routes(kind: str) -> None:
    """Editing and removing one kind's figures. One set of routes a kind: a path holds no
    words beside its ids."""
    model, fields, noun = KINDS[kind]
    one = f"/plan/community/{kind}/{{share_id:id}}"

    def edit(request: Request, session: SessionDep, principal: Planner, share_id: int) -> Response:
        row = community.get_share(session=session, model=model, share_id=share_id)
        return _share_form(request, kind, FormInput.opened_on(row), share_id)

    def update(
        request: Request, session: SessionDep, principal: Planner, share_id: int, form: PostedForm
    ) -> Response:
        community.get_share(session=session, model=model, share_id=share_id)
        data = form.parse(fields)
        saved = form.submit(
            session,
            lambda: community.update_share(
                session=session,
                actor=principal.actor,
                model=model,
                share_id=share_id,
                changes=data,
                expected=opened_at(form),
            ),
            record=noun,
        )
        if saved is None:
            return _share_form(request, kind, form, share_id, status=400)
        return done(request, "/plan/community/figures", f"Saved the {noun}.")

    def remove(
        request: Request, session: SessionDep, principal: Planner, share_id: int, _form: PostedForm
    ) -> Response:
        attempt(
            request,
            session,
            lambda: community.remove_share(
                session=session, actor=principal.actor, model=model, share_id=share_id
            ),
        )
        return done(request, "/plan/community/figures", f"Removed the {noun}.")

    router.add_api_route(
        f"{one}/edit", edit, methods=["GET"], response_class=HTMLResponse, name=f"edit_{kind}"
    )
    router.add_api_route(
        f"{one}/edit", update, methods=["POST"], response_class=HTMLResponse, name=f"update_{kind}"
    )
    router.add_api_route(f"{one}/remove", remove, methods=["POST"], name=f"remove_{kind}")


_kind_routes("population")
_kind_routes("workforce")


# --- CSV import and export -------------------------------------------------------------------


def _import_page(request: Request, form: FormInput, status: int = 200) -> Response:
    context = {"form": form, "columns": shares_csv.COLUMNS, "max_rows": shares_csv.MAX_ROWS}
    return render(request, "representation/import.html", context, status=status)


@router.get("/plan/community/import", response_class=HTMLResponse)
def import_page(request: Request, principal: Planner) -> Response:
    form = FormInput()
    form.values["kind"] = "population"
    return _import_page(request, form)


@router.post("/plan/community/import", response_class=HTMLResponse)
async def preview_import(request: Request, session: SessionDep, principal: Planner) -> Response:
    """What the file would do, line by line; writes nothing."""
    data = await checked_form(request)
    form = FormInput()
    kind = str(data.get("kind") or "")
    text = str(data.get("csv_text") or "")
    form.values.update({"kind": kind, "csv_text": text})
    upload = data.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(shares_csv.MAX_BYTES + 1)
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.error("file", "The file must be saved as CSV in UTF-8")
            return _import_page(request, form, status=400)
    if kind not in shares_csv.COLUMNS:
        form.error("kind", "Select what the file holds")
    if not text.strip():
        form.error("file", "Choose a CSV file, or paste its lines")
    if not form.ok:
        return _import_page(request, form, status=400)
    try:
        plan = shares_csv.preview(session, kind=kind, text=text)
    except Invalid as exc:
        session.rollback()
        form.error("file", exc.detail[:1].upper() + exc.detail[1:])
        return _import_page(request, form, status=400)
    session.rollback()
    context = {
        "plan": plan,
        "columns": shares_csv.COLUMNS[kind],
        "csv_b64": base64.urlsafe_b64encode(text.encode()).decode("ascii"),
        "form": FormInput(),
    }
    return render(request, "representation/import_preview.html", context)


@router.post("/plan/community/import/apply", response_class=HTMLResponse)
def apply_import(request: Request, session: SessionDep, principal: Planner, form: PostedForm) -> Response:
    try:
        text = base64.urlsafe_b64decode(form.raw("csv").encode("ascii")).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        refused = FormInput()
        refused.error("file", "The import form arrived damaged: choose the file again")
        return _import_page(request, refused, status=400)
    plan = attempt(
        request,
        session,
        lambda: shares_csv.apply(
            session, actor=principal.actor, kind=form.raw("kind"), text=text, sha256=form.raw("sha256")
        ),
    )
    if plan is None:
        return done(request, "/plan/community/import", "Nothing was imported.", kind="error")
    counts = plan.counts
    said = f"Imported: {counts['add']} added, {counts['update']} updated, {counts['unchanged']} unchanged"
    said += f", {counts['error']} left out for errors." if counts["error"] else "."
    return done(request, "/plan/community", said)


@router.get("/plan/community/{kind}.csv")
def export_shares(session: SessionDep, principal: Planner, kind: str) -> Response:
    _kind(kind)
    body = shares_csv.export(session, kind=kind)
    headers = {"Content-Disposition": f'attachment; filename="{kind}-shares.csv"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
