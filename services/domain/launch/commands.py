"""What launch and cascade are asked to do: plan an item, change it, say it went; choose a
digest.

The API builds these from its request bodies (``NewPlanItem.of(body.model_dump(
exclude_unset=True))``).
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

from services.domain.commands import UNSET, Command, Maybe
from services.domain.models.launch import Channel


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewPlanItem(Command):
    """One line of the plan: who is told (in words, and optionally which service areas and
    boards), how, and when. ``channel_name`` is the organisation's own name for a newsletter
    ("Channel C", "ASC newsletter")."""

    audience: str
    channel: Channel
    planned_on: date
    channel_name: str = ""
    service_areas: tuple[str, ...] = ()
    board_ids: tuple[uuid.UUID, ...] = ()
    # Who sends it; the caller when left out.
    owner_id: uuid.UUID | None = None
    note: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class PlanItemChange(Command):
    """A change to an item not yet sent: what is sent changes, what is left out stays."""

    audience: Maybe[str] = UNSET
    channel: Maybe[Channel] = UNSET
    channel_name: Maybe[str] = UNSET
    planned_on: Maybe[date] = UNSET
    service_areas: Maybe[tuple[str, ...]] = UNSET
    board_ids: Maybe[tuple[uuid.UUID, ...]] = UNSET
    owner_id: Maybe[uuid.UUID] = UNSET
    note: Maybe[str] = UNSET


@dataclasses.dataclass(frozen=True, kw_only=True)
class PlanItemSent(Command):
    """It went: on which London day (today when left out), with a note (the newsletter's
    issue, the meetings it was discussed at)."""

    sent_on: date | None = None
    note: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class DigestChoice(Command):
    """What a person's digest lists: these service areas and/or kinds; neither named, all."""

    service_areas: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
