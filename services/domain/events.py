"""Domain events: the contract between the API, the notifier and webhook subscribers.

Each event is written to the outbox in the same transaction as the change it describes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True)

    organisation_id: uuid.UUID


class DocumentCreated(_Event):
    """A document was added to the register."""

    type: Literal["document.created"] = "document.created"
    document_id: uuid.UUID
    reference: str


class DocumentUpdated(_Event):
    """A document's register fields changed (`changed` names them)."""

    type: Literal["document.updated"] = "document.updated"
    document_id: uuid.UUID
    changed: list[str]


class DocumentOwnerChanged(_Event):
    """The owner (RSM) or responsible officer changed: the new person should be told."""

    type: Literal["document.owner_changed"] = "document.owner_changed"
    document_id: uuid.UUID
    role: Literal["owner", "responsible_officer", "author"]
    previous_person_id: uuid.UUID | None
    person_id: uuid.UUID | None


class PersonAssigned(BaseModel):
    model_config = ConfigDict(frozen=True)

    person_id: uuid.UUID
    roles: list[Literal["owner", "responsible_officer", "author"]]


class DocumentPeopleAssigned(_Event):
    """People newly named on a document by one change, each once with every role they were
    given: the notifier writes each of them one email. (``document.owner_changed`` stays one
    event per role, for webhook subscribers.)"""

    type: Literal["document.people_assigned"] = "document.people_assigned"
    document_id: uuid.UUID
    assigned: list[PersonAssigned]


class DocumentVersionAdded(_Event):
    """A version (draft, or one already issued elsewhere) was uploaded or registered."""

    type: Literal["document.version_added"] = "document.version_added"
    document_id: uuid.UUID
    version_id: uuid.UUID
    number: str
    is_issued: bool


class DocumentLinked(_Event):
    """Two documents were linked (governs, implements, form_for, supersedes...)."""

    type: Literal["document.linked"] = "document.linked"
    link_id: uuid.UUID
    source_id: uuid.UUID
    target_id: uuid.UUID
    kind: str


class DocumentUnlinked(_Event):
    """A link between two documents was removed."""

    type: Literal["document.unlinked"] = "document.unlinked"
    link_id: uuid.UUID
    source_id: uuid.UUID
    target_id: uuid.UUID
    kind: str


class BoardChanged(_Event):
    """A board was set up or its settings, members or schedule changed."""

    type: Literal["board.changed"] = "board.changed"
    board_id: uuid.UUID
    changed: list[str]


class MeetingScheduled(_Event):
    """A board meeting was put in the calendar."""

    type: Literal["meeting.scheduled"] = "meeting.scheduled"
    board_id: uuid.UUID
    meeting_id: uuid.UUID
    starts_at: datetime


class MeetingMoved(_Event):
    """People with items on the meeting are told its new date."""

    type: Literal["meeting.moved"] = "meeting.moved"
    board_id: uuid.UUID
    meeting_id: uuid.UUID
    previous_starts_at: datetime
    starts_at: datetime


class MeetingCancelled(_Event):
    """People with items are told, and where their items went."""

    type: Literal["meeting.cancelled"] = "meeting.cancelled"
    board_id: uuid.UUID
    meeting_id: uuid.UUID
    starts_at: datetime
    reason: str
    items_moved_to_meeting_id: uuid.UUID | None
    agenda_item_ids: list[uuid.UUID]


class AgendaItemPlanned(_Event):
    """An item went on the forward plan, or moved to another meeting."""

    type: Literal["agenda_item.planned"] = "agenda_item.planned"
    board_id: uuid.UUID
    agenda_item_id: uuid.UUID
    meeting_id: uuid.UUID
    requested_meeting_id: uuid.UUID
    document_id: uuid.UUID | None
    is_late: bool
    late_accepted: bool


class PapersCirculated(_Event):
    """Dorset 6: agenda and papers go to members at least 3 working days before."""

    type: Literal["meeting.papers_circulated"] = "meeting.papers_circulated"
    board_id: uuid.UUID
    meeting_id: uuid.UUID
    is_late: bool


class DecisionRecorded(_Event):
    """A board recorded its decision on an agenda item."""

    type: Literal["meeting.decision_recorded"] = "meeting.decision_recorded"
    board_id: uuid.UUID
    meeting_id: uuid.UUID
    agenda_item_id: uuid.UUID
    decision_id: uuid.UUID
    document_id: uuid.UUID | None
    version_id: uuid.UUID | None
    outcome: str


class MinutesIssued(_Event):
    """Dorset 6: the chair issues minutes and notification of actions after each meeting."""

    type: Literal["meeting.minutes_issued"] = "meeting.minutes_issued"
    board_id: uuid.UUID
    meeting_id: uuid.UUID


class AttendanceEscalated(_Event):
    """Dorset 7.3: a member missed two or more successive meetings without a delegate."""

    type: Literal["board.attendance_escalated"] = "board.attendance_escalated"
    board_id: uuid.UUID
    meeting_id: uuid.UUID
    person_id: uuid.UUID
    missed_meeting_ids: list[uuid.UUID]
    escalate_to_person_id: uuid.UUID | None


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


class ProposalDecided(_Event):
    """A proposal for a new document was approved or declined."""

    type: Literal["proposal.decided"] = "proposal.decided"
    proposal_id: uuid.UUID
    document_id: uuid.UUID | None
    status: Literal["approved", "declined"]


class LegalReviewRequested(_Event):
    """Legal advice was asked on a draft."""

    type: Literal["legal_review.requested"] = "legal_review.requested"
    legal_review_id: uuid.UUID
    document_id: uuid.UUID
    reviewer_id: uuid.UUID | None


class LegalReviewAnswered(_Event):
    """Legal advice on a draft was given."""

    type: Literal["legal_review.answered"] = "legal_review.answered"
    legal_review_id: uuid.UUID
    document_id: uuid.UUID
    outcome: str


class NoMaterialChangeStated(_Event):
    """The responsible officer stated that nothing material changed between the draft an
    assessment is of and a later draft: the assessment now stands for the later draft too."""

    type: Literal["no_material_change.stated"] = "no_material_change.stated"
    statement_id: uuid.UUID
    document_id: uuid.UUID
    assessment_kind: Literal["equality_assessment", "legal_review", "fitness_check"]
    assessment_id: uuid.UUID
    assessed_version_id: uuid.UUID
    version_id: uuid.UUID
    stated_by_id: uuid.UUID
    supersedes_id: uuid.UUID | None


class ConsultationOpened(_Event):
    """A consultation opened: its consultees are invited."""

    type: Literal["consultation.opened"] = "consultation.opened"
    consultation_id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    closes_at: datetime


class ConsultationConsulteesAdded(_Event):
    """Consultees added to an open consultation (or a new link sent): these are invited."""

    type: Literal["consultation.consultees_added"] = "consultation.consultees_added"
    consultation_id: uuid.UUID
    document_id: uuid.UUID
    consultee_ids: list[uuid.UUID]


class ConsultationResponseRecorded(_Event):
    """A consultee responded (or a response was recorded on their behalf)."""

    type: Literal["consultation.response_recorded"] = "consultation.response_recorded"
    consultation_id: uuid.UUID
    document_id: uuid.UUID
    response_id: uuid.UUID
    position: str
    is_late: bool
    is_amendment: bool


class ConsultationClosed(_Event):
    """Closed at its deadline (closed_by_id null) or early by the author."""

    type: Literal["consultation.closed"] = "consultation.closed"
    consultation_id: uuid.UUID
    document_id: uuid.UUID
    closed_by_id: uuid.UUID | None
    deemed_agreements: int


class ConsultationCancelled(_Event):
    """A consultation was cancelled, with its reason."""

    type: Literal["consultation.cancelled"] = "consultation.cancelled"
    consultation_id: uuid.UUID
    document_id: uuid.UUID
    reason: str


class ReviewStarted(_Event):
    """A review of a document began (scheduled, unscheduled, or in an update cycle)."""

    type: Literal["review.started"] = "review.started"
    review_id: uuid.UUID
    document_id: uuid.UUID
    kind: Literal["scheduled", "unscheduled", "update_cycle"]


class ReviewNoChangeStated(_Event):
    """The RO stated that no change is needed: the RSM is asked to confirm."""

    type: Literal["review.no_change_stated"] = "review.no_change_stated"
    review_id: uuid.UUID
    document_id: uuid.UUID


class ReviewCompleted(_Event):
    """A review ended: no change confirmed, or the amended version issued."""

    type: Literal["review.completed"] = "review.completed"
    review_id: uuid.UUID
    document_id: uuid.UUID
    outcome: Literal["no_change", "amended"]
    next_review_due: date | None


class UpdateCycleOpened(_Event):
    """A Trix update cycle opened: each assigned RO is told their items and the deadline."""

    type: Literal["update_cycle.opened"] = "update_cycle.opened"
    cycle_id: uuid.UUID
    submission_deadline: date


class UpdateCycleItemAssigned(_Event):
    """The policy team gave an Update Plan item to someone after the cycle opened (matched it
    to a document, or moved it): the assignee and the document's owner are told (NCT 6.1)."""

    type: Literal["update_cycle.item_assigned"] = "update_cycle.item_assigned"
    cycle_id: uuid.UUID
    item_id: uuid.UUID
    document_id: uuid.UUID | None
    assigned_to_id: uuid.UUID
    previous_assigned_to_id: uuid.UUID | None


class UpdateCycleClosed(_Event):
    """A Trix update cycle closed; unfinished items may carry over."""

    type: Literal["update_cycle.closed"] = "update_cycle.closed"
    cycle_id: uuid.UUID
    carried_over: int
    next_cycle_id: uuid.UUID | None


class TrackerImportRequested(_Event):
    """A tracker was sent to be imported in the background (``GET /v1/imports/{id}`` follows
    it); ``tracker.imported`` tells when it has been."""

    type: Literal["tracker.import_requested"] = "tracker.import_requested"
    import_id: uuid.UUID
    filename: str
    dry_run: bool


class PersonNamed(BaseModel):
    """Someone a tracker import named on the documents it created: on how many, in each role."""

    model_config = ConfigDict(frozen=True)

    person_id: uuid.UUID
    documents: int
    roles: dict[str, int]


class TrackerImported(_Event):
    """A tracker (CSV or XLSX) was imported into the register. The documents it created tell
    no one one by one (each has its ``document.created``, but no ``document.owner_changed`` or
    ``document.people_assigned``): ``named`` lists everyone they name, and the notifier writes
    each of them one email with the counts."""

    type: Literal["tracker.imported"] = "tracker.imported"
    documents_created: int
    documents_updated: int
    filename: str = ""
    named: list[PersonNamed] = Field(default_factory=list)


Event = Annotated[
    DocumentCreated
    | DocumentUpdated
    | DocumentOwnerChanged
    | DocumentPeopleAssigned
    | DocumentVersionAdded
    | DocumentLinked
    | DocumentUnlinked
    | BoardChanged
    | MeetingScheduled
    | MeetingMoved
    | MeetingCancelled
    | AgendaItemPlanned
    | PapersCirculated
    | DecisionRecorded
    | MinutesIssued
    | AttendanceEscalated
    | RouteChanged
    | SignOffSubmitted
    | SignOffStageStarted
    | SignOffDecisionRecorded
    | SignOffClosed
    | DocumentPublished
    | PublicationQueued
    | PublicationCompleted
    | PublicationCancelled
    | DocumentIssueWithdrawn
    | DelegationCreated
    | ProposalDecided
    | LegalReviewRequested
    | LegalReviewAnswered
    | NoMaterialChangeStated
    | ConsultationOpened
    | ConsultationConsulteesAdded
    | ConsultationResponseRecorded
    | ConsultationClosed
    | ConsultationCancelled
    | ReviewStarted
    | ReviewNoChangeStated
    | ReviewCompleted
    | UpdateCycleOpened
    | UpdateCycleItemAssigned
    | UpdateCycleClosed
    | TrackerImportRequested
    | TrackerImported,
    Field(discriminator="type"),
]

_PARSER: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event(payload: Mapping[str, Any]) -> Event:
    """An outbox row's payload as the typed event it was written from: parsed once, where the
    event is consumed, so that every reader has ids, dates and moments rather than strings."""
    return _PARSER.validate_python(payload)
