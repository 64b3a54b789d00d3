"""What each address wants to hear, and the one-click unsubscribe for a kind of message."""

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session

from app.clock import utcnow
from app.config import get_settings
from app.errors import Invalid
from app.notifications.models import NotificationPreference


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    hint: str


# The kinds of message a person may switch off. Duty cancellations and account messages
# (invitations, password resets) are not among them: missing one costs more than it saves.
CATEGORIES: tuple[Category, ...] = (
    Category(
        "duty_updates", "Duties", "a duty proposed to you, confirmed, or changed (time, place, team lead)"
    ),
    Category("reminders", "Reminders", "before each duty, with directions and what to bring"),
    Category(
        "bookings",
        "Bookings at my venue",
        "an event requested, changed or cancelled at a venue you speak for",
    ),
    Category(
        "digest", "Daily digest", "for coordinators: declines, gaps in the next 7 days, partner answers"
    ),
)
CATEGORY_KEYS = frozenset(c.key for c in CATEGORIES)
DEFAULT_REMINDER_HOURS = (48,)
MAX_REMINDERS = 4
# Longer than this ahead is a plan, not a reminder; and the worker looks this far ahead.
MAX_REMINDER_HOURS = 14 * 24


def normalise(email: str) -> str:
    return email.strip().lower()


def get_preference(session: Session, email: str) -> NotificationPreference:
    """The address's choices, or the defaults (not stored until changed)."""
    found = session.get(NotificationPreference, normalise(email))
    if found is not None:
        return found
    return NotificationPreference(
        email=normalise(email), muted=[], reminder_hours=list(DEFAULT_REMINDER_HOURS)
    )


def is_muted(session: Session, email: str, category: str) -> bool:
    found = session.get(NotificationPreference, normalise(email))
    return found is not None and category in (found.muted or [])


def check_reminder_hours(hours: list[int]) -> list[int]:
    cleaned = sorted(set(hours), reverse=True)
    if len(cleaned) > MAX_REMINDERS:
        raise Invalid(f"choose at most {MAX_REMINDERS} reminder times")
    for value in cleaned:
        if not 1 <= value <= MAX_REMINDER_HOURS:
            raise Invalid(
                f"a reminder is between 1 and {MAX_REMINDER_HOURS} hours before a duty (not {value})"
            )
    return cleaned


def save_preference(
    session: Session,
    *,
    email: str,
    muted: list[str] | None = None,
    reminder_hours: list[int] | None = None,
    morning_reminder: bool | None = None,
    commit: bool = True,
) -> NotificationPreference:
    """Change some of the address's choices; what is not given stays as it was."""
    current = get_preference(session, email)
    if muted is not None:
        unknown = sorted(set(muted) - CATEGORY_KEYS)
        if unknown:
            raise Invalid(
                f"unknown kind of message: {', '.join(unknown)} (known: {', '.join(sorted(CATEGORY_KEYS))})"
            )
        current.muted = sorted(set(muted))
    if reminder_hours is not None:
        current.reminder_hours = check_reminder_hours(reminder_hours)
    if morning_reminder is not None:
        current.morning_reminder = morning_reminder
    current.updated_at = utcnow()
    session.add(current)
    if commit:
        session.commit()
    return current


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt="muster.unsubscribe")


def unsubscribe_token(email: str, category: str) -> str:
    """Signed, not stored, and not expiring: an unsubscribe link must work whenever it is used."""
    return _serializer().dumps([normalise(email), category])


def read_unsubscribe_token(token: str) -> tuple[str, str]:
    try:
        email, category = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError) as exc:
        raise Invalid("this unsubscribe link is not valid (it may have been cut short)") from exc
    if category not in CATEGORY_KEYS or not isinstance(email, str):
        raise Invalid("this unsubscribe link is not valid")
    return email, category


def unsubscribe(session: Session, token: str) -> tuple[str, Category]:
    email, key = read_unsubscribe_token(token)
    current = get_preference(session, email)
    save_preference(session, email=email, muted=sorted({*(current.muted or []), key}))
    return email, next(c for c in CATEGORIES if c.key == key)
