"""A webhook receiver for the notifier bench, run as its own process so its CPU is counted apart.

    python -m tests.bench.webhook_sink PORT RECEIPTS_FILE

Answers every POST with 204 and appends one line per request to RECEIPTS_FILE:
``<unix time received> <webhook-id>``. It reads the body (as a receiver must) but does not verify
the signature: the tests do that (tests/webhook_receiver.py); here the receiver should cost as
little as possible next to the worker it measures. Prints "ready" once it listens.
"""

from __future__ import annotations

import asyncio
import signal
import time
from typing import IO, Any

from tests.bench.smtp_sink import run_sink


def receiver(out: IO[str]) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        headers = dict(scope["headers"])
        webhook_id = headers.get(b"webhook-id", b"<missing>").decode()
        out.write(f"{time.time():.6f} {webhook_id}\n")
        out.flush()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app


async def serve(port: int, out: IO[str]) -> None:
    import uvicorn

    config = uvicorn.Config(
        receiver(out), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    print("ready", flush=True)
    await task


if __name__ == "__main__":
    run_sink(serve)
