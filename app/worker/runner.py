"""The worker loop: ``muster worker``. Any number may run, on any machine with the database.

Each turn: say it is alive, offer this period's run of each periodic task, run a due job,
and send a batch of due messages; sleep only when there was nothing to do. In the running
loop, a long job (``LONG_KINDS``: a staffing plan) runs in a thread of its own, one at a
time, while the turns go on; ``drain`` (the CLI's ``--once``, tests) runs every job in turn.
"""

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from app.clock import utcnow
from app.config import get_settings
from app.db import get_engine
from app.notifications.delivery import Delivered, deliver_batch
from app.worker import jobs
from app.worker.models import WorkerHeartbeat
from app.worker.registry import HANDLERS, LONG_KINDS, PERIODIC

log = logging.getLogger("muster.worker")

BEAT_EVERY = timedelta(seconds=10)
HEARTBEATS: sa.Table = WorkerHeartbeat.__table__  # type: ignore[attr-defined]


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    def __init__(
        self,
        *,
        worker_id: str | None = None,
        batch_size: int = 50,
        session_factory: Callable[[], Session] | None = None,
    ) -> None:
        self.worker_id = worker_id or new_worker_id()
        self.batch_size = batch_size
        self.session_factory = session_factory or (lambda: Session(get_engine(), expire_on_commit=False))
        self.sent = 0
        self.jobs_run = 0
        self._last_beat = utcnow() - BEAT_EVERY * 2
        self._last_error = ""
        self._offered: dict[str, str] = {}
        self._long_lane = False
        self._long: threading.Thread | None = None

    def beat(self, *, force: bool = False) -> None:
        now = utcnow()
        if not force and now - self._last_beat < BEAT_EVERY:
            return
        self._last_beat = now
        with self.session_factory() as session:
            insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            statement = insert(HEARTBEATS).values(
                worker_id=self.worker_id,
                started_at=now,
                beat_at=now,
                messages_sent=self.sent,
                jobs_run=self.jobs_run,
                last_error=self._last_error[:1000],
            )
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=[HEARTBEATS.c.worker_id],
                    set_={
                        "beat_at": now,
                        "messages_sent": self.sent,
                        "jobs_run": self.jobs_run,
                        "last_error": self._last_error[:1000],
                    },
                )
            )
            jobs.fail_abandoned(session)
            session.commit()

    def offer_periodic(self) -> None:
        """Offer each periodic task's run for the current period, once per period per
        worker (the unique key makes all workers' offers one row)."""
        now = utcnow()
        keys = {task.kind: task.period_key(now) for task in PERIODIC}
        new = [task for task in PERIODIC if self._offered.get(task.kind) != keys[task.kind]]
        if not new:
            return
        with self.session_factory() as session:
            for task in new:
                jobs.enqueue_job(session, kind=task.kind, dedupe_key=keys[task.kind])
            session.commit()
        self._offered.update(keys)

    def run_one_job(self) -> bool:
        """Run a due job (or, in the running loop, start a long one in its own lane)."""
        kinds = set(HANDLERS)
        if self._long_lane:
            kinds -= LONG_KINDS
            started = self._start_long_job()
        else:
            started = False
        return self._run_claimed(kinds) or started

    def _run_claimed(self, kinds: set[str]) -> bool:
        with self.session_factory() as session:
            job = jobs.claim_job(session, worker_id=self.worker_id, kinds=kinds)
        if job is None:
            return False
        ok = jobs.run_job(self.session_factory, job, HANDLERS[job.kind], worker_id=self.worker_id)
        self.jobs_run += 1
        if not ok:
            self._last_error = f"job {job.id} ({job.kind}) failed"
        return True

    def _start_long_job(self) -> bool:
        if self._long is not None and self._long.is_alive():
            return False
        with self.session_factory() as session:
            found = jobs.claim_job(session, worker_id=self.worker_id, kinds=set(LONG_KINDS))
        if found is None:
            return False
        job = found

        def run() -> None:
            ok = jobs.run_job(self.session_factory, job, HANDLERS[job.kind], worker_id=self.worker_id)
            self.jobs_run += 1
            if not ok:
                self._last_error = f"job {job.id} ({job.kind}) failed"

        self._long = threading.Thread(target=run, name=f"job-{job.id}", daemon=True)
        self._long.start()
        return True

    def send_batch(self) -> Delivered:
        with self.session_factory() as session:
            done = deliver_batch(session, worker_id=self.worker_id, limit=self.batch_size)
        self.sent += done.sent + done.held
        if done.retrying or done.failed:
            self._last_error = f"{done.retrying} message(s) waiting to retry, {done.failed} failed"
        return done

    def turn(self) -> int:
        """One turn; how much it did (0: nothing was due)."""
        self.beat()
        self.offer_periodic()
        did = 0
        if self.run_one_job():
            did += 1
        done = self.send_batch()
        return did + done.claimed

    def run(self, stop: threading.Event) -> None:
        log.info("worker %s started", self.worker_id)
        self._long_lane = True
        self.beat(force=True)
        poll = get_settings().worker_poll_seconds
        while not stop.is_set():
            try:
                did = self.turn()
            except Exception as exc:  # the database went away: wait and try again
                log.exception("worker turn failed")
                self._last_error = f"{type(exc).__name__}: {exc}"
                did = 0
                stop.wait(poll * 5)
            if not did:
                stop.wait(poll)
        log.info("worker %s stopped after sending %d message(s)", self.worker_id, self.sent)

    def drain(self, *, max_turns: int = 10_000) -> int:
        """Turn until nothing is due (for the CLI's ``--once`` and for tests); turns taken."""
        for turn in range(1, max_turns + 1):
            if not self.turn():
                return turn
        return max_turns
