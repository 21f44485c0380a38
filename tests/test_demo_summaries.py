"""The demo's "You said, we did" (seed-demo): Birmingham Children's Trust consulted on its
direct work guidance (PG-001), issued the revised version, and its consultees were sent the
published summary, whose themes link to the paragraphs that changed."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import select

from services.domain.consultations.summaries import summary_of
from services.domain.models.consultations import ConsultationStatus
from services.domain.models.documents import DocumentVersion
from services.domain.models.outbox import OutboxEvent
from tests.test_demo_consultations import SPECS, Session, consultations_on, seed


async def test_birmingham_direct_work_guidance_has_a_published_summary_sent_at_the_issue(
    sessionmaker: Session, client: AsyncClient
) -> None:
    counts = await seed(sessionmaker, SPECS["bct"])

    assert counts["consultation_summaries"] == 1
    async with sessionmaker() as session:
        document, (consultation,) = await consultations_on(session, "bct", "PG-001")
        assert consultation.status == ConsultationStatus.CLOSED
        assert document.status == "published"
        summary = await summary_of(session, consultation.id)
        assert summary is not None and summary.status == "published"
        issued = await session.get(DocumentVersion, summary.compared_version_id)
        assert issued is not None and (issued.number, issued.is_issued) == ("2.0", True)
        assert summary.sent_at is not None and summary.missing_at_issue is False
        # Every link a theme makes is to a paragraph the issued version changed.
        keys = {c["key"] for c in summary.changes}
        linked = [k for t in summary.themes for k in t["changes"]]
        assert linked == ["p3", "p4", "p7"] and set(linked) <= keys
        sent = await session.execute(
            select(OutboxEvent).where(OutboxEvent.type == "consultation.summary_sent")
        )
        assert len(sent.scalars().all()) == 1
    page = await client.get(f"/you-said-we-did/{summary.id}")
    assert page.status_code == 200, page.text
    assert "Advocacy" in page.text and "Makaton" in page.text
    assert "Grace Mensah" not in page.text


async def test_seeding_again_makes_no_second_consultation_or_summary(sessionmaker: Session) -> None:
    await seed(sessionmaker, SPECS["bct"])

    again = await seed(sessionmaker, SPECS["bct"])

    assert again["consultation_summaries"] == 0
    async with sessionmaker() as session:
        _, consultations = await consultations_on(session, "bct", "PG-001")
        assert len(consultations) == 1
