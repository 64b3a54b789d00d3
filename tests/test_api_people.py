"""People and their representation opt-ins: special-category data seen only by planners and the person."""

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.dates import at, next_in_month
from tests.factories import Factory
from tests.forms import sign_in

LEAVE = next_in_month(8, 0)  # a Monday in August, so midnight in London is 23:00 UTC (BST)
WEEK = timedelta(weeks=1)


def test_coordinator_creates_person_and_sees_representation(client: TestClient, make: Factory) -> None:
    h = make.headers("coordinator")
    network = make.network("Women's Network")
    r = client.post(
        "/api/v1/people",
        json={
            "name": "Grace Okafor",
            "staff_number": "LC4321",
            "kind": "police_officer",
            "languages": ["Yoruba"],
        },
        headers=h,
    )
    assert r.status_code == 201
    person_id = r.json()["id"]
    opt = client.post(
        f"/api/v1/people/{person_id}/representations", json={"network_id": network.id}, headers=h
    )
    assert (opt.status_code, opt.json()["public_naming"]) == (201, False)
    person = client.get(f"/api/v1/people/{person_id}", headers=h).json()
    assert [rep["network_id"] for rep in person["representations"]] == [network.id]


def test_duplicate_staff_number_is_409(client: TestClient, make: Factory) -> None:
    make.person(name="Tom Walsh", staff_number="LC1")
    r = client.post(
        "/api/v1/people",
        json={"name": "Other", "staff_number": "LC1", "kind": "pcso"},
        headers=make.headers("coordinator"),
    )
    assert r.status_code == 409
    assert r.json()["detail"].startswith("staff number LC1 already belongs to Tom Walsh")


def test_staff_sees_own_representation_but_not_others(client: TestClient, make: Factory) -> None:
    network = make.network("LGBT+ network")
    me, colleague = make.person(), make.person()
    make.represent(me, network)
    make.represent(colleague, network)
    h = make.headers("staff", person=me)
    mine = client.get(f"/api/v1/people/{me.id}", headers=h)
    assert [rep["network_id"] for rep in mine.json()["representations"]] == [network.id]
    assert client.get(f"/api/v1/people/{colleague.id}", headers=h).status_code == 403
    assert client.get(f"/api/v1/people/{colleague.id}/representations", headers=h).status_code == 403
    assert client.get("/api/v1/people", headers=h).status_code == 403


def test_staff_opts_in_and_withdraws_at_once(client: TestClient, make: Factory) -> None:
    network = make.network("Black Police Association")
    me = make.person()
    event = make.event()
    client.patch(
        f"/api/v1/events/{event.id}",
        json={"network_needs": [{"network_id": network.id, "min_count": 1}]},
        headers=make.headers("coordinator"),
    )
    make.assign(event, me)
    h = make.headers("staff", person=me)
    rep = client.post(
        f"/api/v1/people/{me.id}/representations",
        json={"network_id": network.id, "public_naming": True},
        headers=h,
    ).json()
    planner = make.headers("coordinator")
    assert (
        client.get(f"/api/v1/events/{event.id}/staffing", headers=planner).json()["networks"][0]["have"] == 1
    )
    # The duty that counted on it is named first; confirming withdraws at once and flags the duty.
    asked = client.delete(f"/api/v1/representations/{rep['id']}", headers=h)
    assert asked.status_code == 409
    assert [a["event_id"] for a in asked.json()["affected"]] == [event.id]
    withdrawn = client.delete(f"/api/v1/representations/{rep['id']}?accept_conflicts=true", headers=h)
    assert withdrawn.status_code == 204
    assert client.get(f"/api/v1/people/{me.id}/representations", headers=h).json() == []
    assert (
        client.get(f"/api/v1/events/{event.id}/staffing", headers=planner).json()["networks"][0]["have"] == 0
    )


def test_staff_cannot_opt_in_someone_else(client: TestClient, make: Factory) -> None:
    network = make.network()
    other = make.person()
    r = client.post(
        f"/api/v1/people/{other.id}/representations",
        json={"network_id": network.id},
        headers=make.headers("staff"),
    )
    assert r.status_code == 403


def test_public_naming_consent_can_be_withdrawn(client: TestClient, make: Factory) -> None:
    me = make.person()
    rep = make.represent(me, make.network(), public_naming=True)
    h = make.headers("staff", person=me)
    r = client.patch(f"/api/v1/representations/{rep.id}", json={"public_naming": False}, headers=h)
    assert (r.status_code, r.json()["public_naming"], r.json()["public_naming_at"]) == (200, False, None)


def test_staff_records_own_unavailability_without_person_id(client: TestClient, make: Factory) -> None:
    me = make.person()
    h = make.headers("staff", person=me)
    r = client.post(
        "/api/v1/unavailability",
        json={"starts_at": at(LEAVE, 0), "ends_at": at(LEAVE + WEEK, 0), "reason": "annual_leave"},
        headers=h,
    )
    assert (r.status_code, r.json()["person_id"], r.json()["starts_at"]) == (
        201,
        me.id,
        f"{LEAVE}T00:00:00+01:00",
    )
    page = client.get("/api/v1/unavailability", headers=h).json()
    assert page["total"] == 1


def test_unavailability_ending_before_start_is_422(client: TestClient, make: Factory) -> None:
    me = make.person()
    r = client.post(
        "/api/v1/unavailability",
        json={"starts_at": at(LEAVE + WEEK, 0), "ends_at": at(LEAVE, 0), "reason": "training"},
        headers=make.headers("staff", person=me),
    )
    assert (r.status_code, r.json()["detail"]) == (422, "an unavailability must end after it starts")


def test_partner_cannot_read_people(client: TestClient, make: Factory) -> None:
    person = make.person()
    h = make.headers("partner")
    assert client.get(f"/api/v1/people/{person.id}", headers=h).status_code == 403


def test_unknown_field_in_body_is_422(client: TestClient, make: Factory) -> None:
    r = client.post(
        "/api/v1/people",
        json={"name": "A", "staff_number": "X1", "kind": "pcso", "ethnicity": "secret"},
        headers=make.headers("coordinator"),
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "ethnicity"


def test_revoked_or_unknown_token_is_401(client: TestClient, make: Factory) -> None:
    headers = make.headers("coordinator")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token_id = client.get("/api/v1/me/tokens", headers=headers).json()[0]["id"]
    assert client.delete(f"/api/v1/me/tokens/{token_id}", headers=headers).status_code == 204

    revoked = client.get("/api/v1/me", headers=headers)
    assert revoked.status_code == 401
    assert revoked.json()["detail"].startswith("the API token was revoked on ")
    unknown = client.get("/api/v1/me", headers={"Authorization": "Bearer mst_not-a-real-token"})
    assert (unknown.status_code, unknown.json()["detail"]) == (
        401,
        "the API token is not known: check that it was copied whole",
    )


def test_me_shows_role_and_links(client: TestClient, make: Factory) -> None:
    venue = make.venue()
    user = make.user("partner", venues=[venue])
    r = client.get("/api/v1/me", headers=make.token(user))
    assert (r.json()["role"], r.json()["venue_ids"], r.json()["email"]) == ("partner", [venue.id], user.email)


def test_session_cookie_login_reaches_api(client: TestClient, make: Factory) -> None:
    user = make.user("coordinator")
    assert client.get("/login").status_code == 200
    sign_in(client, user)
    assert client.get("/api/v1/me").json()["email"] == user.email


def test_admin_creates_partner_user_linked_to_venue(client: TestClient, make: Factory) -> None:
    venue = make.venue()
    r = client.post(
        "/api/v1/users",
        json={
            "email": "Partner@Example.org",
            "password": "long enough pw",
            "role": "partner",
            "venue_ids": [venue.id],
        },
        headers=make.headers("admin"),
    )
    assert (r.status_code, r.json()["email"], r.json()["venue_ids"]) == (
        201,
        "partner@example.org",
        [venue.id],
    )


def test_partner_user_without_venue_is_422(client: TestClient, make: Factory) -> None:
    r = client.post(
        "/api/v1/users",
        json={"email": "p@example.org", "password": "long enough pw", "role": "partner"},
        headers=make.headers("admin"),
    )
    assert (r.status_code, r.json()["detail"]) == (
        422,
        "a partner user must be linked to at least one venue (venue_ids)",
    )


def test_staff_probing_a_colleagues_record_ids_learns_nothing(client: TestClient, make: Factory) -> None:
    # A colleague's opt-in or time away reads exactly as an id that does not exist: a 403
    # would tell a staff member which ids are someone's representation or leave.
    me, colleague = make.person(), make.person()
    rep = make.represent(colleague, make.network("Sikh Police Association"))
    mine = make.headers("staff", person=colleague)
    away = client.post(
        "/api/v1/unavailability",
        json={"starts_at": at(LEAVE, 0), "ends_at": at(LEAVE + WEEK, 0), "reason": "sickness"},
        headers=mine,
    ).json()
    h = make.headers("staff", person=me)
    missing = 2_000_000_000
    for kind, existing in (("representation", rep.id), ("unavailability", away["id"])):
        path = "representations" if kind == "representation" else "unavailability"
        for method, body in (
            ("PATCH", {"public_naming": True} if kind == "representation" else {"note": "x"}),
            ("DELETE", None),
        ):
            theirs = client.request(method, f"/api/v1/{path}/{existing}", json=body, headers=h)
            nothing = client.request(method, f"/api/v1/{path}/{missing}", json=body, headers=h)
            assert (theirs.status_code, nothing.status_code) == (404, 404)
            assert theirs.json()["detail"] == f"{kind} {existing} does not exist"
            assert nothing.json()["detail"] == f"{kind} {missing} does not exist"
    assert client.get(f"/api/v1/unavailability/{away['id']}", headers=h).status_code == 404
    # Nothing was changed or lost, and the owner and planners still see them.
    assert client.get(f"/api/v1/unavailability/{away['id']}", headers=mine).json()["note"] == ""
    assert (
        client.get(f"/api/v1/unavailability/{away['id']}", headers=make.headers("coordinator")).status_code
        == 200
    )
    reps = client.get(f"/api/v1/people/{colleague.id}/representations", headers=mine).json()
    assert [(r["id"], r["public_naming"]) for r in reps] == [(rep.id, False)]
