"""Which receiver URLs we may call: no private, loopback or other internal addresses (SSRF).

Checked when a subscription is saved and again at every connection, because DNS can change. At
delivery the notifier resolves the host once, checks every address and connects to one it
checked (services/domain/webhooks/client.py), so a host that answers a public address to the check
and an internal one to the connection (DNS rebinding) reaches nothing internal.

An IPv6 address can carry an IPv4 address (6to4, Teredo, NAT64, IPv4-mapped and -compatible
forms) that a relay or translator will reach: the carried address is checked too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from services.domain.errors import Invalid
from services.domain.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = ("https", "http")
# How a host name becomes addresses: (host, port, timeout in seconds) -> addresses. The
# notifier's connections and the tests inject their own; ``resolve`` asks the system.
Resolver = Callable[[str, int, float], Awaitable[list[IPAddress]]]

# RFC 6052: the well-known NAT64 prefix reaches the IPv4 address in its last 32 bits, and the
# local-use prefix (RFC 8215) reaches whatever a local translator is set to: never a receiver.
NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")
# RFC 4291: the deprecated IPv4-compatible form, ::a.b.c.d (:: and ::1 are themselves).
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# RFC 2765 (SIIT): the IPv4-translated form, ::ffff:0:a.b.c.d.
IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")


class UnresolvableHost(Invalid):
    """The receiver's host name does not resolve (now): refused on save, retried on delivery."""


def carried_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses a connection to ``address`` may end up at, by the transition forms."""
    last_32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    carried = []
    if address.ipv4_mapped is not None:
        carried.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        carried.append(address.sixtofour)
    if address.teredo is not None:
        # The Teredo server (bits 32-63) and the client (the last 32 bits, XOR-ed).
        carried.extend(address.teredo)
    if address in NAT64_WELL_KNOWN or address in IPV4_TRANSLATED:
        carried.append(last_32)
    if address in IPV4_COMPATIBLE and int(address) > 1:
        carried.append(last_32)
    return carried


def is_internal(address: IPAddress) -> bool:
    """True for an address a public receiver cannot have, or one that carries such an address."""
    if isinstance(address, ipaddress.IPv6Address):
        carried = carried_ipv4(address)
        if any(is_internal(v4) for v4 in carried):
            return True
        if address in NAT64_LOCAL_USE:
            return True
        if carried and (address.ipv4_mapped is not None or address in NAT64_WELL_KNOWN):
            # Only another spelling of (or the standard route to) a public IPv4 address.
            return False
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        # e.g. the carrier-grade NAT range 100.64.0.0/10: neither private nor global.
        or not address.is_global
    )


def is_allowed(host: str, address: IPAddress, allowed_hosts: list[str]) -> bool:
    """True when the host, its address or a CIDR range holding it is in ``allowed_hosts``."""
    for entry in allowed_hosts:
        entry = entry.strip().lower().rstrip(".")
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            if entry == host:
                return True
            continue
        if address in network:
            return True
    return False


def describe(address: IPAddress) -> str:
    """The address, and any IPv4 address it carries: ``2002:7f00:1:: (carries 127.0.0.1)``."""
    carried = carried_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else []
    if not carried:
        return str(address)
    return f"{address} (carries {', '.join(str(a) for a in carried)})"


async def resolve(host: str, port: int, timeout_seconds: float) -> list[IPAddress]:
    """Every address ``host`` resolves to; UnresolvableHost if none."""
    try:
        infos = await asyncio.wait_for(
            asyncio.to_thread(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM),
            timeout=timeout_seconds,
        )
    except (OSError, UnicodeError, ValueError, TimeoutError) as exc:
        raise UnresolvableHost(f"The host {host!r} does not resolve.", field="url") from exc
    addresses = []
    for info in infos:
        # An IPv6 address may carry a zone ("fe80::1%eth0").
        text = str(info[4][0]).split("%", 1)[0]
        addresses.append(ipaddress.ip_address(text))
    if not addresses:
        raise UnresolvableHost(f"The host {host!r} does not resolve.", field="url")
    return addresses


async def check_url(url: str, settings: Settings, resolver: Resolver = resolve) -> None:
    """Raise Invalid unless ``url`` is http(s) and every address of its host may be called."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Invalid("The URL is not valid.", field="url") from exc
    if parts.scheme.lower() not in SCHEMES:
        raise Invalid("A receiver URL is https (or http).", field="url")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise Invalid("The URL has no host.", field="url")
    if port is None:
        port = 443 if parts.scheme.lower() == "https" else 80
    await checked_addresses(host, port, settings, resolver)


@dataclass(frozen=True)
class Allowance:
    """Which internal hosts one kind of outbound call may reach, and the setting that says so:
    webhook receivers (``webhook_allowed_hosts``) or statutory sources' feeds
    (``source_feed_allowed_hosts``), each allowed on its own."""

    hosts: list[str]
    setting: str
    field: str = "url"


def webhook_allowance(settings: Settings) -> Allowance:
    """The internal hosts webhook receivers may be on (POLICYGOV_WEBHOOK_ALLOWED_HOSTS)."""
    return Allowance(settings.webhook_allowed_hosts, "POLICYGOV_WEBHOOK_ALLOWED_HOSTS")


async def checked_addresses(
    host: str,
    port: int,
    settings: Settings,
    resolver: Resolver = resolve,
    allowance: Allowance | None = None,
) -> list[IPAddress]:
    """Resolve ``host`` once and return its addresses; Invalid if any of them may not be called
    (internal and not allowed: by default, as a webhook receiver)."""
    allowance = allowance or webhook_allowance(settings)
    host = host.rstrip(".").lower()
    addresses = await resolver(host, port, settings.webhook_timeout_seconds)
    if not addresses:
        raise UnresolvableHost(f"The host {host!r} does not resolve.", field=allowance.field)
    refused = [
        describe(a)
        for a in addresses
        if is_internal(a) and not is_allowed(host, a, allowance.hosts)
    ]
    if refused:
        raise Invalid(
            f"The host {host!r} has an internal address ({', '.join(sorted(set(refused)))}); "
            f"an administrator can allow it with {allowance.setting}.",
            field=allowance.field,
        )
    return addresses
