"""Proof that a fuzzer got past sign-in and validation: its answers counted per route.

A "no 500" fuzzer whose every request meets the login wall or the request validator passes
while testing none of the code behind them. Each fuzzer adds every answer to a ``Tally``,
then asks it to show that every route it covered answered from behind that door at least
once: a success, or a rule's own refusal (404, 409, 412, or a 422 from a service's rule
rather than from parsing the request), so a run that never got in fails, naming the routes.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx

# Answers given before an API handler's own code runs: no sign-in, not allowed, a body or
# query the request parser refused (its 422 lists the fields in ``errors``).
API_DOOR = frozenset({"400", "401", "403", "413", "415", "422"})
# A page's door: the sign-in page instead of the page, a refused role or CSRF token (403),
# an id the path refused (422). Its form checks run in the handler, so 400 is past the door.
PAGE_DOOR = frozenset({"401", "403", "422", "login page"})


class Tally:
    """Answers by kind for each route (any label: "POST /api/v1/events")."""

    def __init__(self, door: frozenset[str] = API_DOOR) -> None:
        self.door = door
        self.answers: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def add(self, route: str, answer: str | int) -> None:
        self.answers[route][str(answer)] += 1

    def add_api(self, route: str, status: int, body: Any) -> None:
        """An API answer; a 422 without the parser's ``errors`` list is a service's rule."""
        by_rule = status == 422 and not (isinstance(body, dict) and "errors" in body)
        self.add(route, "422 by a rule" if by_rule else status)

    def add_response(self, route: str, response: httpx.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            body = None
        self.add_api(route, response.status_code, body)

    def add_page(self, route: str, answer: httpx.Response) -> None:
        """A page's answer; a redirect to the sign-in page is the login wall (unless it is a
        sign-out's own answer, which says so in the address)."""
        location = urlsplit(answer.headers.get("location", ""))
        to_login = answer.is_redirect and location.path == "/login" and "signed_out" not in location.query
        self.add(route, "login page" if to_login else answer.status_code)

    def reached(self, route: str) -> int:
        """How many answers came from behind the door."""
        return sum(n for answer, n in self.answers[route].items() if answer not in self.door)

    def succeeded(self, route: str) -> int:
        return sum(n for answer, n in self.answers[route].items() if answer[:1] in ("2", "3"))

    def shown(self, route: str) -> str:
        return ", ".join(f"{answer}×{n}" for answer, n in sorted(self.answers[route].items()))

    def assert_each_reached(self, routes: Iterable[str] | None = None, *, successes: bool = False) -> None:
        """Every route (all added, by default) answered from behind the door, or succeeded."""
        count = self.succeeded if successes else self.reached
        names = sorted(self.answers) if routes is None else sorted(routes)
        assert names, "the fuzzer sent nothing"
        missed = [f"{route}: {self.shown(route) or 'no requests'}" for route in names if not count(route)]
        what = "a success (2xx/3xx)" if successes else "an answer from past sign-in and validation"
        assert not missed, f"never got {what}:\n" + "\n".join(missed)
