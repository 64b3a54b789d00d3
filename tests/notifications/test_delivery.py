"""Delivery end to end: the outbox row is part of the change's transaction, the worker
survives a mail server that is down, busy or refusing, several changes become one
message, and a worker killed at any moment loses nothing and sends nothing twice except
the one message it may have been handing over when it died (same Message-ID).

Everything is real: the migrated test database (SQLite, or PostgreSQL with
``MUSTER_TEST_DATABASE_URL``), an aiosmtpd server on loopback, and ``muster worker``
processes where one is killed.
"""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SMTPSession
from icalendar import Calendar
from sqlmodel import Session, col, select

from app import migrate
from app.assignments.models import Assignment
from app.audit.service import SYSTEM
from app.clock import utcnow
from app.config import get_settings
from app.db import make_engine
from app.enums import AssignmentRole, AssignmentStatus, EventStatus, PersonKind
from app.errors import Conflict
from app.events import service as events
from app.events.models import Event
from app.notifications import outbox, triggers
from app.notifications.messages import duty
from app.notifications.mime import message_id
from app.notifications.models import PENDING, ActionLink, OutboxMessage
from app.pages.rendering import span
from app.people.models import Person
from app.worker import jobs, runner
from app.worker.models import Job
from app.worker.runner import Worker
from tests.conftest import TEST_DATABASE_URL
from tests.factories import Factory, future
from tests.notifications.conftest import Sink, SinkServer
from tests.servers import stop
from tests.test_migrations import postgres_base_url, scratch_postgres_database

MUSTER = Path(sys.executable).with_name("muster")
ROOT = Path(__file__).resolve().parents[2]
OUTBOX = outbox.OUTBOX


# --- helpers -------------------------------------------------------------------------


class KeepingSink(Sink):
    """A mail server that keeps a message it has read in full even when the sender is gone
    before the reply, as a real one that has queued it does. (aiosmtpd alone cancels the
    handler when the connection drops, which would lose a held message.)"""

    async def handle_DATA(self, server: SMTP, session: SMTPSession, envelope: Envelope) -> str:
        return await asyncio.shield(Sink.handle_DATA(self, server, session, envelope))


@pytest.fixture()
def keeping_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Sink, str]]:
    """The test SMTP server with a :class:`KeepingSink`; the app in this process sends to it."""
    server = SinkServer()
    server.sink = KeepingSink()
    server.controller = Controller(server.sink, hostname="127.0.0.1", port=server.port)
    url = server.start()
    monkeypatch.setattr(get_settings(), "smtp_url", url)
    yield server.sink, url
    server.stop()


def _rows(session: Session) -> list[OutboxMessage]:
    """Every outbox row, read afresh (a new transaction: what other processes committed)."""
    session.rollback()
    session.expire_all()
    rows = list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())
    session.commit()  # ends the read; the rows keep what was read
    return rows


def _statuses(session: Session) -> Counter[str]:
    session.rollback()
    query = sa.select(OUTBOX.c.status, sa.func.count()).group_by(OUTBOX.c.status)
    found = Counter({status: int(n) for status, n in session.execute(query).all()})
    session.commit()
    return found


def _make_due(session: Session) -> None:
    """Let the retry wait or the coalescing delay pass: pending rows are due now."""
    session.execute(sa.update(OUTBOX).where(OUTBOX.c.status == PENDING).values(due_at=utcnow()))
    session.commit()


def _expire_leases(session: Session) -> int:
    """What five minutes passing does to a dead worker's claims: their leases run out."""
    result: Any = session.execute(
        sa.update(OUTBOX)
        .where(OUTBOX.c.status == outbox.SENDING)
        .values(claimed_until=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    return int(result.rowcount)


def _text(message: Message) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def _calendar(message: Message) -> Calendar:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_content())
    raise AssertionError("no text/calendar part")


def _what_it_says(message: Message) -> tuple[str, ...]:
    """Subject, date and every part's content: equal for two copies of one composed message
    (the MIME boundaries differ, being drawn afresh for each copy)."""
    parts = tuple(str(p.get_content()) for p in message.walk() if not p.is_multipart())
    return (str(message["Subject"]), str(message["Date"]), str(message["To"]), *parts)


def _wait_for(condition: Callable[[], bool], *, seconds: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            detail = f"\nworker log:\n{log.read_text()[-4000:]}" if log and log.exists() else ""
            pytest.fail(f"timed out after {seconds:g} s waiting for {what}{detail}")
        time.sleep(0.005)


def _build_duties(session: Session, *, events: int, people: int, tag: str) -> int:
    """``events`` confirmed events on different days, each with the same ``people`` proposed
    on it, written through the ORM so the hooks add one duty message per assignment on
    commit (due at once: MUSTER_NOTIFY_DELAY_SECONDS is 0 in tests). How many duties."""
    triggers.install()
    make = Factory(session)
    venue, campaign = make.venue(), make.campaign()
    assert venue.id is not None and campaign.id is not None
    persons = [
        Person(
            name=f"PC {tag} {i:04d}",
            staff_number=f"{tag}{i:05d}",
            kind=PersonKind.police_officer,
            base_town="Blackburn",
            email=f"{tag.lower()}{i}@force.test",
        )
        for i in range(people)
    ]
    session.add_all(persons)
    days = [
        Event(
            campaign_id=campaign.id,
            venue_id=venue.id,
            title=f"Careers fair {tag} {i}",
            starts_at=future(10 + i),
            ends_at=future(10 + i) + timedelta(hours=6),
            status=EventStatus.confirmed,
            ambassadors_needed=people,
        )
        for i in range(events)
    ]
    session.add_all(days)
    session.flush()
    session.add_all(
        Assignment(event_id=e.id or 0, person_id=p.id or 0, role=AssignmentRole.ambassador)
        for e in days
        for p in persons
    )
    session.commit()
    return events * people


def _worker_env(database_url: str, smtp_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "MUSTER_DATABASE_URL": database_url,
        "MUSTER_SMTP_URL": smtp_url,
        "MUSTER_SECRET_KEY": os.environ["MUSTER_SECRET_KEY"],
        "MUSTER_BASE_URL": os.environ["MUSTER_BASE_URL"],
        "MUSTER_NOTIFY_DELAY_SECONDS": "0",
        "MUSTER_WORKER_POLL_SECONDS": "0.1",
    }


@contextmanager
def worker_process(
    database_url: str, smtp_url: str, log: Path, *args: str
) -> Iterator[subprocess.Popen[bytes]]:
    """``muster worker`` in a process of its own; stopped (SIGTERM, then SIGKILL) at the end
    if the test has not killed it already."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [str(MUSTER), "worker", *args],
            cwd=ROOT,
            env=_worker_env(database_url, smtp_url),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield proc
    finally:
        stop(proc, grace=30)


def _run_once(database_url: str, smtp_url: str, log: Path) -> None:
    """``muster worker --once``: everything due, then it stops by itself."""
    with worker_process(database_url, smtp_url, log, "--once") as proc:
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            pytest.fail(f"muster worker --once did not finish in 120 s:\n{log.read_text()[-4000:]}")
    assert proc.returncode == 0, log.read_text()[-4000:]


# --- the outbox row is part of the change --------------------------------------------


def test_assign_refused_with_conflict_leaves_no_outbox_row(make: Factory) -> None:
    db = make.session
    person = make.person(email="asha@force.test")
    first = make.event(starts_at=future(10))
    clashing = make.event(starts_at=future(10, hour=12))
    duty = make.assign(first, person)
    assert [(r.topic, r.status) for r in _rows(db)] == [(triggers.duty_topic(duty.id or 0), PENDING)]

    with pytest.raises(Conflict):
        make.assign(clashing, person)
    db.rollback()
    make.person()  # an unrelated change commits afterwards: nothing of the refused one rides along

    assert [r.topic for r in _rows(db)] == [triggers.duty_topic(duty.id or 0)]
    assert db.exec(select(Assignment).where(Assignment.event_id == clashing.id)).all() == []


def test_change_rolled_back_after_flush_leaves_no_outbox_row(make: Factory, worker: Worker) -> None:
    db = make.session
    event = make.event(starts_at=future(10))
    team = [make.assign(event, make.person(email=f"team{i}@force.test")) for i in range(3)]
    worker.drain()  # no mail server configured: the proposals are composed and kept ("held")
    assert _statuses(db) == {outbox.HELD: 3}

    event.title = "Renamed, then thought better of"
    db.add(event)
    db.flush()  # the hooks have seen the change…
    db.rollback()  # …and it is undone
    make.person()
    assert _statuses(db) == {outbox.HELD: 3}

    event = db.get(Event, event.id) or event
    event.title = "Careers fair (renamed)"
    db.add(event)
    db.commit()
    pending = [r for r in _rows(db) if r.status == PENDING]
    assert sorted(r.topic for r in pending) == sorted(triggers.duty_topic(a.id or 0) for a in team)


def test_event_move_refused_with_conflict_leaves_no_outbox_row(make: Factory, worker: Worker) -> None:
    db = make.session
    person = make.person(email="kay@force.test")
    here = make.event(starts_at=future(10))
    there = make.event(starts_at=future(12))
    make.assign(here, person, status=AssignmentStatus.confirmed)
    moved = make.assign(there, person, status=AssignmentStatus.confirmed)
    worker.drain()
    assert _statuses(db) == {outbox.HELD: 2}

    onto_the_other = {"starts_at": here.starts_at, "ends_at": here.ends_at}
    with pytest.raises(Conflict):
        events.update_event(session=db, actor=SYSTEM, event_id=there.id or 0, changes=onto_the_other)
    make.person()
    assert _statuses(db) == {outbox.HELD: 2}

    events.update_event(
        session=db, actor=SYSTEM, event_id=there.id or 0, changes=onto_the_other, accept_conflicts=True
    )
    assert [r.topic for r in _rows(db) if r.status == PENDING] == [triggers.duty_topic(moved.id or 0)]


# --- the mail server down, busy, refusing --------------------------------------------


def test_smtp_down_then_up_delivers_every_message_once(
    make: Factory, worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make.session
    event = make.event(starts_at=future(10))
    for i in range(5):
        make.assign(event, make.person(email=f"down{i}@force.test"))
    server = SinkServer()  # its port is free and nothing listens on it yet
    monkeypatch.setattr(get_settings(), "smtp_url", f"smtp://127.0.0.1:{server.port}")

    worker.drain()
    worker.drain()  # still waiting out the retry delay: nothing is tried again
    rows = _rows(db)
    assert {r.status for r in rows} == {PENDING}
    assert sum(r.attempts for r in rows) == 1  # one tried; the rest handed back untried
    assert all("cannot reach the mail server" in r.last_error for r in rows)
    assert all(r.due_at > utcnow() for r in rows)

    _make_due(db)
    worker.drain()  # time passed, the server is still down
    rows = _rows(db)
    assert {r.status for r in rows} == {PENDING}
    assert sum(r.attempts for r in rows) == 2

    server.start()
    try:
        _make_due(db)
        worker.drain()
        worker.drain()
        arrived = server.sink.message_ids()
    finally:
        server.stop()
    rows = _rows(db)
    assert {r.status for r in rows} == {outbox.SENT}
    assert sorted(arrived) == sorted(message_id(r) for r in rows)
    assert len(set(arrived)) == len(arrived) == 5


def test_smtp_451_retried_then_delivered(make: Factory, mailbox: Sink, worker: Worker) -> None:
    db = make.session
    make.assign(make.event(starts_at=future(10)), make.person(email="busy@force.test"))
    mailbox.refuse_with = "451 Try again later"

    worker.drain()
    _make_due(db)
    worker.drain()
    [row] = _rows(db)
    assert (row.status, row.attempts) == (PENDING, 2)
    assert "451 Try again later" in row.last_error
    assert mailbox.messages == []

    mailbox.refuse_with = None
    _make_due(db)
    worker.drain()
    [row] = _rows(db)
    assert (row.status, row.attempts) == (outbox.SENT, 2)
    assert mailbox.message_ids() == [message_id(row)]


def test_smtp_451_until_max_attempts_is_failed_with_reply(
    make: Factory, mailbox: Sink, worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make.session
    make.assign(make.event(starts_at=future(10)), make.person(email="busy@force.test"))
    monkeypatch.setattr(get_settings(), "outbox_max_attempts", 3)
    monkeypatch.setattr(get_settings(), "outbox_retry_seconds", 0)
    mailbox.refuse_with = "451 Try again later"

    worker.drain()  # retried at once (no wait) until the attempts are used up

    [row] = _rows(db)
    assert (row.status, row.attempts) == (outbox.FAILED, 3)
    assert row.last_error == "the mail server said to try later: 451 Try again later"
    assert mailbox.messages == []


def test_smtp_550_is_failed_at_once(make: Factory, mailbox: Sink, worker: Worker) -> None:
    db = make.session
    event = make.event(starts_at=future(10))
    for i in range(2):
        make.assign(event, make.person(email=f"nobody{i}@force.test"))
    mailbox.refuse_with = "550 No such user here"

    worker.drain()

    rows = _rows(db)
    assert [(r.status, r.attempts) for r in rows] == [(outbox.FAILED, 1)] * 2
    assert all(r.last_error == "the mail server refused the message: 550 No such user here" for r in rows)
    assert mailbox.messages == []


# --- several changes, one message ----------------------------------------------------


def test_changes_within_delay_become_one_message_saying_the_latest(
    make: Factory, mailbox: Sink, worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make.session
    monkeypatch.setattr(get_settings(), "notify_delay_seconds", 120)
    aisha = make.person("Aisha Hussain", email="aisha@force.test")
    event = make.event(starts_at=future(10))
    duty = make.assign(event, aisha)
    new_start, new_end = event.starts_at + timedelta(days=1), event.ends_at + timedelta(days=1)
    events.update_event(
        session=db, actor=SYSTEM, event_id=event.id or 0, changes={"starts_at": new_start, "ends_at": new_end}
    )
    make.assign(event, make.person("Sgt Lee Brown", email="lee@force.test"), role=AssignmentRole.lead)

    topic = triggers.duty_topic(duty.id or 0)
    assert [(r.topic, r.status) for r in _rows(db) if r.topic == topic] == [(topic, PENDING)]
    worker.drain()
    assert mailbox.messages == []  # not due for two minutes

    _make_due(db)
    worker.drain()

    [message] = mailbox.to("aisha@force.test")
    assert message["Subject"].startswith("Can you do this? ")
    text = _text(message)
    assert f"When:  {span(new_start, new_end)}" in text
    assert "Team lead: Sgt Lee Brown" in text
    [vevent] = _calendar(message).walk("VEVENT")
    assert vevent.decoded("DTSTART") == new_start


def test_changes_after_told_become_one_changed_message(
    make: Factory, mailbox: Sink, worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make.session
    tom = make.person("Tom Ainsworth", email="tom@force.test")
    event = make.event(starts_at=future(10))
    make.assign(event, tom, status=AssignmentStatus.confirmed)
    worker.drain()
    assert [m["Subject"].split(":")[0] for m in mailbox.to("tom@force.test")] == ["Confirmed"]

    monkeypatch.setattr(get_settings(), "notify_delay_seconds", 120)
    new_start, new_end = event.starts_at + timedelta(hours=2), event.ends_at + timedelta(hours=2)
    events.update_event(
        session=db, actor=SYSTEM, event_id=event.id or 0, changes={"starts_at": new_start, "ends_at": new_end}
    )
    make.assign(event, make.person("Insp Ruth Kay", email="ruth@force.test"), role=AssignmentRole.lead)
    _make_due(db)
    worker.drain()

    _confirmed, changed = mailbox.to("tom@force.test")
    assert changed["Subject"].startswith("Changed: ")
    text = _text(changed)
    assert f"it is now {span(new_start, new_end)}" in text
    assert "The team lead is now Insp Ruth Kay." in text


# --- a batch in which one message cannot be composed ----------------------------------


def test_batch_with_skip_and_composer_error_sends_the_rest_once(
    make: Factory, mailbox: Sink, worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch's compositions are saved together; one with nothing to say and one whose
    composer fails are recorded on their own, and the rest still go, once each, with only
    their own links kept."""
    db = make.session
    fair = make.event(starts_at=future(10))
    first = [make.assign(fair, make.person(email=f"early{i}@force.test")) for i in range(2)]
    called_off = make.event(starts_at=future(12))
    withdrawn = make.assign(called_off, make.person(email="withdrawn@force.test"))
    events.cancel_event(session=db, actor=SYSTEM, event_id=called_off.id or 0)  # nothing to tell now
    broken = make.assign(fair, make.person(email="broken@force.test"))
    last = make.assign(fair, make.person(email="late@force.test"))

    real = duty.compose

    def failing(session: Session, message: OutboxMessage) -> Any:
        if message.subject_id == broken.id:
            raise RuntimeError("composer bug")
        return real(session, message)

    monkeypatch.setattr(duty, "compose", failing)
    worker.drain()

    by_subject = {r.subject_id: r for r in _rows(db)}
    assert by_subject[withdrawn.id].status == outbox.SKIPPED
    assert by_subject[broken.id].status == outbox.FAILED
    assert "composer bug" in by_subject[broken.id].last_error
    delivered = [*first, last]
    assert [by_subject[a.id].status for a in delivered] == [outbox.SENT] * 3
    ids = mailbox.message_ids()
    assert sorted(ids) == sorted(message_id(by_subject[a.id]) for a in delivered)
    # Two links (accept, decline) for each message sent; none left from undone compositions.
    assert db.execute(sa.select(sa.func.count()).select_from(ActionLink)).scalar() == 2 * len(delivered)


# --- a worker whose lease ran out -----------------------------------------------------


def test_worker_past_its_lease_leaves_the_new_holders_claim_alone(make: Factory) -> None:
    """A slow worker whose lease ran out while another took its message over: what the slow
    one records later changes neither that message nor its new holder's claim, even when it
    goes on to record others in the same session."""
    db = make.session
    event = make.event(starts_at=future(10))
    for i in range(2):
        make.assign(event, make.person(email=f"slow{i}@force.test"))
    engine = db.get_bind()
    with Session(engine, expire_on_commit=False) as slow, Session(engine, expire_on_commit=False) as fast:
        taken, kept = outbox.claim(slow, worker_id="slow", limit=10)
        slow.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id == taken.id)
            .values(claimed_until=utcnow() - timedelta(seconds=1))
        )
        slow.commit()
        [again] = outbox.claim(fast, worker_id="fast", limit=10)
        assert again.id == taken.id

        assert not outbox.record_failure(slow, taken, worker_id="slow", error="451 too late")
        assert outbox.record_sent(slow, kept, worker_id="slow")  # a later record, same session

        [row] = [r for r in _rows(db) if r.id == taken.id]
        # Taking it back from a worker past its lease counted as an attempt.
        assert (row.status, row.claimed_by, row.attempts) == (outbox.SENDING, "fast", 1)
        assert outbox.record_sent(fast, again, worker_id="fast")
    assert {r.status for r in _rows(db)} == {outbox.SENT}


# --- a worker killed -----------------------------------------------------------------


def test_worker_killed_mid_batch_loses_nothing(
    make: Factory, smtp_server: SinkServer, tmp_path: Path
) -> None:
    """SIGKILL while a batch of 200 is going out; the claims it leaves run out (their lease
    moved into the past: what five minutes do) and a second worker sends the rest.

    Every message arrives; at most one arrives twice — the one the server had accepted when
    the worker died, before the worker could record it — and that copy is the same message
    (same Message-ID, same subject, date and body)."""
    db = make.session
    total = _build_duties(db, events=10, people=20, tag="KILL")
    db.close()
    sink, url, log = smtp_server.sink, smtp_server.smtp_url, tmp_path / "worker.log"  # type: ignore[attr-defined]

    # One batch of 200: every message is claimed ("sending") before the first goes out.
    with worker_process(TEST_DATABASE_URL, url, log, "--batch", "200") as first:
        _wait_for(lambda: len(sink.messages) >= 40, seconds=120, what="40 messages to arrive", log=log)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL

    arrived = set(sink.message_ids())
    statuses = _statuses(db)
    assert statuses[outbox.SENDING] > 0, statuses
    assert statuses[outbox.SENT] + statuses[outbox.SENDING] == total
    assert statuses[outbox.SENT] <= len(arrived) <= statuses[outbox.SENT] + 1

    assert _expire_leases(db) == statuses[outbox.SENDING]
    _run_once(TEST_DATABASE_URL, url, tmp_path / "second.log")

    rows = _rows(db)
    assert {r.status for r in rows} == {outbox.SENT}
    ids = sink.message_ids()
    assert sorted(set(ids)) == sorted(message_id(r) for r in rows)
    assert len(set(ids)) == total
    repeats = {mid: n for mid, n in Counter(ids).items() if n > 1}
    assert len(repeats) <= 1 and set(repeats.values()) <= {2}, repeats
    for mid in repeats:
        one, two = (m for m in sink.messages if str(m["Message-ID"]) == mid)
        assert _what_it_says(one) == _what_it_says(two)


def test_worker_killed_after_server_accepted_resends_same_message(
    make: Factory, keeping_server: tuple[Sink, str], tmp_path: Path
) -> None:
    """The ambiguous window, made to happen: the mail server has read the message and is
    about to accept it when the worker is killed, so the worker never learns the outcome
    and never records it. The server then keeps the message, as a real mail server would.

    Nothing can tell "accepted" from "lost" here, so the guarantee in this window is
    at-least-once with a stable Message-ID: the next worker sends the same composed message
    again, same Message-ID and same body, and mail stores keep one copy. Counted by
    Message-ID it was delivered once; nothing was lost."""
    db = make.session
    duty = make.assign(make.event(starts_at=future(10)), make.person(email="held@force.test"))
    db.close()
    mailbox, url = keeping_server
    mailbox.hold = threading.Event()
    log = tmp_path / "worker.log"

    with worker_process(TEST_DATABASE_URL, url, log) as first:
        if not mailbox.holding.wait(timeout=60):
            pytest.fail(f"the worker never reached the mail server:\n{log.read_text()[-4000:]}")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    mailbox.hold.set()
    _wait_for(lambda: len(mailbox.messages) == 1, seconds=10, what="the server to keep the message")

    [row] = _rows(db)
    assert row.status == outbox.SENDING and row.composed_at is not None
    assert _expire_leases(db) == 1
    Worker(worker_id="second-worker").drain()

    [row] = _rows(db)
    assert (row.status, row.topic) == (outbox.SENT, triggers.duty_topic(duty.id or 0))
    first_copy, second_copy = mailbox.messages
    assert mailbox.message_ids() == [message_id(row)] * 2
    assert _what_it_says(first_copy) == _what_it_says(second_copy)
    assert len(set(mailbox.message_ids())) == 1


# --- two workers at once -------------------------------------------------------------


@pytest.mark.postgres
def test_two_workers_postgres_send_each_message_once(smtp_server: SinkServer, tmp_path: Path) -> None:
    """1,000 due messages on a scratch PostgreSQL database, two ``muster worker`` processes
    claiming at once (``FOR UPDATE SKIP LOCKED``) into one mail server: 1,000 Message-IDs,
    none twice, every row sent, and both workers did some of it."""
    sink, url = smtp_server.sink, smtp_server.smtp_url  # type: ignore[attr-defined]
    with scratch_postgres_database(postgres_base_url(), "outbox") as database_url:
        migrate.upgrade(database_url)
        engine = make_engine(database_url)
        try:
            with Session(engine, expire_on_commit=False) as session:
                total = _build_duties(session, events=50, people=20, tag="PG")
                assert _statuses(session) == {PENDING: total} and total == 1000

                started = time.monotonic()
                with (
                    worker_process(database_url, url, tmp_path / "one.log"),
                    worker_process(database_url, url, tmp_path / "two.log"),
                ):
                    _wait_for(
                        lambda: _statuses(session)[outbox.SENT] == total,
                        seconds=120,
                        what="1,000 messages to be sent",
                        log=tmp_path / "one.log",
                    )
                elapsed = time.monotonic() - started

                by_worker = Counter(
                    claimed_by
                    for (claimed_by,) in session.execute(
                        sa.select(OUTBOX.c.claimed_by).where(OUTBOX.c.status == outbox.SENT)
                    ).all()
                )
                rows = list(session.exec(select(OutboxMessage)).all())
        finally:
            engine.dispose()

    ids = sink.message_ids()
    assert len(ids) == total, Counter(ids).most_common(3)
    assert len(set(ids)) == total
    assert sorted(ids) == sorted(message_id(r) for r in rows)
    assert {r.status for r in rows} == {outbox.SENT}
    assert len(by_worker) == 2 and min(by_worker.values()) > 0, by_worker
    assert elapsed < 120


# --- jobs ----------------------------------------------------------------------------


def test_periodic_task_runs_once_per_period_with_two_workers(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: Counter[str] = Counter()
    lock = threading.Lock()

    def counting(kind: str, handler: jobs.Handler) -> jobs.Handler:
        def run(session: Session, payload: dict[str, Any], context: jobs.JobContext) -> dict[str, Any]:
            with lock:
                calls[kind] += 1
            time.sleep(0.05)  # long enough for the other worker to try for it meanwhile
            return handler(session, payload, context)

        return run

    for task in runner.PERIODIC:
        monkeypatch.setitem(runner.HANDLERS, task.kind, counting(task.kind, task.handler))
    workers = [Worker(worker_id=f"twin-{i}") for i in range(2)]
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def turn(worker: Worker) -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(6):
                worker.turn()
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=turn, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors

    db.rollback()
    ran = list(db.exec(select(Job)).all())
    periods = Counter(job.kind for job in ran)
    assert set(periods) == {task.kind for task in runner.PERIODIC}
    # Once per period: as many runs as periods (two only if a period ended mid-test).
    assert calls == periods, (calls, periods)
    assert [(job.status, job.attempts) for job in ran] == [(jobs.DONE, 1)] * len(ran)
    assert len({job.claimed_by for job in ran}) == 2  # both workers took part


def test_job_with_expired_lease_is_failed_with_reason(db: Session) -> None:
    jobs.enqueue_job(db, kind="notifications.reminders", dedupe_key="abandoned")
    jobs.enqueue_job(db, kind="notifications.digests", dedupe_key="still-alive")
    db.commit()
    abandoned = jobs.claim_job(db, worker_id="gone", kinds={"notifications.reminders"})
    alive = jobs.claim_job(db, worker_id="slow", kinds={"notifications.digests"})
    assert abandoned is not None and alive is not None and abandoned.id and alive.id
    # Time passes: both leases run out, but the slow worker's handler says it is alive.
    db.execute(sa.update(jobs.JOBS).values(claimed_until=utcnow() - timedelta(seconds=1)))
    db.commit()
    jobs.JobContext(lambda: Session(db.get_bind()), alive.id, "slow").beat()

    other = Worker(worker_id="other")
    other.beat(force=True)
    other.turn()

    db.rollback()
    gone, slow = db.get(Job, abandoned.id), db.get(Job, alive.id)
    assert gone is not None and slow is not None
    db.refresh(gone)
    db.refresh(slow)
    assert (gone.status, gone.attempts) == (jobs.FAILED, 1)  # failed, and not run again
    assert "stopped before it finished" in gone.error
    assert gone.finished_at is not None
    assert (slow.status, slow.claimed_by) == (jobs.RUNNING, "slow")


def test_message_abandoned_by_every_worker_is_given_up(make: Any, mailbox: Any, worker: Worker) -> None:
    """A message whose sending kills the worker each time (its lease keeps running out)
    counts those as attempts and is failed in the end, not taken back for ever."""
    person = make.person(email="poison@force.test")
    make.assign(make.event(), person)
    make.session.execute(
        sa.update(OutboxMessage).values(
            status="sending",
            claimed_by="a-worker-that-died",
            claimed_until=utcnow() - timedelta(minutes=1),
            attempts=get_settings().outbox_max_attempts - 1,
        )
    )
    make.session.commit()

    worker.drain()

    [message] = make.session.exec(select(OutboxMessage)).all()
    make.session.refresh(message)
    assert (message.status, message.attempts) == ("failed", get_settings().outbox_max_attempts)
    assert message.last_error.startswith("given up: a worker stopped while sending it")
    assert mailbox.messages == []
