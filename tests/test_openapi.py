"""The OpenAPI document lists, for every operation, the problems it can answer, each as an
RFC 9457 problem (application/problem+json) with its schema; and real problems match it."""

from collections.abc import Callable
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from app.api_common import PROBLEM_SCHEMA, ProblemDetails
from app.errors import PROBLEM_MEDIA_TYPE
from app.main import app
from tests.factories import Factory

WRITES = {"post", "put", "patch", "delete"}
POSTER = "/venues/{venue_id}/poster.pdf"


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    paths = app.openapi()["paths"]
    return sorted(
        (method, path, operation) for path, ops in paths.items() for method, operation in ops.items()
    )


def _cases() -> list[Any]:
    return [pytest.param(m, p, op, id=f"{m.upper()} {p}") for m, p, op in _operations()]


def _authenticated(method: str, path: str, operation: dict[str, Any]) -> bool:
    return bool(operation.get("security"))


# The problems an operation must list, and which operations: each pair is one test case.
MUST_LIST: dict[str, Callable[[str, str, dict[str, Any]], bool]] = {
    "422": lambda method, path, operation: True,
    "401": _authenticated,
    # Anyone may print the poster (a bad API token is still a 401 there): no 403 to list.
    "403": lambda method, path, operation: _authenticated(method, path, operation) and path != POSTER,
    "404": lambda method, path, operation: any(p["in"] == "path" for p in operation.get("parameters", [])),
    "409": lambda method, path, operation: method in WRITES,
}


def _listing_cases() -> list[Any]:
    return [
        pytest.param(status, m, p, op, id=f"{status} {m.upper()} {p}")
        for status, must in MUST_LIST.items()
        for m, p, op in _operations()
        if must(m, p, op)
    ]


def _problems(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {code: answer for code, answer in operation["responses"].items() if code[0] in "45"}


def test_document_has_the_operations_of_the_api_and_the_printouts() -> None:
    paths = {path for _, path, _ in _operations()}

    assert len(paths) > 40
    assert "/api/v1/events/{event_id}" in paths
    assert POSTER in paths


@pytest.mark.parametrize(("status", "method", "path", "operation"), _listing_cases())
def test_operation_lists_the_problems_it_can_answer(
    status: str, method: str, path: str, operation: dict[str, Any]
) -> None:
    assert status in operation["responses"]


@pytest.mark.parametrize(("method", "path", "operation"), _cases())
def test_every_problem_is_documented_as_problem_json(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    for code, answer in _problems(operation).items():
        content = answer.get("content", {})
        assert PROBLEM_MEDIA_TYPE in content, code
        assert content[PROBLEM_MEDIA_TYPE]["schema"]["required"] == ["type", "title", "status", "detail"], (
            code
        )
        assert "application/json" not in content, f"{code}: problems are never application/json"
        assert answer["description"], code


def test_throttled_and_queued_routes_list_429_and_503_with_retry_after() -> None:
    poster = app.openapi()["paths"][POSTER]["get"]["responses"]
    roster = app.openapi()["paths"]["/rosters.pdf"]["get"]["responses"]

    assert "Retry-After" in poster["429"]["headers"]
    assert "Retry-After" in poster["503"]["headers"]
    assert "503" in roster
    assert list(poster["200"]["content"]) == ["application/pdf"]


def test_problem_schema_is_the_models() -> None:
    assert set(PROBLEM_SCHEMA["properties"]) == set(ProblemDetails.model_fields)


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/api/v1/events/999999", None),  # 404
        ("GET", "/api/v1/events?start=2026-02-30", None),  # 422 with errors
        ("POST", "/api/v1/networks", {"name": "Twice"}),  # 409, sent twice
        ("GET", "/api/v1/users", None),  # 403 for a coordinator
    ],
)
def test_problem_answered_matches_the_documented_schema(
    client: TestClient, make: Factory, method: str, url: str, body: Any
) -> None:
    headers = make.headers("coordinator")
    if body is not None:
        client.request(method, url, headers=headers, json=body)

    answer = client.request(method, url, headers=headers, json=body)

    assert answer.status_code >= 400
    assert answer.headers["content-type"] == PROBLEM_MEDIA_TYPE
    jsonschema_rs.validate(PROBLEM_SCHEMA, answer.json())
    documented = app.openapi()["paths"][url.split("?")[0].replace("999999", "{event_id}")][method.lower()]
    assert str(answer.status_code) in documented["responses"]
