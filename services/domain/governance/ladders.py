"""An organisation's escalation ladder: who is told, and when, as a review goes undone past its
due date (issue 20, item 5). NCT: the RO at the due date, the RSM a month later, the Head of
Service at two months, the board at three; Dorset: the Head of QA two months after.

Each rung is an offset after the due date (days or calendar months; a month past the end of a
shorter month lands on its last day) and whom it tells: a person named on the document, the
holder of a post for the document's service area, a named person, a board (its chair and/or the
person who escalates for it) or the organisation's escalation contact. The offsets must climb:
every day a rung can fall on comes after every day the rung before it can (so "30 days" then
"1 month" is refused: 1 month is 28 to 31 days). Stored on the organisation as JSON; none
stored is the default ladder, one rung: the escalation contact ``escalation_months`` after.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from functools import cache
from typing import Annotated, Any, Literal

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, StrictInt, TypeAdapter, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.authz import organisation as org_authz
from services.domain.authz.principal import Principal
from services.domain.errors import Invalid, NotFound
from services.domain.governance.definition import Key
from services.domain.models.boards import Board
from services.domain.models.organisations import Organisation
from services.domain.people.service import require_active_person
from services.domain.text import STORED

MAX_RUNGS = 8
MAX_DAYS = 730
MAX_MONTHS = 24


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class After(_Strict):
    """How long after the review due date a rung is reached (0 days: on the due date)."""

    amount: StrictInt = Field(ge=0, le=MAX_DAYS)
    unit: Literal["days", "months"]

    @model_validator(mode="after")
    def _bounded(self) -> After:
        if self.unit == "months" and self.amount > MAX_MONTHS:
            raise ValueError(f"at most {MAX_MONTHS} months")
        return self

    def on(self, due: date) -> date:
        """The day a review due on ``due`` reaches this rung."""
        if self.unit == "days":
            return due + timedelta(days=self.amount)
        return due + relativedelta(months=self.amount)

    @property
    def code(self) -> str:
        """Short and stable, for dedupe keys: ``14d``, ``2m``."""
        return f"{self.amount}{self.unit[0]}"

    @property
    def words(self) -> str:
        if self.amount == 0:
            return "on the due date"
        unit = self.unit[:-1] if self.amount == 1 else self.unit
        return f"{self.amount} {unit} after the due date"


class DocumentRoleRecipient(_Strict):
    """The person named on the document (the acting RO: the owner when no RO is named)."""

    kind: Literal["document_role"]
    role: Literal["responsible_officer", "owner", "author"]


class PostRecipient(_Strict):
    """The holder of a post for the document's service area, else the organisation-wide one
    (``head_of_service``, ``assistant_director``)."""

    kind: Literal["post"]
    post: Key


class PersonRecipient(_Strict):
    kind: Literal["person"]
    person_id: uuid.UUID


BoardPerson = Literal["chair", "escalation_person"]


def _chair_only() -> list[BoardPerson]:
    return ["chair"]


class BoardRecipient(_Strict):
    """A board: its chair and/or its escalation person (Dorset 7.3: the Head of QA); the
    email gives the board's next meeting, for the item to be tabled."""

    kind: Literal["board"]
    board_id: uuid.UUID
    tell: list[BoardPerson] = Field(default_factory=_chair_only, min_length=1, max_length=2)


class EscalationContactRecipient(_Strict):
    """The organisation's escalation contact (Dorset: the Head of QA and Partnerships)."""

    kind: Literal["escalation_contact"]


Recipient = Annotated[
    DocumentRoleRecipient
    | PostRecipient
    | PersonRecipient
    | BoardRecipient
    | EscalationContactRecipient,
    Field(discriminator="kind"),
]


class Rung(_Strict):
    after: After
    notify: Recipient


class Ladder(_Strict):
    rungs: list[Rung] = Field(min_length=1, max_length=MAX_RUNGS)

    @model_validator(mode="after")
    def _climbing(self) -> Ladder:
        for number, (lower, upper) in enumerate(zip(self.rungs, self.rungs[1:], strict=False)):
            if span(upper.after)[0] <= span(lower.after)[1]:
                raise ValueError(
                    f"rung {number + 2} ({upper.after.amount} {upper.after.unit}) can fall on or "
                    f"before rung {number + 1} ({lower.after.amount} {lower.after.unit}): each "
                    "rung must come later than the one before it"
                )
        return self


LADDER = TypeAdapter(Ladder)


@cache
def span(after: After) -> tuple[int, int]:
    """The fewest and most days after a due date that ``after`` can fall on: over four
    years of due dates (a leap year's cycle of month lengths)."""
    if after.unit == "days":
        return after.amount, after.amount
    start = date(2024, 1, 1)
    days = [(after.on(start + timedelta(n)) - (start + timedelta(n))).days for n in range(366 * 4)]
    return min(days), max(days)


def default_ladder(escalation_months: int) -> Ladder:
    """No ladder set: the escalation contact, ``escalation_months`` after the due date (the
    one escalation the review schedule always sent)."""
    rung = Rung(
        after=After(amount=escalation_months, unit="months"),
        notify=EscalationContactRecipient(kind="escalation_contact"),
    )
    return Ladder(rungs=[rung])


def ladder_of(stored: list[dict[str, Any]] | None, escalation_months: int) -> Ladder:
    """The ladder an organisation's column holds, else the default."""
    if stored is None:
        return default_ladder(escalation_months)
    return LADDER.validate_python({"rungs": stored}, context=STORED)


def rungs_reached(ladder: Ladder, due: date, today: date) -> int:
    """How many rungs a review due on ``due`` has reached on ``today`` (0: none yet)."""
    return sum(1 for rung in ladder.rungs if rung.after.on(due) <= today)


# --- reading and replacing ---------------------------------------------------------------------


async def _organisation(session: AsyncSession, principal: Principal) -> Organisation:
    organisation = await session.get(Organisation, principal.organisation_id)
    if organisation is None:
        raise NotFound("No such organisation.")
    return organisation


async def get_ladder(
    session: AsyncSession, principal: Principal, escalation_months: int
) -> tuple[Ladder, bool]:
    """The organisation's ladder, and whether it is the default (none set)."""
    org_authz.check_read_ladder(principal)
    organisation = await _organisation(session, principal)
    stored = organisation.escalation_ladder
    return ladder_of(stored, escalation_months), stored is None


async def _check_references(
    session: AsyncSession, organisation_id: uuid.UUID, ladder: Ladder
) -> None:
    for rung in ladder.rungs:
        notify = rung.notify
        if isinstance(notify, PersonRecipient):
            await require_active_person(session, organisation_id, notify.person_id, "person_id")
        elif isinstance(notify, BoardRecipient):
            board = await session.get(Board, notify.board_id)
            if board is None or board.organisation_id != organisation_id or not board.is_active:
                raise Invalid(
                    f"No active board {notify.board_id} in your organisation.", field="board_id"
                )


async def replace_ladder(
    session: AsyncSession, principal: Principal, ladder: Ladder | None, escalation_months: int
) -> tuple[Ladder, bool]:
    """Set the organisation's ladder (None: back to the default). Rungs already sent for a
    due date are not sent again; the next sweep reads every document of the organisation."""
    org_authz.check_manage_ladder(principal)
    organisation = await _organisation(session, principal)
    if ladder is not None:
        await _check_references(session, organisation.id, ladder)
    before = {"escalation_ladder": organisation.escalation_ladder}
    stored = None if ladder is None else LADDER.dump_python(ladder, mode="json")["rungs"]
    organisation.escalation_ladder = stored
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        organisation,
        "organisation.escalation_ladder_replaced",
        before=before,
        after={"escalation_ladder": stored},
    )
    return (ladder or default_ladder(escalation_months)), ladder is None
