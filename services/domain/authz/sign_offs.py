"""Who may see, submit and decide sign-offs, and lend their authority to decide.

Segregation of duties: nobody decides a stage of a sign-off on a draft they wrote, uploaded or
submitted, and no delegation lends authority to them or through them. A route may allow it
explicitly (``allow_self_approval``, for very small teams); the decision then records that it
was self-approved.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, exists, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.core import Rule, action, refuse
from services.domain.authz.directory import holding
from services.domain.authz.documents import (
    can_read_drafts,
    is_policy_team,
    named_on_condition,
    works_on,
)
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.sign_off import Delegation, SignOff, SignOffInformed, SignOffStage


@dataclass(frozen=True)
class Seat:
    """Who decides (and on whose behalf), and whether the route let them approve their own."""

    person_id: uuid.UUID
    on_behalf_of_id: uuid.UUID | None
    is_self_approved: bool


def current_delegators(person_id: uuid.UUID, today: date) -> Select[uuid.UUID]:
    """The approvers whose authority ``person_id`` holds today."""
    return select(Delegation.delegator_id).where(
        Delegation.delegate_id == person_id,
        Delegation.revoked_at.is_(None),
        Delegation.starts_on <= today,
        Delegation.ends_on >= today,
    )


async def seats_of(session: AsyncSession, principal: Principal, today: date) -> list[uuid.UUID]:
    """The caller and the approvers whose authority they hold today."""
    me = principal.person_id
    if me is None:
        return []
    return [me, *(await session.execute(current_delegators(me, today))).scalars()]


async def draft_writers(
    session: AsyncSession, document: Document, draft: DocumentVersion
) -> set[uuid.UUID]:
    """Who wrote the draft under decision: the document's author and whoever uploaded any draft
    of this revision up to it (0.1 to 0.3; 1.1 to 1.2)."""
    rows = await session.execute(
        select(DocumentVersion.uploaded_by_id).where(
            DocumentVersion.document_id == document.id,
            DocumentVersion.major == draft.major,
            DocumentVersion.minor > 0,
            DocumentVersion.minor <= draft.minor,
        )
    )
    writers = {person for person in rows.scalars() if person is not None}
    if document.author_id is not None:
        writers.add(document.author_id)
    return writers


async def conflicted(
    session: AsyncSession, sign_off: SignOff, document: Document, draft: DocumentVersion
) -> set[uuid.UUID]:
    """The people who may not decide this sign-off: its writers and its submitter."""
    found = await draft_writers(session, document, draft)
    if sign_off.submitted_by_id is not None:
        found.add(sign_off.submitted_by_id)
    return found


async def may_decide_at_all(
    session: AsyncSession, person_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Of ``person_ids``, those whose roles in the directory let them decide a stage."""
    return await holding(session, person_ids, P.SIGN_OFFS_DECIDE)


@action(
    "sign_off.read",
    "see a sign-off, its stages and decisions",
    P.SIGN_OFFS_READ,
    Rule.NAMED_ON_DOCUMENT,
    Rule.SUBMITTER,
    Rule.STAGE_APPROVER,
    Rule.INFORMED,
    Rule.POLICY_TEAM,
    kind="test",
)
async def can_read(
    session: AsyncSession, principal: Principal, sign_off: SignOff, document: Document, today: date
) -> bool:
    if can_read_drafts(principal, document):
        return True
    if principal.person_id is None:
        return False
    if sign_off.submitted_by_id == principal.person_id:
        return True
    seats = await seats_of(session, principal, today)
    found = await session.execute(
        select(SignOffStage.id).where(
            SignOffStage.sign_off_id == sign_off.id, SignOffStage.participants.overlap(seats)
        )
    )
    if found.first() is not None:
        return True
    informed = await session.execute(
        select(SignOffInformed.id).where(
            SignOffInformed.sign_off_id == sign_off.id,
            SignOffInformed.person_id == principal.person_id,
        )
    )
    return informed.first() is not None


@action(
    "sign_off.list",
    "list sign-offs",
    P.SIGN_OFFS_READ,
    Rule.NAMED_ON_DOCUMENT,
    Rule.SUBMITTER,
    Rule.STAGE_APPROVER,
    Rule.INFORMED,
    Rule.POLICY_TEAM,
    kind="filter",
)
def readable(principal: Principal, seats: list[uuid.UUID]) -> ColumnElement[bool]:
    """The sign-offs the caller may list (``seats``: the caller and whom they stand in for)."""
    if principal.is_system or is_policy_team(principal):
        return true()
    me = principal.person_id
    if me is None:
        return false()
    return or_(
        SignOff.submitted_by_id == me,
        exists().where(Document.id == SignOff.document_id, named_on_condition(principal)),
        exists().where(
            SignOffStage.sign_off_id == SignOff.id,
            SignOffStage.participants.overlap(seats or [uuid.UUID(int=0)]),
        ),
        exists().where(SignOffInformed.sign_off_id == SignOff.id, SignOffInformed.person_id == me),
    )


@action(
    "sign_off.acknowledge",
    "acknowledge a draft a sign-off stage showed you, without deciding anything",
    P.SIGN_OFFS_READ,
    Rule.INFORMED,
)
def check_acknowledge(principal: Principal, told: Iterable[SignOffInformed]) -> None:
    """Only a person told acknowledges; nobody does it for them, not even the policy team."""
    me = principal.person_id
    if me is None or not any(row.person_id == me for row in told):
        refuse(Rule.INFORMED, "Only the person informed may acknowledge it.")


@action(
    "sign_off.submit",
    "submit a draft for sign-off; answer the route's questions; send the amended draft back; "
    "withdraw it",
    P.SIGN_OFFS_SUBMIT,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
)
def check_submit(principal: Principal, document: Document) -> None:
    if works_on(principal, document):
        return
    refuse(
        Rule.NAMED_ON_DOCUMENT,
        "A draft is submitted, amended or withdrawn by the document's responsible officer, "
        "author, owner or the policy team.",
    )


def check_not_conflicted(
    person_id: uuid.UUID,
    name: str,
    stage_name: str,
    conflicts: set[uuid.UUID],
    *,
    allow_self_approval: bool,
) -> bool:
    """Refuse a decider who wrote, uploaded or submitted the draft; True if self-approved."""
    if person_id not in conflicts:
        return False
    if allow_self_approval:
        return True
    refuse(
        Rule.SEGREGATION_OF_DUTIES,
        f"{name} wrote, uploaded or submitted the draft under decision, so cannot decide "
        f"{stage_name!r}: someone independent of the draft must (the route does not allow "
        "self-approval).",
    )


@action(
    "sign_off.decide",
    "decide the stage waiting for a decision: approve (with conditions), defer, reject, note, "
    "ratify",
    P.SIGN_OFFS_DECIDE,
    Rule.STAGE_APPROVER,
    Rule.SEGREGATION_OF_DUTIES,
)
async def check_decide(
    session: AsyncSession,
    principal: Principal,
    stage: SignOffStage,
    conflicts: set[uuid.UUID],
    today: date,
    *,
    allow_self_approval: bool,
) -> Seat:
    """The seat the caller decides from: their own, or an approver's whom they stand in for."""
    me = principal.person_id
    if me is None:
        refuse(Rule.STAGE_APPROVER, "A decision is taken by a person, not an API key.")
    on_behalf_of: uuid.UUID | None = None
    if me not in stage.participants:
        on_behalf_of = (
            await session.execute(
                current_delegators(me, today)
                .where(Delegation.delegator_id.in_(stage.participants or [uuid.UUID(int=0)]))
                .order_by(Delegation.starts_on)
                .limit(1)
            )
        ).scalar_one_or_none()
        if on_behalf_of is None:
            refuse(
                Rule.STAGE_APPROVER,
                f"Only the approver of the stage {stage.name!r} (or their delegate) can decide it.",
            )
    self_approved = False
    # No delegation lends authority to a writer of the draft, nor passes a writer's seat on.
    for person_id, name in ((me, "You"), (on_behalf_of, "The approver you stand in for")):
        if person_id is not None and check_not_conflicted(
            person_id, name, stage.name, conflicts, allow_self_approval=allow_self_approval
        ):
            self_approved = True
    return Seat(me, on_behalf_of, self_approved)


@action(
    "sign_off.correct_decision",
    "supersede one's own decision while the stage has not moved on",
    P.SIGN_OFFS_DECIDE,
    Rule.OWN_DECISION,
)
def check_correct(principal: Principal, seat: Seat, taken_by: uuid.UUID | None) -> None:
    if taken_by is not None and taken_by == (seat.on_behalf_of_id or seat.person_id):
        return
    refuse(
        Rule.OWN_DECISION, "Only the person who took a decision (or their delegate) corrects it."
    )


@action(
    "delegation.create_own",
    "lend one's authority to decide to a named person for a period (leave cover)",
    P.SIGN_OFFS_DECIDE,
    Rule.OWN_AUTHORITY,
)
def check_delegate_own(principal: Principal, delegator_id: uuid.UUID) -> None:
    if principal.person_id != delegator_id:
        refuse(Rule.OWN_AUTHORITY, "You may delegate only your own authority.")


@action(
    "delegation.create_for_others",
    "record a delegation of someone else's authority",
    P.DOCUMENTS_MANAGE,
    Rule.POLICY_TEAM,
)
def check_delegate_for_others(principal: Principal) -> None:
    """The policy team records leave cover for anyone (the permission is the whole rule)."""


def check_delegate(principal: Principal, delegator_id: uuid.UUID) -> None:
    """Delegating one's own authority, or (the policy team) anyone's."""
    if principal.person_id == delegator_id:
        check_delegate_own(principal, delegator_id)
    else:
        check_delegate_for_others(principal)


def is_delegation_party(principal: Principal, delegation: Delegation) -> bool:
    return principal.person_id is not None and principal.person_id in (
        delegation.delegator_id,
        delegation.delegate_id,
    )


@action(
    "delegation.read",
    "see a delegation",
    P.SIGN_OFFS_READ,
    Rule.DELEGATION_PARTY,
    Rule.POLICY_TEAM,
    kind="test",
)
def can_read_delegation(principal: Principal, delegation: Delegation) -> bool:
    return is_policy_team(principal) or is_delegation_party(principal, delegation)


@action(
    "delegation.list",
    "list delegations",
    P.SIGN_OFFS_READ,
    Rule.DELEGATION_PARTY,
    Rule.POLICY_TEAM,
    kind="filter",
)
def readable_delegations(principal: Principal) -> ColumnElement[bool]:
    if is_policy_team(principal):
        return true()
    me = principal.person_id
    if me is None:
        return false()
    return or_(Delegation.delegator_id == me, Delegation.delegate_id == me)


@action(
    "delegation.revoke",
    "end a delegation early",
    P.SIGN_OFFS_READ,
    Rule.OWN_AUTHORITY,
    Rule.POLICY_TEAM,
)
def check_revoke_delegation(principal: Principal, delegation: Delegation) -> None:
    if is_policy_team(principal) or principal.person_id == delegation.delegator_id:
        return
    refuse(Rule.OWN_AUTHORITY, "Only the person who delegated, or the policy team, revokes it.")
