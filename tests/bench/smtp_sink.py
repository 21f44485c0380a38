"""An SMTP sink for the notifier bench, run as its own process so its CPU is counted apart.

    python -m tests.bench.smtp_sink PORT RECEIPTS_FILE

Accepts every message and appends one line per message to RECEIPTS_FILE:
``<unix time received> <Message-ID>``. Only the headers are parsed: the sink should cost as
little as possible next to the worker it measures. Prints "ready" once it listens.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from collections.abc import Callable, Coroutine
from email.parser import BytesHeaderParser
from typing import IO, Any

from aiosmtpd.smtp import SMTP


class Recorder:
    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.parser = BytesHeaderParser()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        received = time.time()
        headers = self.parser.parsebytes(envelope.original_content or envelope.content)
        message_id = str(headers.get("Message-ID", "")).strip() or "<missing>"
        self.out.write(f"{received:.6f} {message_id}\n")
        self.out.flush()
        return "250 Message accepted"


async def serve(port: int, out: IO[str], recorder: Recorder | None = None) -> None:
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    recorder = recorder or Recorder(out)
    # A fixed hostname: aiosmtpd would otherwise resolve the FQDN for every connection.
    server = await loop.create_server(
        lambda: SMTP(recorder, hostname="bench-sink", ident="bench-sink"),
        host="127.0.0.1",
        port=port,
    )
    print("ready", flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


def run_sink(serve: Callable[[int, IO[str]], Coroutine[Any, Any, None]]) -> None:
    """A sink's command line, PORT RECEIPTS_FILE: its server, on uvloop where installed."""
    port, path = int(sys.argv[1]), sys.argv[2]
    with open(path, "a", buffering=1 << 16) as out:
        try:
            import uvloop
        except ImportError:
            asyncio.run(serve(port, out))
        else:
            uvloop.run(serve(port, out))


if __name__ == "__main__":
    run_sink(serve)
