"""Sending through the force's mail server, named by ``MUSTER_SMTP_URL``:

- ``smtp://host:25`` plain (a relay on the same network),
- ``smtp+starttls://user:password@host:587`` upgraded with STARTTLS,
- ``smtps://user:password@host:465`` TLS from the start.

Failures are sorted into those worth trying again (the server is down, busy, or said
4xx) and those that never will succeed (5xx: no such mailbox, message refused).
"""

import smtplib
import ssl
from email.message import EmailMessage
from types import TracebackType
from urllib.parse import unquote, urlsplit

from app.errors import Invalid

TIMEOUT_SECONDS = 30


class TemporaryFailure(Exception):
    """Try again later: the server could not be reached, or answered 4xx."""


class PermanentFailure(Exception):
    """The server refused this message for good (5xx)."""


def _check(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps", "smtp+starttls") or not parts.hostname:
        raise Invalid(
            "MUSTER_SMTP_URL must look like smtp://host:25, smtp+starttls://user:pass@host:587 or smtps://…"
        )


class Mailer:
    """One connection, reused for a batch of messages; reconnects when dropped."""

    def __init__(self, url: str) -> None:
        _check(url)
        self.url = urlsplit(url)
        self._client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        host = self.url.hostname or "localhost"
        try:
            if self.url.scheme == "smtps":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    host, self.url.port or 465, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(host, self.url.port or 25, timeout=TIMEOUT_SECONDS)
                if self.url.scheme == "smtp+starttls":
                    client.starttls(context=ssl.create_default_context())
            if self.url.username:
                client.login(unquote(self.url.username), unquote(self.url.password or ""))
        except smtplib.SMTPAuthenticationError as exc:
            raise TemporaryFailure(
                f"the mail server refused the sign-in: {exc.smtp_code} {exc.smtp_error!r}"
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"cannot reach the mail server {host}: {exc}") from exc
        return client

    def send(self, mail: EmailMessage, *, recipient: str) -> None:
        if self._client is None:
            self._client = self._connect()
        try:
            self._client.send_message(mail, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            self._raise(code, reply, reset=True)
        except smtplib.SMTPResponseException as exc:
            self._raise(exc.smtp_code, exc.smtp_error, reset=True)
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise TemporaryFailure(f"the connection to the mail server failed: {exc}") from exc

    def _raise(self, code: int, reply: bytes | str, *, reset: bool) -> None:
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        if reset and self._client is not None:
            try:
                self._client.rset()
            except (OSError, smtplib.SMTPException):
                self.close()
        if 500 <= code < 600:
            raise PermanentFailure(f"the mail server refused the message: {code} {text}")
        raise TemporaryFailure(f"the mail server said to try later: {code} {text}")

    @property
    def connected(self) -> bool:
        return self._client is not None

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()
