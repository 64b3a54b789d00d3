"""A person's own record: their time away, what Muster holds about them, their networks."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.clock import utcnow
from app.enums import UnavailabilityReason
from app.people.models import Representation, Unavailability
from tests.factories import Factory, fresh
from tests.forms import form_errors, post, sign_in


def _staff(client: TestClient, make: Factory, name: str = "Aisha Hussain"):  # type: ignore[no-untyped-def]
    person = make.person(name)
    sign_in(client, make.user("staff", person=person))
    return person


def test_add_and_remove_time_away(client: TestClient, make: Factory, db: Session) -> None:
    person = _staff(client, make)
    saved = post(
        client,
        "/my/unavailability",
        {
            "start_date": "2031-08-03",
            "end_date": "2031-08-14",
            "start_time": "00:00",
            "end_time": "23:59",
            "reason": "annual_leave",
            "note": "Family holiday",
        },
    )
    assert saved.status_code == 303
    row = db.exec(select(Unavailability)).one()
    assert row.person_id == person.id
    assert (row.starts_at.isoformat(), row.ends_at.isoformat()) == (
        "2031-08-02T23:00:00+00:00",
        "2031-08-14T23:00:00+00:00",
    )
    removed = post(client, f"/my/unavailability/{row.id}/delete")
    assert removed.status_code == 303
    assert db.exec(select(Unavailability)).all() == []


def test_time_away_errors_keep_input(client: TestClient, make: Factory) -> None:
    _staff(client, make)
    answer = post(
        client,
        "/my/unavailability",
        {"start_date": "2031-08-10", "end_date": "2031-08-01", "reason": "training", "note": "Keep me"},
    )
    assert form_errors(answer) == {"end_date": "The last day must be the same as or after the first day"}
    assert 'value="Keep me"' in answer.text


def test_time_away_of_someone_else_cannot_be_removed_even_by_a_coordinator(
    client: TestClient, make: Factory, db: Session
) -> None:
    other = make.person("Tom Reid")
    now = utcnow()
    row = make.away(other, now + timedelta(days=3), now + timedelta(days=4), UnavailabilityReason.training)
    sign_in(client, make.user("coordinator", person=make.person("Sergeant Khan")))
    assert post(client, f"/my/unavailability/{row.id}/delete").status_code == 404
    assert db.exec(select(Unavailability)).all() == [row]


def test_my_data_opt_in_public_naming_and_withdraw(client: TestClient, make: Factory, db: Session) -> None:
    network = make.network("Muslim Police Association")
    person = _staff(client, make)
    page = client.get("/my/data")
    assert "You do not represent any network." in page.text
    added = post(client, "/my/data/networks", {"network_id": network.id})
    assert added.status_code == 303
    assert "You now represent the Muslim Police Association" in client.get("/my/data").text
    rep = db.exec(select(Representation)).one()
    assert (rep.person_id, rep.public_naming) == (person.id, False)
    post(client, f"/my/data/networks/{rep.id}/naming", {"public_naming": "yes"})
    assert fresh(db, Representation, rep.id).public_naming is True
    post(client, f"/my/data/networks/{rep.id}/withdraw")
    db.expire_all()
    assert db.exec(select(Representation)).all() == []


def test_my_data_refuses_a_network_that_does_not_exist(
    client: TestClient, make: Factory, db: Session
) -> None:
    _staff(client, make)
    answer = post(client, "/my/data/networks", {"network_id": 999})
    assert form_errors(answer) == {"network_id": "Network 999 does not exist"}
    assert db.exec(select(Representation)).all() == []


def test_my_data_counts_duties_and_time_away(client: TestClient, make: Factory) -> None:
    person = _staff(client, make)
    make.assign(make.event(), person)
    page = client.get("/my/data").text
    assert "1 assignment on record" in page
    assert "0 periods recorded" in page


def test_my_data_cannot_withdraw_someone_elses_opt_in(client: TestClient, make: Factory, db: Session) -> None:
    network = make.network()
    rep = make.represent(make.person("Other"), network)
    _staff(client, make)
    assert post(client, f"/my/data/networks/{rep.id}/withdraw").status_code == 404
    assert db.get(Representation, rep.id) is not None


def test_my_data_changes_only_ones_own_opt_ins_even_for_a_coordinator(
    client: TestClient, make: Factory, db: Session
) -> None:
    rep = make.represent(make.person("Other"), make.network(), public_naming=True)
    sign_in(client, make.user("coordinator", person=make.person("Sergeant Khan")))
    assert post(client, f"/my/data/networks/{rep.id}/naming", {"public_naming": ""}).status_code == 404
    assert post(client, f"/my/data/networks/{rep.id}/withdraw").status_code == 404
    assert fresh(db, Representation, rep.id).public_naming is True
