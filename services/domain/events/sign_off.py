"""Routes, sign-off, issuing a version, its Tri.x publication and delegations."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from services.domain.events.base import _Event


class RouteChanged(_Event):
    """A governance route was created, edited (a new version) or deactivated."""

    type: Literal["route.changed"] = "route.changed"
    route_id: uuid.UUID
    version: int


class SignOffSubmitted(_Event):
    """A draft was submitted for sign-off on a governance route."""

    type: Literal["sign_off.submitted"] = "sign_off.submitted"
    sign_off_id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    route_key: str


class SignOffStageStarted(_Event):
    """A stage is waiting for its decider: the people named, or the board's next meeting."""

    type: Literal["sign_off.stage_started"] = "sign_off.stage_started"
    sign_off_id: uuid.UUID
    stage_id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    stage_name: str
    round: int
    participant_ids: list[uuid.UUID]
    board_id: uuid.UUID | None
    agenda_item_id: uuid.UUID | None


class SignOffInformed(_Event):
    """A stage started and showed the draft to people who acknowledge it without deciding
    (LBBD stage 9: other relevant Heads of Service, the Cabinet Member)."""

    type: Literal["sign_off.informed"] = "sign_off.informed"
    sign_off_id: uuid.UUID
    stage_id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    stage_name: str
    person_ids: list[uuid.UUID]


class SignOffAcknowledged(_Event):
    """A person informed of a draft acknowledged it; nothing waits on this."""

    type: Literal["sign_off.acknowledged"] = "sign_off.acknowledged"
    sign_off_id: uuid.UUID
    document_id: uuid.UUID
    person_id: uuid.UUID
    stage_ids: list[uuid.UUID]


class SignOffDecisionRecorded(_Event):
    """A decider approved, rejected or asked for changes at a stage."""

    type: Literal["sign_off.decision_recorded"] = "sign_off.decision_recorded"
    sign_off_id: uuid.UUID
    stage_id: uuid.UUID
    decision_id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    outcome: str
    decided_by_id: uuid.UUID | None
    on_behalf_of_id: uuid.UUID | None


class SignOffClosed(_Event):
    """A sign-off ended: completed, rejected, withdrawn, or its ratification refused."""

    type: Literal["sign_off.closed"] = "sign_off.closed"
    sign_off_id: uuid.UUID
    document_id: uuid.UUID
    status: str


class DocumentPublished(_Event):
    """The final approval issued a version: it is now the one in force."""

    type: Literal["document.published"] = "document.published"
    document_id: uuid.UUID
    version_id: uuid.UUID
    number: str
    issued_on: date
    effective_on: date
    next_review_due: date | None
    sign_off_id: uuid.UUID | None


class PublicationQueued(_Event):
    """An upload to (or removal from) Tri.x was queued for the upload script."""

    type: Literal["publication.queued"] = "publication.queued"
    publication_id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID | None
    action: Literal["upload", "remove"]


class PublicationCompleted(_Event):
    """The upload script reported an upload or removal done."""

    type: Literal["publication.completed"] = "publication.completed"
    publication_id: uuid.UUID
    document_id: uuid.UUID
    action: Literal["upload", "remove"]
    trix_url: str | None


class PublicationCancelled(_Event):
    """A pending upload left the queue unused: its version was superseded or withdrawn."""

    type: Literal["publication.cancelled"] = "publication.cancelled"
    publication_id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID | None
    action: Literal["upload", "remove"]
    reason: str


class DocumentIssueWithdrawn(_Event):
    """An issued version was withdrawn (Dorset 4.5.2: its ratification was refused).

    ``in_force_*`` name the version in force now (the previous issue, put back), null when
    none is; ``publication_id`` is the Trix upload or removal queued because of it, if any.
    """

    type: Literal["document.issue_withdrawn"] = "document.issue_withdrawn"
    document_id: uuid.UUID
    version_id: uuid.UUID
    number: str
    sign_off_id: uuid.UUID | None
    reason: str
    status: str
    in_force_version_id: uuid.UUID | None
    in_force_number: str | None
    next_review_due: date | None
    publication_id: uuid.UUID | None


class DelegationCreated(_Event):
    """Someone delegated their decisions to another person for a period."""

    type: Literal["delegation.created"] = "delegation.created"
    delegation_id: uuid.UUID
    delegator_id: uuid.UUID
    delegate_id: uuid.UUID
    starts_on: date
    ends_on: date


class SignOffStageOverdue(_Event):
    """A stage is still undecided after its time limit: those yet to decide are chased, once
    per round."""

    type: Literal["sign_off.stage_overdue"] = "sign_off.stage_overdue"
    sign_off_id: uuid.UUID
    stage_id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    stage_name: str
    round: int
    due_on: date
    waiting_ids: list[uuid.UUID]


class SignOffStageEscalated(_Event):
    """A stage chased after its time limit is still undecided: the policy team is told, once
    per round."""

    type: Literal["sign_off.stage_escalated"] = "sign_off.stage_escalated"
    sign_off_id: uuid.UUID
    stage_id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    stage_name: str
    round: int
    due_on: date
    waiting_ids: list[uuid.UUID]
