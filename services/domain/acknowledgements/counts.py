"""How many were asked to read and acknowledge, how many confirmed, how many are late: the
figures compliance reports and implementation monitoring read (Dorset aim xi: "systems for
monitoring the use of approved documents").

A stable interface: ``uptake(session, organisation_id, document_id)`` is read by the
monitoring reports; keep its signature and fields.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.clock import london_today
from services.domain.models.acknowledgements import (
    Acknowledgement,
    AcknowledgementRequest,
    AcknowledgementRequestStatus,
    AcknowledgementStatus,
)
from services.domain.models.documents import Document, DocumentVersion


def major_of(number: str) -> int:
    """The whole-version part of a version number ("1.2" -> 1)."""
    return int(number.split(".", 1)[0])


def percent(confirmed: int, asked: int) -> float | None:
    """Confirmed as a percentage of those asked, to one decimal place; None when nobody was."""
    return None if asked == 0 else round(100 * confirmed / asked, 1)


@dataclass(frozen=True)
class Uptake:
    """A document's acknowledgement uptake for the version in force."""

    document_id: uuid.UUID
    # The version in force (None: nothing issued), and the open ask of it, if any.
    version: str | None
    request_id: uuid.UUID | None
    due_on: date | None
    # Named people asked (a cancelled row, e.g. superseded, is not counted).
    asked: int
    confirmed: int
    # Asked and not yet confirmed; overdue: those of them whose due date has passed.
    pending: int
    overdue: int
    # confirmed / asked * 100, one decimal place; None when nobody was asked.
    percent: float | None


async def uptake(
    session: AsyncSession, organisation_id: uuid.UUID, document_id: uuid.UUID
) -> Uptake | None:
    """The uptake of the version of a document in force: counts from the latest ask, not
    cancelled, of that whole version (1.2 in force: the ask of 1.2, else of 1.1, else of 1.0,
    since a minor version asks again only when the policy team says so). None when the
    document is not the organisation's."""
    document = (
        await session.execute(
            select(Document.id, Document.issued_version).where(
                Document.id == document_id, Document.organisation_id == organisation_id
            )
        )
    ).one_or_none()
    if document is None:
        return None
    version = document.issued_version
    request = None
    if version is not None:
        request = (
            await session.execute(
                select(AcknowledgementRequest)
                .join(DocumentVersion, DocumentVersion.id == AcknowledgementRequest.version_id)
                .where(
                    AcknowledgementRequest.organisation_id == organisation_id,
                    AcknowledgementRequest.document_id == document_id,
                    AcknowledgementRequest.status != AcknowledgementRequestStatus.CANCELLED,
                    DocumentVersion.major == major_of(version),
                )
                .order_by(AcknowledgementRequest.created_at.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
    if request is None:
        return Uptake(document_id, version, None, None, 0, 0, 0, 0, None)
    asked, confirmed = await request_counts(session, request.id)
    pending = asked - confirmed
    overdue = pending if request.due_on < london_today() else 0
    return Uptake(
        document_id,
        version,
        request.id,
        request.due_on,
        asked,
        confirmed,
        pending,
        overdue,
        percent(confirmed, asked),
    )


async def request_counts(session: AsyncSession, request_id: uuid.UUID) -> tuple[int, int]:
    """(asked, confirmed) of one request: cancelled rows are not counted as asked, except that
    a confirmation stays counted when its request was superseded afterwards."""
    confirmed = AcknowledgementStatus.CONFIRMED
    row = (
        await session.execute(
            select(
                func.count().filter(
                    Acknowledgement.status.in_((AcknowledgementStatus.PENDING, confirmed))
                ),
                func.coalesce(func.sum(case((Acknowledgement.status == confirmed, 1), else_=0)), 0),
            ).where(Acknowledgement.request_id == request_id)
        )
    ).one()
    return int(row[0]), int(row[1])
