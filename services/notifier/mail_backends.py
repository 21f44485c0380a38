"""Sending emails: to files (development, tests, a default install) or over SMTP.

``services/notifier/email.py`` renders a notification into the message these send.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import aiosmtplib

from services.domain.settings import Settings
from services.notifier.email import Outgoing, PermanentMailError, TransientMailError


class FileBackend:
    """Writes each message to ``<directory>/<notification id>.eml`` (development, tests, audit).

    The name comes from the Message-ID, so sending a notification again replaces its file.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_for(self, message: Outgoing) -> Path:
        message_id = message.message_id.strip().strip("<>")
        stem = re.sub(r"[^A-Za-z0-9._-]", "_", message_id.partition("@")[0])
        if not stem.strip("._"):
            raise PermanentMailError(f"message has no usable Message-ID: {message_id!r}")
        return self.directory / f"{stem}.eml"

    async def aclose(self) -> None:
        """Nothing is kept open."""

    async def send(self, message: Outgoing) -> None:
        path = self.path_for(message)
        try:
            await asyncio.to_thread(_write_atomically, path, message.data)
        except OSError as exc:
            raise TransientMailError(f"cannot write {path}: {exc}") from exc


def _write_atomically(path: Path, data: bytes) -> None:
    # Readers see the old file or the new one, never half of one.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class SmtpBackend:
    """Sends through the SMTP relay in ``settings.smtp_*``.

    Server certificates are verified against the system's CAs; trust an internal CA with the
    standard ``SSL_CERT_FILE`` environment variable.

    The worker keeps its connections open between messages (``keep_open``): opening one costs
    a TCP handshake, EHLO, STARTTLS and AUTH, several times the cost of the message itself.
    A connection the server closed while it was idle is replaced, and the message sent on the
    new one; a connection that met any other error is closed, not reused.
    """

    def __init__(self, settings: Settings, *, keep_open: bool = False) -> None:
        self.settings = settings
        self.keep_open = keep_open
        self._idle: list[aiosmtplib.SMTP] = []

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password,
            use_tls=s.smtp_implicit_tls,
            start_tls=s.smtp_starttls and not s.smtp_implicit_tls,
            timeout=s.smtp_timeout_seconds,
        )

    async def _deliver(self, message: Outgoing) -> dict[str, Any]:
        """Send on a kept connection, or a new one; the recipients refused."""
        if not self.keep_open:
            client = self._client()
            async with client:
                refused, _ = await _send(client, message)
            return dict(refused)
        while self._idle:
            client = self._idle.pop()
            if not client.is_connected:
                continue
            try:
                refused, _ = await _send(client, message)
            except aiosmtplib.SMTPServerDisconnected:
                continue  # closed by the server while idle: nothing was sent; try afresh
            except BaseException:
                _close(client)
                raise
            self._idle.append(client)
            return dict(refused)
        client = self._client()
        try:
            await client.connect()
            refused, _ = await _send(client, message)
        except BaseException:
            _close(client)
            raise
        self._idle.append(client)
        return dict(refused)

    async def aclose(self) -> None:
        """Say QUIT on every kept connection (the worker stopping), waiting briefly for each."""
        idle, self._idle = self._idle, []
        for client in idle:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                await client.quit(timeout=2)
            _close(client)

    async def send(self, message: Outgoing) -> None:
        try:
            refused = await self._deliver(message)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise _refused(exc.recipients) from exc
        except (
            aiosmtplib.SMTPSenderRefused,
            aiosmtplib.SMTPRecipientRefused,
            aiosmtplib.SMTPDataError,
        ) as exc:
            raise _by_code(exc.code, _step(exc), exc.message) from exc
        except (
            aiosmtplib.SMTPAuthenticationError,
            aiosmtplib.SMTPHeloError,
            aiosmtplib.SMTPResponseException,
        ) as exc:
            # About our configuration or the server, not this message: failing every queued
            # email for a wrong password would leave them all to be resent by hand.
            raise TransientMailError(f"SMTP {exc.code} {_step(exc)}: {exc.message}") from exc
        except aiosmtplib.SMTPTimeoutError as exc:
            raise TransientMailError(f"SMTP timeout: {exc.message}") from exc
        except aiosmtplib.SMTPException as exc:
            # Connection refused or lost, STARTTLS not offered, ...
            raise TransientMailError(f"SMTP: {exc.message}") from exc
        except (OSError, TimeoutError) as exc:
            raise TransientMailError(f"SMTP connection: {exc!r}") from exc
        if refused:
            raise _refused(
                [
                    aiosmtplib.SMTPRecipientRefused(r.code, r.message, address)
                    for address, r in refused.items()
                ]
            )


async def _send(client: aiosmtplib.SMTP, message: Outgoing) -> tuple[Any, str]:
    return await client.sendmail(message.sender, [message.recipient], message.data)


def _close(client: aiosmtplib.SMTP) -> None:
    with contextlib.suppress(Exception):
        client.close()


def _step(exc: aiosmtplib.SMTPResponseException) -> str:
    return {
        aiosmtplib.SMTPSenderRefused: "on MAIL FROM",
        aiosmtplib.SMTPRecipientRefused: "on RCPT TO",
        aiosmtplib.SMTPDataError: "on DATA",
        aiosmtplib.SMTPAuthenticationError: "on AUTH",
        aiosmtplib.SMTPHeloError: "on EHLO",
    }.get(type(exc), "reply")


def _by_code(code: int, step: str, reason: str) -> TransientMailError | PermanentMailError:
    text = f"SMTP {code} {step}: {reason}"
    if 400 <= code < 500:
        return TransientMailError(text, this_message_only=True)
    return PermanentMailError(text)


def _refused(
    recipients: list[aiosmtplib.SMTPRecipientRefused],
) -> TransientMailError | PermanentMailError:
    reasons = "; ".join(f"{r.recipient} refused with {r.code}: {r.message}" for r in recipients)
    # One notification has one recipient; should there be more, any 5xx decides.
    if any(not 400 <= r.code < 500 for r in recipients):
        return PermanentMailError(f"SMTP {reasons}")
    return TransientMailError(f"SMTP {reasons}", this_message_only=True)


def backend_for(settings: Settings, *, keep_open: bool = False) -> FileBackend | SmtpBackend:
    """The backend ``settings.mail_backend`` names; ``keep_open`` keeps SMTP connections open
    between messages until ``aclose()`` (the worker's, for its life)."""
    if settings.mail_backend == "smtp":
        return SmtpBackend(settings, keep_open=keep_open)
    return FileBackend(settings.mail_dir)
