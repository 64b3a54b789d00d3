"""The signed-in user's e-mail choices, and the one-click unsubscribe in every message
that can be switched off."""

from dataclasses import dataclass

from sqlmodel import Session

from app.accounts.principal import Principal
from app.enums import Role
from app.notifications import preferences
from app.notifications.preferences import CATEGORIES, Category
from app.people.models import Person

ALWAYS_SENT = (
    "Messages that a duty is cancelled are always sent, and so are messages about your "
    "sign-in (an invitation, a new password)."
)


def preference_email(*, session: Session, principal: Principal) -> str:
    """The address the signed-in user's choices are kept under: where their messages go.

    Staff hear about their duties at their person's address when it has one."""
    if principal.role == Role.staff and principal.person_id is not None:
        person = session.get(Person, principal.person_id)
        if person is not None and person.email.strip():
            return preferences.normalise(person.email)
    return preferences.normalise(principal.email)


def categories_for(principal: Principal) -> list[Category]:
    """The kinds of message this user may get, and so may switch off."""
    if principal.role == Role.staff:
        keys = {"duty_updates", "reminders"}
    elif principal.role == Role.partner:
        keys = {"bookings"}
    else:
        keys = {"digest"} | ({"duty_updates", "reminders"} if principal.person_id is not None else set())
    return [c for c in CATEGORIES if c.key in keys]


@dataclass(frozen=True)
class MyChoices:
    email: str
    categories: list[Category]
    muted: list[str]
    reminder_hours: list[int]
    morning_reminder: bool

    @property
    def has_reminders(self) -> bool:
        return any(c.key == "reminders" for c in self.categories)


def my_choices(*, session: Session, principal: Principal) -> MyChoices:
    email = preference_email(session=session, principal=principal)
    found = preferences.get_preference(session, email)
    return MyChoices(
        email=email,
        categories=categories_for(principal),
        muted=sorted(found.muted or []),
        reminder_hours=list(found.reminder_hours or []),
        morning_reminder=bool(found.morning_reminder),
    )


def muted_after(choices: MyChoices, receive: list[str]) -> list[str]:
    """From the page's "send me" boxes: the user's kinds not ticked are muted; kinds the
    page does not offer this user keep whatever they were."""
    offered = {c.key for c in choices.categories}
    kept = [key for key in choices.muted if key not in offered]
    return sorted({*kept, *(key for key in offered if key not in receive)})


def save_my_choices(
    *,
    session: Session,
    principal: Principal,
    muted: list[str],
    reminder_hours: list[int] | None,
    morning_reminder: bool | None,
) -> MyChoices:
    """Replace the user's choices (``None`` keeps reminder settings as they are).

    Unknown kinds, more than four reminders or one outside 1 hour–14 days are refused (422)."""
    email = preference_email(session=session, principal=principal)
    preferences.save_preference(
        session,
        email=email,
        muted=muted,
        reminder_hours=reminder_hours,
        morning_reminder=morning_reminder,
    )
    return my_choices(session=session, principal=principal)


# --- one-click unsubscribe ---------------------------------------------------------------


@dataclass(frozen=True)
class Unsubscribe:
    email: str
    category: Category
    already: bool


def read_unsubscribe(*, session: Session, token: str) -> Unsubscribe:
    """What an unsubscribe link would switch off; ``Invalid`` for a link that is not ours."""
    email, key = preferences.read_unsubscribe_token(token)
    category = next(c for c in CATEGORIES if c.key == key)
    already = preferences.is_muted(session, email, key)
    return Unsubscribe(email=email, category=category, already=already)


def unsubscribe(*, session: Session, token: str) -> Unsubscribe:
    email, category = preferences.unsubscribe(session, token)
    return Unsubscribe(email=email, category=category, already=True)
