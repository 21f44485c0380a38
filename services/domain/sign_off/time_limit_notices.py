"""Who is told when a sign-off stage passes its time limit (``time_limits``), and what they
read.

- ``sign_off.stage_overdue``: once per round of the stage, the first working day after its
  last day to decide, to each person asked who has not decided (nor anyone for them).
- ``sign_off.stage_escalated``: once per round, the escalation day, to the policy team: who
  is still to decide, and the tally so far.

Both are void once the stage is no longer waiting for that round of that draft.

Context keys (besides those every email has): ``sign_off_id``, ``sign_off_path``,
``stage_id``, ``stage_name``, ``round``, ``version_id``, ``version``, ``due_on`` (ISO date);
the escalation adds ``waiting_names``, ``approvals``, ``refusals``, ``abstentions``,
``eligible``, ``quorum`` and ``is_quorate``.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.models.documents import Document
from services.domain.models.sign_off import SignOff, SignOffStage, StageStatus
from services.domain.notices.notice import Handler, Notice
from services.domain.notices.recipients import active_people, person_name, version_number
from services.domain.people.policy_team import policy_team
from services.domain.sign_off import voting

OVERDUE = "sign_off.stage_overdue"
ESCALATED = "sign_off.stage_escalated"


async def still_applies(session: AsyncSession, kind: str, context: dict[str, Any]) -> bool:
    """A chase or an escalation is void once its stage is no longer waiting for that round of
    that draft: decided meanwhile, cancelled, or the draft replaced by an amendment."""
    stage = await session.get(SignOffStage, uuid.UUID(context["stage_id"]))
    sign_off = await session.get(SignOff, uuid.UUID(context["sign_off_id"]))
    return (
        stage is not None
        and sign_off is not None
        and stage.status == StageStatus.ACTIVE
        and stage.round == context["round"]
        and str(sign_off.version_id) == context["version_id"]
    )


async def _about(
    session: AsyncSession, event: events.SignOffStageOverdue | events.SignOffStageEscalated
) -> dict[str, Any]:
    return {
        "sign_off_id": str(event.sign_off_id),
        "sign_off_path": f"/v1/sign-offs/{event.sign_off_id}",
        "stage_id": str(event.stage_id),
        "stage_name": event.stage_name,
        "round": event.round,
        "version_id": str(event.version_id),
        "version": await version_number(session, event.version_id),
        "due_on": event.due_on.isoformat(),
    }


async def _overdue(session: AsyncSession, event: events.SignOffStageOverdue) -> list[Notice]:
    document = await session.get(Document, event.document_id)
    if document is None:
        return []
    context = await _about(session, event)
    people = await active_people(session, event.organisation_id, event.waiting_ids)
    return [Notice(OVERDUE, person, context, document) for person in people]


async def _escalated(session: AsyncSession, event: events.SignOffStageEscalated) -> list[Notice]:
    document = await session.get(Document, event.document_id)
    stage = await session.get(SignOffStage, event.stage_id)
    if document is None or stage is None:
        return []
    names = [await person_name(session, p) for p in event.waiting_ids]
    tally = await voting.tally_of(session, stage, voting.decider_of(stage))
    context = {
        **await _about(session, event),
        "waiting_names": [n for n in names if n],
        "approvals": tally.approvals,
        "refusals": tally.refusals,
        "abstentions": tally.abstentions,
        "eligible": tally.eligible,
        "quorum": tally.quorum,
        "is_quorate": tally.is_quorate,
    }
    people = await policy_team(session, event.organisation_id)
    return [Notice(ESCALATED, person, context, document) for person in people]


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {
    events.SignOffStageOverdue: _overdue,
    events.SignOffStageEscalated: _escalated,
}
