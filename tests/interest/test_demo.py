"""The demo's expressions of interest: fictitious, labelled, spread over events and statuses."""

from collections import Counter

from sqlmodel import Session

from app import demo
from app.interest.demo import LABEL, load_demo
from tests.dates import today


def test_demo_interest_is_fictitious_labelled_and_spread(db: Session) -> None:
    demo.load(db, today=today())

    made = load_demo(db, today=today())

    assert len(made) == 12
    assert all(r.message == LABEL for r in made)
    assert all(r.email.endswith("@example.org") or r.phone.startswith("07700 900") for r in made)
    assert Counter(str(r.status) for r in made) == {
        "new": 6,
        "contacted": 3,
        "applied": 2,
        "not_interested": 1,
    }
    assert len({r.event_id for r in made if r.event_id}) >= 6
    assert sum(1 for r in made if r.event_id is None) == 3
    assert all(r.town for r in made if r.event_id)
