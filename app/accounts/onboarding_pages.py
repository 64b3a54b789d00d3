"""Onboarding pages: import people from a CSV (upload, preview, apply), invitations to sign
in and who has never signed in (administrators), and "Forgot your password?" (anyone)."""

import base64
import binascii

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from app.accounts import invitations, people_import
from app.accounts.deps import Admin, OptionalUser
from app.accounts.people_import import FileTooLarge
from app.db import SessionDep
from app.errors import Conflict, Invalid, TooManyRequests
from app.pages.common import page_from
from app.pages.csrf import checked_form
from app.pages.flow import done
from app.pages.forms import FormInput, PostedForm
from app.pages.rendering import render

router = APIRouter(tags=["pages"], include_in_schema=False)

# Room for the form's other fields around the file in a multipart upload.
UPLOAD_OVERHEAD = 64 * 1024


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


# --- import ----------------------------------------------------------------------------------


def _upload_page(request: Request, form: FormInput, *, status: int = 200) -> Response:
    context = {
        "form": form,
        "columns": people_import.COLUMNS,
        "max_rows": people_import.MAX_ROWS,
        "max_kb": people_import.MAX_FILE_BYTES // 1024,
    }
    return render(request, "admin/import.html", context, status=status)


def _refused(request: Request, message: str, status: int) -> Response:
    form = FormInput()
    form.error("file", _sentence(message))
    return _upload_page(request, form, status=status)


def _preview_page(
    request: Request,
    plan: people_import.Plan,
    *,
    status: int = 200,
    changed: bool = False,
    invite: bool = False,
) -> Response:
    form = FormInput()
    form.values["invite"] = "yes" if invite else ""
    context = {
        "plan": plan,
        "counts": plan.counts,
        "form": form,
        "changed": changed,
        "csv_b64": base64.urlsafe_b64encode(plan.file.encoded()).decode("ascii"),
        "max_rows": people_import.MAX_ROWS,
    }
    return render(request, "admin/import_preview.html", context, status=status)


@router.get("/admin/import", response_class=HTMLResponse)
def import_page(request: Request, principal: Admin) -> Response:
    return _upload_page(request, FormInput())


@router.post("/admin/import", response_class=HTMLResponse)
async def preview_import(request: Request, session: SessionDep, principal: Admin) -> Response:
    """Shows what the file would do; writes nothing."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > people_import.MAX_FILE_BYTES + UPLOAD_OVERHEAD:
        return _refused(request, people_import.too_large_words(), 413)
    data = await checked_form(request)
    upload = data.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _refused(request, "choose a CSV file to import", 400)
    content = await upload.read(people_import.MAX_FILE_BYTES + 1)
    try:
        csv_file = people_import.read_bytes(content, filename=upload.filename)
        plan = people_import.plan_import(session, csv_file)
    except (Invalid, FileTooLarge) as exc:
        session.rollback()
        return _refused(request, exc.detail, exc.status_code)
    session.rollback()
    return _preview_page(request, plan)


@router.post("/admin/import/apply", response_class=HTMLResponse)
def apply_import(request: Request, session: SessionDep, principal: Admin, form: PostedForm) -> Response:
    try:
        content = base64.urlsafe_b64decode(form.raw("csv").encode("ascii"))
        csv_file = people_import.read_bytes(content, filename=form.raw("filename"))
    except (ValueError, binascii.Error):
        return _refused(request, "the import form arrived damaged: choose the file again", 400)
    except (Invalid, FileTooLarge) as exc:
        return _refused(request, exc.detail, exc.status_code)
    if csv_file.sha256 != form.raw("file_sha256"):
        return _refused(
            request,
            "the file has changed since it was previewed: choose it again to see what it would do",
            409,
        )
    invite = form.flag("invite")
    try:
        result = people_import.apply_import(
            session,
            actor=principal.actor,
            csv_file=csv_file,
            file_sha256=form.raw("file_sha256"),
            plan_sha256=form.raw("plan_sha256"),
            invite=invite,
        )
    except Conflict:
        session.rollback()
        plan = people_import.plan_import(session, csv_file)
        session.rollback()
        return _preview_page(request, plan, status=409, changed=True, invite=invite)
    counts = result.plan.counts
    parts = [
        f"{counts['create']} added",
        f"{counts['update']} updated",
        f"{counts['unchanged']} unchanged",
        f"{counts['skipped']} skipped",
    ]
    message = f"Imported {csv_file.filename or 'the file'}: " + ", ".join(parts)
    if counts["sign_ins"]:
        message += f"; {counts['sign_ins']} sign-ins made"
        message += f", {result.invited} invited by e-mail" if result.invited else ", none invited yet"
    return done(request, "/admin/invitations" if counts["sign_ins"] else "/plan/people", message + ".")


@router.get("/admin/import/people.csv")
def export_people(session: SessionDep, principal: Admin) -> Response:
    """Everyone, in the import's columns: a file to edit and import again."""
    text = people_import.export_people(session)
    headers = {"Content-Disposition": 'attachment; filename="muster-people.csv"', "Cache-Control": "no-store"}
    # The byte-order mark tells Excel the file is UTF-8.
    return Response("\ufeff" + text, media_type="text/csv; charset=utf-8", headers=headers)


# --- invitations ------------------------------------------------------------------------------


def _back(value: str) -> str:
    """Where to go after an invitation button: an administrators' page of this site only."""
    if value.startswith("/admin/") and "//" not in value and "\\" not in value and len(value) < 200:
        return value
    return "/admin/invitations"


@router.get("/admin/invitations", response_class=HTMLResponse)
def invitations_page(request: Request, session: SessionDep, principal: Admin) -> Response:
    page = page_from(request)
    states, total = invitations.never_signed_in(session=session, limit=page.size, offset=page.offset)
    context = {
        "states": states,
        "page": page.with_total(total),
        "per_hour": invitations.INVITATIONS_PER_HOUR,
        "me": principal.user_id,
    }
    return render(request, "admin/import_invitations.html", context)


@router.post("/admin/invitations")
def invite_everyone(request: Request, session: SessionDep, principal: Admin, _form: PostedForm) -> Response:
    sent = invitations.invite_never_signed_in(
        session, actor=principal.actor, except_user_id=principal.user_id
    )
    if sent.invited:
        message = f"Invited {len(sent.invited)} {'person' if len(sent.invited) == 1 else 'people'} by e-mail."
    else:
        message = "Nobody needed an invitation."
    if sent.left:
        message += f" Not invited: {len(sent.left)} (their invitation is still open, or was sent too often)."
    return done(request, "/admin/invitations", message)


@router.post("/admin/users/{user_id:id}/invite")
def invite_one(
    request: Request, session: SessionDep, principal: Admin, user_id: int, form: PostedForm
) -> Response:
    """Invite, or invite again: the earlier link stops working. Past the hourly limit, 429."""
    back = _back(form.raw("next"))
    try:
        state = invitations.invite(session, actor=principal.actor, user_id=user_id)
    except Conflict as exc:
        session.rollback()
        return done(request, back, _sentence(exc.detail), kind="warning")
    said = f"Sent {state.user.email} an invitation to sign in. Any earlier invitation link no longer works."
    return done(request, back, said)


@router.post("/admin/users/{user_id:id}/revoke-invitation")
def revoke_one(
    request: Request, session: SessionDep, principal: Admin, user_id: int, form: PostedForm
) -> Response:
    state = invitations.revoke_invitation(session, actor=principal.actor, user_id=user_id)
    said = f"The invitation to {state.user.email} no longer works. Their sign-in stays."
    return done(request, _back(form.raw("next")), said)


# --- forgot your password? ------------------------------------------------------------------


def _forgot_page(request: Request, form: FormInput, *, status: int = 200, refused: str = "") -> Response:
    context = {"form": form, "refused": refused}
    return render(request, "accounts/forgot_password.html", context, status=status)


@router.get("/forgot-password", response_class=HTMLResponse)
def forgot_password_page(request: Request, _principal: OptionalUser) -> Response:
    return _forgot_page(request, FormInput())


@router.post("/forgot-password", response_class=HTMLResponse)
def forgot_password(
    request: Request, session: SessionDep, _principal: OptionalUser, form: PostedForm
) -> Response:
    """The same answer whether or not the address has a sign-in."""
    email = form.text("email", "your e-mail address", required=True, max_length=254)
    if email and ("@" not in email or any(c.isspace() for c in email)):
        form.error("email", "Enter an e-mail address in the correct format, like name@example.org")
    if not form.ok:
        return _forgot_page(request, form, status=400)
    address = request.client.host if request.client else ""
    try:
        invitations.forgot_password(session, email=email, address=address)
    except TooManyRequests as exc:
        session.rollback()
        page = _forgot_page(request, form, status=429, refused=_sentence(exc.detail))
        page.headers["Retry-After"] = str(exc.retry_after_seconds)
        return page
    return render(request, "accounts/forgot_password_sent.html", {"answer": invitations.FORGOT_ANSWER})
