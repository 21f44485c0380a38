"""Who is told when people leave: the policy team, once per ``people.left`` (one person
deactivated, or everyone a staff list marked as left), with what each still holds.

- ``people.left``: to each of the policy team (``people/policy_team.py``), listing each
  leaver's open holdings by kind and the first ``ENTRIES`` of them with a link to their
  document; void once every leaver is active again or holds nothing that can be moved.

Context keys (besides those every email has): ``source`` ("directory" or "staff_list"),
``filename``, ``person_ids``, ``leavers`` (``name``, ``email``, ``total``, ``kinds``: the
count of each kind in words), ``entries`` (``person``, ``what``, ``role``, ``title``,
``document_id``, ``reference``) and ``more`` (entries left out).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.handover.holdings import REASSIGNABLE, Holding, holdings_of
from services.domain.models.people import Person
from services.domain.notices.notice import Handler, Notice
from services.domain.organisations.words import OrganisationWords, words_for
from services.domain.people.policy_team import policy_team

LEFT = "people.left"
# At most this many holdings are listed in the email (the rest are counted).
ENTRIES = 40
# Each kind in words, as the email lists them.
KIND_WORDS = {
    "document": "document",
    "sign_off_stage": "sign-off stage",
    "monitoring_action": "monitoring action",
    "update_cycle_item": "update cycle item",
    "post": "post",
    "board_member": "board seat",
    "acknowledgement_request": "request to read and acknowledge",
}


async def still_applies(session: AsyncSession, kind: str, context: dict[str, Any]) -> bool:
    """Void once every leaver is active again or holds nothing that can be moved."""
    for person_id in context.get("person_ids", []):
        person = await session.get(Person, uuid.UUID(person_id))
        if person is None or person.is_active:
            continue
        held = await holdings_of(
            session, person.organisation_id, person.id, kinds=tuple(REASSIGNABLE), per_kind=1
        )
        if held.items:
            return True
    return False


def _entry(person: Person, held: Holding, words: OrganisationWords) -> dict[str, Any]:
    return {
        "person": person.name,
        "what": KIND_WORDS[held.kind],
        "role": words.title_of(held.role),
        "title": held.title,
        "document_id": str(held.document_id) if held.document_id else None,
        "reference": held.reference,
    }


async def _left(session: AsyncSession, event: events.PeopleLeft) -> list[Notice]:
    """The policy team, once, with what the leavers still hold."""
    words = await words_for(session, event.organisation_id)
    leavers: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    total = 0
    for person_id in event.person_ids:
        person = await session.get(Person, person_id)
        if person is None or person.is_active:
            continue
        held = await holdings_of(session, event.organisation_id, person.id)
        counts = held.counts()
        kinds = [f"{n} {KIND_WORDS[k]}{'' if n == 1 else 's'}" for k, n in counts.items()]
        leavers.append({"name": person.name, "email": person.email, "total": len(held.items)})
        leavers[-1]["kinds"] = kinds
        total += len(held.items)
        room = max(ENTRIES - len(entries), 0)
        entries += [_entry(person, h, words) for h in held.items[:room]]
    if not leavers:
        return []
    context = {
        "source": event.source,
        "filename": event.filename,
        "person_ids": [str(p) for p in event.person_ids],
        "leavers": leavers,
        "entries": entries,
        "more": total - len(entries),
    }
    team = await policy_team(session, event.organisation_id)
    return [Notice(LEFT, member, context) for member in team]


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {
    events.PeopleLeft: _left,
}
