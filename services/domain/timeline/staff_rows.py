"""The staff side's rows of a document's timeline (issue 19): its dis-applications, review
extensions, engagement sessions, asks to read and acknowledge (with their counts) and
communication plan items, one query each."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.models.acknowledgements import (
    Acknowledgement,
    AcknowledgementRequest,
    AcknowledgementStatus,
)
from services.domain.models.dis_applications import DisApplication
from services.domain.models.engagement_sessions import EngagementSession
from services.domain.models.launch import CommunicationPlanItem
from services.domain.models.review_extensions import ReviewExtension
from services.domain.timeline.records import TimelineRows


async def _all(session: AsyncSession, query: Any) -> list[Any]:
    return list((await session.execute(query)).scalars())


async def load_staff_side(
    session: AsyncSession, rows: TimelineRows, org: uuid.UUID, doc: uuid.UUID
) -> None:
    rows.dis_applications = await _all(
        session,
        select(DisApplication)
        .where(DisApplication.organisation_id == org, DisApplication.document_id == doc)
        .order_by(DisApplication.created_at, DisApplication.id),
    )
    rows.review_extensions = await _all(
        session,
        select(ReviewExtension)
        .where(ReviewExtension.organisation_id == org, ReviewExtension.document_id == doc)
        .order_by(ReviewExtension.created_at, ReviewExtension.id),
    )
    rows.engagement_sessions = await _all(
        session,
        select(EngagementSession)
        .where(EngagementSession.organisation_id == org, EngagementSession.document_id == doc)
        .order_by(EngagementSession.held_on, EngagementSession.id),
    )
    rows.acknowledgement_requests = await _acknowledgement_requests(session, org, doc)
    rows.communication_plan_items = await _all(
        session,
        select(CommunicationPlanItem)
        .where(
            CommunicationPlanItem.organisation_id == org,
            CommunicationPlanItem.document_id == doc,
        )
        .order_by(CommunicationPlanItem.created_at, CommunicationPlanItem.id),
    )


async def _acknowledgement_requests(
    session: AsyncSession, org: uuid.UUID, doc: uuid.UUID
) -> list[tuple[AcknowledgementRequest, int, int]]:
    """Each ask with how many it asked (those no longer asked too) and how many confirmed."""
    asked = func.count(Acknowledgement.id)
    confirmed = func.count(Acknowledgement.id).filter(
        Acknowledgement.status == AcknowledgementStatus.CONFIRMED
    )
    found = await session.execute(
        select(AcknowledgementRequest, asked, confirmed)
        .outerjoin(Acknowledgement, Acknowledgement.request_id == AcknowledgementRequest.id)
        .where(
            AcknowledgementRequest.organisation_id == org,
            AcknowledgementRequest.document_id == doc,
        )
        .group_by(AcknowledgementRequest.id)
        .order_by(AcknowledgementRequest.created_at, AcknowledgementRequest.id)
    )
    return [(request, int(a), int(c)) for request, a, c in found.all()]
