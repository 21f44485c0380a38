"""Who decides the notices of each event: every package's handlers, registered by event class,
and the check each family of kinds makes before a queued notice is sent.

A package that sends notices owns them (``boards/notices.py`` and the others listed below);
adding one is a line in ``OWNERS``. ``service.fan_out`` parses each event once and asks every
handler registered for its class, in this order, keeping each recipient's first notice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.acknowledgements import notices as acknowledgement_notices
from services.domain.assessments import notices as assessment_notices
from services.domain.boards import notices as meeting_notices
from services.domain.consultations import notices as consultation_notices
from services.domain.consultations import summary_notices
from services.domain.dis_applications import notices as dis_application_notices
from services.domain.documents import notices as document_notices
from services.domain.handover import notices as handover_notices
from services.domain.imports import notices as import_notices
from services.domain.launch import notices as launch_notices
from services.domain.monitoring import notices as monitoring_notices
from services.domain.notices.notice import Handler
from services.domain.policy_requests import notices as policy_request_notices
from services.domain.publications import notices as publication_notices
from services.domain.review_extensions import notices as review_extension_notices
from services.domain.reviews import cascade_notices, update_cycle_notices
from services.domain.reviews import notices as review_outcomes
from services.domain.sign_off import notices as sign_off_notices
from services.domain.sign_off import time_limit_notices
from services.domain.statutory_sources import notices as statutory_source_notices

# (session, kind, context): whether a queued notice still holds when its turn comes.
StillApplies = Callable[[AsyncSession, str, dict[str, Any]], Awaitable[bool]]


@dataclass(frozen=True)
class Owner:
    """A package's notices: the family of kinds it sends (notices/kinds.py), its handlers by
    event type, and its check before sending, if any."""

    family: str
    handlers: Mapping[type, Handler]
    still_applies: StillApplies | None = None


OWNERS: tuple[Owner, ...] = (
    Owner("document", document_notices.HANDLERS),
    Owner("document", import_notices.HANDLERS),
    Owner("meeting", meeting_notices.HANDLERS, meeting_notices.still_applies),
    Owner("sign_off", sign_off_notices.HANDLERS, sign_off_notices.still_applies),
    Owner(
        "sign_off_time_limit",
        time_limit_notices.HANDLERS,
        time_limit_notices.still_applies,
    ),
    Owner("publication", publication_notices.HANDLERS),
    Owner("assessment", assessment_notices.HANDLERS),
    Owner("consultation", consultation_notices.HANDLERS, consultation_notices.still_applies),
    # "You said, we did": its check is consultation_notices.still_applies's (one per family).
    Owner("consultation", summary_notices.HANDLERS),
    Owner("update_cycle", update_cycle_notices.HANDLERS, update_cycle_notices.still_applies),
    Owner("review_outcome", review_outcomes.HANDLERS, review_outcomes.still_applies),
    Owner("cascade", cascade_notices.HANDLERS, cascade_notices.still_applies),
    Owner("policy_request", policy_request_notices.HANDLERS),
    Owner(
        "dis_application",
        dis_application_notices.HANDLERS,
        dis_application_notices.still_applies,
    ),
    Owner(
        "review_extension",
        review_extension_notices.HANDLERS,
        review_extension_notices.still_applies,
    ),
    Owner("monitoring_action", monitoring_notices.HANDLERS, monitoring_notices.still_applies),
    Owner(
        "acknowledgement",
        acknowledgement_notices.HANDLERS,
        acknowledgement_notices.still_applies,
    ),
    Owner("launch", {}, launch_notices.still_applies),
    Owner(
        "statutory_source",
        statutory_source_notices.HANDLERS,
        statutory_source_notices.still_applies,
    ),
    Owner("handover", handover_notices.HANDLERS, handover_notices.still_applies),
)


def _by_event_class() -> dict[type, tuple[Handler, ...]]:
    found: dict[type, list[Handler]] = {}
    for owner in OWNERS:
        for event_class, handler in owner.handlers.items():
            found.setdefault(event_class, []).append(handler)
    return {event_class: tuple(handlers) for event_class, handlers in found.items()}


HANDLERS: dict[type, tuple[Handler, ...]] = _by_event_class()
STILL_APPLIES: dict[str, StillApplies] = {
    owner.family: owner.still_applies for owner in OWNERS if owner.still_applies is not None
}
