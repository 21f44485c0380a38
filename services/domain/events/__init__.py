"""Domain events: the contract between the API, the notifier and webhook subscribers.

Each event is written to the outbox in the same transaction as the change it describes. The
events are defined by part (``events/documents.py``, ``events/boards.py``...) and all read as
``events.DocumentCreated``: ``Event`` is their union, ``parse_event`` reads one back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from services.domain.events.acknowledgements import (
    AcknowledgementConfirmed,
    AcknowledgementEscalated,
    AcknowledgementRequested,
    AcknowledgementRequestEnded,
    MeetingPapersRead,
)
from services.domain.events.assessments import (
    LegalReviewAnswered,
    LegalReviewRequested,
    NoMaterialChangeStated,
    ProposalDecided,
)
from services.domain.events.boards import (
    AgendaItemPlanned,
    AttendanceEscalated,
    BoardChanged,
    DecisionRecorded,
    MeetingCancelled,
    MeetingMoved,
    MeetingScheduled,
    MinutesIssued,
    PapersCirculated,
)
from services.domain.events.consultations import (
    ConsultationCancelled,
    ConsultationClosed,
    ConsultationConsulteesAdded,
    ConsultationOpened,
    ConsultationResponseRecorded,
    ConsultationSummarySent,
)
from services.domain.events.dis_applications import (
    DisApplicationDecided,
    DisApplicationEnded,
    DisApplicationRequested,
)
from services.domain.events.documents import (
    DocumentCreated,
    DocumentLinked,
    DocumentOwnerChanged,
    DocumentPeopleAssigned,
    DocumentUnlinked,
    DocumentUpdated,
    DocumentVersionAdded,
    PersonAssigned,
)
from services.domain.events.imports import PersonNamed, TrackerImported, TrackerImportRequested
from services.domain.events.monitoring import (
    ImplementationReportTabled,
    MonitoringActionAssigned,
    MonitoringActionClosed,
)
from services.domain.events.people import PeopleLeft
from services.domain.events.policy_requests import (
    PolicyRequestMade,
    PolicyRequestTriaged,
    PolicyRequestWithdrawn,
)
from services.domain.events.review_extensions import (
    ReviewExtensionDecided,
    ReviewExtensionEnded,
    ReviewExtensionRequested,
)
from services.domain.events.reviews import (
    ParentChanged,
    ReviewCompleted,
    ReviewNoChangeStated,
    ReviewStarted,
    UpdateCycleClosed,
    UpdateCycleItemAssigned,
    UpdateCycleOpened,
)
from services.domain.events.sign_off import (
    DelegationCreated,
    DocumentIssueWithdrawn,
    DocumentPublished,
    PublicationCancelled,
    PublicationCompleted,
    PublicationQueued,
    RouteChanged,
    SignOffAcknowledged,
    SignOffClosed,
    SignOffDecisionRecorded,
    SignOffInformed,
    SignOffStageEscalated,
    SignOffStageOverdue,
    SignOffStageStarted,
    SignOffSubmitted,
)
from services.domain.events.statutory_sources import StatutorySourceChanged

__all__ = [
    "AcknowledgementConfirmed",
    "AcknowledgementEscalated",
    "AcknowledgementRequestEnded",
    "AcknowledgementRequested",
    "AgendaItemPlanned",
    "AttendanceEscalated",
    "BoardChanged",
    "ConsultationCancelled",
    "ConsultationClosed",
    "ConsultationConsulteesAdded",
    "ConsultationOpened",
    "ConsultationResponseRecorded",
    "ConsultationSummarySent",
    "DecisionRecorded",
    "DelegationCreated",
    "DisApplicationDecided",
    "DisApplicationEnded",
    "DisApplicationRequested",
    "DocumentCreated",
    "DocumentIssueWithdrawn",
    "DocumentLinked",
    "DocumentOwnerChanged",
    "DocumentPeopleAssigned",
    "DocumentPublished",
    "DocumentUnlinked",
    "DocumentUpdated",
    "DocumentVersionAdded",
    "Event",
    "ImplementationReportTabled",
    "LegalReviewAnswered",
    "LegalReviewRequested",
    "MeetingCancelled",
    "MeetingMoved",
    "MeetingPapersRead",
    "MeetingScheduled",
    "MinutesIssued",
    "MonitoringActionAssigned",
    "MonitoringActionClosed",
    "NoMaterialChangeStated",
    "PapersCirculated",
    "ParentChanged",
    "PeopleLeft",
    "PersonAssigned",
    "PersonNamed",
    "PolicyRequestMade",
    "PolicyRequestTriaged",
    "PolicyRequestWithdrawn",
    "ProposalDecided",
    "PublicationCancelled",
    "PublicationCompleted",
    "PublicationQueued",
    "ReviewCompleted",
    "ReviewExtensionDecided",
    "ReviewExtensionEnded",
    "ReviewExtensionRequested",
    "ReviewNoChangeStated",
    "ReviewStarted",
    "RouteChanged",
    "SignOffAcknowledged",
    "SignOffClosed",
    "SignOffDecisionRecorded",
    "SignOffInformed",
    "SignOffStageEscalated",
    "SignOffStageOverdue",
    "SignOffStageStarted",
    "SignOffSubmitted",
    "StatutorySourceChanged",
    "TrackerImportRequested",
    "TrackerImported",
    "UpdateCycleClosed",
    "UpdateCycleItemAssigned",
    "UpdateCycleOpened",
    "parse_event",
]


Event = Annotated[
    DocumentCreated
    | DocumentUpdated
    | DocumentOwnerChanged
    | DocumentPeopleAssigned
    | DocumentVersionAdded
    | DocumentLinked
    | DocumentUnlinked
    | PeopleLeft
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
    | SignOffInformed
    | SignOffAcknowledged
    | SignOffDecisionRecorded
    | SignOffStageOverdue
    | SignOffStageEscalated
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
    | ConsultationSummarySent
    | ConsultationClosed
    | ConsultationCancelled
    | PolicyRequestMade
    | PolicyRequestTriaged
    | PolicyRequestWithdrawn
    | ReviewStarted
    | ReviewNoChangeStated
    | ParentChanged
    | ReviewCompleted
    | UpdateCycleOpened
    | UpdateCycleItemAssigned
    | UpdateCycleClosed
    | TrackerImportRequested
    | TrackerImported
    | DisApplicationRequested
    | DisApplicationDecided
    | DisApplicationEnded
    | ReviewExtensionRequested
    | ReviewExtensionDecided
    | ReviewExtensionEnded
    | MonitoringActionAssigned
    | MonitoringActionClosed
    | ImplementationReportTabled
    | AcknowledgementRequested
    | AcknowledgementConfirmed
    | AcknowledgementRequestEnded
    | AcknowledgementEscalated
    | MeetingPapersRead
    | StatutorySourceChanged,
    Field(discriminator="type"),
]

_PARSER: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event(payload: Mapping[str, Any]) -> Event:
    """An outbox row's payload as the typed event it was written from: parsed once, where the
    event is consumed, so that every reader has ids, dates and moments rather than strings."""
    return _PARSER.validate_python(payload)
