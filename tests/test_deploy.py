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
    pinned = re.compile(
        r"^[a-z0-9./_-]+:(v?\d+\.\d+(\.\d+)?(-[a-z0-9]+)?"
        # MinIO names its releases by their moment: RELEASE.2024-11-07T00-52-20Z.
        r"|RELEASE\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ)$"
    )
    assert ours in images
    assert [image for image in images if image != ours and not pinned.match(image)] == []


def test_ports_are_published_on_this_host_only() -> None:
    # A reverse proxy on the host reaches the API (deploy/README.md); the network does not.
    text = COMPOSE.read_text()
    published = re.findall(r'^\s+-\s*"([^"]+:\d+)"\s*$', text, re.M)
    assert published
    assert [port for port in published if not port.startswith("127.0.0.1:")] == []


DOCKERFILE = COMPOSE.parent / "Dockerfile"


def test_the_image_is_built_from_a_pinned_base_and_the_lock_file() -> None:
    # Two builds of one commit install the same files: a pinned Python on a pinned Debian, and
    # every package at the version and hash of requirements.lock (tests/test_lock.py).
    text = DOCKERFILE.read_text()
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M)
    assert base and re.fullmatch(r"python:3\.11\.\d+-slim-(bookworm|trixie)", base.group(1))
    stages = re.findall(r"^FROM (\S+) AS (\w+)$", text, re.M)
    assert stages == [
        ("${NODE_IMAGE}", "pages"),
        ("${PYTHON_IMAGE}", "build"),
        ("${PYTHON_IMAGE}", "run"),
    ]
    node = re.search(r"^ARG NODE_IMAGE=(\S+)$", text, re.M)
    assert node and re.fullmatch(r"node:\d+\.\d+\.\d+-(bookworm|trixie)-slim", node.group(1))
    assert "npm ci --omit=dev" in text
    assert "pip install --require-hashes --no-deps -r requirements.lock" in text
    assert "COPY requirements.lock" in text


def test_the_image_runs_as_a_numbered_user_other_than_root() -> None:
    # Kubernetes' runAsNonRoot checks a number; a name it cannot check is refused.
    run_stage = DOCKERFILE.read_text().split(" AS run", 1)[1]
    users = re.findall(r"^USER (\S+)$", run_stage, re.M)
    assert users and users[-1].isdigit() and users[-1] != "0"
    assert "pip install" not in run_stage


def _services() -> dict[str, str]:
    """Each service's block of the compose file, by name (no YAML parser among our deps)."""
    text = COMPOSE.read_text().split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    parts = re.split(r"^  ([a-z-]+):\n", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_minio_runs_only_with_the_s3_profile_and_the_services_wait_for_its_bucket() -> None:
    services = _services()
    profiled = {name for name, block in services.items() if 'profiles: ["s3"]' in block}
    assert profiled == {"minio", "minio-init"}
    # The API and notifier wait for the bucket when the profile runs, and only then.
    ready = COMPOSE.read_text().split("x-ready: &ready", 1)[1].split("\nservices:", 1)[0]
    assert re.search(
        r"minio-init:\n\s+condition: service_completed_successfully\n"
        r"\s+required: false",
        ready,
    )
    assert "*ready" in services["api"] and "*ready" in services["notifier"]
    assert "POLICYGOV_FILE_STORE: ${POLICYGOV_FILE_STORE:-postgres}" in COMPOSE.read_text()
