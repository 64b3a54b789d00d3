"""Targets, snapshots, community and workforce shares, and before/after comparisons over
JSON. Planning figures: administrators and coordinators only."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel

from app.accounts.deps import Planner
from app.api_common import (
    MAX_ID,
    ChangeRevision,
    IdQuery,
    Page,
    PageParams,
    Patch,
    PathId,
    ProblemRoute,
    Public,
    ReadRevision,
    Town,
    problems,
)
from app.db import SessionDep
from app.errors import Invalid
from app.representation import before_after, community, service, shares_csv
from app.representation.models import BeforeAfter, CampaignTarget, PopulationShare, WorkforceShare
from app.representation.schemas import (
    BeforeAfterFields,
    BeforeAfterPublic,
    BeforeAfterUpdate,
    CommunityRowPublic,
    ImportLinePublic,
    ImportPreviewPublic,
    PopulationShareFields,
    PopulationSharePublic,
    PopulationShareUpdate,
    ProgressPublic,
    ShareImport,
    SnapshotCreate,
    SnapshotPublic,
    TargetCreate,
    TargetPublic,
    TargetUpdate,
    WorkforceShareFields,
    WorkforceSharePublic,
    WorkforceShareUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["representation"], route_class=ProblemRoute)

AreaQuery = Annotated[Town | None, Query(description='Only this area: a town, or "" for the force area')]


def _target_out(target: CampaignTarget, progress: service.TargetProgress) -> TargetPublic:
    out = TargetPublic.model_validate(target)
    out.progress = ProgressPublic(
        sentence=progress.sentence,
        on_track=progress.on_track,
        expected_now=progress.expected_now,
        latest_on=progress.latest.on if progress.latest else None,
        latest_value=progress.latest.value if progress.latest else None,
        behind_by=progress.behind_by,
    )
    return out


def _target_answer(session: SessionDep, target: CampaignTarget) -> TargetPublic:
    return _target_out(target, service.target_progress(session, target=target))


# --- targets ---------------------------------------------------------------------------------


@router.get("/campaigns/{campaign_id}/targets", response_model=Page[TargetPublic])
def list_targets(
    session: SessionDep, _user: Planner, campaign_id: PathId, page: PageParams
) -> Page[TargetPublic]:
    rows, total = service.list_targets(
        session=session, campaign_id=campaign_id, limit=page.limit, offset=page.offset
    )
    items = [_target_answer(session, t) for t in rows]
    return Page(items=items, total=total, **page.model_dump())


@router.post("/campaigns/{campaign_id}/targets", response_model=TargetPublic, status_code=201)
def create_target(
    session: SessionDep, principal: Planner, campaign_id: PathId, body: TargetCreate
) -> TargetPublic:
    target = service.create_target(
        session=session, actor=principal.actor, campaign_id=campaign_id, data=body.model_dump()
    )
    return _target_answer(session, target)


@router.get("/targets/{target_id}", response_model=TargetPublic)
def read_target(
    session: SessionDep, _user: Planner, target_id: PathId, revision: ReadRevision
) -> TargetPublic:
    target = service.get_target(session=session, target_id=target_id)
    return revision.tag(_target_answer(session, target))


@router.patch("/targets/{target_id}", response_model=TargetPublic, responses=problems(412))
def update_target(
    session: SessionDep, principal: Planner, target_id: PathId, body: TargetUpdate, revision: ChangeRevision
) -> TargetPublic:
    target = service.update_target(
        session=session,
        actor=principal.actor,
        target_id=target_id,
        changes=body.changes(),
        expected=revision.expected,
    )
    return revision.tag(_target_answer(session, target))


@router.delete("/targets/{target_id}", status_code=204)
def remove_target(session: SessionDep, principal: Planner, target_id: PathId) -> Response:
    """The target goes, with its recorded figures."""
    service.remove_target(session=session, actor=principal.actor, target_id=target_id)
    return Response(status_code=204)


@router.get("/targets/{target_id}/snapshots", response_model=Page[SnapshotPublic])
def list_snapshots(
    session: SessionDep, _user: Planner, target_id: PathId, page: PageParams
) -> Page[SnapshotPublic]:
    rows, total = service.list_snapshots(
        session=session, target_id=target_id, limit=page.limit, offset=page.offset
    )
    return Page(items=[SnapshotPublic.model_validate(r) for r in rows], total=total, **page.model_dump())


@router.post("/targets/{target_id}/snapshots", response_model=SnapshotPublic, status_code=201)
def record_snapshot(
    session: SessionDep, principal: Planner, target_id: PathId, body: SnapshotCreate
) -> SnapshotPublic:
    """An aggregate figure on a day (never a record about a person); for a percentage the
    two counts may be sent instead of ``value``. One figure a day; none for days to come."""
    snapshot = service.record_snapshot(
        session=session,
        actor=principal.actor,
        target_id=target_id,
        data=body.model_dump(),
        today=service.london_today(),
    )
    return SnapshotPublic.model_validate(snapshot)


@router.delete("/snapshots/{snapshot_id}", status_code=204)
def remove_snapshot(session: SessionDep, principal: Planner, snapshot_id: PathId) -> Response:
    service.remove_snapshot(session=session, actor=principal.actor, snapshot_id=snapshot_id)
    return Response(status_code=204)


# --- population and workforce shares ---------------------------------------------------------


def _share_routes(
    kind: str,
    model: type[community.S],
    fields: type[BaseModel],
    update: type[Patch],
    public: type[Public],
) -> None:
    """The five routes of one kind of share, ``/api/v1/{kind}-shares``: the same rules for
    population and workforce figures, each kind with its own fields, answers and path id."""
    many = f"/{kind}-shares"
    one = f"{many}/{{{kind}_share_id}}"
    ShareId = Annotated[int, Path(alias=f"{kind}_share_id", ge=1, le=MAX_ID, description="Record id")]

    def listed(session: SessionDep, _user: Planner, page: PageParams, area: AreaQuery = None) -> Page[Any]:
        rows, total = community.list_shares(
            session=session, model=model, limit=page.limit, offset=page.offset, area=area
        )
        return Page(items=[public.model_validate(r) for r in rows], total=total, **page.model_dump())

    def created(session: SessionDep, principal: Planner, body: fields) -> Public:  # type: ignore[valid-type]
        data = body.model_dump()  # type: ignore[attr-defined]
        return public.model_validate(
            community.create_share(session=session, actor=principal.actor, model=model, data=data)
        )

    def read(session: SessionDep, _user: Planner, share_id: ShareId, revision: ReadRevision) -> Public:
        row = community.get_share(session=session, model=model, share_id=share_id)
        return revision.tag(public.model_validate(row))

    def updated(
        session: SessionDep,
        principal: Planner,
        share_id: ShareId,
        body: update,  # type: ignore[valid-type]
        revision: ChangeRevision,
    ) -> Public:
        row = community.update_share(
            session=session,
            actor=principal.actor,
            model=model,
            share_id=share_id,
            changes=body.changes(),  # type: ignore[attr-defined]
            expected=revision.expected,
        )
        return revision.tag(public.model_validate(row))

    def removed(session: SessionDep, principal: Planner, share_id: ShareId) -> Response:
        community.remove_share(session=session, actor=principal.actor, model=model, share_id=share_id)
        return Response(status_code=204)

    add = router.add_api_route
    add(many, listed, methods=["GET"], response_model=Page[public], name=f"list_{kind}")  # type: ignore[valid-type]
    add(many, created, methods=["POST"], response_model=public, status_code=201, name=f"create_{kind}")
    add(one, read, methods=["GET"], response_model=public, name=f"read_{kind}")
    add(
        one, updated, methods=["PATCH"], response_model=public, responses=problems(412), name=f"update_{kind}"
    )
    add(one, removed, methods=["DELETE"], status_code=204, name=f"remove_{kind}")


_share_routes(
    "population", PopulationShare, PopulationShareFields, PopulationShareUpdate, PopulationSharePublic
)
_share_routes("workforce", WorkforceShare, WorkforceShareFields, WorkforceShareUpdate, WorkforceSharePublic)


def _import_out(plan: shares_csv.Preview) -> ImportPreviewPublic:
    lines = [
        ImportLinePublic(number=line.number, action=line.action, errors=line.errors, values=line.values)
        for line in plan.lines
    ]
    return ImportPreviewPublic(kind=plan.kind, sha256=plan.sha256, counts=plan.counts, lines=lines)


@router.post("/community/import/preview", response_model=ImportPreviewPublic)
def preview_import(session: SessionDep, _user: Planner, body: ShareImport) -> ImportPreviewPublic:
    """What importing the CSV would do, line by line (each line's errors in words); writes nothing."""
    plan = shares_csv.preview(session, kind=body.kind, text=body.csv)
    session.rollback()
    return _import_out(plan)


@router.post("/community/import", response_model=ImportPreviewPublic)
def apply_import(session: SessionDep, principal: Planner, body: ShareImport) -> ImportPreviewPublic:
    """Add and update the lines without errors; needs the ``sha256`` its preview gave, so what
    is imported is what was previewed. Lines with errors are left out, as the answer says."""
    if body.sha256 is None:
        raise Invalid("sha256 is required to import: preview the file first")
    plan = shares_csv.apply(session, actor=principal.actor, kind=body.kind, text=body.csv, sha256=body.sha256)
    return _import_out(plan)


@router.get("/community", response_model=Page[CommunityRowPublic])
def community_rows(session: SessionDep, _user: Planner, page: PageParams) -> Page[CommunityRowPublic]:
    """Per area and group: the community's share beside the workforce's, and the gap in
    points (the community's share minus the workforce's)."""
    rows = community.community_rows(session)
    shown = rows[page.offset : page.offset + page.limit]
    items = [CommunityRowPublic.model_validate(r) for r in shown]
    return Page(items=items, total=len(rows), **page.model_dump())


# --- before and after ------------------------------------------------------------------------


def _comparison_out(row: BeforeAfter) -> BeforeAfterPublic:
    out = BeforeAfterPublic.model_validate(row)
    out.sentence = before_after.sentence(row)
    return out


@router.get("/before-after", response_model=Page[BeforeAfterPublic])
def list_comparisons(
    session: SessionDep, _user: Planner, page: PageParams, campaign_id: IdQuery = None
) -> Page[BeforeAfterPublic]:
    rows, total = before_after.list_comparisons(
        session=session, limit=page.limit, offset=page.offset, campaign_id=campaign_id
    )
    return Page(items=[_comparison_out(r) for r in rows], total=total, **page.model_dump())


@router.post("/before-after", response_model=BeforeAfterPublic, status_code=201)
def create_comparison(session: SessionDep, principal: Planner, body: BeforeAfterFields) -> BeforeAfterPublic:
    row = before_after.create_comparison(session=session, actor=principal.actor, data=body.model_dump())
    return _comparison_out(row)


@router.get("/before-after/{comparison_id}", response_model=BeforeAfterPublic)
def read_comparison(
    session: SessionDep, _user: Planner, comparison_id: PathId, revision: ReadRevision
) -> BeforeAfterPublic:
    row = before_after.get_comparison(session=session, comparison_id=comparison_id)
    return revision.tag(_comparison_out(row))


@router.patch("/before-after/{comparison_id}", response_model=BeforeAfterPublic, responses=problems(412))
def update_comparison(
    session: SessionDep,
    principal: Planner,
    comparison_id: PathId,
    body: BeforeAfterUpdate,
    revision: ChangeRevision,
) -> BeforeAfterPublic:
    row = before_after.update_comparison(
        session=session,
        actor=principal.actor,
        comparison_id=comparison_id,
        changes=body.changes(),
        expected=revision.expected,
    )
    return revision.tag(_comparison_out(row))


@router.delete("/before-after/{comparison_id}", status_code=204)
def remove_comparison(session: SessionDep, principal: Planner, comparison_id: PathId) -> Response:
    before_after.remove_comparison(session=session, actor=principal.actor, comparison_id=comparison_id)
    return Response(status_code=204)
