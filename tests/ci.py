"""Under CI nothing may skip: a test that lacks a tool fails there, and skips (with why) elsewhere.

One reading of the ``CI`` variable for the whole suite. ``.ci/run`` exports ``CI=true``; other
runners set ``CI=1`` or ``CI=True``, so any of the usual true spellings counts, in any case.
"""

import os
from typing import NoReturn

import pytest

_TRUE = frozenset({"1", "true", "yes", "on"})


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in _TRUE


def need(reason: str) -> NoReturn:
    """Stop the test for a missing tool or service: a failure under CI, a skip elsewhere."""
    if under_ci():
        pytest.fail(f"{reason} (under CI nothing may skip)")
    pytest.skip(reason)
