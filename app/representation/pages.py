"""The coordinator's pages for a campaign's targets (each with its chart, its figures and a
form to record the next) and for before/after comparisons."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import Planner
from app.campaigns import service as campaigns
from app.campaigns.models import Campaign
from app.db import SessionDep
from app.pages.flow import attempt, done
from app.pages.forms import FormInput, PostedForm, opened_at
from app.pages.rendering import render
from app.representation import before_after, charts, service
from app.representation.models import BeforeAfter, CampaignTarget
from app.representation.schemas import BeforeAfterFields, SnapshotCreate, TargetFields

router = APIRouter(tags=["pages"], include_in_schema=False)

UNITS = [("count", "A count (people)"), ("percent", "A percentage")]


# --- targets ---------------------------------------------------------------------------------


def _target_form(
    request: Request, form: FormInput, campaign: Campaign, target_id: int | None = None, status: int = 200
) -> Response:
    """A new target's form (back to its campaign), or a target's (back to the target)."""
    if target_id is None:
        back = f"/plan/campaigns/{campaign.id}"
        action = back + "/targets/new"
    else:
        back = f"/plan/targets/{target_id}"
        action = back + "/edit"
    context = {"form": form, "campaign_name": campaign.name, "action": action, "back": back, "units": UNITS}
    return render(request, "representation/target_form.html", context, status=status)


@router.get("/plan/campaigns/{campaign_id:id}/targets/new", response_class=HTMLResponse)
def new_target(request: Request, session: SessionDep, principal: Planner, campaign_id: int) -> Response:
    campaign = campaigns.get_campaign(session=session, campaign_id=campaign_id)
    form = FormInput()
    form.values.update(
        {
            "unit": "count",
            "baseline_on": campaign.starts_on.isoformat(),
            "target_on": campaign.ends_on.isoformat(),
        }
    )
    return _target_form(request, form, campaign)


@router.post("/plan/campaigns/{campaign_id:id}/targets/new", response_class=HTMLResponse)
def create_target(
    request: Request, session: SessionDep, principal: Planner, campaign_id: int, form: PostedForm
) -> Response:
    campaign = campaigns.get_campaign(session=session, campaign_id=campaign_id)
    data = form.parse(TargetFields)
    target = form.submit(
        session,
        lambda: service.create_target(
            session=session, actor=principal.actor, campaign_id=campaign_id, data=data
        ),
    )
    if target is None:
        return _target_form(request, form, campaign, status=400)
    return done(request, f"/plan/targets/{target.id}", f"Added the target: {target.measure}.")


def _target_page(
    request: Request, session: SessionDep, target: CampaignTarget, form: FormInput, status: int = 200
) -> Response:
    progress = service.target_progress(session, target=target)
    assert target.id is not None
    context = {
        "target": target,
        "campaign": campaigns.get_campaign(session=session, campaign_id=target.campaign_id),
        "progress": progress,
        "chart": charts.target_chart(progress),
        "snapshots": service.snapshots_of(session=session, target_id=target.id),
        "form": form,
        "figure": service.figure_words,
        "day": service.day_words,
        "trajectory": lambda day: service.trajectory(target, day),
    }
    return render(request, "representation/target.html", context, status=status)


@router.get("/plan/targets/{target_id:id}", response_class=HTMLResponse)
def target_page(request: Request, session: SessionDep, principal: Planner, target_id: int) -> Response:
    target = service.get_target(session=session, target_id=target_id)
    form = FormInput()
    form.values["recorded_on"] = service.london_today().isoformat()
    return _target_page(request, session, target, form)


@router.post("/plan/targets/{target_id:id}/snapshots", response_class=HTMLResponse)
def record_snapshot(
    request: Request, session: SessionDep, principal: Planner, target_id: int, form: PostedForm
) -> Response:
    target = service.get_target(session=session, target_id=target_id)
    data = form.parse(SnapshotCreate)
    saved = form.submit(
        session,
        lambda: service.record_snapshot(
            session=session,
            actor=principal.actor,
            target_id=target_id,
            data=data,
            today=service.london_today(),
        ),
    )
    if saved is None:
        return _target_page(request, session, target, form, status=400)
    words = service.figure_words(saved.value, target.unit)
    return done(
        request, f"/plan/targets/{target_id}", f"Recorded {words} on {service.day_words(saved.recorded_on)}."
    )


@router.post("/plan/snapshots/{snapshot_id:id}/remove")
def remove_snapshot(
    request: Request, session: SessionDep, principal: Planner, snapshot_id: int, _form: PostedForm
) -> Response:
    snapshot = service.remove_snapshot(session=session, actor=principal.actor, snapshot_id=snapshot_id)
    said = f"Removed the figure of {service.day_words(snapshot.recorded_on)}."
    return done(request, f"/plan/targets/{snapshot.target_id}", said)


@router.get("/plan/targets/{target_id:id}/edit", response_class=HTMLResponse)
def edit_target(request: Request, session: SessionDep, principal: Planner, target_id: int) -> Response:
    target = service.get_target(session=session, target_id=target_id)
    campaign = campaigns.get_campaign(session=session, campaign_id=target.campaign_id)
    return _target_form(request, FormInput.opened_on(target), campaign, target_id)


@router.post("/plan/targets/{target_id:id}/edit", response_class=HTMLResponse)
def update_target(
    request: Request, session: SessionDep, principal: Planner, target_id: int, form: PostedForm
) -> Response:
    target = service.get_target(session=session, target_id=target_id)
    campaign = campaigns.get_campaign(session=session, campaign_id=target.campaign_id)
    data = form.parse(TargetFields)
    saved = form.submit(
        session,
        lambda: service.update_target(
            session=session,
            actor=principal.actor,
            target_id=target_id,
            changes=data,
            expected=opened_at(form),
        ),
        record="target",
    )
    if saved is None:
        return _target_form(request, form, campaign, target_id, status=400)
    return done(request, f"/plan/targets/{target_id}", "Saved the target.")


@router.post("/plan/targets/{target_id:id}/remove")
def remove_target(
    request: Request, session: SessionDep, principal: Planner, target_id: int, _form: PostedForm
) -> Response:
    target = service.get_target(session=session, target_id=target_id)
    campaign_id, measure = target.campaign_id, target.measure
    service.remove_target(session=session, actor=principal.actor, target_id=target_id)
    return done(request, f"/plan/campaigns/{campaign_id}", f"Removed the target: {measure}.")


# --- before and after ------------------------------------------------------------------------


def _comparison_rows(rows: list[BeforeAfter]) -> list[dict[str, Any]]:
    return [
        {"row": r, "sentence": before_after.sentence(r), "periods": before_after.periods(r)} for r in rows
    ]


@router.get("/plan/before-after", response_class=HTMLResponse)
def comparisons(request: Request, session: SessionDep, principal: Planner) -> Response:
    rows, _total = before_after.list_comparisons(session=session, limit=500, offset=0)
    names = {c.id: c.name for c in campaigns.all_campaigns(session=session)}
    context = {"rows": _comparison_rows(rows), "campaign_names": names}
    return render(request, "representation/before_after_list.html", context)


def _comparison_form(
    request: Request,
    session: SessionDep,
    form: FormInput,
    comparison_id: int | None = None,
    status: int = 200,
) -> Response:
    action = "/plan/before-after/new" if comparison_id is None else f"/plan/before-after/{comparison_id}/edit"
    options = [(str(c.id), c.name) for c in campaigns.all_campaigns(session=session)]
    context = {"form": form, "action": action, "campaigns": options}
    return render(request, "representation/before_after_form.html", context, status=status)


@router.get("/plan/before-after/new", response_class=HTMLResponse)
def new_comparison(request: Request, session: SessionDep, principal: Planner) -> Response:
    form = FormInput()
    form.values["campaign_id"] = request.query_params.get("campaign", "")[:9]
    return _comparison_form(request, session, form)


@router.post("/plan/before-after/new", response_class=HTMLResponse)
def create_comparison(
    request: Request, session: SessionDep, principal: Planner, form: PostedForm
) -> Response:
    data = form.parse(BeforeAfterFields)
    row = form.submit(
        session, lambda: before_after.create_comparison(session=session, actor=principal.actor, data=data)
    )
    if row is None:
        return _comparison_form(request, session, form, status=400)
    return done(request, "/plan/before-after", f"Added {row.scheme}: {before_after.sentence(row)}.")


@router.get("/plan/before-after/{comparison_id:id}/edit", response_class=HTMLResponse)
def edit_comparison(
    request: Request, session: SessionDep, principal: Planner, comparison_id: int
) -> Response:
    row = before_after.get_comparison(session=session, comparison_id=comparison_id)
    return _comparison_form(request, session, FormInput.opened_on(row), comparison_id)


@router.post("/plan/before-after/{comparison_id:id}/edit", response_class=HTMLResponse)
def update_comparison(
    request: Request, session: SessionDep, principal: Planner, comparison_id: int, form: PostedForm
) -> Response:
    before_after.get_comparison(session=session, comparison_id=comparison_id)
    data = form.parse(BeforeAfterFields)
    saved = form.submit(
        session,
        lambda: before_after.update_comparison(
            session=session,
            actor=principal.actor,
            comparison_id=comparison_id,
            changes=data,
            expected=opened_at(form),
        ),
        record="comparison",
    )
    if saved is None:
        return _comparison_form(request, session, form, comparison_id, status=400)
    return done(request, "/plan/before-after", "Saved the comparison.")


@router.post("/plan/before-after/{comparison_id:id}/remove")
def remove_comparison(
    request: Request, session: SessionDep, principal: Planner, comparison_id: int, _form: PostedForm
) -> Response:
    attempt(
        request,
        session,
        lambda: before_after.remove_comparison(
            session=session, actor=principal.actor, comparison_id=comparison_id
        ),
    )
    return done(request, "/plan/before-after", "Removed the comparison.")
