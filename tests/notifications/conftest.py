"""A real SMTP server for the notification tests (aiosmtpd on loopback), and a worker."""

import email
import threading
from collections.abc import Iterator
from email.message import Message
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from app.config import get_settings
from app.worker.runner import Worker
from tests.servers import free_port


class Sink:
    """Keeps every message the server accepted, parsed, in arrival order.

    ``refuse_with`` makes it answer every DATA with that reply (e.g. "451 try later");
    ``hold`` makes it wait, after reading a message and before accepting it, until the
    event is set: the moment a sender may die between the server's acceptance and its
    own record."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse_with: str | None = None
        self.hold: threading.Event | None = None
        self.holding = threading.Event()
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse_with:
            return self.refuse_with
        if self.hold is not None:
            self.holding.set()
            while not self.hold.is_set():
                import asyncio

                await asyncio.sleep(0.01)
        raw = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        parsed = email.message_from_bytes(raw, policy=default_policy)
        with self._lock:
            self.messages.append(parsed)
            self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]


class SinkServer:
    def __init__(self) -> None:
        self.sink = Sink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    def start(self) -> str:
        self.controller.start()
        return f"smtp://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture()
def smtp_server() -> Iterator[SinkServer]:
    server = SinkServer()
    server.smtp_url = server.start()  # type: ignore[attr-defined]
    yield server
    server.stop()


@pytest.fixture()
def mailbox(smtp_server: SinkServer, monkeypatch: pytest.MonkeyPatch) -> Sink:
    """The app sends to the test's SMTP server; what arrives is in the returned sink."""
    monkeypatch.setattr(get_settings(), "smtp_url", smtp_server.smtp_url)  # type: ignore[attr-defined]
    return smtp_server.sink


@pytest.fixture()
def worker() -> Worker:
    """A worker in this process, on the test database; ``worker.drain()`` sends what is due."""
    return Worker(worker_id="test-worker")
