"""Reading HTML forms: every field parsed from text, every problem said in words, and
everything typed kept, so a page with errors can be shown again exactly as it was sent.

The messages follow the GOV.UK Design System's pattern ("Enter a start date",
"Start time must be a real time, like 10:00"). An entity's form is read with ``parse`` into
the model that declares its fields for the API too (``app.fields``), so the form refuses
what the API refuses, in the same words.
"""

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, datetime, time
from enum import Enum
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from sqlmodel import Session
from starlette.datastructures import FormData

from app import records
from app.clock import NonexistentLocalTime, from_london, to_london
from app.errors import Conflict, Invalid
from app.fields import Rule, rules_of
from app.pages.csrf import checked_form

E = TypeVar("E", bound=Enum)
T = TypeVar("T")

FORM_ERROR = "form"
"""The key of an error about the whole form (a refused booking), not one field."""

Where = Callable[[tuple[int | str, ...]], tuple[str, str] | None]
"""For a refusal inside a field (a campaign's second target), the form field that shows it
and that part's name: ("target_2", "the target number"); None for the usual."""

_ABSENT = object()


class Values(dict[str, Any]):
    """What a form holds, as text: read back into the inputs when the page is shown again."""

    def text(self, name: str) -> str:
        value = self.get(name, "")
        if isinstance(value, list):
            return str(value[0]) if value else ""
        return "" if value is None else str(value)

    def getlist(self, name: str) -> list[str]:
        value = self.get(name)
        if value is None or value == "":
            return []
        if isinstance(value, list | tuple | set | frozenset):
            return [str(v) for v in value]
        return [str(value)]

    def has(self, name: str, option: object) -> bool:
        return str(option) in self.getlist(name)


def values_from(data: dict[str, Any]) -> Values:
    """Values for a form shown for the first time, from a record's fields."""
    out = Values()
    for key, value in data.items():
        if isinstance(value, bool):
            out[key] = "yes" if value else ""
        elif isinstance(value, Enum):
            out[key] = str(value.value)
        elif isinstance(value, list | tuple | set | frozenset):
            out[key] = [str(v.value if isinstance(v, Enum) else v) for v in value]
        elif value is None:
            out[key] = ""
        else:
            out[key] = str(value)
    return out


def london_parts(value: datetime | None) -> tuple[str, str]:
    """A UTC instant as the (date, time) texts of two London wall-clock inputs."""
    if value is None:
        return "", ""
    local = to_london(value)
    return local.date().isoformat(), local.strftime("%H:%M")


_DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[/.\- ](?P<m>\d{1,2})[/.\- ](?P<y>\d{4})$"),
)
_TIME_PATTERN = re.compile(r"^(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?(?::\d{2})?\s*(?P<ampm>am|pm)?$", re.I)


class FormInput:
    """One submitted form: typed accessors that note an error instead of raising."""

    def __init__(self, form: FormData | None = None) -> None:
        self.values = Values()
        self.errors: dict[str, str] = {}
        if form is not None:
            for key in form:
                # NUL never belongs in text, and PostgreSQL refuses to store it.
                items = [v.replace("\x00", "") for v in form.getlist(key) if isinstance(v, str)]
                self.values[key] = items if len(items) > 1 else (items[0] if items else "")

    @classmethod
    def opened_on(cls, record: BaseModel) -> "FormInput":
        """An edit form as first shown: the record's fields, as the inputs hold them."""
        form = cls()
        form.values.update(values_from({name: getattr(record, name) for name in type(record).model_fields}))
        return form

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def raw(self, name: str) -> str:
        return self.values.text(name).strip()

    def text(self, name: str, label: str, *, required: bool = False, max_length: int = 200) -> str:
        value = self.raw(name).replace("\r\n", "\n")
        if required and not value:
            self.error(name, f"Enter {label}")
        elif len(value) > max_length:
            self.error(name, f"{label[:1].upper()}{label[1:]} must be {max_length} characters or fewer")
        return value

    def integer(
        self,
        name: str,
        label: str,
        *,
        minimum: int = 0,
        maximum: int = 1000,
        required: bool = True,
        default: int | None = None,
    ) -> int | None:
        text = self.raw(name)
        nice = label[:1].upper() + label[1:]
        if not text:
            if required and default is None:
                self.error(name, f"Enter {label}")
            return default
        if not re.fullmatch(r"-?\d{1,9}", text):
            self.error(name, f"{nice} must be a whole number, like 2")
            return default
        value = int(text)
        if value < minimum or value > maximum:
            self.error(name, f"{nice} must be between {minimum} and {maximum}")
            return default
        return value

    def ident(self, name: str, label: str, *, required: bool = True) -> int | None:
        """A choice from a list of records, sent as its id."""
        text = self.raw(name)
        if not text:
            if required:
                self.error(name, f"Select {label}")
            return None
        if not re.fullmatch(r"\d{1,9}", text):
            self.error(name, f"Select {label} from the list")
            return None
        return int(text)

    def ids(self, name: str, label: str, *, required: bool = False) -> list[int]:
        found: list[int] = []
        for text in self.values.getlist(name):
            text = text.strip()
            if not text:
                continue
            if not re.fullmatch(r"\d{1,9}", text):
                self.error(name, f"Select {label} from the list")
                return []
            if int(text) not in found:
                found.append(int(text))
        if required and not found:
            self.error(name, f"Select at least one {label}")
        return found

    def flag(self, name: str) -> bool:
        return self.raw(name).lower() in ("yes", "on", "true", "1")

    def choice(self, name: str, enum: type[E], label: str, *, required: bool = True) -> E | None:
        text = self.raw(name)
        if not text:
            if required:
                self.error(name, f"Select {label}")
            return None
        try:
            return enum(text)
        except ValueError:
            self.error(name, f"Select {label} from the list")
            return None

    def listed(self, name: str) -> list[str]:
        """A comma-separated list ('Urdu, Punjabi'), de-duplicated in the order typed."""
        items: list[str] = []
        for part in re.split(r"[,\n]", self.raw(name)):
            word = " ".join(part.split())
            if word and word.casefold() not in {i.casefold() for i in items}:
                items.append(word)
        return items

    def words(self, name: str, label: str, *, max_items: int = 20, max_length: int = 60) -> list[str]:
        """A comma-separated list checked by the form itself, for a field that no model
        declares (an entity's fields are read with ``parse``)."""
        items = self.listed(name)
        if len(items) > max_items:
            self.error(name, f"List at most {max_items} {label}")
        elif any(len(i) > max_length for i in items):
            self.error(name, f"Each of the {label} must be {max_length} characters or fewer")
        return items

    def date_value(self, name: str, label: str, *, required: bool = True) -> date | None:
        text = self.raw(name)
        if not text:
            if required:
                self.error(name, f"Enter {label}")
            return None
        day = _day(text)
        if day is not None:
            return day
        nice = label[:1].upper() + label[1:]
        self.error(name, f"{nice} must be a real date, like 2026-12-09")
        return None

    def time_value(self, name: str, label: str, *, required: bool = True) -> time | None:
        text = self.raw(name)
        if not text:
            if required:
                self.error(name, f"Enter {label}")
            return None
        match = _TIME_PATTERN.match(text)
        nice = label[:1].upper() + label[1:]
        if match:
            hour, minute = int(match["h"]), int(match["m"] or 0)
            ampm = (match["ampm"] or "").lower()
            if ampm:
                if not 1 <= hour <= 12:
                    hour = 99
                hour = hour % 12 + (12 if ampm == "pm" else 0)
            if 0 <= hour <= 23 and 0 <= minute <= 59:
                return time(hour, minute)
        self.error(name, f"{nice} must be a real time, like 10:00")
        return None

    def london(self, day: date | None, at: time | None, name: str, label: str) -> datetime | None:
        """London wall-clock date and time → aware UTC; the hour the clocks skip is refused."""
        if day is None or at is None:
            return None
        try:
            return from_london(datetime.combine(day, at))
        except NonexistentLocalTime:
            self.error(name, f"{label[:1].upper()}{label[1:]} does not exist: the clocks go forward then")
            return None

    def parse(
        self,
        model: type[BaseModel],
        *,
        fields: Iterable[str] | None = None,
        extra: dict[str, Any] | None = None,
        where: Where | None = None,
    ) -> dict[str, Any]:
        """The form read into the entity's model, which holds its rules (``app.fields``):
        the values of ``fields`` (all the model's unless named) and ``extra`` (values the
        page worked out, such as a list of rows); nothing, each refusal noted on its field
        in the rule's words, when the model refuses."""
        rules = rules_of(model)
        names = list(rules) if fields is None else list(fields)
        data = {name: value for name in names if (value := self._typed(name, rules[name])) is not _ABSENT}
        data.update(extra or {})
        try:
            parsed = model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                self.error(*_said_on_form(err, rules, where))
            return {}
        # Only what the form gave: a number left empty keeps the record's (or the default).
        return parsed.model_dump(include={*names, *(extra or {})}, exclude_unset=True)

    def submit(
        self, session: Session, action: Callable[[], T], *, field: str = FORM_ERROR, record: str = ""
    ) -> T | None:
        """What ``action`` (a service call) returns; None when the form has errors, or when
        the service refuses, its words noted on ``field`` and its half-done work rolled back.
        With ``record`` ("venue"), a change someone saved meanwhile is explained too."""
        if not self.ok:
            return None
        with ExitStack() as guards:
            if record:
                guards.enter_context(unless_changed_meanwhile(self, session, record))
            guards.enter_context(service_errors(self, session, field))
            return action()
        return None

    def _typed(self, name: str, rule: Rule) -> Any:
        """The form's text as the model takes it: a box ticked or not, a list split at
        commas, an empty number or choice left out (or none, where none is allowed)."""
        if rule.kind == "boolean":
            return self.flag(name)
        if name not in self.values:
            return _ABSENT
        if rule.kind == "list":
            if rule.items == "text":
                return self.listed(name)
            return [t.strip() for t in self.values.getlist(name) if t.strip()]
        text = self.raw(name)
        if rule.kind == "text":
            return text.replace("\r\n", "\n")
        if not text:
            return None if rule.nullable else _ABSENT
        return (_day(text) or text) if rule.kind == "date" else text


async def posted_form(request: Request) -> FormInput:
    """The posted form, its CSRF token checked first (``app.pages.csrf``)."""
    return FormInput(await checked_form(request))


PostedForm = Annotated[FormInput, Depends(posted_form)]
"""A page handler's posted form: ``form: PostedForm`` (``_form`` where only the check matters)."""


def _day(text: str) -> date | None:
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None


def _said_on_form(err: ErrorDetails, rules: dict[str, Rule], where: Where | None) -> tuple[str, str]:
    """(the form field, the message) for one refusal: "Enter the venue's name" for one left
    empty, otherwise the field's title and the rule's words, as the API says them."""
    loc = err["loc"]
    words = err["msg"].removeprefix("Value error, ")
    if not loc:
        return FORM_ERROR, words[:1].upper() + words[1:]
    rule = rules.get(str(loc[0]))
    name, title = str(loc[0]), rule.title if rule else str(loc[0]).replace("_", " ")
    placed = where(loc) if where else None
    if placed is not None:
        name, title = placed
    elif len(loc) > 1 and isinstance(loc[1], int):
        title = f"each of {title}"
    if err["type"] == "missing" or words == "must not be empty":
        return name, ("Select " if rule and rule.kind == "choice" and not placed else "Enter ") + title
    said = f"{title} {words}"
    return name, said[:1].upper() + said[1:]


@contextmanager
def service_errors(form: FormInput, session: Session, field: str = FORM_ERROR) -> Iterator[None]:
    """A rule the service refused (bad input, a clash) becomes a message on the form, and
    whatever the service had half-done is rolled back."""
    try:
        yield
    except (Invalid, Conflict) as exc:
        session.rollback()
        message = exc.detail[:1].upper() + exc.detail[1:]
        form.error(field, message)


def error_title(title: str, errors: dict[str, str]) -> str:
    return f"Error: {title}" if errors else title


def opened_at(form: FormInput) -> records.Expected:
    """The revision the form was opened at (a hidden field), so that saving it over someone
    else's change made meanwhile is stopped; none for a form without it."""
    text = form.raw("revision")
    return frozenset({int(text)}) if text.isdigit() and len(text) <= 9 else None


@contextmanager
def unless_changed_meanwhile(form: FormInput, session: Session, what: str) -> Iterator[None]:
    """Someone saved the record after this form was opened: say what they changed, keep what
    was typed, and let a second save keep this version."""
    try:
        yield
    except records.PreconditionFailed as exc:
        session.rollback()
        form.values["revision"] = str(exc.revision)
        said = "; ".join(c.sentence() for c in exc.changes) or f"it is now at revision {exc.revision}"
        form.error(
            FORM_ERROR,
            f"Someone changed this {what} after you opened it ({said}). "
            "Check the form, then save again to keep your version",
        )
