"""Schemathesis over every operation of /api/v1/openapi.json, in-process against the ASGI app,
as a coordinator and as a member of staff (API tokens), on the test database with a small
world from tests/factories.py (the permission tests' world: two venues, people, events, an
assignment, a representation, unavailability, a campaign, networks, a user, a message).

Each response must not be a 5xx and must agree with the document: its status code listed
for the operation, its content type listed for that status, its body valid against that
schema, its documented headers present. Half the examples put the world's real ids in the
path (the other half keep the generated ones, mostly "not found"), so that operations
reach their rules and not only their 404s. The solver's time limit is capped at a second.

Every operation that one of the two callers may call must answer at least once from behind
sign-in and validation (tests/reach.py), so a run whose every request meets a 401, 403 or
422 fails rather than passing having tested nothing behind them.

Settings: the examples and fuzzing phases (not coverage or stateful), positive and negative
data, ``MAX_EXAMPLES`` = 50 generated cases per operation and role, derandomised, no example
database. The whole module (about 170 operation-and-role items) takes about 75 seconds on
SQLite and 95 on PostgreSQL on the 2-core development machine (shared with other jobs).
"""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import hypothesis
import pytest
import schemathesis
import sqlalchemy as sa
from argon2 import PasswordHasher
from hypothesis import HealthCheck
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks
from sqlmodel import Session

from app.accounts import security
from app.accounts.models import User
from app.main import app
from app.people.models import Person
from tests.conftest import _empty
from tests.factories import Factory
from tests.reach import Tally
from tests.test_permissions import RULES, World, _build_world

MAX_EXAMPLES = 50
ROLES = ("coordinator", "staff")
TALLY = Tally()  # by "operation [role]"

CHECKS: list[CheckFunction] = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
]

CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        # The callers' tokens are sent by the test, not generated.
        "generation": {"mode": "all", "with-security-parameters": False},
    }
)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app, config=CONFIG)


@dataclass(frozen=True)
class Caller:
    role: str
    user: User
    world: World


@pytest.fixture(scope="module", params=ROLES)
def caller(request: pytest.FixtureRequest, engine: sa.Engine) -> Iterator[Caller]:
    """The world, built once per role for the whole module (operations' writes accumulate)."""
    _empty(engine)
    with pytest.MonkeyPatch.context() as patch, Session(engine, expire_on_commit=False) as session:
        patch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        make = Factory(session)
        world = _build_world(make)
        if request.param == "staff":
            user = make.user("staff", person=session.get(Person, world.own.person))
        else:
            user = make.user("coordinator")
        yield Caller(request.param, user, world)


@pytest.fixture()
def token(caller: Caller, engine: sa.Engine) -> dict[str, str]:
    """A fresh API token for each operation: an earlier one may have revoked the last."""
    with Session(engine) as session:
        return Factory(session).token(caller.user)


_CALLS = itertools.count()


def _json_or_none(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


@pytest.fixture(scope="module", autouse=True)
def _each_operation_reached() -> Iterator[None]:
    """After the module: every operation got past sign-in and validation for a role allowed it."""
    yield
    allowed = Tally()
    for label, answers in TALLY.answers.items():
        operation, role = label.removesuffix("]").split(" [")
        method, path = operation.split(" ", 1)
        rule = RULES.get((method, path))
        if rule is not None and role in rule.allowed:
            allowed.answers[operation].update(answers)
    allowed.assert_each_reached()


@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_agrees_with_its_openapi_document(
    case: schemathesis.Case, caller: Caller, token: dict[str, str]
) -> None:
    if next(_CALLS) % 2 and case.path_parameters:  # every other case: the world's own ids
        known = caller.world.path_ids("own")
        case.path_parameters = {k: known.get(k, v) for k, v in case.path_parameters.items()}
    if isinstance(case.body, dict) and isinstance(case.body.get("time_limit_seconds"), int | float):
        case.body["time_limit_seconds"] = min(case.body["time_limit_seconds"], 1)
    response = case.call_and_validate(headers=token, checks=CHECKS)
    label = f"{case.operation.method.upper()} {case.operation.path} [{caller.role}]"
    TALLY.add_api(label, response.status_code, _json_or_none(response))
