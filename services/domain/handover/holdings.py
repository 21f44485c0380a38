"""What a person holds that is still open: every record that would be left without anyone to
act on it if they left, by kind, each with the role they hold it in.

Reassignable here (``reassign.py``): documents (owner, responsible officer, author), the seats
of sign-off stages waiting for a decision, open monitoring actions and pending update cycle
items. Shown, and changed where they are kept: posts (governance), board seats (boards) and the
open requests to read and acknowledge they asked (which stay open without them).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz import handover as authz
from services.domain.authz.principal import Principal
from services.domain.documents.orphans import still_in_use
from services.domain.models.acknowledgements import (
    AcknowledgementRequest,
    AcknowledgementRequestStatus,
)
from services.domain.models.boards import Board, BoardMember
from services.domain.models.documents import Document
from services.domain.models.governance import Post
from services.domain.models.monitoring import MonitoringAction, MonitoringActionStatus
from services.domain.models.people import Person
from services.domain.models.reviews import (
    UpdateCycle,
    UpdateCycleItem,
    UpdateCycleItemStatus,
    UpdateCycleStatus,
)
from services.domain.models.sign_off import SignOff, SignOffStage
from services.domain.people.service import get_person
from services.domain.sign_off.handover import IN_FLIGHT, WAITING, decided_in_round

# At most this many of each kind are listed; ``more`` names the kinds that had more.
PER_KIND = 500
# Document roles, in the order shown: the column each is kept in.
DOCUMENT_ROLES = {
    "owner": Document.owner_id,
    "responsible_officer": Document.responsible_officer_id,
    "author": Document.author_id,
}
# What can be moved by ``reassign``, and in which roles.
REASSIGNABLE: dict[str, tuple[str, ...]] = {
    "document": tuple(DOCUMENT_ROLES),
    "sign_off_stage": ("decider",),
    "monitoring_action": ("owner",),
    "update_cycle_item": ("assignee",),
}
# Where the rest are changed.
ELSEWHERE = {
    "post": "Name the post's new holder in the governance posts (PATCH /v1/posts/{id}).",
    "board_member": "Change the board's seat (PUT or DELETE /v1/boards/{within_id}/members/{id}).",
    "acknowledgement_request": "The ask stays open without them; end it if it is no longer "
    "needed (POST /v1/acknowledgement-requests/{id}/cancel).",
}
KINDS = (*REASSIGNABLE, *ELSEWHERE)


@dataclass(frozen=True)
class Holding:
    kind: str
    id: uuid.UUID
    role: str
    title: str
    document_id: uuid.UUID | None = None
    reference: str | None = None
    # The record it belongs to: a stage's sign-off, an item's cycle, a seat's board.
    within_id: uuid.UUID | None = None

    @property
    def reassignable(self) -> bool:
        return self.role in REASSIGNABLE.get(self.kind, ())

    @property
    def how(self) -> str | None:
        return ELSEWHERE.get(self.kind)


@dataclass
class Holdings:
    """A person's open holdings, each kind in a fixed order, at most ``PER_KIND`` of each."""

    items: list[Holding] = field(default_factory=list)
    more: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for item in self.items:
            found[item.kind] = found.get(item.kind, 0) + 1
        return found


Reader = Callable[[AsyncSession, uuid.UUID, uuid.UUID, int], Awaitable[list[Holding]]]


async def _documents(
    session: AsyncSession, org: uuid.UUID, person_id: uuid.UUID, limit: int
) -> list[Holding]:
    found = []
    for role, column in DOCUMENT_ROLES.items():
        rows = await session.execute(
            select(Document.id, Document.reference, Document.title)
            .where(Document.organisation_id == org, column == person_id, still_in_use())
            .order_by(Document.reference)
            .limit(limit)
        )
        found += [Holding("document", i, role, t, i, ref) for i, ref, t in rows.all()]
    return found


async def _stages(
    session: AsyncSession, org: uuid.UUID, person_id: uuid.UUID, limit: int
) -> list[Holding]:
    rows = await session.execute(
        select(SignOffStage.id, SignOffStage.name, Document.id, Document.reference, SignOff.id)
        .join(SignOff, SignOff.id == SignOffStage.sign_off_id)
        .join(Document, Document.id == SignOff.document_id)
        .where(
            SignOffStage.organisation_id == org,
            SignOffStage.participants.contains([person_id]),
            SignOffStage.status.in_(WAITING),
            SignOff.status.in_(IN_FLIGHT),
            ~decided_in_round(person_id),
        )
        .order_by(Document.reference, SignOffStage.position)
        .limit(limit)
    )
    return [
        Holding("sign_off_stage", i, "decider", f"{ref}: {name}", doc, ref, sign_off)
        for i, name, doc, ref, sign_off in rows.all()
    ]


async def _actions(
    session: AsyncSession, org: uuid.UUID, person_id: uuid.UUID, limit: int
) -> list[Holding]:
    rows = await session.execute(
        select(MonitoringAction.id, MonitoringAction.title, Document.id, Document.reference)
        .join(Document, Document.id == MonitoringAction.document_id)
        .where(
            MonitoringAction.organisation_id == org,
            MonitoringAction.owner_id == person_id,
            MonitoringAction.status == MonitoringActionStatus.OPEN,
        )
        .order_by(MonitoringAction.due_on, MonitoringAction.id)
        .limit(limit)
    )
    return [Holding("monitoring_action", i, "owner", t, doc, ref) for i, t, doc, ref in rows.all()]


async def _items(
    session: AsyncSession, org: uuid.UUID, person_id: uuid.UUID, limit: int
) -> list[Holding]:
    rows = await session.execute(
        select(UpdateCycleItem.id, UpdateCycle.name, UpdateCycleItem.chapter, Document.id)
        .add_columns(Document.reference, UpdateCycle.id)
        .join(UpdateCycle, UpdateCycle.id == UpdateCycleItem.cycle_id)
        .outerjoin(Document, Document.id == UpdateCycleItem.document_id)
        .where(
            UpdateCycleItem.organisation_id == org,
            UpdateCycleItem.assigned_to_id == person_id,
            UpdateCycleItem.status == UpdateCycleItemStatus.PENDING,
            UpdateCycle.status == UpdateCycleStatus.OPEN,
        )
        .order_by(UpdateCycle.name, UpdateCycleItem.chapter, UpdateCycleItem.id)
        .limit(limit)
    )
    return [
        Holding("update_cycle_item", i, "assignee", f"{name}: {chapter}", doc, ref, cycle)
        for i, name, chapter, doc, ref, cycle in rows.all()
    ]


async def _posts(
    session: AsyncSession, org: uuid.UUID, person_id: uuid.UUID, limit: int
) -> list[Holding]:
    rows = await session.execute(
        select(Post.id, Post.post, Post.service_area)
        .where(Post.organisation_id == org, Post.person_id == person_id)
        .order_by(Post.post, Post.service_area)
        .limit(limit)
    )
    return [
        Holding("post", i, "holder", f"{post} ({area})" if area else post)
        for i, post, area in rows.all()
    ]


async def _boards(
    session: AsyncSession, org: uuid.UUID, person_id: uuid.UUID, limit: int
) -> list[Holding]:
    rows = await session.execute(
        select(BoardMember.id, Board.name, BoardMember.role, Board.id)
        .join(BoardMember, BoardMember.board_id == Board.id)
        .where(Board.organisation_id == org, BoardMember.person_id == person_id)
        .order_by(Board.name)
        .limit(limit)
    )
    return [
        Holding("board_member", i, role, name, within_id=board)
        for i, name, role, board in rows.all()
    ]


async def _asks(
    session: AsyncSession, org: uuid.UUID, person_id: uuid.UUID, limit: int
) -> list[Holding]:
    rows = await session.execute(
        select(AcknowledgementRequest.id, AcknowledgementRequest.version_number, Document.id)
        .add_columns(Document.reference)
        .join(Document, Document.id == AcknowledgementRequest.document_id)
        .where(
            AcknowledgementRequest.organisation_id == org,
            AcknowledgementRequest.asked_by_id == person_id,
            AcknowledgementRequest.status == AcknowledgementRequestStatus.OPEN,
        )
        .order_by(Document.reference, AcknowledgementRequest.id)
        .limit(limit)
    )
    return [
        Holding("acknowledgement_request", i, "asked_by", f"{ref} version {number}", doc, ref)
        for i, number, doc, ref in rows.all()
    ]


READERS: dict[str, Reader] = {
    "document": _documents,
    "sign_off_stage": _stages,
    "monitoring_action": _actions,
    "update_cycle_item": _items,
    "post": _posts,
    "board_member": _boards,
    "acknowledgement_request": _asks,
}


async def holdings_of(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    kinds: tuple[str, ...] = KINDS,
    per_kind: int = PER_KIND,
) -> Holdings:
    """What the person holds that is still open, kind by kind (at most ``per_kind`` of each;
    ``more`` names the kinds cut short)."""
    found = Holdings()
    for kind in kinds:
        rows = await READERS[kind](session, organisation_id, person_id, per_kind + 1)
        if kind == "document":
            # Three roles read separately: cut each role's list, not the kind's.
            by_role: dict[str, list[Holding]] = {}
            for row in rows:
                by_role.setdefault(row.role, []).append(row)
            if any(len(r) > per_kind for r in by_role.values()):
                found.more.append(kind)
            rows = [row for role in by_role.values() for row in role[:per_kind]]
        elif len(rows) > per_kind:
            found.more.append(kind)
            rows = rows[:per_kind]
        found.items += rows
    return found


async def read_holdings(
    session: AsyncSession, principal: Principal, person_id: uuid.UUID
) -> tuple[Person, Holdings]:
    """A person of the caller's organisation and what they hold (the policy team, admins)."""
    authz.check_read_holdings(principal)
    person = await get_person(session, principal, person_id)
    return person, await holdings_of(session, principal.organisation_id, person.id)
