"""What the notifier sent, is sending, or could not send."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from services.api.deps import CurrentPrincipal, Session
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz import organisation as org_authz
from services.domain.authz.permissions import Permission as P
from services.domain.models.notifications import NotificationStatus
from services.domain.notices import kinds
from services.domain.notifications import service

router = Router(prefix="/v1/notifications", tags=["notifications"])
State = Literal["pending", "sending", "sent", "failed", "cancelled"]
# Every kind the notifier sends, from its one registry: a new kind is filterable at once.
NotificationKind = StrEnum(  # type: ignore[misc]
    "NotificationKind", {name: name for name in kinds.NAMES}
)


class Notification(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    document_id: uuid.UUID | None
    recipient_person_id: uuid.UUID | None
    recipient_email: str
    status: State
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    context: dict[str, Any]


class NotificationPage(BaseModel):
    items: list[Notification]
    next_cursor: str | None


@router.get("", response_model=NotificationPage, dependencies=[allowed(P.NOTIFICATIONS_READ)])
async def list_notifications(
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    status: State | None = None,
    kind: NotificationKind | None = None,
    document_id: uuid.UUID | None = None,
) -> NotificationPage:
    """Emails the notifier owes or sent, newest first, with attempts and the last error
    (admins and policy officers)."""
    org_authz.check_read_notifications(principal)
    kind_name = kind.value if kind is not None else None
    scope = {
        k: v
        for k, v in {"status": status, "kind": kind_name, "document_id": document_id}.items()
        if v is not None
    }
    before = page.after_time(scope)
    rows = await service.list_notifications(
        session,
        principal.organisation_id,
        status=NotificationStatus(status) if status is not None else None,
        kind=kind_name,
        document_id=document_id,
        before=before,
        limit=page.fetch,
    )
    rows, next_cursor = page.time_page(rows, scope, lambda row: row.created_at)
    return NotificationPage(
        items=[Notification.model_validate(r) for r in rows], next_cursor=next_cursor
    )
