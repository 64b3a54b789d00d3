"""Field rules said in words, declared once per entity for the API and the forms alike.

A domain declares its fields once, as a model deriving from ``Worded``, each field with a
``title`` that names it to a person ("the venue's name"). The API validates request bodies
with it; the HTML forms read into it (``app.pages.forms.FormInput.parse``). Whichever
refuses a value, the refusal is the rule's words: the API answers ``{"field": "name",
"message": "must be 200 characters or fewer"}`` and the form says "The venue's name must be
200 characters or fewer", so a person reading either learns the same rule.
"""

from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Generic, Self, TypeVar, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from app.api_common import Email as _Email
from app.api_common import Patch

WORDED = "worded"
"""Marks an error already in words, so that an enclosing model passes it on unchanged."""

EMAIL_FORMAT = "must be in the correct format, like name@example.org"


def _looks_like_email(value: str) -> str:
    if value and "@" not in value.strip("@"):
        raise ValueError(EMAIL_FORMAT)
    return value


# An address may be left empty where the field is optional; one that is given has an "@".
OptionalEmail = Annotated[_Email, AfterValidator(_looks_like_email)]
EmailAddress = Annotated[OptionalEmail, Field(min_length=1)]


@dataclass(frozen=True)
class Rule:
    """What a field accepts, read from the model's JSON schema (its one declaration)."""

    title: str
    kind: str  # text, integer, number, boolean, list, choice, date
    items: str = ""  # a list's: text or integer
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    example: Any = None


def _rule(name: str, prop: dict[str, Any], definitions: dict[str, Any]) -> Rule:
    arms = prop.get("anyOf", [prop])
    nullable = any(arm.get("type") == "null" for arm in arms)
    shape: dict[str, Any] = next((arm for arm in arms if arm.get("type") != "null"), {})
    if "$ref" in shape:
        shape = definitions.get(shape["$ref"].rsplit("/", 1)[-1], {})
    if "enum" in shape:
        kind = "choice"
    elif shape.get("format") == "date":
        kind = "date"
    else:
        kind = {"array": "list", "string": "text"}.get(shape.get("type", ""), shape.get("type", "text"))
    examples = prop.get("examples") or []
    items = shape.get("items", {}).get("type", "") if kind == "list" else ""
    return Rule(
        title=prop.get("title") or name.replace("_", " "),
        kind=kind,
        items={"string": "text"}.get(items, items),
        nullable=nullable,
        minimum=shape.get("minimum"),
        maximum=shape.get("maximum"),
        example=examples[0] if examples else None,
    )


@cache
def rules_of(model: type[BaseModel]) -> dict[str, Rule]:
    """Each field's rule, by field name."""
    schema = model.model_json_schema()
    definitions = schema.get("$defs", {})
    return {name: _rule(name, prop, definitions) for name, prop in schema.get("properties", {}).items()}


_NUMBER_ERRORS = frozenset(
    {
        "int_parsing",
        "int_parsing_size",
        "int_type",
        "int_from_float",
        "float_parsing",
        "float_type",
        "finite_number",
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
    }
)


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else str(value)


def _number_words(kind: str, rule: Rule | None) -> str:
    whole = kind.startswith("int") or (rule is not None and rule.kind == "integer")
    words = "must be a whole number" if whole else "must be a number"
    low, high = (rule.minimum, rule.maximum) if rule else (None, None)
    if low is not None and high is not None:
        words += f" between {_number(low)} and {_number(high)}"
    elif low is not None:
        words += f" of {_number(low)} or more"
    elif high is not None:
        words += f" of {_number(high)} or less"
    if rule is not None and rule.example is not None:
        words += f", like {rule.example}"
    return words


def predicate(err: ErrorDetails, rule: Rule | None) -> str | None:
    """The rule a refused value broke, in words that follow the field's name ("must be 200
    characters or fewer"); None for a refusal that is not about one value."""
    kind, ctx, given = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "missing":
        return "is required"
    if kind in ("string_too_short", "too_short"):
        least = ctx.get("min_length", 1)
        if not isinstance(given, str):
            return f"must have at least {least} entries"
        return "must not be empty" if least == 1 else f"must be at least {least} characters"
    if kind in ("string_too_long", "too_long"):
        most = ctx.get("max_length")
        return (
            f"must be {most} characters or fewer"
            if isinstance(given, str)
            else f"must have at most {most} entries"
        )
    if kind == "string_type":
        return "must be text"
    if kind in _NUMBER_ERRORS:
        return _number_words(kind, rule)
    if kind == "enum":
        return f"must be one of {ctx.get('expected')}"
    if kind in ("bool_parsing", "bool_type"):
        return "must be true or false"
    if kind.startswith("date_"):
        return "must be a real date, like 2026-12-09"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return None


def _in_words(err: ErrorDetails, rules: dict[str, Rule]) -> InitErrorDetails:
    ctx = err.get("ctx") or {}
    loc = err["loc"]
    words = err["msg"]
    if not ctx.get(WORDED):
        rule = rules.get(str(loc[0])) if loc else None
        words = (predicate(err, rule) if loc else None) or words
    return InitErrorDetails(
        type=PydanticCustomError(err["type"], words, {WORDED: True}), loc=loc, input=err.get("input")
    )


class Worded(BaseModel):
    """A model whose refusals are its rules' words (see the module's docstring)."""

    @model_validator(mode="wrap")
    @classmethod
    def _said_in_words(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        try:
            value = handler(data)
        except ValidationError as exc:
            rules = rules_of(cls)
            raise ValidationError.from_exception_data(
                exc.title, [_in_words(e, rules) for e in exc.errors()]
            ) from None
        refused = value.refusals()
        if refused:
            lines = [
                InitErrorDetails(
                    type=PydanticCustomError("value_error", words, {WORDED: True}),
                    loc=(name,),
                    input=getattr(value, name, None),
                )
                for name, words in refused.items()
            ]
            raise ValidationError.from_exception_data(cls.__name__, lines)
        return value

    def refusals(self) -> dict[str, str]:
        """Rules across fields, as {field: the rule's words}; none unless a model says so."""
        return {}


M = TypeVar("M", bound=Worded)


class Partial(Patch, Worded, Generic[M]):
    """``class VenueUpdate(Partial[VenueFields])``: the fields of ``VenueFields``, each
    optional, for a PATCH, with the same rules and words. A subclass names in ``NULLABLE``
    the fields that ``null`` clears."""

    def __class_getitem__(cls, model: Any) -> Any:
        return _optional_fields(model)


@cache
def _optional_fields(model: type[Worded]) -> type[Patch]:
    fields: dict[str, Any] = {}
    for key, info in model.model_fields.items():
        kind: Any = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        words = Field(None, title=info.title, description=info.description, examples=info.examples)
        fields[key] = (kind | None, words)
    made = create_model(
        f"Optional{model.__name__}", __base__=(Patch, Worded), __module__=model.__module__, **fields
    )
    refusals = model.__dict__.get("refusals")
    if refusals is not None:  # rules across fields hold for a PATCH too
        cast(Any, made).refusals = refusals
    return cast(type[Patch], made)
