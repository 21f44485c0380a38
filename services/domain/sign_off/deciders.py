"""Who decides a sign-off stage: resolved when it starts, so a later change of post holder
does not move it, and never (unless the route allows it) someone who wrote the draft.

A person decider names one person (the document's RSM, a post's holder) or several (all, any
or N of them, or a majority: ``voting``); a board decides at its meeting, or its members by
circulation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz import sign_offs as authz
from services.domain.boards.service import members_of
from services.domain.documents.service import acting_responsible_officer_id
from services.domain.errors import Conflict
from services.domain.governance.definition import (
    VOTING_RULES,
    BoardDecider,
    Decider,
    DocumentRoleDecider,
    PeopleDecider,
    PostDecider,
    RouteDefinition,
)
from services.domain.governance.posts import holder_of
from services.domain.models.boards import Board
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.governance import RouteVersion
from services.domain.models.people import Person
from services.domain.models.sign_off import SignOff
from services.domain.sign_off.voting import required_for
from services.domain.text import STORED


@dataclass(frozen=True)
class Deciders:
    participants: list[uuid.UUID]
    required: int
    board_id: uuid.UUID | None
    at_meeting: bool


@dataclass(frozen=True)
class Independence:
    """Who may not decide this sign-off, and whether its route lets them anyway."""

    conflicts: set[uuid.UUID]
    allow_self_approval: bool


async def independence_of(
    session: AsyncSession, sign_off: SignOff, document: Document
) -> Independence:
    draft = await session.get(DocumentVersion, sign_off.version_id)
    route_version = await session.get(RouteVersion, sign_off.route_version_id)
    assert draft is not None and route_version is not None
    definition = RouteDefinition.model_validate(route_version.definition, context=STORED)
    return Independence(
        await authz.conflicted(session, sign_off, document, draft),
        definition.allow_self_approval,
    )


async def active_people(
    session: AsyncSession, organisation_id: uuid.UUID, ids: list[uuid.UUID]
) -> list[uuid.UUID]:
    """The active people of the organisation among ``ids``, each once, in the order given."""
    if not ids:
        return []
    rows = await session.execute(
        select(Person.id).where(
            Person.id.in_(ids),
            Person.organisation_id == organisation_id,
            Person.is_active.is_(True),
        )
    )
    active = set(rows.scalars())
    return [i for i in dict.fromkeys(ids) if i in active]


async def _names(session: AsyncSession, ids: set[uuid.UUID]) -> str:
    rows = await session.execute(
        select(Person.name).where(Person.id.in_(ids)).order_by(Person.name)
    )
    return ", ".join(rows.scalars())


async def _able(
    session: AsyncSession,
    people: list[uuid.UUID],
    required: int,
    stage_name: str,
    conflicts: set[uuid.UUID],
    *,
    allow_self_approval: bool,
) -> list[uuid.UUID]:
    """The people asked to decide, if their roles let them; those who wrote the draft are left
    out when enough others remain (any, or N of them), else refused."""
    unable = set(people) - await authz.may_decide_at_all(session, people)
    if unable:
        raise Conflict(
            f"{stage_name}: {await _names(session, unable)} hold no role that lets them decide a "
            "sign-off stage (give them the approver role, or change the route)."
        )
    independent = [p for p in people if p not in conflicts]
    if allow_self_approval or len(independent) == len(people):
        return people
    if len(independent) >= required and required < len(people):
        return independent
    writer = next(p for p in people if p in conflicts)
    authz.check_not_conflicted(
        writer,
        await _names(session, {writer}),
        stage_name,
        conflicts,
        allow_self_approval=allow_self_approval,
    )
    return people  # pragma: no cover - check_not_conflicted refused


async def resolve(
    session: AsyncSession,
    document: Document,
    decider: Decider,
    *,
    chosen: list[uuid.UUID] | None,
    stage_name: str,
    conflicts: set[uuid.UUID] = frozenset(),  # type: ignore[assignment]
    allow_self_approval: bool = False,
) -> Deciders:
    """Who decides: resolved now, so a later change of post holder does not move a stage.

    Nobody who wrote, uploaded or submitted the draft (``conflicts``) decides it unless the
    route allows self-approval; a board deciding by circulation leaves them out of the vote.
    """
    if isinstance(decider, BoardDecider):
        return await _board_deciders(
            session,
            document,
            decider,
            stage_name,
            conflicts,
            allow_self_approval=allow_self_approval,
        )
    people, required = await _people_asked(session, document, decider, chosen, stage_name)
    people = await _able(
        session,
        people,
        required,
        stage_name,
        conflicts,
        allow_self_approval=allow_self_approval,
    )
    if isinstance(decider, PeopleDecider) and decider.rule in VOTING_RULES:
        # A majority is of those who may vote: the draft's writers left out are not eligible.
        required = required_for(decider.rule, len(people), decider.count)
        check_quorum(decider, len(people), required, stage_name)
    return Deciders(people, required, None, at_meeting=False)


async def _people_asked(
    session: AsyncSession,
    document: Document,
    decider: DocumentRoleDecider | PostDecider | PeopleDecider,
    chosen: list[uuid.UUID] | None,
    stage_name: str,
) -> tuple[list[uuid.UUID], int]:
    """The active people a person decider names, and how many of them must agree."""
    org = document.organisation_id
    if isinstance(decider, DocumentRoleDecider):
        person_id = (
            acting_responsible_officer_id(document)
            if decider.role == "responsible_officer"
            else getattr(document, f"{decider.role}_id")
        )
        people = await active_people(session, org, [person_id] if person_id else [])
        if not people:
            raise Conflict(
                f"{stage_name}: the document has no active "
                f"{decider.role.replace('_', ' ')} to decide it; name one on the document "
                "first."
            )
        return people, 1
    if isinstance(decider, PostDecider):
        holder = await holder_of(session, org, decider.post, document.service_area)
        people = await active_people(session, org, [holder] if holder else [])
        if not people:
            area = document.service_area or "the organisation"
            raise Conflict(
                f"{stage_name}: nobody active holds the post {decider.post} for {area}; "
                "record the post holder (/v1/posts) first."
            )
        return people, 1
    named = list(decider.people) or list(chosen or [])
    people = await active_people(session, org, named)
    if not people or len(people) < len(dict.fromkeys(named)):
        raise Conflict(
            f"{stage_name}: name the active people who decide this stage "
            "(approvers in the submission)."
        )
    required = required_for(decider.rule, len(people), decider.count)
    check_quorum(decider, len(people), required, stage_name)
    return people, required


def check_quorum(decider: PeopleDecider, eligible: int, required: int, stage_name: str) -> None:
    """A vote that can be carried by those eligible: enough of them to approve and to be
    quorate (named by the submitter, or fewer once the draft's writers are left out)."""
    if required > eligible:
        raise Conflict(f"{stage_name}: needs {required} approvers but {eligible} are named.")
    if decider.quorum is not None and decider.quorum > eligible:
        raise Conflict(
            f"{stage_name}: the quorum is {decider.quorum} but only {eligible} may vote."
        )


async def _board_deciders(
    session: AsyncSession,
    document: Document,
    decider: BoardDecider,
    stage_name: str,
    conflicts: set[uuid.UUID],
    *,
    allow_self_approval: bool,
) -> Deciders:
    """A board at its meeting; by circulation, the members who may vote and how many must."""
    org = document.organisation_id
    board = await session.get(Board, decider.board_id)
    if board is None or board.organisation_id != org or not board.is_active:
        raise Conflict(f"{stage_name}: the board that decides it is no longer active.")
    if decider.via == "meeting":
        return Deciders([], 1, board.id, at_meeting=True)
    members = await members_of(session, [board.id])
    people = await active_people(session, org, [m.person_id for m in members])
    # Members who may not decide, or who wrote the draft, have no vote on it.
    voters = await authz.may_decide_at_all(session, people)
    if not allow_self_approval:
        voters -= conflicts
    people = [p for p in people if p in voters]
    if not people:
        raise Conflict(
            f"{stage_name}: the board {board.name} has no active member who may decide it."
        )
    required = {
        "all": len(people),
        "any": 1,
        "majority": len(people) // 2 + 1,
    }.get(decider.rule, min(decider.count or 1, len(people)))
    return Deciders(people, required, board.id, at_meeting=False)
