"""Standard Webhooks signatures and the receiver address rule, without a database."""

from __future__ import annotations

import base64
import ipaddress
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook

from services.domain.errors import Invalid
from services.domain.settings import Settings
from services.domain.webhooks.addresses import (
    UnresolvableHost,
    carried_ipv4,
    check_url,
    is_internal,
)
from services.domain.webhooks.signing import new_secret, sign, signature_header


def test_the_signature_is_the_standard_webhooks_example() -> None:
    # The example in the Standard Webhooks specification.
    assert (
        sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            b'{"test": 2432232314}',
        )
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_a_new_secret_is_24_random_bytes_behind_whsec() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 24
    assert new_secret() != secret


def test_every_secret_signs_and_each_signature_verifies_alone() -> None:
    old, new = new_secret(), new_secret()
    now = int(datetime.now(UTC).timestamp())
    body = b'{"type":"webhook.ping"}'
    header = signature_header([new, old], "msg_1", now, body)
    first, second = header.split(" ")
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(now)}
    assert Webhook(new).verify(body, {**headers, "webhook-signature": first}) is not None
    assert Webhook(old).verify(body, {**headers, "webhook-signature": second}) is not None


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2001:0:5db8:d822:8000:63bf:80ff:fffe",  # Teredo, public server, client 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b:1::5db8:d822",  # NAT64 local-use prefix: whatever it carries
        "::a00:1",  # IPv4-compatible 10.0.0.1
        "::ffff:0:7f00:1",  # IPv4-translated 127.0.0.1
    ],
)
def test_internal_addresses_are_internal(address: str) -> None:
    assert is_internal(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("address", "carried"),
    [
        ("2002:7f00:1::", ["127.0.0.1"]),
        # Teredo: the server is bits 32-63, the client the last 32 bits inverted (RFC 4380).
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", ["65.54.227.120", "192.0.2.45"]),
        ("64:ff9b::7f00:1", ["127.0.0.1"]),
        ("::ffff:7f00:1", ["127.0.0.1"]),
        ("::7f00:1", ["127.0.0.1"]),
        ("::ffff:0:7f00:1", ["127.0.0.1"]),
        ("::1", []),
        ("2606:4700:4700::1111", []),
    ],
)
def test_the_ipv4_address_an_ipv6_form_carries_is_unwrapped(
    address: str, carried: list[str]
) -> None:
    assert [str(a) for a in carried_ipv4(ipaddress.IPv6Address(address))] == carried


@pytest.mark.parametrize(
    "address",
    [
        "93.184.215.14",
        "1.1.1.1",
        "2606:4700:4700::1111",
        "2002:5db8:d70e::",  # 6to4 of a public address
        "64:ff9b::5db8:d70e",  # NAT64 of a public address: how an IPv6-only worker reaches it
        "::ffff:93.184.215.14",
    ],
)
def test_public_addresses_are_not_internal(address: str) -> None:
    assert not is_internal(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "https://10.0.0.5/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0/",
        "http://[2002:7f00:1::]/",
        "http://[64:ff9b::7f00:1]:8080/",
    ],
)
async def test_a_url_with_an_internal_address_is_refused(url: str) -> None:
    with pytest.raises(Invalid) as refused:
        await check_url(url, Settings())
    assert refused.value.extra["field"] == "url"
    assert not isinstance(refused.value, UnresolvableHost)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8080/hook", ["127.0.0.1"]),
        ("http://127.0.0.1:8080/hook", ["127.0.0.0/8"]),
        ("http://localhost/hook", ["LOCALHOST"]),
        ("https://10.0.0.5/hook", ["10.0.0.0/24"]),
    ],
)
async def test_an_allowed_host_address_or_range_is_accepted(url: str, allowed: list[str]) -> None:
    await check_url(url, Settings(webhook_allowed_hosts=allowed))


async def test_an_allowlist_entry_covers_only_what_it_names() -> None:
    with pytest.raises(Invalid):
        await check_url("https://10.0.1.5/hook", Settings(webhook_allowed_hosts=["10.0.0.0/24"]))


async def test_a_public_address_needs_no_allowlist() -> None:
    await check_url("https://93.184.215.14/hook", Settings())


@pytest.mark.parametrize(
    "url", ["ftp://93.184.215.14/hook", "file:///etc/passwd", "https:///nohost", "http://x:99999/"]
)
async def test_only_http_and_https_urls_with_a_host_are_accepted(url: str) -> None:
    with pytest.raises(Invalid):
        await check_url(url, Settings())


async def test_a_host_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(UnresolvableHost):
        await check_url("https://no-such-host.invalid/hook", Settings())


@pytest.mark.parametrize(
    "value",
    [
        "127.0.0.1, intranet.example.org ,10.0.0.0/8",
        '["127.0.0.1", "intranet.example.org", "10.0.0.0/8"]',
    ],
)
def test_the_allowed_webhook_hosts_are_comma_separated_or_a_json_list(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    # Comma-separated like the CORS origins; the JSON list documented first still works.
    monkeypatch.setenv("POLICYGOV_WEBHOOK_ALLOWED_HOSTS", value)
    assert Settings().webhook_allowed_hosts == ["127.0.0.1", "intranet.example.org", "10.0.0.0/8"]
