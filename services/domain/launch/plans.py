"""Communication plans: for each issue of a document, who is told, how and when, and whether
it went.

LBBD 10: "Cascade the newly approved policy/procedure by asking Team and/or Service Managers to
discuss this with staff in team meetings and service meetings and via the ASC newsletter."
Cafcass 4.15: "The policy and any supporting information should have a communications plan
which includes plans for the Channel C newsletter, the website (external/internal)"; 7.1: "The
Policy Sponsor should inform Regional Directors and Service Managers". A plan is written with
the final draft (Cafcass: submitted to ECMT and the Board with it) and carried to the issued
version when that draft is issued (``carry_to_issue``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import launch as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.db import new_id
from services.domain.documents.service import get_document
from services.domain.documents.versions import get_version
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.launch.commands import NewPlanItem, PlanItemChange, PlanItemSent
from services.domain.models.boards import Board
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.launch import Channel, CommunicationPlanItem
from services.domain.people.service import require_active_person

MAX_ITEMS = 50  # per issue: a plan, not a mailing list
MAX_AREAS = 20
MAX_BOARDS = 20
# How long ago a plan item may be planned or said to have gone (a plan made after the event).
MAX_PAST_DAYS = 366


def _clean_areas(areas: Sequence[str]) -> list[str]:
    if len(areas) > MAX_AREAS:
        raise Invalid(f"At most {MAX_AREAS} service areas.", field="service_areas")
    cleaned = [a.strip() for a in areas]
    if any(not a or len(a) > 200 for a in cleaned):
        raise Invalid("Name each service area (at most 200 characters).", field="service_areas")
    return list(dict.fromkeys(cleaned))


async def _check_boards(
    session: AsyncSession, organisation_id: uuid.UUID, board_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """Boards of the caller's organisation; another's answers like one that does not exist."""
    wanted = list(dict.fromkeys(board_ids))
    if len(wanted) > MAX_BOARDS:
        raise Invalid(f"At most {MAX_BOARDS} boards.", field="board_ids")
    if not wanted:
        return []
    found = set(
        (
            await session.execute(
                select(Board.id).where(
                    Board.organisation_id == organisation_id, Board.id.in_(wanted)
                )
            )
        ).scalars()
    )
    if found != set(wanted):
        raise Invalid("No such board in this organisation.", field="board_ids")
    return wanted


def _check_words(values: dict[str, Any]) -> None:
    if "audience" in values and not str(values["audience"]).strip():
        raise Invalid("Say who is told (Team and Service Managers, all staff).", field="audience")
    channel = values.get("channel")
    name = str(values.get("channel_name", "")).strip()
    if channel in (Channel.NEWSLETTER, Channel.OTHER) and "channel_name" in values and not name:
        raise Invalid(
            "Name the newsletter or channel (Channel C, the ASC newsletter).",
            field="channel_name",
        )
    earliest = london_today() - timedelta(days=MAX_PAST_DAYS)
    if "planned_on" in values and values["planned_on"] < earliest:
        raise Invalid("A plan item is planned within the last year or later.", field="planned_on")


async def _version_for_plan(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID, version_ref: str
) -> tuple[Document, DocumentVersion]:
    document = await get_document(session, principal, document_id)
    version = await get_version(session, principal, document, version_ref)
    return document, version


async def add_item(
    session: AsyncSession,
    principal: Principal,
    document_id: uuid.UUID,
    version_ref: str,
    command: NewPlanItem,
) -> CommunicationPlanItem:
    """Add a line to the plan of a version (the final draft, or an issue): the policy team and
    the document's people."""
    document, version = await _version_for_plan(session, principal, document_id, version_ref)
    authz.check_plan(principal, document)
    values = command.given()
    _check_words(values)
    owner_id = command.owner_id or principal.person_id
    if owner_id is None:
        raise Invalid("Name who sends it (owner_id): this credential acts for no person.",
                      field="owner_id")  # fmt: skip
    await require_active_person(session, document.organisation_id, owner_id, "owner_id")
    count = await session.scalar(
        select(func.count()).where(CommunicationPlanItem.version_id == version.id)
    )
    if (count or 0) >= MAX_ITEMS:
        raise Conflict(f"A plan has at most {MAX_ITEMS} items.")
    item = CommunicationPlanItem(
        id=new_id(),
        organisation_id=document.organisation_id,
        document_id=document.id,
        version_id=version.id,
        drafted_for_version_id=version.id,
        audience=command.audience.strip(),
        service_areas=_clean_areas(command.service_areas),
        board_ids=await _check_boards(session, document.organisation_id, command.board_ids),
        channel=command.channel,
        channel_name=command.channel_name.strip(),
        planned_on=command.planned_on,
        owner_id=owner_id,
        created_by_id=principal.person_id,
        note=command.note,
    )
    session.add(item)
    await session.flush()
    await audit_changes.record_change(session, principal, item, "communication_plan.item_added")
    return item


async def plan_of(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID, version_ref: str
) -> tuple[Document, DocumentVersion, list[CommunicationPlanItem]]:
    """A version's plan, soonest first (a draft's only for those who may read drafts)."""
    document, version = await _version_for_plan(session, principal, document_id, version_ref)
    rows = await session.execute(
        select(CommunicationPlanItem)
        .where(
            CommunicationPlanItem.organisation_id == document.organisation_id,
            CommunicationPlanItem.version_id == version.id,
        )
        .order_by(CommunicationPlanItem.planned_on, CommunicationPlanItem.id)
    )
    return document, version, list(rows.scalars())


async def get_item(
    session: AsyncSession, principal: Principal, item_id: uuid.UUID, *, for_update: bool = False
) -> tuple[Document, CommunicationPlanItem]:
    """An item of the caller's organisation on a version they may see, or that names them to
    send it; else NotFound."""
    query = select(CommunicationPlanItem).where(
        CommunicationPlanItem.id == item_id,
        CommunicationPlanItem.organisation_id == principal.organisation_id,
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    item = (await session.execute(query)).scalar_one_or_none()
    if item is None:
        raise NotFound("No such communication plan item.")
    if principal.person_id is not None and principal.person_id == item.owner_id:
        # Whoever it names to send it sees it, on a draft too: they were emailed about it.
        return await get_document(session, principal, item.document_id), item
    document, _ = await _version_for_plan(
        session, principal, item.document_id, str(item.version_id)
    )
    return document, item


def _expect(item: CommunicationPlanItem, expected_version: int | None) -> None:
    if expected_version is not None and item.row_version != expected_version:
        raise PreconditionFailed("The plan item has changed since you read it; fetch it again.")


async def change_item(
    session: AsyncSession,
    principal: Principal,
    document: Document,
    item: CommunicationPlanItem,
    change: PlanItemChange,
    *,
    expected_version: int | None,
) -> CommunicationPlanItem:
    """Change an item not yet sent: what went is kept as it went."""
    authz.check_plan(principal, document)
    _expect(item, expected_version)
    if item.sent_at is not None:
        raise Conflict("This item has gone: it is kept as it was sent.")
    values = change.given()
    _check_words(values)
    channel = values.get("channel", item.channel)
    name = values.get("channel_name", item.channel_name)
    if channel in (Channel.NEWSLETTER, Channel.OTHER) and not str(name).strip():
        raise Invalid("Name the newsletter or channel.", field="channel_name")
    if "owner_id" in values:
        await require_active_person(session, document.organisation_id, values["owner_id"],
                                    "owner_id")  # fmt: skip
    if "service_areas" in values:
        values["service_areas"] = _clean_areas(values["service_areas"])
    if "board_ids" in values:
        values["board_ids"] = await _check_boards(
            session, document.organisation_id, values["board_ids"]
        )
    for key in ("audience", "channel_name"):
        if key in values:
            values[key] = str(values[key]).strip()
    before = audit.snapshot(item)
    for key, value in values.items():
        setattr(item, key, value)
    await session.flush()
    await audit_changes.record_change(
        session, principal, item, "communication_plan.item_changed", before=before
    )
    return item


async def remove_item(
    session: AsyncSession,
    principal: Principal,
    document: Document,
    item: CommunicationPlanItem,
    *,
    expected_version: int | None,
) -> None:
    """Remove an item not yet sent (one that went stays on the record)."""
    authz.check_plan(principal, document)
    _expect(item, expected_version)
    if item.sent_at is not None:
        raise Conflict("This item has gone: it stays on the record.")
    await audit_changes.record_change(
        session, principal, item, "communication_plan.item_removed", after=None
    )
    await session.delete(item)
    await session.flush()


async def mark_sent(
    session: AsyncSession,
    principal: Principal,
    document: Document,
    item: CommunicationPlanItem,
    sent: PlanItemSent,
    *,
    expected_version: int | None,
) -> CommunicationPlanItem:
    """Say the item went: the day (today by default; never in the future) and a note."""
    authz.check_mark_sent(principal, document, item)
    _expect(item, expected_version)
    if item.sent_at is not None:
        raise Conflict("This item is already marked sent.")
    today = london_today()
    day = sent.sent_on or today
    if day > today:
        raise Invalid("It went today or earlier: plan it instead.", field="sent_on")
    if (today - day).days > MAX_PAST_DAYS:
        raise Invalid("It went within the last year.", field="sent_on")
    before = audit.snapshot(item)
    item.sent_at, item.sent_on = utcnow(), day
    item.sent_by_id, item.sent_note = principal.person_id, sent.note
    await session.flush()
    await audit_changes.record_change(
        session, principal, item, "communication_plan.item_sent", before=before
    )
    return item


async def carry_to_issue(session: AsyncSession, issued: DocumentVersion) -> int:
    """The plan written with the drafts since the last issue becomes the plan of ``issued``
    (Cafcass 6-7: the plan submitted with the final draft is the launch's plan)."""
    last = (
        await session.execute(
            select(DocumentVersion.major)
            .where(
                DocumentVersion.document_id == issued.document_id,
                DocumentVersion.minor == 0,
                DocumentVersion.id != issued.id,
                DocumentVersion.major < issued.major,
            )
            .order_by(DocumentVersion.major.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    drafts = select(DocumentVersion.id).where(
        DocumentVersion.document_id == issued.document_id,
        DocumentVersion.minor > 0,
        tuple_(DocumentVersion.major, DocumentVersion.minor) < (issued.major, issued.minor),
    )
    if last is not None:
        drafts = drafts.where(DocumentVersion.major >= last)
    result = await session.execute(
        update(CommunicationPlanItem)
        .where(
            CommunicationPlanItem.document_id == issued.document_id,
            CommunicationPlanItem.version_id.in_(drafts),
        )
        .values(version_id=issued.id, row_version=CommunicationPlanItem.row_version + 1)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def is_overdue(item: CommunicationPlanItem, today: date) -> bool:
    """Planned for a day before today and not marked sent."""
    return item.sent_at is None and item.planned_on < today
