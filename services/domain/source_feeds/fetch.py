"""Fetching a statutory source's feed: through the checked client, within bounds.

The connection goes only to addresses checked as webhook deliveries are
(services/domain/webhooks/client.py): a feed on a private or loopback address is refused unless
``source_feed_allowed_hosts`` lists it (an intranet mirror; the tests' local server), apart
from the webhook allowance. A redirect is followed (at most three) through the same client, so
its target is checked too. The whole read has a time limit, the body a size limit.
"""

from __future__ import annotations

import asyncio

import httpx

from services.domain.errors import Invalid
from services.domain.settings import Settings
from services.domain.statutory_sources.feed import FeedUnavailable
from services.domain.webhooks.addresses import Allowance, Resolver, resolve
from services.domain.webhooks.client import CheckedTransport

MAX_REDIRECTS = 3
ACCEPT = "application/atom+xml, application/xml;q=0.9, text/xml;q=0.8"


def feed_allowance(settings: Settings) -> Allowance:
    """The internal hosts feeds may be on (POLICYGOV_SOURCE_FEED_ALLOWED_HOSTS), apart from
    the webhooks' allowance: allowing an intranet receiver does not allow reading from it."""
    return Allowance(
        settings.source_feed_allowed_hosts, "POLICYGOV_SOURCE_FEED_ALLOWED_HOSTS", "feed_url"
    )


def feed_client(settings: Settings, resolver: Resolver = resolve) -> httpx.AsyncClient:
    """A client that reaches only checked addresses, follows few redirects, trusts no proxy."""
    return httpx.AsyncClient(
        transport=CheckedTransport(settings, resolver, feed_allowance(settings)),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        trust_env=False,
        timeout=settings.source_feed_timeout_seconds,
        headers={"Accept": ACCEPT, "User-Agent": "policygov statutory sources"},
    )


async def _read(client: httpx.AsyncClient, url: str, limit: int) -> bytes:
    async with client.stream("GET", url) as response:
        if response.status_code != 200:
            raise FeedUnavailable(f"The feed answered HTTP {response.status_code}.")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FeedUnavailable(f"The feed is larger than the limit of {limit} bytes.")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > limit:
                raise FeedUnavailable(f"The feed is larger than the limit of {limit} bytes.")
        return bytes(body)


async def fetch_feed(url: str, settings: Settings, resolver: Resolver = resolve) -> bytes:
    """The feed's body; FeedUnavailable (saying why) when it cannot be read within bounds."""
    seconds = settings.source_feed_timeout_seconds
    try:
        async with feed_client(settings, resolver) as client, asyncio.timeout(seconds):
            return await _read(client, url, settings.source_feed_max_bytes)
    except Invalid as exc:  # refused by the address check, or a host that does not resolve
        raise FeedUnavailable(exc.detail) from None
    except TimeoutError:
        raise FeedUnavailable(f"The feed did not answer within {seconds:g} seconds.") from None
    except httpx.TooManyRedirects:
        raise FeedUnavailable(f"The feed redirected more than {MAX_REDIRECTS} times.") from None
    except httpx.HTTPError as exc:
        raise FeedUnavailable(f"The feed could not be reached ({type(exc).__name__}).") from None
