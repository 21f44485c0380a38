"""Schemas of sign-offs, their stages and decisions, readiness, and delegations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from services.api.types import IsoDate, LongText, text_field
from services.domain.governance.definition import Decider, RouteDefinition

SignOffStatus = Literal[
    "in_progress",
    "awaiting_amendment",
    "issued",
    "completed",
    "rejected",
    "withdrawn",
    "ratification_refused",
]
StageStatus = Literal[
    "pending",
    "active",
    "conditions_set",
    "approved",
    "noted",
    "deferred",
    "rejected",
    "skipped",
    "cancelled",
]
Outcome = Literal[
    "approved", "approved_with_conditions", "deferred", "rejected", "noted", "abstained"
]
Condition = Annotated[str, text_field(2000, 1, multiline=True)]
# A question or stage key of the route (services/domain/governance/definition.py).
Key = Annotated[str, text_field(60, strip=False)]


class SignOffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_id: uuid.UUID
    version_id: uuid.UUID = Field(description="The draft version submitted (e.g. 0.3's id).")
    route_id: uuid.UUID | None = Field(
        default=None,
        description="The route to follow; by default the most specific one for the "
        "document's kind and category.",
    )
    answers: dict[Key, bool] = Field(
        default_factory=dict, description="Answers to the route's questions, by key."
    )
    approvers: dict[Key, list[uuid.UUID]] = Field(
        default_factory=dict,
        description="For stages whose route names nobody (NCT: several RSMs), who decides.",
    )
    effective_on: IsoDate | None = Field(
        default=None, description="From when staff must follow it; default: the issue date."
    )
    review_interval_months: int | None = Field(
        default=None,
        ge=1,
        le=120,
        description="The review schedule agreed at approval (Dorset 8.1); it stays on the "
        "document for later sign-offs. Default: the one agreed for the document, else the "
        "route's, the kind's, the organisation's.",
    )


class SignOffDecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version_id: uuid.UUID = Field(
        description="The version decided on: it must be the one submitted."
    )
    outcome: Outcome
    stage_id: uuid.UUID | None = None
    conditions: list[Condition] = Field(default_factory=list, max_length=50)
    reasons: LongText = Field(
        default="",
        description="Needed for a rejection and for an abstention (where the stage's rule "
        "allows one).",
    )
    see_again: StrictBool = Field(
        default=False,
        description="With conditions set by a higher body: it wants to check the amended "
        "draft itself instead of the approver who referred it.",
    )
    refer_to: Decider | None = Field(
        default=None, description="For a deferral: the higher body; default: the route's."
    )
    discussed_with_id: uuid.UUID | None = Field(
        default=None,
        description="For a deferral: the person the decider discussed it with first. Needed "
        "when the stage's `deferral_discussed_with` says who (NCT 2.3.3: the RSM's Assistant "
        "Director); someone of the organisation other than the decider.",
    )
    supersedes_id: uuid.UUID | None = Field(
        default=None, description="Your earlier decision on this stage that this one corrects."
    )


class Amendment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version_id: uuid.UUID = Field(description="The amended draft, uploaded as a new version.")


class QuestionAnswers(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: dict[Key, bool]


class Withdrawal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: LongText = ""


class SignOffDecision(BaseModel):
    id: uuid.UUID
    stage_id: uuid.UUID
    round: int
    version_id: uuid.UUID
    outcome: Outcome
    method: Literal["individual", "meeting", "circulation"]
    conditions: list[str]
    reasons: str
    see_again: StrictBool
    referred_to: dict[str, Any] | None
    discussed_with_id: uuid.UUID | None = Field(
        default=None, description="A deferral: who the decider discussed it with first."
    )
    decided_by_id: uuid.UUID | None
    on_behalf_of_id: uuid.UUID | None
    is_self_approved: StrictBool = Field(
        description="Decided by a writer, uploader or submitter of the draft, on a route that "
        "allows self-approval (segregation of duties lifted)."
    )
    meeting_id: uuid.UUID | None
    meeting_decision_id: uuid.UUID | None
    recorded_by_label: str
    recorded_at: datetime
    supersedes_id: uuid.UUID | None
    superseded_by_id: uuid.UUID | None


class Tally(BaseModel):
    """The votes on a stage decided by people, in its current round: as they stood when the
    stage settled, else so far."""

    rule: str = Field(
        description="all, any, count, simple_majority or absolute_majority (count for a "
        "single decider or a board by circulation)."
    )
    eligible: int = Field(description="Who may decide it.")
    approvals: int = Field(description="For: approved, with or without conditions, or noted.")
    refusals: int = Field(description="Against: rejected.")
    abstentions: int
    pending: int = Field(description="Eligible people who have not voted.")
    required: int = Field(
        description="The approvals that carry it (the fewest possible, for a simple majority)."
    )
    quorum: int | None = Field(description="The fewest votes cast (abstentions count).")
    is_quorate: StrictBool
    outcome: Literal["approved", "refused"] | None = Field(
        description="Settled as soon as no vote to come could change it; null until then."
    )


class StageOut(BaseModel):
    id: uuid.UUID
    key: str
    name: str
    purpose: Literal["approval", "information", "ratification"]
    after_issue: StrictBool
    status: StageStatus
    round: int
    participants: list[uuid.UUID]
    required: int
    board_id: uuid.UUID | None
    agenda_item_id: uuid.UUID | None
    deferred_from_id: uuid.UUID | None
    condition: dict[str, Any] | None
    started_at: datetime | None
    finished_at: datetime | None
    rule: str | None = Field(
        description="For named people: all, any, count, simple_majority or absolute_majority."
    )
    quorum: int | None
    allow_abstention: StrictBool
    tally: Tally | None = Field(description="For stages decided by people; null for a meeting.")
    time_limit_working_days: int | None
    due_on: date | None = Field(
        description="The last day to decide this round (Europe/London), when the route sets "
        "a time limit; working days, bank holidays and closure days not counted."
    )
    is_overdue: StrictBool = Field(description="Still waiting after its last day.")
    chase_on: date | None = Field(description="When those yet to decide are chased.")
    escalate_on: date | None = Field(description="When the policy team is told, if undecided.")
    chased_at: datetime | None
    escalated_at: datetime | None


class Informed(BaseModel):
    """A person a stage showed the draft to (``inform`` on the route), and their
    acknowledgement; the sign-off never waits for it."""

    id: uuid.UUID
    stage_id: uuid.UUID
    person_id: uuid.UUID
    post: str | None = Field(description="The post they were told as; null when named.")
    version_id: uuid.UUID
    informed_at: datetime
    acknowledged_at: datetime | None
    comment: str


class Acknowledgement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: LongText = ""


class SignOff(BaseModel):
    id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    version_number: str
    route_id: uuid.UUID
    route_key: str
    route_version: int
    status: SignOffStatus
    answers: dict[str, bool]
    approvers: dict[str, list[uuid.UUID]]
    effective_on: date | None
    review_interval_months: int | None
    check_stage_id: uuid.UUID | None
    issued_version_id: uuid.UUID | None
    submitted_by_id: uuid.UUID | None
    submitted_at: datetime
    closed_at: datetime | None
    stages: list[StageOut]
    decisions: list[SignOffDecision]
    informed: list[Informed]


class SignOffSummary(BaseModel):
    id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    status: SignOffStatus
    submitted_at: datetime
    closed_at: datetime | None


class SignOffPage(BaseModel):
    items: list[SignOffSummary]
    next_cursor: str | None


class GateAssessment(BaseModel):
    """The assessment a gate rests on: of the draft checked, or of an earlier draft."""

    kind: Literal["equality_assessment", "legal_review", "fitness_check"]
    id: uuid.UUID
    version_id: uuid.UUID = Field(description="The draft assessed.")
    version_number: str
    result: str = Field(description="What it found, in words.")


class GateStatement(BaseModel):
    """The responsible officer's statement that nothing material changed since the draft
    assessed: it carries the assessment to the draft checked."""

    id: uuid.UUID
    assessed_version_id: uuid.UUID
    reason: str
    stated_by_id: uuid.UUID
    stated_by_name: str | None
    stated_at: datetime


class MissingGate(BaseModel):
    gate: str
    detail: str
    assessment: GateAssessment | None = Field(
        default=None,
        description="The assessment that stands but does not meet the gate for this draft "
        "(e.g. a screening of an earlier draft, carried by no statement).",
    )


class GateStatus(BaseModel):
    gate: str
    is_met: StrictBool
    detail: str = Field(description="What meets the gate, or what is missing and what to do.")
    assessment: GateAssessment | None = Field(
        description="The assessment that meets it, or that stands without meeting it."
    )
    statement: GateStatement | None = Field(
        description="The statement that carries an earlier draft's assessment to this draft."
    )


class Readiness(BaseModel):
    route_id: uuid.UUID
    route_key: str
    route_name: str
    definition: RouteDefinition
    version_id: uuid.UUID | None = Field(description="The draft checked (the newest by default).")
    gates: list[GateStatus] = Field(
        description="Every gate of the route for the draft: met (by what) or not (and why)."
    )
    missing_gates: list[MissingGate]
    is_ready: StrictBool


class DelegationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delegate_id: uuid.UUID
    delegator_id: uuid.UUID | None = Field(
        default=None, description="Default: you. The policy team may record it for others."
    )
    starts_on: IsoDate
    ends_on: IsoDate
    reason: Annotated[str, text_field(500)] = ""


class Delegation(BaseModel):
    id: uuid.UUID
    delegator_id: uuid.UUID
    delegate_id: uuid.UUID
    starts_on: date
    ends_on: date
    reason: str
    created_by_id: uuid.UUID | None
    created_at: datetime
    revoked_at: datetime | None
