"""Capability tokens never reach the logs: what `policygov serve` really writes, and what the
application's handlers write. Issue 14: feed and consultation-link tokens were in the access log
in full, so whoever reads the logs could open the feeds and answer as the consultee."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import signal
import sys
from pathlib import Path

import httpx
from httpx import AsyncClient

from services.domain.settings import Settings
from services.logs import JsonFormatter, RedactCapabilities, TextFormatter, logging_config
from tests.api.boards_support import create_board
from tests.api.test_consultation_links import consult_partner, token_of
from tests.factories import World
from tests.test_cli import policygov_started


async def test_the_access_log_of_policygov_serve_holds_no_feed_or_link_token(
    client: AsyncClient, world: World, settings: Settings, tmp_path: Path
) -> None:
    board = await create_board(client, world)
    h = world.a.reader.headers
    feed = (await client.get(f"/v1/boards/{board['id']}/calendar-feed", headers=h)).json()["url"]
    feed_path = feed[feed.index("/v1/") :]
    feed_token = feed_path.partition("token=")[2]
    _, partner = await consult_partner(client, world)
    link_token = token_of(settings, partner)

    async with policygov_started(settings, tmp_path, "serve") as (process, port):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            assert (await http.get(feed_path)).status_code == 200
            assert (await http.get(f"/v1/consultation-links/{link_token}")).status_code == 200
            draft = await http.get(f"/v1/consultation-links/{link_token}/draft")
            assert draft.status_code == 200
            wrong = await http.get(f"/v1/calendar-feeds/boards/{board['id']}.ics?token=Wr0ngT0ken")
            assert wrong.status_code == 404
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    log = tmp_path / "serve.log"
    written = log.read_text()
    # The requests are there, as requests: the request lines still say what was asked for.
    assert f"GET /v1/calendar-feeds/boards/{board['id']}.ics?token=[redacted] 200 " in written, (
        written
    )
    assert "GET /v1/consultation-links/[redacted] 200 " in written, written
    assert "GET /v1/consultation-links/[redacted]/draft 200 " in written, written
    # The tokens are not, whole or in part; a wrong one is not written either.
    for token in (feed_token, link_token, link_token.partition(".")[2], "Wr0ngT0ken"):
        assert token not in written, token


def test_application_logs_and_tracebacks_hold_no_capability_token() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactCapabilities())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("unhandled error on %s %s", "GET", "/v1/consultation-links/abc.SECRET1")
        logger.warning("emailed https://x.example/consultations/respond?token=SECRET2&a=1")
        logger.warning("%(url)s", {"url": "/v1/calendar-feeds/people/p.ics?TOKEN=SECRET3"})
        logger.warning("GET /v1/acknowledgement-links/abc.SECRET5/document 200")
        logger.warning("GET /acknowledgements/respond?token=SECRET6 200")
        try:
            raise ValueError("cannot open /v1/consultation-links/SECRET4/draft")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    for secret in ("SECRET1", "SECRET2", "SECRET3", "SECRET4", "SECRET5", "SECRET6"):
        assert secret not in written, written
    assert "GET /v1/consultation-links/[redacted]" in written
    assert "GET /v1/acknowledgement-links/[redacted]/document 200" in written
    assert "respond?token=[redacted]&a=1" in written
    assert "ValueError: cannot open /v1/consultation-links/[redacted]/draft" in written


def test_every_handler_of_the_services_logging_redacts() -> None:
    config = logging_config()
    assert config["handlers"]
    for name, handler in config["handlers"].items():
        assert "redact" in handler["filters"], name
    assert config["filters"]["redact"]["()"] is RedactCapabilities


async def test_policygov_serve_with_the_json_format_writes_one_object_per_line(
    client: AsyncClient, world: World, settings: Settings, tmp_path: Path
) -> None:
    board = await create_board(client, world)
    h = world.a.reader.headers
    feed = (await client.get(f"/v1/boards/{board['id']}/calendar-feed", headers=h)).json()["url"]
    feed_path = feed[feed.index("/v1/") :]
    feed_token = feed_path.partition("token=")[2]

    async with policygov_started(settings, tmp_path, "serve", POLICYGOV_LOG_FORMAT="json") as (
        process,
        port,
    ):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            listed = await http.get("/v1/documents", headers={**h, "X-Request-ID": "json-1"})
            assert listed.headers["X-Request-ID"] == "json-1"
            assert (await http.get(feed_path)).status_code == 200
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    written = (tmp_path / "serve.log").read_text()
    lines = [json.loads(line) for line in written.splitlines()]  # every line, JSON
    requests = {x["route"]: x for x in lines if x["logger"] == "services.api.requests"}
    listing = requests["/v1/documents"]
    assert listing["request_id"] == "json-1" and listing["status"] == 200
    assert listing["organisation_id"] == str(world.a.id)
    assert listing["principal_id"] == str(world.a.reader.person_id)
    assert requests["/v1/calendar-feeds/boards/{board_id}.ics"]["path"].endswith("token=[redacted]")
    # uvicorn's own access log is gone: one line per request, ours.
    assert not [x for x in lines if x["logger"] == "uvicorn.access"]
    for secret in (feed_token, world.a.reader.key):
        assert secret not in written


def test_a_field_cannot_forge_a_second_line_or_field_in_the_text_format() -> None:
    record = logging.makeLogRecord(
        {"name": "services.x", "levelname": "INFO", "msg": "email sent", "kind": "a\nFAKE b=c"}
    )
    [line] = TextFormatter().format(record).splitlines()
    assert line.endswith(' kind="a\\nFAKE b=c"'), line


def test_a_json_line_with_a_traceback_is_still_one_line() -> None:
    try:
        raise ValueError("cannot open /v1/consultation-links/SECRET5/draft")
    except ValueError:
        record = logging.makeLogRecord(
            {"name": "services.x", "levelname": "ERROR", "msg": "oh", "exc_info": sys.exc_info()}
        )
    RedactCapabilities().filter(record)
    [line] = JsonFormatter().format(record).splitlines()
    entry = json.loads(line)
    assert "ValueError" in entry["exception"] and "SECRET5" not in line
