"""The notification pages: your e-mail choices, the unsubscribe link, the links in messages
(answer without signing in) and the administrators' outbox."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import Admin, AnyUser, OptionalUser
from app.accounts.principal import Principal
from app.accounts.service import MIN_PASSWORD_LENGTH
from app.accounts.sessions import start_session
from app.config import get_settings
from app.db import SessionDep
from app.errors import Conflict, Invalid, NotFound
from app.notifications import choices as email_choices
from app.notifications import outbox
from app.notifications import respond as answering
from app.notifications import service as notifications
from app.notifications.links import PURPOSES, LinkGone
from app.notifications.preferences import MAX_REMINDER_HOURS, MAX_REMINDERS
from app.notifications.respond import Landing
from app.pages.common import choice_param, page_from, query_string, see_other, text_param
from app.pages.flow import done
from app.pages.forms import FormInput, PostedForm, service_errors
from app.pages.rendering import flash, render
from app.worker.health import worker_health

router = APIRouter(tags=["pages"], include_in_schema=False)

MAX_TOKEN_LENGTH = 500
MAX_PASSWORD_LENGTH = 200
# The token is in the address of these pages: no other site may see it, no cache keep it.
SECRET_PAGE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
# An e-mail's own HTML, shown to administrators: no script (default-src covers script-src),
# nothing fetched, no forms sent, not framed.
EMAIL_HTML_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def _secret(response: Response) -> Response:
    response.headers.update(SECRET_PAGE_HEADERS)
    return response


# --- your e-mail choices -------------------------------------------------------------------


def _choices_form(choices: email_choices.MyChoices) -> FormInput:
    form = FormInput()
    form.values["receive"] = [c.key for c in choices.categories if c.key not in choices.muted]
    for index, hours in enumerate(choices.reminder_hours[:MAX_REMINDERS], start=1):
        form.values[f"reminder_{index}"] = str(hours)
    form.values["morning_reminder"] = "yes" if choices.morning_reminder else ""
    return form


def _choices_page(
    request: Request, choices: email_choices.MyChoices, form: FormInput, status: int = 200
) -> Response:
    context = {
        "choices": choices,
        "form": form,
        "always_sent": email_choices.ALWAYS_SENT,
        "reminder_fields": [f"reminder_{i}" for i in range(1, MAX_REMINDERS + 1)],
        "max_reminder_hours": MAX_REMINDER_HOURS,
        "morning_hour": f"{get_settings().morning_reminder_hour:02d}:00",
    }
    return render(request, "notifications/preferences.html", context, status=status)


@router.get("/my/notifications", response_class=HTMLResponse)
def my_notifications(request: Request, session: SessionDep, principal: AnyUser) -> Response:
    choices = email_choices.my_choices(session=session, principal=principal)
    return _choices_page(request, choices, _choices_form(choices))


def _save_choices(
    session: SessionDep, principal: Principal, choices: email_choices.MyChoices, form: FormInput
) -> bool:
    offered = {c.key for c in choices.categories}
    receive = [key for key in form.values.getlist("receive") if key in offered]
    hours: list[int] | None = None
    morning: bool | None = None
    if choices.has_reminders:
        hours = []
        for index in range(1, MAX_REMINDERS + 1):
            value = form.integer(
                f"reminder_{index}",
                f"reminder {index}",
                minimum=1,
                maximum=MAX_REMINDER_HOURS,
                required=False,
            )
            if value is not None:
                hours.append(value)
        morning = form.flag("morning_reminder")
    if not form.ok:
        return False
    with service_errors(form, session, "reminder_1"):
        email_choices.save_my_choices(
            session=session,
            principal=principal,
            muted=email_choices.muted_after(choices, receive),
            reminder_hours=hours,
            morning_reminder=morning,
        )
        return True
    return False


@router.post("/my/notifications", response_class=HTMLResponse)
def save_my_notifications(
    request: Request, session: SessionDep, principal: AnyUser, form: PostedForm
) -> Response:
    choices = email_choices.my_choices(session=session, principal=principal)
    if not _save_choices(session, principal, choices, form):
        return _choices_page(request, choices, form, status=400)
    return done(request, "/my/notifications", f"Saved. Muster will e-mail {choices.email} as you chose.")


# --- unsubscribe (RFC 8058 one-click) ------------------------------------------------------


def _bad_unsubscribe(request: Request, detail: str) -> Response:
    context = {
        "heading": "This unsubscribe link does not work",
        "detail": detail,
        "advice": "unsubscribe",
    }
    return _secret(render(request, "notifications/link_problem.html", context, status=400))


@router.get("/notifications/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(request: Request, session: SessionDep, _principal: OptionalUser, token: str) -> Response:
    """Asks first: a link followed by a mail scanner must not switch anything off."""
    if len(token) > MAX_TOKEN_LENGTH:
        return _bad_unsubscribe(request, "this unsubscribe link is not valid")
    try:
        found = email_choices.read_unsubscribe(session=session, token=token)
    except Invalid as exc:
        return _bad_unsubscribe(request, exc.detail)
    context = {"found": found, "token": token}
    return _secret(render(request, "notifications/unsubscribe.html", context))


@router.post("/notifications/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe(request: Request, session: SessionDep, token: str) -> Response:
    """The signed token is the authority, not a session: mail programs post
    ``List-Unsubscribe=One-Click`` here with no cookie and no CSRF token (RFC 8058)."""
    if len(token) > MAX_TOKEN_LENGTH:
        return _bad_unsubscribe(request, "this unsubscribe link is not valid")
    try:
        done = email_choices.unsubscribe(session=session, token=token)
    except Invalid as exc:
        session.rollback()
        return _bad_unsubscribe(request, exc.detail)
    return _secret(render(request, "notifications/unsubscribe_done.html", {"found": done}))


# --- links in messages -----------------------------------------------------------------------


def _link_problem(request: Request, exc: NotFound | LinkGone) -> Response:
    gone = isinstance(exc, LinkGone)
    context = {
        "heading": "This link no longer works" if gone else "This link does not work",
        "detail": exc.detail,
        "advice": "respond",
    }
    return _secret(render(request, "notifications/link_problem.html", context, status=exc.status_code))


def _respond_page(
    request: Request, token: str, landing: Landing, form: FormInput, *, status: int = 200
) -> Response:
    context = {
        "landing": landing,
        "token": token,
        "form": form,
        "purpose_words": PURPOSES[landing.purpose],
        "min_password_length": MIN_PASSWORD_LENGTH,
    }
    if landing.blocked and status == 200:
        status = 409
    return _secret(render(request, "notifications/respond.html", context, status=status))


@router.get("/respond/{token}", response_class=HTMLResponse)
def respond_page(request: Request, session: SessionDep, _principal: OptionalUser, token: str) -> Response:
    """Says exactly what the link will do; nothing changes until the button is pressed."""
    try:
        landing = answering.land(session=session, token=token)
    except (NotFound, LinkGone) as exc:
        return _link_problem(request, exc)
    return _respond_page(request, token, landing, FormInput())


def _read_answer(form: FormInput, landing: Landing) -> dict[str, str]:
    if landing.purpose == "duty_decline":
        return {"reason": form.text("reason", "the reason", max_length=500)}
    if landing.purpose == "booking_decline":
        return {"message": form.text("message", "the message", max_length=2000)}
    if landing.purpose in answering.ACCOUNT_PURPOSES:
        password = form.values.text("password")
        again = form.values.text("password_again")
        if not password:
            form.error("password", "Enter a password")
        elif len(password) < MIN_PASSWORD_LENGTH:
            form.error("password", f"The password must be at least {MIN_PASSWORD_LENGTH} characters")
        elif len(password) > MAX_PASSWORD_LENGTH:
            form.error("password", f"The password must be {MAX_PASSWORD_LENGTH} characters or fewer")
        elif password != again:
            form.error("password_again", "Enter the same password twice")
        # A password is never sent back to the browser, not even on a page with errors.
        form.values.pop("password", None)
        form.values.pop("password_again", None)
        return {"password": password}
    return {}


@router.post("/respond/{token}", response_class=HTMLResponse)
def respond(request: Request, session: SessionDep, token: str, form: PostedForm) -> Response:
    try:
        landing = answering.land(session=session, token=token)
        answer = _read_answer(form, landing)
        if not form.ok:
            return _respond_page(request, token, landing, form, status=400)
        done = answering.act(session=session, landing=landing, **answer)
    except (NotFound, LinkGone) as exc:
        session.rollback()
        return _link_problem(request, exc)
    except (Conflict, Invalid) as exc:
        session.rollback()
        landing.blocked = exc.detail[:1].upper() + exc.detail[1:]
        return _respond_page(request, token, landing, FormInput(), status=exc.status_code)
    if done.user is not None:
        # A fresh session, signed in with the new password: the other sessions ended when
        # the password changed.
        start_session(request, session, done.user)
        flash(request, done.message)
        return _secret(see_other("/"))
    return _secret(render(request, "notifications/respond_done.html", {"done": done}))


# --- the outbox, for administrators ------------------------------------------------------------


@router.get("/admin/outbox", response_class=HTMLResponse)
def outbox_page(request: Request, session: SessionDep, principal: Admin) -> Response:
    status = choice_param(request, "status", outbox.STATUSES)
    search = text_param(request, "q")
    page = page_from(request)
    rows, total = notifications.list_messages(
        session=session, status=status or None, search=search, limit=page.size, offset=page.offset
    )
    context = {
        "health": worker_health(session),
        "smtp_configured": bool(get_settings().smtp_url),
        "counts": notifications.status_counts(session=session),
        "statuses": outbox.STATUSES,
        "status": status,
        "q": search,
        "rows": rows,
        "page": page.with_total(total),
        "base_query": query_string(status=status, q=search),
    }
    return render(request, "admin/outbox.html", context)


@router.get("/admin/outbox/{message_id:id}", response_class=HTMLResponse)
def outbox_message_page(request: Request, session: SessionDep, principal: Admin, message_id: int) -> Response:
    message = notifications.get_message(session=session, message_id=message_id)
    waiting = notifications.waiting_on_topic(session=session, message=message)
    context = {"message": message, "waiting": waiting, "failed": message.status == outbox.FAILED}
    return render(request, "admin/outbox_message.html", context)


@router.get("/admin/outbox/{message_id:id}/html")
def outbox_message_html(session: SessionDep, principal: Admin, message_id: int) -> Response:
    """The message's HTML body as sent, under a policy that runs and fetches nothing."""
    message = notifications.get_message(session=session, message_id=message_id)
    if not message.body_html:
        raise NotFound(f"message {message_id} has no HTML body (it has not been composed)")
    headers = {"Content-Security-Policy": EMAIL_HTML_CSP, **SECRET_PAGE_HEADERS}
    return Response(message.body_html, media_type="text/html; charset=utf-8", headers=headers)


@router.get("/admin/outbox/{message_id:id}/invite.ics")
def outbox_message_calendar(session: SessionDep, principal: Admin, message_id: int) -> Response:
    message = notifications.get_message(session=session, message_id=message_id)
    if not message.calendar:
        raise NotFound(f"message {message_id} has no calendar invitation")
    method = f"; method={message.calendar_method}" if message.calendar_method.isalpha() else ""
    headers = {
        "Content-Disposition": f'attachment; filename="muster-message-{message_id}.ics"',
        "Cache-Control": "no-store",
    }
    return Response(message.calendar, media_type=f"text/calendar{method}; charset=utf-8", headers=headers)


@router.post("/admin/outbox/{message_id:id}/retry")
def retry_outbox_message(
    request: Request, session: SessionDep, principal: Admin, message_id: int, _form: PostedForm
) -> Response:
    try:
        notifications.retry_message(session=session, actor=principal.actor, message_id=message_id)
    except Conflict as exc:
        session.rollback()
        return done(
            request,
            f"/admin/outbox/{message_id}",
            exc.detail[:1].upper() + exc.detail[1:] + ".",
            kind="warning",
        )
    return done(
        request,
        f"/admin/outbox/{message_id}",
        f"Message {message_id} will be sent again, composed afresh, as soon as a worker is free.",
    )
