"""Building blocks every JSON route shares: ids, bounded text, pagination."""

from typing import Annotated, Any, ClassVar, Generic, TypeVar

from fastapi import Depends, Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

MAX_ID = 2_147_483_647  # PostgreSQL integer: larger ids would be a database error, not a 404.

T = TypeVar("T")


def _no_control_chars(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    return value


def _single_line(value: str) -> str:
    if any(c in value for c in "\r\n\t\x00"):
        raise ValueError("must be a single line of text")
    return value


_STRIP = StringConstraints(strip_whitespace=True)


def _line(min_length: int, max_length: int) -> tuple[object, ...]:
    return (
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_single_line),
    )


def _text(max_length: int) -> tuple[object, ...]:
    return (
        StringConstraints(strip_whitespace=True, max_length=max_length),
        AfterValidator(_no_control_chars),
    )


# One-line labels (names, titles) refuse line breaks, so they cannot inject into files.
Name = Annotated[str, *_line(1, 200)]
ShortText = Annotated[str, *_line(0, 200)]
Code = Annotated[str, *_line(1, 40)]
Abbreviation = Annotated[str, *_line(0, 40)]
Phone = Annotated[str, *_line(0, 40)]
Email = Annotated[str, *_line(0, 254)]
Town = Annotated[str, *_line(0, 120)]
Postcode = Annotated[str, *_line(0, 12)]
Language = Annotated[str, *_line(1, 60)]
MediumText = Annotated[str, *_text(2000)]
LongText = Annotated[str, *_text(4000)]
Reason = Annotated[str, *_text(500)]
Count = Annotated[int, Field(ge=0, le=100)]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]

PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="Record id")]


class Pagination(BaseModel):
    limit: int
    offset: int


def pagination(
    limit: Annotated[int, Query(ge=1, le=500, description="Page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip")] = 0,
) -> Pagination:
    return Pagination(limit=limit, offset=offset)


PageParams = Annotated[Pagination, Depends(pagination)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class Strict(BaseModel):
    """Request bodies refuse unknown fields: a typo should not be silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Patch(Strict):
    """A partial update: fields left out stay as they are; ``null`` only where it means 'none'."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_nulls(self) -> "Patch":
        nulls = sorted(
            k for k in self.model_fields_set if getattr(self, k) is None and k not in self.NULLABLE
        )
        if nulls:
            raise ValueError(f"{', '.join(nulls)}: may not be null (leave the field out to keep it)")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)
