"""The fault run's SMTP server: the bench sink, with faults chosen by the recipient's address.

    python -m tests.faults.smtp_sink PORT RECEIPTS_FILE

- ``refused.*``: RCPT answers 550 (the mailbox does not exist): a permanent failure.
- ``flaky.*``: the first DATA of each Message-ID answers 451, later ones are accepted.
- ``slow.*``: RCPT is held for HOLD_SECONDS before it is accepted, with a line
  ``HOLD <time> <address>`` written first, so the fault run can SIGKILL a worker mid-send.
- anyone else: accepted.

Every accepted message appends ``<time> <Message-ID> <recipient>`` (as the bench sink, plus the
recipient). Prints "ready" once it listens.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import IO, Any

from tests.bench.smtp_sink import Recorder, serve

HOLD_SECONDS = 6.0


class FaultyRecorder(Recorder):
    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        self.refused_once: set[str] = set()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        local = address.partition("@")[0]
        if local.startswith("refused."):
            return "550 5.1.1 No such mailbox here"
        if local.startswith("slow."):
            self.out.write(f"HOLD {time.time():.6f} {address}\n")
            self.out.flush()
            await asyncio.sleep(HOLD_SECONDS)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        headers = self.parser.parsebytes(envelope.original_content or envelope.content)
        message_id = str(headers.get("Message-ID", "")).strip() or "<missing>"
        recipients = " ".join(envelope.rcpt_tos)
        if recipients.startswith("flaky.") and message_id not in self.refused_once:
            self.refused_once.add(message_id)
            return "451 4.3.0 Mailbox busy, try again later"
        self.out.write(f"{time.time():.6f} {message_id} {recipients}\n")
        self.out.flush()
        return "250 Message accepted"


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    with open(path, "a", buffering=1) as out:
        asyncio.run(serve(port, out, FaultyRecorder(out)))


if __name__ == "__main__":
    main()
