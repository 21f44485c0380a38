"""Every setting is in the README's settings table, with the default the code has."""

from __future__ import annotations

import re
from pathlib import Path

from services.domain.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def _table() -> dict[str, str]:
    rows = re.findall(r"^\| `(POLICYGOV_[A-Z0-9_]+)` \| ([^|]*) \|", README.read_text(), re.M)
    return {name: default.strip() for name, default in rows}


def test_every_setting_is_documented() -> None:
    table = _table()
    missing = [f"POLICYGOV_{name.upper()}" for name in Settings.model_fields]
    assert [name for name in missing if name not in table] == []


def test_the_number_of_api_processes_is_documented_with_its_default() -> None:
    default = Settings.model_fields["api_workers"].default
    assert _table()["POLICYGOV_API_WORKERS"] == f"`{default}`"
