"""The HTTP client for calls out (webhook receivers, statutory sources' feeds): it connects
only to addresses it checked.

httpx would resolve the receiver's host itself, after (and apart from) our check, so a host
could answer a public address to the check and 127.0.0.1 to the connection (DNS rebinding).
Here httpcore's network backend does both: it resolves the host once, checks every address
(services/domain/webhooks/addresses.py) and opens the TCP connection to a checked address.
The request still names the host, so the Host header, TLS SNI and certificate verification
are for the host name, as before.
"""

from __future__ import annotations

from collections.abc import Iterable

import httpcore
import httpx

from services.domain.settings import Settings
from services.domain.webhooks.addresses import (
    Allowance,
    Resolver,
    checked_addresses,
    resolve,
)

# httpx's own defaults for a client.
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """Resolve once, check every address, connect to a checked one (in the order resolved)."""

    def __init__(
        self, settings: Settings, resolver: Resolver = resolve, allowance: Allowance | None = None
    ) -> None:
        self._settings = settings
        self._resolver = resolver
        self._allowance = allowance
        self._network = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        # Invalid (refused) and UnresolvableHost pass through httpx unchanged: deliver() tells
        # a refusal, which fails the delivery, from a connection error, which is tried again.
        addresses = await checked_addresses(
            host, port, self._settings, self._resolver, self._allowance
        )
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return await self._network.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # checked_addresses returns at least one address
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("calls out are made over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._network.sleep(seconds)


class CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with the checking backend, and no proxy taken from the environment."""

    def __init__(
        self, settings: Settings, resolver: Resolver = resolve, allowance: Allowance | None = None
    ) -> None:
        super().__init__(trust_env=False, limits=LIMITS)
        # httpx does not let a caller choose httpcore's network backend: make its pool again,
        # as httpx does for a client without a proxy, with ours.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=LIMITS.max_connections,
            max_keepalive_connections=LIMITS.max_keepalive_connections,
            keepalive_expiry=LIMITS.keepalive_expiry,
            network_backend=CheckedBackend(settings, resolver, allowance),
        )


def receiver_client(settings: Settings, resolver: Resolver = resolve) -> httpx.AsyncClient:
    """The client the worker posts webhooks with (redirects are never followed)."""
    return httpx.AsyncClient(
        transport=CheckedTransport(settings, resolver), follow_redirects=False, trust_env=False
    )
