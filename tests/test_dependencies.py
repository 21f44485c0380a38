"""Dependencies that are there for speed, not for an import of ours: nothing fails without
them, so only a test notices they went."""

from __future__ import annotations

import importlib.util


def test_sniffio_is_installed_for_httpcore() -> None:
    # httpcore imports sniffio in each request to tell asyncio from trio. A failed import is
    # not remembered, so without sniffio every webhook delivery searched sys.path for it (a
    # sixth of a delivery's time); pyproject.toml lists it for that reason alone.
    assert importlib.util.find_spec("sniffio") is not None
