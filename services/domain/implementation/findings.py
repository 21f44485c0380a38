"""What a review of a document takes up from its implementation monitoring.

Cafcass 8.1: at the annual review "it is also essential to galvanise views from across the
organisation about the success of the policy, what has worked what hasn't consider where there
may be gaps and identify any newly emerging needs or issues." The review of a document
(``GET /v1/reviews/{id}``, and the response that opens one) carries what monitoring found:
the actions still open and those overdue, the outcomes of those done, the acknowledgement
uptake, the dis-applications in force, the open requests, and the last report tabled to a
board.

Open actions do not block completing the review: they are carried into it. The review reads
them and decides, through the document's people, whether each still matters (it stays open,
with its reminders, and the next review finds it again) or not (cancelled, with the reason).
Blocking would let one late action hold a review past its due date, which Dorset 8.3 and NCT
escalate; and a review that amends the document often makes an action moot.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.documents.service import get_document
from services.domain.implementation.report import document_findings
from services.domain.implementation.tabling import last_tabled, report_path
from services.domain.models.reviews import Review

# How open monitoring actions bear on completing a review: carried into it, never blocking.
OPEN_ACTIONS = "carried_into_review"


async def review_findings(
    session: AsyncSession, principal: Principal, review: Review
) -> dict[str, Any]:
    """The monitoring findings a review carries (the caller has read the review)."""
    document = await get_document(session, principal, review.document_id)
    found = await document_findings(session, document)
    actions = found["actions"]
    tabled = await last_tabled(session, document.organisation_id, document.id)
    return {
        "as_of": found["as_of"],
        "counts": found["counts"],
        "open_actions": [a for a in actions if a["status"] == "open"],
        "overdue_actions": [a for a in actions if a["is_overdue"]],
        "outcomes": [a for a in actions if a["status"] == "done"],
        "uptake": found["uptake"],
        "dis_applications_in_force": found["dis_applications_in_force"],
        "open_requests": found["open_requests"],
        "last_reported": None
        if tabled is None
        else {
            "implementation_report_id": str(tabled.id),
            "path": report_path(tabled.id),
            "board_id": str(tabled.board_id),
            "meeting_id": str(tabled.meeting_id),
            "tabled_at": tabled.tabled_at.isoformat(),
        },
        "open_actions_policy": OPEN_ACTIONS,
        "review_id": str(review.id),
    }
