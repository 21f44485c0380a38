"""The lock files pin what pyproject.toml asks for, and the environment is what they pin.

make install installs requirements-dev.lock (with --require-hashes) and the image installs
requirements.lock; `make lock` writes both from pyproject.toml. Two builds of one commit then
install the same files, byte for byte: the hashes say so.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
_ENTRY = re.compile(r"^([A-Za-z0-9._-]+)(\[[^\]]*\])?==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


@dataclass(frozen=True)
class Pin:
    version: str
    marker: Marker | None
    hashes: int


def locked(name: str) -> dict[str, list[Pin]]:
    """Each package of a lock file with its pins (one per marker) and how many hashes each has."""
    pins: dict[str, list[Pin]] = {}
    current: list[Pin] | None = None
    for line in (ROOT / name).read_text().splitlines():
        match = _ENTRY.match(line)
        if match:
            package, _, version, marker = match.groups()
            current = pins.setdefault(canonicalize_name(package), [])
            current.append(Pin(version, Marker(marker) if marker else None, 0))
        elif line.strip().startswith("--hash=sha256:") and current:
            last = current[-1]
            current[-1] = Pin(last.version, last.marker, last.hashes + 1)
    return pins


def here(pins: list[Pin]) -> Pin | None:
    """The pin that applies to this interpreter and platform, if any does."""
    return next((pin for pin in pins if pin.marker is None or pin.marker.evaluate()), None)


def requirements(*extras: str) -> list[Requirement]:
    wanted = list(PYPROJECT["project"]["dependencies"])
    for extra in extras:
        wanted += PYPROJECT["project"]["optional-dependencies"][extra]
    return [Requirement(text) for text in wanted]


def test_every_dependency_is_pinned_at_a_version_it_allows() -> None:
    # A dependency added to pyproject.toml without `make lock` would not be installed at all.
    for lock, extras in (("requirements-dev.lock", ("dev",)), ("requirements.lock", ())):
        pins = locked(lock)
        for requirement in requirements(*extras):
            pin = here(pins.get(canonicalize_name(requirement.name), []))
            assert pin is not None, f"{requirement.name} is not in {lock}: run make lock"
            assert requirement.specifier.contains(pin.version, prereleases=True), (
                f"{lock} pins {requirement.name}=={pin.version}, outside {requirement}: make lock"
            )


def test_every_pin_has_its_hashes() -> None:
    for lock in ("requirements-dev.lock", "requirements.lock"):
        unhashed = [name for name, pins in locked(lock).items() if any(p.hashes == 0 for p in pins)]
        assert unhashed == [], f"{lock} pins without a hash: {unhashed}"


def test_the_image_installs_the_versions_make_install_installs() -> None:
    dev = locked("requirements-dev.lock")
    differing = {
        name: [pin.version for pin in pins]
        for name, pins in locked("requirements.lock").items()
        if [pin.version for pin in pins] != [pin.version for pin in dev.get(name, [])]
    }
    assert differing == {}
    # ...and only what the service needs: no test tool in the image.
    runtime = locked("requirements.lock")
    assert "pytest" not in runtime
    assert "fastapi" in runtime


def test_this_environment_is_the_dev_lock() -> None:
    # What make install made: a package at another version means the lock was not installed.
    differing = {}
    for name, pins in locked("requirements-dev.lock").items():
        pin = here(pins)
        if pin is None:
            continue
        installed = metadata.version(name)
        if canonicalize_name(installed) != canonicalize_name(pin.version):
            differing[name] = (pin.version, installed)
    assert differing == {}


def test_the_parser_reads_markers_and_hashes() -> None:
    # The checks above are only as good as the reading of the file: a pin with a marker counts.
    pins = locked("requirements-dev.lock")
    assert pins["colorama"][0].marker is not None
    assert here(pins["colorama"]) is None  # Windows only
    assert here(pins["fastapi"]) is not None
    assert all(pin.hashes >= 1 for pin in pins["fastapi"])
