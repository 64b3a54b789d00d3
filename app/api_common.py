"""Building blocks every JSON route shares: ids, bounded text, pagination, and the problems
each route lists in the OpenAPI document."""

from collections.abc import Callable, Iterable
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from fastapi import Depends, Path, Query, Response
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app import records
from app.errors import PROBLEM_MEDIA_TYPE

MAX_ID = 2_147_483_647  # PostgreSQL integer: larger ids would be a database error, not a 404.

T = TypeVar("T")
R = TypeVar("R", bound=BaseModel)


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
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
"""A filter by a record's id (``?person_id=3``); left out, no filter."""


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


class Revision:
    """A record's revision over HTTP: the ``ETag`` of the answer, and for a change the
    revisions its ``If-Match`` accepts (``expected``; see ``app.records``)."""

    def __init__(self, response: Response, expected: records.Expected = None) -> None:
        self.response = response
        self.expected = expected

    def tag(self, record: R) -> R:
        """The record, its revision sent as the answer's ``ETag``."""
        self.response.headers["ETag"] = records.etag(int(getattr(record, "revision", 0)))
        return record


def _revision_read(response: Response) -> Revision:
    return Revision(response)


def _revision_changed(response: Response, if_match: records.IfMatch = None) -> Revision:
    return Revision(response, records.expected_revisions(if_match))


ReadRevision = Annotated[Revision, Depends(_revision_read)]
ChangeRevision = Annotated[Revision, Depends(_revision_changed)]


class Public(BaseModel):
    """An answer read from a table row: ``VenuePublic.model_validate(venue)``."""

    model_config = ConfigDict(from_attributes=True)


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


# ---- Problems in the OpenAPI document ----------------------------------------------------


class FieldProblem(BaseModel):
    field: str = Field(description="Where: 'name', 'query.start', 'needs.0.min_count'; empty for the body")
    message: str


class ProblemDetails(BaseModel):
    """An RFC 9457 problem: how every refusal is answered (``application/problem+json``).
    Some carry more members: ``conflicts`` (a move that clashes), ``errors`` (422)…"""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="e.g. /problems/conflict")
    title: str
    status: int
    detail: str = Field(description="The rule, or the clashing record, in words")
    instance: str = Field(default="", description="The path asked for")
    errors: list[FieldProblem] = Field(default=[], description="422: each field and what is wrong with it")


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """The model's JSON schema, compact (no titles) and with its ``$defs`` written in place:
    a response schema that needs no entry under ``components`` (FastAPI lists models there
    only when it serialises them as application/json; problems are application/problem+json).
    The model itself documents the members in words."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, list):
            return [resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return resolve(definitions[node["$ref"].rsplit("/", 1)[-1]])
        words = ("title", "description", "default")
        out = {k: resolve(v) for k, v in node.items() if k not in words and k != "properties"}
        if "properties" in node:
            out["properties"] = {name: resolve(sub) for name, sub in node["properties"].items()}
        return out

    return dict(resolve(schema))


PROBLEM_SCHEMA = _inline(ProblemDetails.model_json_schema())

_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
PROBLEMS: dict[int, tuple[str, dict[str, Any]]] = {
    400: ("The body cannot be read: it is not UTF-8 text", {}),
    401: (
        "Not signed in: no session or API token, or the token is unknown, revoked or expired",
        {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    ),
    403: ("The caller's role, or the record, does not allow it", {}),
    404: ("No such record, or not one the caller may see", {}),
    409: ("Refused by the booking rules, or in conflict with existing data; the detail says which", {}),
    412: ("The record has changed since the revision named in If-Match", {}),
    413: ("Too large to take in one request; the detail says the limit", {}),
    422: ("Invalid input; `errors` names each field", {}),
    428: ("This change needs If-Match with the record's revision", {}),
    429: ("Too many requests from this address or at this account; wait Retry-After seconds", _RETRY_AFTER),
    503: ("Busy for now; try again after Retry-After seconds", _RETRY_AFTER),
}


def problems(*statuses: int, html: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the problems a route can answer. ``html``: a page route,
    which answers a browser with an HTML page and a JSON client with a problem."""
    content: dict[str, Any] = {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}}
    if html:
        content["text/html"] = {"schema": {"type": "string"}}
    answers: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        description, headers = PROBLEMS[status]
        answers[status] = {"description": description, "content": content}
        if headers:
            answers[status]["headers"] = headers
    return answers


API_PREFIX = "/api/v1"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def problem_statuses(path: str, methods: Iterable[str], *, body: bool = False) -> list[int]:
    """What any route can answer, by its shape: 422 (every route validates, and refuses NUL
    characters in any parameter); 400 with a body (one that cannot be read as text); 401 and
    403 under /api/v1, which is for signed-in callers; 404 with a path id; 409 for a write
    (the booking rules, or a clash with existing data)."""
    statuses = {422}
    if body:
        statuses.add(400)
    if path.startswith(API_PREFIX):
        statuses |= {401, 403}
    if "{" in path:
        statuses.add(404)
    if WRITES & {m.upper() for m in methods}:
        statuses.add(409)
    return sorted(statuses)


class ProblemRoute(APIRoute):
    """A route that lists in the OpenAPI document the problems it can answer (see
    ``problem_statuses``), beside any it declares itself in ``responses=`` (which win).
    Routers use it as ``APIRouter(..., route_class=ProblemRoute)``."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        statuses = problem_statuses(self.path, self.methods or (), body=self.body_field is not None)
        self.responses = {**problems(*statuses, html=not self.path.startswith("/api/")), **self.responses}
