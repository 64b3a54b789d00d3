"""Onboarding for administrators, as JSON: import people (and sign-ins) from CSV text,
invite people to sign in, and see who never has."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.accounts import invitations, people_import
from app.accounts.deps import Admin
from app.api_common import Page, PageParams, PathId, ProblemRoute, Public, ShortText, Strict, problems
from app.clock import LondonDateTime
from app.db import SessionDep
from app.enums import Role

router = APIRouter(prefix="/api/v1", tags=["onboarding"], route_class=ProblemRoute)

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="A SHA-256, in hex, from the preview")]
CsvText = Annotated[
    str,
    Field(
        description=(
            "The CSV file's text (UTF-8). First row: the columns, of "
            + ", ".join(people_import.COLUMNS)
            + f"; staff_number, name and kind are needed. At most {people_import.MAX_FILE_BYTES:,} bytes "
            f"and {people_import.MAX_ROWS:,} rows."
        )
    ),
]


class ImportIn(Strict):
    csv: CsvText
    filename: ShortText = ""


class ImportApplyIn(ImportIn):
    file_sha256: Sha256
    plan_sha256: Sha256 | None = Field(
        default=None,
        description="The preview's plan_sha256: if the records changed since, the import is refused (409)",
    )
    invite: bool = Field(default=False, description="E-mail each new sign-in an invitation to sign in")


class FieldChangeOut(Public):
    field: str
    old: Any
    new: Any


class SignInOut(Public):
    action: Literal["create", "exists", "not made"]
    email: str
    role: Role | None
    note: str
    user_id: int | None


class ImportRowOut(Public):
    line: int
    staff_number: str
    name: str
    action: Literal["create", "update", "unchanged", "skipped"]
    reason: str
    person_id: int | None
    changes: list[FieldChangeOut]
    sign_in: SignInOut | None
    notes: list[str]


class IgnoredColumnOut(Public):
    name: str
    why: str


class ImportCounts(BaseModel):
    create: int
    update: int
    unchanged: int
    skipped: int
    sign_ins: int = Field(description="sign-ins made (or to be made)")
    beyond_limit: int = Field(description=f"rows after the first {people_import.MAX_ROWS:,}, not read")


class ImportPreviewOut(BaseModel):
    filename: str
    file_sha256: str
    plan_sha256: str
    columns: list[str]
    ignored_columns: list[IgnoredColumnOut]
    counts: ImportCounts
    rows: list[ImportRowOut]


class ImportResultOut(ImportPreviewOut):
    invited: int


def _preview_out(plan: people_import.Plan) -> dict[str, Any]:
    return {
        "filename": plan.file.filename,
        "file_sha256": plan.file.sha256,
        "plan_sha256": plan.sha256,
        "columns": plan.columns,
        "ignored_columns": [IgnoredColumnOut.model_validate(c) for c in plan.ignored],
        "counts": ImportCounts(**plan.counts),
        "rows": [ImportRowOut.model_validate(r) for r in plan.rows],
    }


@router.post("/people/import/preview", response_model=ImportPreviewOut, responses=problems(413))
def preview_import(session: SessionDep, _admin: Admin, body: ImportIn) -> ImportPreviewOut:
    """What importing the CSV would do, row by row ("create", "update" with the fields,
    "unchanged", "skipped" with the reason); nothing is written. Send the same text to
    `POST /people/import` with the `file_sha256` and `plan_sha256` given here."""
    csv_file = people_import.read_text(body.csv, filename=body.filename)
    plan = people_import.plan_import(session, csv_file)
    session.rollback()
    return ImportPreviewOut(**_preview_out(plan))


@router.post("/people/import", response_model=ImportResultOut, responses=problems(413))
def apply_import(session: SessionDep, admin: Admin, body: ImportApplyIn) -> ImportResultOut:
    """Import the previewed CSV in one transaction: exactly what its preview said. 409 when
    the text is not the one previewed (`file_sha256`), or when people or sign-ins changed
    since (`plan_sha256`): preview again. Importing the same file again changes nothing."""
    csv_file = people_import.read_text(body.csv, filename=body.filename)
    result = people_import.apply_import(
        session,
        actor=admin.actor,
        csv_file=csv_file,
        file_sha256=body.file_sha256,
        plan_sha256=body.plan_sha256,
        invite=body.invite,
    )
    return ImportResultOut(**_preview_out(result.plan), invited=result.invited)


class SignInStateOut(BaseModel):
    user_id: int
    email: str
    full_name: str
    role: Role
    active: bool
    invited_at: LondonDateTime | None
    last_sign_in_at: LondonDateTime | None
    never_signed_in: bool
    invitation: Literal["waiting", "open", "used", "ended", "not invited"]
    invitation_open_until: LondonDateTime | None


def _state_out(state: invitations.SignInState) -> SignInStateOut:
    user = state.user
    assert user.id is not None
    return SignInStateOut(
        user_id=user.id,
        email=user.email,
        full_name=user.full_name,
        role=Role(user.role),
        active=user.active,
        invited_at=user.invited_at,
        last_sign_in_at=user.last_sign_in_at,
        never_signed_in=state.never_signed_in,
        invitation=state.invitation,
        invitation_open_until=state.open_until,
    )


class LeftOut(BaseModel):
    user_id: int
    email: str
    why: str


class BulkInviteOut(BaseModel):
    invited: list[SignInStateOut]
    left_out: list[LeftOut]


@router.get("/invitations", response_model=Page[SignInStateOut])
def never_signed_in(session: SessionDep, _admin: Admin, page: PageParams) -> Page[SignInStateOut]:
    """The active sign-ins that have never been used, with their invitation: waiting to be
    sent, open (until when), used, or ended (expired or revoked)."""
    states, total = invitations.never_signed_in(session=session, limit=page.limit, offset=page.offset)
    return Page(items=[_state_out(s) for s in states], total=total, **page.model_dump())


@router.post("/invitations", response_model=BulkInviteOut, responses=problems(429))
def invite_everyone(session: SessionDep, admin: Admin) -> BulkInviteOut:
    """Invite everyone active who has never signed in and has no invitation open (not the
    caller); `left_out` says why anyone else was not invited."""
    done = invitations.invite_never_signed_in(session, actor=admin.actor, except_user_id=admin.user_id)
    states = invitations.sign_in_states(session, done.invited)
    return BulkInviteOut(
        invited=[_state_out(states[u.id]) for u in done.invited if u.id is not None],
        left_out=[LeftOut(user_id=u.id or 0, email=u.email, why=why) for u, why in done.left],
    )


@router.post(
    "/users/{user_id}/invitation", response_model=SignInStateOut, status_code=202, responses=problems(429)
)
def invite_user(session: SessionDep, admin: Admin, user_id: PathId) -> SignInStateOut:
    """E-mail the user a single-use link to set their password and sign in; sent again, the
    earlier links stop working. 409 for a sign-in turned off or used already; 429 past
    five invitations to one person in an hour."""
    return _state_out(invitations.invite(session, actor=admin.actor, user_id=user_id))


@router.delete("/users/{user_id}/invitation", response_model=SignInStateOut)
def revoke_invitation(session: SessionDep, admin: Admin, user_id: PathId) -> SignInStateOut:
    """End the user's invitation links now (an invitation not yet sent is not sent); the
    sign-in stays."""
    return _state_out(invitations.revoke_invitation(session, actor=admin.actor, user_id=user_id))
