"""Moving what a person holds to someone else, all or nothing (issue 20, orphaned owners).

Each thing moves through the domain function of its own package, with that package's checks
(may the caller change it, may the new holder hold it: a sign-off's independence from the
draft, an update cycle item's role) and its audit record: nothing here writes another
package's table. Each move runs in a savepoint so that one refused leaves the others checked:
the caller hears every one that could not move, and nothing moves unless all do.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.authz import handover as authz
from services.domain.authz.principal import Principal
from services.domain.documents.commands import DocumentChange
from services.domain.documents.service import update_document
from services.domain.errors import Conflict, DomainError, Invalid
from services.domain.handover.commands import Move, Reassignment
from services.domain.handover.holdings import REASSIGNABLE, Holding, holdings_of
from services.domain.models.documents import Document
from services.domain.models.monitoring import MonitoringAction
from services.domain.models.people import Person
from services.domain.monitoring.commands import MonitoringActionChange
from services.domain.monitoring.service import update_action
from services.domain.people.service import get_person
from services.domain.reviews.commands import ItemChange
from services.domain.reviews.update_cycle_items import update_item
from services.domain.reviews.update_cycles import get_item
from services.domain.sign_off.handover import replace_decider

# At most this many things move in one request (the items given, "everything" expanded).
MAX_MOVES = 500
DOCUMENT_FIELDS = {
    "owner": "owner_id",
    "responsible_officer": "responsible_officer_id",
    "author": "author_id",
}

Mover = Callable[[AsyncSession, Principal, Holding, Person, Person], Awaitable[None]]


async def _document(
    session: AsyncSession, principal: Principal, held: Holding, old: Person, new: Person
) -> None:
    document = await session.get(Document, held.id)
    assert document is not None  # read from the holdings of this organisation
    change = DocumentChange.of({DOCUMENT_FIELDS[held.role]: new.id})
    await update_document(
        session, principal, document, change, expected_version=document.row_version
    )


async def _stage(
    session: AsyncSession, principal: Principal, held: Holding, old: Person, new: Person
) -> None:
    await replace_decider(session, principal, held.id, old.id, new)


async def _action(
    session: AsyncSession, principal: Principal, held: Holding, old: Person, new: Person
) -> None:
    action = await session.get(MonitoringAction, held.id)
    assert action is not None
    await update_action(session, principal, action, MonitoringActionChange(owner_id=new.id), None)


async def _item(
    session: AsyncSession, principal: Principal, held: Holding, old: Person, new: Person
) -> None:
    item = await get_item(session, principal, held.id, for_update=True)
    await update_item(session, principal, item, ItemChange(assigned_to_id=new.id))


MOVERS: dict[str, Mover] = {
    "document": _document,
    "sign_off_stage": _stage,
    "monitoring_action": _action,
    "update_cycle_item": _item,
}


@dataclass(frozen=True)
class Unmoved:
    kind: str
    id: uuid.UUID | None
    role: str
    reason: str

    def as_dict(self) -> dict[str, str | None]:
        return {
            "kind": self.kind,
            "id": str(self.id) if self.id else None,
            "role": self.role,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Reassigned:
    from_person: Person
    to_person: Person
    moved: list[Holding]


async def _new_holder(session: AsyncSession, principal: Principal, command: Reassignment) -> Person:
    person = await session.get(Person, command.to_person_id)
    if person is None or person.organisation_id != principal.organisation_id:
        raise Invalid("No such person in this organisation.", field="to_person_id")
    if not person.is_active:
        raise Invalid(f"{person.name} is no longer active.", field="to_person_id")
    return person


async def _chosen(
    session: AsyncSession, principal: Principal, person: Person, moves: list[Move]
) -> tuple[list[Holding], list[Unmoved]]:
    """The holdings the moves name, each once; a move of something the person does not hold
    (or of another organisation's record: the same answer) is unmoved."""
    for move in moves:
        if move.role not in REASSIGNABLE.get(move.kind, ()):
            raise Invalid(f"{move.kind} cannot be reassigned as {move.role!r}.", field="items")
    kinds = tuple(dict.fromkeys(move.kind for move in moves))
    held = await holdings_of(
        session, principal.organisation_id, person.id, kinds=kinds, per_kind=MAX_MOVES
    )
    by_key = {(h.kind, h.role, h.id): h for h in held.items}
    chosen: dict[tuple[str, str, uuid.UUID], Holding] = {}
    unmoved = []
    for move in moves:
        if move.id is None:
            chosen.update(
                {k: h for k, h in by_key.items() if k[0] == move.kind and k[1] == move.role}
            )
        elif (key := (move.kind, move.role, move.id)) in by_key:
            chosen[key] = by_key[key]
        else:
            reason = f"{person.name} holds no open {move.kind} with this id as {move.role}."
            unmoved.append(Unmoved(move.kind, move.id, move.role, reason))
    if len(chosen) > MAX_MOVES or any(k in held.more for k in kinds):
        raise Invalid(
            f"At most {MAX_MOVES} things move in one request: move them kind by kind.",
            field="items",
        )
    return list(chosen.values()), unmoved


async def reassign(
    session: AsyncSession, principal: Principal, person_id: uuid.UUID, command: Reassignment
) -> Reassigned:
    """Move what the command names from the person to another active person of the
    organisation: all of it, or (a problem listing each that could not move) none."""
    authz.check_reassign(principal)
    person = await get_person(session, principal, person_id)
    new = await _new_holder(session, principal, command)
    if new.id == person.id:
        raise Invalid("Choose someone else to hand over to.", field="to_person_id")
    chosen, unmoved = await _chosen(session, principal, person, command.items)
    asked = len(chosen) + len(unmoved)
    moved = []
    for held in chosen:
        try:
            async with session.begin_nested():
                await MOVERS[held.kind](session, principal, held, person, new)
            moved.append(held)
        except DomainError as refused:
            unmoved.append(Unmoved(held.kind, held.id, held.role, refused.detail))
    if unmoved:
        raise Conflict(
            f"{len(unmoved)} of {asked} could not move, so nothing moved.",
            unmoved=[u.as_dict() for u in unmoved],
        )
    await audit_changes.record_change(
        session,
        principal,
        person,
        "person.holdings_reassigned",
        before=None,
        after={
            "to_person_id": str(new.id),
            "moved": [{"kind": h.kind, "id": str(h.id), "role": h.role} for h in moved],
        },
    )
    return Reassigned(person, new, moved)
