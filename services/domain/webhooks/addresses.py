"""Which receiver URLs we may call: no private, loopback or other internal addresses (SSRF).

Checked when a subscription is saved and again before every attempt, because DNS can change.
A host can still resolve differently between the check and the connection (DNS rebinding); the
check before every attempt keeps that window short.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from services.domain.errors import Invalid
from services.domain.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = ("https", "http")


class UnresolvableHost(Invalid):
    """The receiver's host name does not resolve (now): refused on save, retried on delivery."""


def is_internal(address: IPAddress) -> bool:
    """True for an address a public receiver cannot have."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
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


async def check_url(url: str, settings: Settings) -> None:
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
    addresses = await resolve(host, port, settings.webhook_timeout_seconds)
    refused = [
        str(a)
        for a in addresses
        if is_internal(a) and not is_allowed(host, a, settings.webhook_allowed_hosts)
    ]
    if refused:
        raise Invalid(
            f"The host {host!r} has an internal address ({', '.join(sorted(set(refused)))}); "
            "an administrator can allow it with POLICYGOV_WEBHOOK_ALLOWED_HOSTS.",
            field="url",
        )
