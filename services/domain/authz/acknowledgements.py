"""Who may ask people to read and acknowledge, confirm, and see who has (issue 19 item 1).

Everyone confirms their own; managers and document owners read compliance; the policy team
sets a document's audience and asks. Board members confirm they have read a meeting's papers
(Dorset 7.4: "Attendees are expected to read the documents prior to the meeting date"); the
chair, a vice-chair and the policy team see who has.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.boards import runs_meetings, sits_on
from services.domain.authz.core import Rule, action, refuse
from services.domain.authz.documents import is_named_on, is_policy_team
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal
from services.domain.models.acknowledgements import Acknowledgement
from services.domain.models.boards import Board
from services.domain.models.documents import Document


@action(
    "acknowledgement.manage",
    "set a document's acknowledgement audience, ask people to read and acknowledge a version, "
    "cancel an ask",
    P.ACKNOWLEDGEMENTS_MANAGE,
)
def check_manage(principal: Principal) -> None:
    """The policy team (the permission is the whole rule)."""


@action(
    "acknowledgement.read",
    "read who was asked to acknowledge a document and who has, and compliance reports",
    P.ACKNOWLEDGEMENTS_READ,
)
def check_read(principal: Principal) -> None:
    """Managers, owners and the policy team (the permission is the whole rule)."""


@action(
    "acknowledgement.read_document",
    "read a document's acknowledgement audience and uptake",
    P.ACKNOWLEDGEMENTS_CONFIRM,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
)
def check_read_document(principal: Principal, document: Document) -> None:
    if not (
        principal.can(P.ACKNOWLEDGEMENTS_READ)
        or is_policy_team(principal)
        or is_named_on(principal, document)
    ):
        refuse(
            Rule.NAMED_ON_DOCUMENT,
            "Who has acknowledged a document is for its people, managers and the policy team.",
        )


@action(
    "acknowledgement.confirm",
    "confirm one has read and understood a version one was asked to acknowledge",
    P.ACKNOWLEDGEMENTS_CONFIRM,
    Rule.ACKNOWLEDGER,
)
def check_confirm(principal: Principal, acknowledgement: Acknowledgement) -> None:
    if principal.person_id is None or principal.person_id != acknowledgement.person_id:
        refuse(Rule.ACKNOWLEDGER, "Only the person asked confirms they have read it.")


@action(
    "meeting.papers_read",
    "confirm one has read a meeting's papers (a member of its board)",
    P.ACKNOWLEDGEMENTS_CONFIRM,
    Rule.BOARD_MEMBER,
)
async def check_papers_read(session: AsyncSession, principal: Principal, board: Board) -> None:
    if not await sits_on(session, principal, board):
        refuse(
            Rule.BOARD_MEMBER,
            f"Only a member of {board.name} (or a member's delegate) confirms reading its papers.",
        )


@action(
    "meeting.papers_read_list",
    "see which members have read a meeting's papers",
    P.BOARDS_READ,
    Rule.BOARD_CHAIR,
    Rule.POLICY_TEAM,
)
async def check_papers_list(session: AsyncSession, principal: Principal, board: Board) -> None:
    if not await runs_meetings(session, principal, board):
        refuse(
            Rule.BOARD_CHAIR,
            f"Who has read the papers is for the chair or a vice-chair of {board.name}, or "
            "the policy team.",
        )
