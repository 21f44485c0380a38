"""The staff directory."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from services.domain.events.base import _Event


class PeopleLeft(_Event):
    """People were marked as no longer active: deactivated in the directory (one) or by a
    staff list import (all it marked at once). The policy team is told once what they still
    hold, to hand it over (GET /v1/people/{id}/holdings)."""

    type: Literal["people.left"] = "people.left"
    person_ids: list[uuid.UUID] = Field(max_length=5000)
    # "directory": a PATCH made them inactive; "staff_list": an imported staff list.
    source: Literal["directory", "staff_list"] = "directory"
    filename: str = ""
