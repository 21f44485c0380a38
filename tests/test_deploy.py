"""The compose file runs pinned images and publishes nothing beyond this host."""

from __future__ import annotations

import re
from pathlib import Path

COMPOSE = Path(__file__).resolve().parents[1] / "docker-compose.yml"


def test_every_image_is_pinned_to_a_version() -> None:
    # `postgres:16` or an untagged `axllent/mailpit` is whatever was newest that day: two
    # installs of one commit could run different servers.
    images = re.findall(r"^\s+image:\s*(\S+)", COMPOSE.read_text(), re.M)
    ours = "policygov:local"
    pinned = re.compile(r"^[a-z0-9./_-]+:v?\d+\.\d+(\.\d+)?(-[a-z0-9]+)?$")
    assert ours in images
    assert [image for image in images if image != ours and not pinned.match(image)] == []


def test_ports_are_published_on_this_host_only() -> None:
    # A reverse proxy on the host reaches the API (deploy/README.md); the network does not.
    text = COMPOSE.read_text()
    published = re.findall(r'^\s+-\s*"([^"]+:\d+)"\s*$', text, re.M)
    assert published
    assert [port for port in published if not port.startswith("127.0.0.1:")] == []
