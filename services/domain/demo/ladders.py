"""Each demo organisation's escalation ladder (organisations.json ``escalation_ladder``).

A ladder's rungs name people by email and boards by name in the data file; they become ids
here.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.governance.ladders import LADDER
from services.domain.models.boards import Board
from services.domain.models.organisations import Organisation


def _rung(
    spec: dict[str, Any], by_email: dict[str, Any], boards: dict[str, uuid.UUID]
) -> dict[str, Any]:
    notify = dict(spec["notify"])
    if "email" in notify:
        notify = {"kind": "person", "person_id": str(by_email[notify.pop("email")])}
    if "board" in notify:
        name = notify.pop("board")
        notify["board_id"] = str(boards[name])
    return {"after": spec["after"], "notify": notify}


async def seed_ladder(
    session: AsyncSession,
    organisation: Organisation,
    rungs: list[dict[str, Any]] | None,
    by_email: dict[str, Any],
) -> dict[str, int]:
    """The organisation's ladder (``rungs`` of the data file), unless it has one. Its weeks of
    snapshots are taken by seed-demo after this (services/ops/register.py): the tracker is a
    read model beside the demo, not below it."""
    return {"escalation_ladders": await _seed_ladder(session, organisation, rungs, by_email)}


async def _seed_ladder(
    session: AsyncSession,
    organisation: Organisation,
    rungs: list[dict[str, Any]] | None,
    by_email: dict[str, Any],
) -> int:
    """Set the organisation's ladder unless it has one; 1 if set."""
    if not rungs or organisation.escalation_ladder is not None:
        return 0
    found = await session.execute(
        select(Board.name, Board.id).where(Board.organisation_id == organisation.id)
    )
    boards = {name: board_id for name, board_id in found.all()}
    ladder = LADDER.validate_python({"rungs": [_rung(r, by_email, boards) for r in rungs]})
    organisation.escalation_ladder = LADDER.dump_python(ladder, mode="json")["rungs"]
    return 1
