"""Who was consulted and what they said is for the document's team and the policy team: a
timeline built for anyone else says that responses came, not from whom or what they said."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from services.domain.models.consultations import Consultation, ConsultationResponse, Consultee
from services.domain.models.documents import DocumentVersion
from services.domain.timeline.records import TimelineRows
from services.domain.timeline.service import Audience, build_timeline

OPENED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
COMMENT = "The LADO section contradicts the Working Together guidance."


def consulted_rows() -> TimelineRows:
    org, document_id = uuid.uuid4(), uuid.uuid4()
    version = DocumentVersion(
        id=uuid.uuid4(),
        organisation_id=org,
        document_id=document_id,
        major=0,
        minor=2,
        filename="draft.txt",
        media_type="text/plain",
        size_bytes=1,
        sha256="0" * 64,
        created_at=OPENED - timedelta(days=1),
    )
    consultation = Consultation(
        id=uuid.uuid4(),
        organisation_id=org,
        document_id=document_id,
        version_id=version.id,
        kind="internal",
        title="Allegations",
        status="closed",
        opens_at=OPENED,
        closes_at=OPENED + timedelta(days=14),
        opened_at=OPENED,
        closed_at=OPENED + timedelta(days=14),
        deemed_agreement=False,
        questions=[],
        created_at=OPENED,
    )
    consultee = Consultee(
        id=uuid.uuid4(),
        organisation_id=org,
        consultation_id=consultation.id,
        kind="external",
        name="Pat Partner",
        email="pat@partner.example",
        represents="Police",
        added_at=OPENED,
    )
    response = ConsultationResponse(
        id=uuid.uuid4(),
        organisation_id=org,
        consultation_id=consultation.id,
        consultee_id=consultee.id,
        position="object",
        comments=COMMENT,
        answers={},
        submitted_at=OPENED + timedelta(days=2),
        is_late=False,
        amendments=0,
        themes=["lado"],
    )
    return TimelineRows(
        document_id=document_id,
        versions={version.id: version},
        consultations={consultation.id: consultation},
        consultees={consultee.id: consultee},
        responses=[response],
    )


def said(entries: list[Any]) -> str:
    return " ".join(f"{e.summary} {e.details} {e.refs}" for e in entries)


def test_the_document_team_reads_who_was_consulted_and_what_they_said() -> None:
    entries = build_timeline(
        consulted_rows(), Audience(sees_consultees=True, sees_notifications=True)
    )

    text = said(entries)
    assert "Pat Partner (Police)" in text
    assert COMMENT in text


def test_anyone_else_reads_that_responses_came_but_not_from_whom_or_what_they_said() -> None:
    entries = build_timeline(
        consulted_rows(), Audience(sees_consultees=False, sees_notifications=False)
    )

    assert [e.type for e in entries] == [
        "version.added",
        "consultation.opened",
        "consultation.response",
        "consultation.closed",
        "consultation.report",
    ]
    text = said(entries)
    assert "Pat" not in text and "pat@partner.example" not in text and "Police" not in text
    assert "LADO" not in text and "lado" not in text
    response = entries[2]
    assert response.summary == "A consultee responded: object."
    assert "consultee_id" not in response.refs
    assert response.actor_id is None
