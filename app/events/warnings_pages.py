"""Planning warnings on the booking pages (new event, edit or move, book across venues).

A booking that raises warnings is not saved at first: the form comes back with the warnings
in words (by venue when booking several) and a "Book anyway" box. Ticking it sends back the
fingerprint of the warnings shown, so a booking is made despite exactly the warnings that
were read; change the date and any new warnings are shown afresh.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlmodel import Session

from app.pages.forms import FormInput
from app.planning.acknowledge import Gate, Unacknowledged

FIELD = "acknowledge_warnings"


def gate_from(form: FormInput) -> Gate:
    """The warnings the coordinator ticked "Book anyway" for, as the booking checks them."""
    return Gate(shown=form.raw(FIELD)[:64])


@contextmanager
def held_for_warnings(session: Session, warned: dict[str, Any]) -> Iterator[None]:
    """Warnings not yet acknowledged fill ``warned`` with what the form shows them with
    (nothing was saved); every other refusal goes on as before."""
    try:
        yield
    except Unacknowledged as exc:
        session.rollback()
        warned.update(warnings_context(exc))


def warnings_context(exc: Unacknowledged) -> dict[str, Any]:
    total = sum(len(v.warnings) for v in exc.found)
    return {"planning_warnings": exc.found, "warnings_mark": exc.fingerprint, "warnings_total": total}
