"""Your e-mail choices, and (administrators) the outbox of messages."""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, StringConstraints

from app.accounts.deps import Admin, AnyUser
from app.api_common import Page, PageParams, PathId, ProblemRoute, Strict
from app.clock import LondonDateTime
from app.db import SessionDep
from app.notifications import choices as email_choices
from app.notifications import service
from app.notifications.models import OutboxMessage

router = APIRouter(prefix="/api/v1", tags=["notifications"], route_class=ProblemRoute)

CategoryKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
OutboxStatus = Literal["pending", "sending", "sent", "held", "failed", "skipped"]


class CategoryOut(BaseModel):
    key: str
    label: str
    hint: str


class PreferencesOut(BaseModel):
    email: str = Field(description="The address the choices are kept under: where your messages go")
    muted: list[str] = Field(description="Kinds of message switched off")
    reminder_hours: list[int] = Field(description="Reminders this many hours before each duty")
    morning_reminder: bool = Field(description="A reminder on the morning of the day of a duty")
    categories: list[CategoryOut] = Field(description="The kinds of message you get and may switch off")
    always_sent: str


class PreferencesIn(Strict):
    muted: Annotated[list[CategoryKey], Field(max_length=20)] = Field(
        description="Kinds of message to switch off: duty_updates, reminders, bookings, digest"
    )
    reminder_hours: Annotated[list[int], Field(max_length=20)] = Field(
        description="Up to 4 reminders, each 1 to 336 hours before a duty (e.g. [48, 2])"
    )
    morning_reminder: bool


def _preferences_out(choices: email_choices.MyChoices) -> PreferencesOut:
    return PreferencesOut(
        email=choices.email,
        muted=choices.muted,
        reminder_hours=choices.reminder_hours,
        morning_reminder=choices.morning_reminder,
        categories=[CategoryOut(key=c.key, label=c.label, hint=c.hint) for c in choices.categories],
        always_sent=email_choices.ALWAYS_SENT,
    )


@router.get("/me/notifications", response_model=PreferencesOut)
def read_my_notifications(session: SessionDep, principal: AnyUser) -> PreferencesOut:
    """Which e-mails you get: kinds switched off and reminder times."""
    return _preferences_out(email_choices.my_choices(session=session, principal=principal))


@router.put("/me/notifications", response_model=PreferencesOut)
def replace_my_notifications(session: SessionDep, principal: AnyUser, body: PreferencesIn) -> PreferencesOut:
    """Replace your e-mail choices. Unknown kinds, more than 4 reminders, or a reminder
    outside 1 hour to 14 days are refused with 422. Duty cancellations are always sent."""
    choices = email_choices.save_my_choices(session=session, principal=principal, **body.model_dump())
    return _preferences_out(choices)


class OutboxMessageOut(BaseModel):
    id: int
    status: OutboxStatus
    kind: str
    sent_kind: str = Field(description="What the message turned out to be, once composed")
    topic: str
    subject_id: int | None
    recipient: str
    to_address: str
    subject: str
    attempts: int
    last_error: str
    due_at: LondonDateTime
    created_at: LondonDateTime
    composed_at: LondonDateTime | None
    sent_at: LondonDateTime | None


class OutboxMessageDetail(OutboxMessageOut):
    headers: dict[str, Any]
    body_text: str
    body_html: str
    calendar: str
    calendar_method: str
    waiting_message_id: int | None = Field(
        description="Another message about the same topic, waiting to be sent (it will say the latest)"
    )


def _summary_fields(message: OutboxMessage) -> dict[str, Any]:
    assert message.id is not None
    dates: dict[str, datetime | None] = {
        "due_at": message.due_at,
        "created_at": message.created_at,
        "composed_at": message.composed_at,
        "sent_at": message.sent_at,
    }
    return {
        "id": message.id,
        "status": message.status,
        "kind": message.kind,
        "sent_kind": message.sent_kind,
        "topic": message.topic,
        "subject_id": message.subject_id,
        "recipient": message.recipient,
        "to_address": message.to_address,
        "subject": message.mail_subject,
        "attempts": message.attempts,
        "last_error": message.last_error,
        **dates,
    }


def _detail(session: SessionDep, message: OutboxMessage) -> OutboxMessageDetail:
    waiting = service.waiting_on_topic(session=session, message=message)
    return OutboxMessageDetail(
        **_summary_fields(message),
        headers=dict(message.headers or {}),
        body_text=message.body_text,
        body_html=message.body_html,
        calendar=message.calendar,
        calendar_method=message.calendar_method,
        waiting_message_id=waiting.id if waiting else None,
    )


@router.get("/outbox", response_model=Page[OutboxMessageOut])
def list_outbox(
    session: SessionDep,
    _admin: Admin,
    page: PageParams,
    status: Annotated[OutboxStatus | None, Query(description="Only messages with this status")] = None,
    recipient: Annotated[
        str | None, Query(max_length=100, description="Only messages to addresses containing this")
    ] = None,
) -> Page[OutboxMessageOut]:
    """The e-mails Muster has sent, kept or is about to send: newest first."""
    rows, total = service.list_messages(
        session=session, status=status, search=recipient or "", limit=page.limit, offset=page.offset
    )
    return Page(
        items=[OutboxMessageOut(**_summary_fields(m)) for m in rows], total=total, **page.model_dump()
    )


@router.get("/outbox/{message_id}", response_model=OutboxMessageDetail)
def read_outbox_message(session: SessionDep, _admin: Admin, message_id: PathId) -> OutboxMessageDetail:
    """One message as sent: headers, text and HTML bodies, calendar invitation."""
    return _detail(session, service.get_message(session=session, message_id=message_id))


@router.post("/outbox/{message_id}/retry", response_model=OutboxMessageDetail)
def retry_outbox_message(session: SessionDep, admin: Admin, message_id: PathId) -> OutboxMessageDetail:
    """Send a failed message again, composed afresh. 409 if it has not failed, or if a
    newer message about the same topic is already waiting (that one will say the latest)."""
    message = service.retry_message(session=session, actor=admin.actor, message_id=message_id)
    return _detail(session, message)
