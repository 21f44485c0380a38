"""Shapes of proposals, equality impact assessments, legal reviews and fitness checks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    model_validator,
)

from services.api.types import LongText, text_field

ProposalStatus = Literal["draft", "submitted", "approved", "declined", "withdrawn"]
EiaKind = Literal["screening", "full"]
EiaStatus = Literal["in_progress", "completed"]
EiaOutcome = Literal[
    "no_adverse_impact",
    "possible_adverse_impact",
    "adverse_impact_justified",
    "adverse_impact_found",
]
Relevance = Literal["high", "medium", "low"]
LegalOutcome = Literal["no_concerns", "changes_advised", "not_lawful"]
FitnessAnswerValue = Literal["yes", "no", "partly"]

Title = Annotated[str, text_field(300, 1)]
# A section of a business case or an answer to an assessment question.
Section = Annotated[str, text_field(20000, multiline=True, strip=False)]
Required = Annotated[str, text_field(20000, 1, multiline=True)]
Key = Annotated[str, text_field(80, 1, strip=False)]
Comment = Annotated[str, text_field(2000, multiline=True, strip=False)]


def _no_nulls(model: BaseModel, names: tuple[str, ...]) -> None:
    for name in names:
        if name in model.model_fields_set and getattr(model, name) is None:
            raise ValueError(f"{name} cannot be null")


# --- proposals ------------------------------------------------------------------------------


class ProposalFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_id: uuid.UUID | None = Field(
        None,
        description="The document proposed or to be reviewed (LBBD 1: a proposal may become "
        "a review of an existing document).",
    )
    sponsor_id: uuid.UUID | None = Field(
        None, description="The policy sponsor (Cafcass: usually a corporate director)."
    )
    lead_officer_id: uuid.UUID | None = Field(
        None, description="The lead officer supporting it (the policy lead)."
    )
    background: Section = Field("", description="Why the document is needed.")
    objectives: Section = Field("", description="The business plan objectives it serves.")
    childrens_rights: Section = Field("", description="Implications for children's rights.")
    diversity: Section = Field("", description="How it will be fair and non-discriminatory.")
    outputs: Section = Field("", description="The planned output and the timeframe.")
    consultation_plan: Section = Field("", description="Whom it will consult, and how.")
    communications_plan: Section = Field("", description="How people will be kept informed.")


class ProposalCreate(ProposalFields):
    """A business case (Cafcass appendix 1)."""

    title: Title


class ProposalUpdate(BaseModel):
    """Only the fields sent change; only a draft can be changed."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    document_id: uuid.UUID | None = None
    sponsor_id: uuid.UUID | None = None
    lead_officer_id: uuid.UUID | None = None
    background: Section | None = None
    objectives: Section | None = None
    childrens_rights: Section | None = None
    diversity: Section | None = None
    outputs: Section | None = None
    consultation_plan: Section | None = None
    communications_plan: Section | None = None

    @model_validator(mode="after")
    def _required_not_null(self) -> ProposalUpdate:
        _no_nulls(
            self,
            (
                "title",
                "background",
                "objectives",
                "childrens_rights",
                "diversity",
                "outputs",
                "consultation_plan",
                "communications_plan",
            ),
        )
        return self


class ProposalSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    board_id: uuid.UUID = Field(description="The board asked to approve it to proceed.")
    meeting_id: uuid.UUID | None = Field(
        None, description="The meeting asked for; default the board's next meeting."
    )
    accept_late: StrictBool = Field(
        False,
        description="The chair (or the policy team) takes it at the meeting asked for although "
        "its agenda deadline has passed.",
    )


class Proposal(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    document_id: uuid.UUID | None
    sponsor_id: uuid.UUID | None
    lead_officer_id: uuid.UUID | None
    background: str
    objectives: str
    childrens_rights: str
    diversity: str
    outputs: str
    consultation_plan: str
    communications_plan: str
    status: ProposalStatus
    board_id: uuid.UUID | None
    agenda_item_id: uuid.UUID | None = Field(description="Its item on the board's forward plan.")
    decided_at: datetime | None
    decision_note: str = Field(description="The board's decision text and any conditions.")
    created_by_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class ProposalPage(BaseModel):
    items: list[Proposal]
    next_cursor: str | None


# --- equality impact assessments ------------------------------------------------------------

RelevanceGrid = Annotated[
    dict[Key, Relevance],
    Field(
        max_length=20,
        description="Each of the organisation's equality categories rated high, medium or low.",
    ),
]
EiaAnswers = Annotated[
    dict[Key, Section],
    Field(
        max_length=40,
        description="Answers keyed by question (see /v1/equality-assessments/questions).",
    ),
]


class EqualityAssessmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_id: uuid.UUID
    version_id: uuid.UUID = Field(description="The version assessed: a draft or an issued one.")
    kind: EiaKind
    relevance: RelevanceGrid = {}
    answers: EiaAnswers = {}
    summary: LongText = ""
    assessor_id: uuid.UUID | None = Field(None, description="Default: the caller.")


class EqualityAssessmentUpdate(BaseModel):
    """Only the fields sent change, each replaced whole; only while in progress."""

    model_config = ConfigDict(extra="forbid")

    kind: EiaKind | None = None
    relevance: RelevanceGrid | None = None
    answers: EiaAnswers | None = None
    summary: LongText | None = None
    assessor_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _required_not_null(self) -> EqualityAssessmentUpdate:
        _no_nulls(self, ("kind", "relevance", "answers", "summary"))
        return self


class EqualityAssessmentCompletion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: EiaOutcome = Field(
        description="A screening: no_adverse_impact or possible_adverse_impact (then a full "
        "assessment). A full assessment: no_adverse_impact, adverse_impact_justified or "
        "adverse_impact_found (then the draft changes and is assessed again)."
    )
    summary: LongText | None = None


class EqualityAssessment(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    kind: EiaKind
    relevance: dict[str, Relevance]
    answers: dict[str, str]
    status: EiaStatus
    outcome: EiaOutcome | None
    summary: str
    assessor_id: uuid.UUID | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class EqualityAssessmentPage(BaseModel):
    items: list[EqualityAssessment]
    next_cursor: str | None


class AssessmentQuestion(BaseModel):
    key: str
    text: str


class EqualityQuestions(BaseModel):
    categories: list[str] = Field(description="The caller's organisation's equality categories.")
    relevance_levels: list[Relevance]
    questions: list[AssessmentQuestion]
    outcomes: dict[EiaKind, list[EiaOutcome]]


# --- legal reviews --------------------------------------------------------------------------


class LegalReviewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_id: uuid.UUID
    version_id: uuid.UUID = Field(description="The version the question is about.")
    question: Required
    reviewer_id: uuid.UUID | None = Field(
        None, description="The lawyer asked; none: the policy team answers or passes it on."
    )


class LegalReviewAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    advice: Required
    outcome: LegalOutcome


class LegalReview(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    question: str
    requested_by_id: uuid.UUID | None
    reviewer_id: uuid.UUID | None
    advice: str
    outcome: LegalOutcome | None
    answered_by_id: uuid.UUID | None
    answered_at: datetime | None
    created_at: datetime
    updated_at: datetime


class LegalReviewPage(BaseModel):
    items: list[LegalReview]
    next_cursor: str | None


# --- fitness checks -------------------------------------------------------------------------


class FitnessAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: FitnessAnswerValue
    comment: Comment = ""


class FitnessCheckCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_id: uuid.UUID
    version_id: uuid.UUID = Field(description="The version checked: usually the draft to submit.")
    answers: Annotated[
        dict[Key, FitnessAnswer],
        Field(
            max_length=20,
            description="Every question answered (see /v1/fitness-checks/questions).",
        ),
    ]


class FitnessCheck(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    answers: dict[str, FitnessAnswer]
    checked_by_id: uuid.UUID | None
    created_at: datetime


class FitnessCheckPage(BaseModel):
    items: list[FitnessCheck]
    next_cursor: str | None


class FitnessQuestions(BaseModel):
    questions: list[AssessmentQuestion]
    answers: list[FitnessAnswerValue]


# --- statements that nothing material changed -------------------------------------------------

AssessmentKind = Literal["equality_assessment", "legal_review", "fitness_check"]
Reason = Annotated[str, text_field(5000, 1, multiline=True)]


class NoMaterialChangeStatementCreate(BaseModel):
    """The responsible officer's statement that nothing material changed between the draft an
    assessment is of and a later draft, so that the assessment meets its gate for that draft."""

    model_config = ConfigDict(extra="forbid")

    assessment_kind: AssessmentKind = Field(
        description="equality_assessment (gate eia_screened), legal_review (gate "
        "legal_review) or fitness_check (gate fit_for_purpose)."
    )
    assessment_id: uuid.UUID = Field(
        description="The assessment carried: the one that stands for the later draft (see "
        "`gates` on /v1/sign-offs/readiness)."
    )
    version_id: uuid.UUID = Field(
        description="The later draft it is carried to: usually the draft to be submitted."
    )
    reason: Reason = Field(description="Why nothing material to this assessment changed.")
    supersedes_id: uuid.UUID | None = Field(
        default=None,
        description="The statement this one corrects (same kind of assessment, same draft); a "
        "statement itself is never changed.",
    )


class NoMaterialChangeStatement(BaseModel):
    id: uuid.UUID
    document_id: uuid.UUID
    assessment_kind: AssessmentKind
    assessment_id: uuid.UUID
    assessed_version_id: uuid.UUID = Field(description="The draft the assessment is of.")
    version_id: uuid.UUID = Field(description="The later draft it is carried to.")
    reason: str
    stated_by_id: uuid.UUID = Field(description="The responsible officer who stated it.")
    stated_at: datetime
    supersedes_id: uuid.UUID | None
    superseded_by_id: uuid.UUID | None = Field(
        description="The statement that corrected this one; while null, it is in force."
    )


class NoMaterialChangeStatementPage(BaseModel):
    items: list[NoMaterialChangeStatement]
    next_cursor: str | None
