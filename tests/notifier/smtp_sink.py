"""A real SMTP server (aiosmtpd) for the tests, scriptable to stall or refuse."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class SinkHandler:
    received: list[Any] = field(default_factory=list)
    # Replies to give to the next DATA commands instead of accepting, e.g. ["451 4.3.0 later"].
    data_replies: list[str] = field(default_factory=list)
    # Stall the n-th RCPT (1-based) until released: the sender is then "in the middle of sending".
    hold_rcpt_number: int | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    rcpt_count: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.rcpt_count += 1
        if self.rcpt_count == self.hold_rcpt_number:
            self.holding.set()
            # Released from the test's thread, so a threading.Event polled here.
            while not self.release.is_set():  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_replies:
            return self.data_replies.pop(0)
        self.received.append(message_from_bytes(envelope.content))
        return "250 Message accepted"

    def message_ids(self) -> Counter[str]:
        return Counter(str(m["Message-ID"]) for m in self.received)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sink:
    def __init__(self) -> None:
        self.handler = SinkHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.handler.release.set()
        self.controller.stop()
