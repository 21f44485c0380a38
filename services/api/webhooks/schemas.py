from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    UrlConstraints,
)

from services.api.types import fits_column, text_field

# The domain's event types (services.domain.webhooks.service.EVENT_TYPES); a test keeps them equal.
EventType = Literal[
    "document.created",
    "document.updated",
    "document.owner_changed",
    "document.people_assigned",
    "document.version_added",
    "document.linked",
    "document.unlinked",
    "people.left",
    "board.changed",
    "meeting.scheduled",
    "meeting.moved",
    "meeting.cancelled",
    "agenda_item.planned",
    "meeting.papers_circulated",
    "meeting.decision_recorded",
    "meeting.minutes_issued",
    "board.attendance_escalated",
    "route.changed",
    "sign_off.submitted",
    "sign_off.stage_started",
    "sign_off.informed",
    "sign_off.acknowledged",
    "sign_off.decision_recorded",
    "sign_off.stage_overdue",
    "sign_off.stage_escalated",
    "sign_off.closed",
    "document.published",
    "publication.queued",
    "publication.completed",
    "publication.cancelled",
    "document.issue_withdrawn",
    "delegation.created",
    "proposal.decided",
    "legal_review.requested",
    "legal_review.answered",
    "no_material_change.stated",
    "consultation.opened",
    "consultation.consultees_added",
    "consultation.response_recorded",
    "consultation.summary_sent",
    "consultation.closed",
    "consultation.cancelled",
    "policy_request.made",
    "policy_request.triaged",
    "policy_request.withdrawn",
    "review.started",
    "review.no_change_stated",
    "review.parent_changed",
    "review.completed",
    "update_cycle.opened",
    "update_cycle.item_assigned",
    "update_cycle.closed",
    "tracker.import_requested",
    "tracker.imported",
    "dis_application.requested",
    "dis_application.decided",
    "dis_application.ended",
    "review_extension.requested",
    "review_extension.decided",
    "review_extension.ended",
    "monitoring_action.assigned",
    "monitoring_action.closed",
    "implementation_report.tabled",
    "acknowledgement.requested",
    "acknowledgement.confirmed",
    "acknowledgement.request_ended",
    "acknowledgement.escalated",
    "meeting.papers_read",
    "statutory_source.changed",
]
DeliveryStatus = Literal["pending", "sending", "delivered", "failed", "cancelled"]
URL_MAX = 2000  # the column's length


ReceiverUrl = Annotated[
    AnyHttpUrl,
    UrlConstraints(max_length=URL_MAX),
    fits_column(URL_MAX),
    Field(
        description="Where messages are POSTed. Hosts with private, loopback or other internal "
        "addresses are refused unless the operator allows them.",
        examples=["https://hooks.example.org/policygov"],
    ),
]
Description = Annotated[str, text_field(500, strip=False)]
EventTypes = Annotated[
    list[EventType],
    Field(max_length=50, description="The event types to receive; empty means every type."),
]
OverlapHours = Annotated[
    StrictInt,
    Field(
        ge=0,
        le=168,
        description="Hours the previous secret keeps signing, next to the new one (0: stop now).",
    ),
]


class Webhook(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    url: str
    description: str
    event_types: list[str] = Field(description="Empty: every event type.")
    is_active: StrictBool
    disabled_reason: str | None = Field(
        description="Why sending stopped, e.g. the receiver answered 410 Gone."
    )
    previous_secret_expires_at: datetime | None = Field(
        description="Until then every message also carries a signature made with the previous "
        "secret."
    )
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(Webhook):
    secret: str = Field(
        description="The signing secret (`whsec_…`, Standard Webhooks). Shown once: store it now."
    )


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: ReceiverUrl
    description: Description = ""
    event_types: EventTypes = Field(default_factory=list)


class WebhookUpdate(BaseModel):
    """Send only the fields to change."""

    model_config = ConfigDict(extra="forbid")

    url: ReceiverUrl = None  # type: ignore[assignment]
    description: Description = None  # type: ignore[assignment]
    event_types: EventTypes = None  # type: ignore[assignment]
    is_active: StrictBool = None  # type: ignore[assignment]


class SecretRotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overlap_hours: OverlapHours = 24


class WebhookDelivery(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    webhook_id: str = Field(
        description="The `webhook-id` header: the same on every attempt of this delivery.",
        examples=["msg_0193a4c2e6f37b1c9d2e4f5a6b7c8d9e"],
    )
    subscription_id: uuid.UUID
    event_id: uuid.UUID | None = Field(
        description="The event delivered; null for a ping or replay."
    )
    event_type: str
    body: dict[str, Any] = Field(description="The message: {type, timestamp, data}.")
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    superseded_by: uuid.UUID | None = Field(
        description="Cancelled before it was delivered: the replay that sends it instead."
    )


class WebhookDeliveryPage(BaseModel):
    items: list[WebhookDelivery]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
