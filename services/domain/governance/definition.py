"""What a route says: the questions it asks, the gates it needs and the stages it runs.

Stored as JSON on a route version, checked here with Pydantic. The stage vocabulary comes
from the seeds: a person in a role relative to the document (its RSM), the holder of a post
for the document's service area ("AD of the practice area"), named people (all, any or N of
them), or a board at a meeting or by circulation.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    TypeAdapter,
    model_validator,
)

from services.domain.text import TextPolicy

# Gates a route can require before sign-off (the seeds' stages before approval).
GATES = (
    "proposal_approved",  # Cafcass step 1, LBBD 2: the business case was approved to proceed
    "eia_screened",  # LBBD 5, Cafcass 4.8: screening done, and a full EIA if it found impact
    "consultation_closed",  # every seed: the draft was consulted on and the consultation closed
    "legal_review",  # LBBD 7: every legal review asked for has been answered
    "fit_for_purpose",  # Cafcass appendix 3: the checklist answered for the submitted draft
    # LBBD 4, NCT 4.1: a workshop or review session held on the draft since the last issue
    "engagement_session_held",
    # NCT 4.1 v: an amendment is a Word document with its changes tracked, or Tri.x refuses it
    "changes_tracked",
    # Dorset aim v: a draft of a kind with a template has the template's headings
    "template_followed",
    # Cafcass appendix 1: the final draft goes to ECMT and the Board with a communications plan
    "communication_plan_ready",
)
KEY = r"^[a-z][a-z0-9_]{0,59}$"
Key = Annotated[str, TextPolicy(60, pattern=KEY)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DocumentRoleDecider(_Strict):
    """The person named on the document: its owner (RSM), responsible officer or author."""

    kind: Literal["document_role"]
    role: Literal["owner", "responsible_officer", "author"]


class PostDecider(_Strict):
    """The holder of a post for the document's service area, else the organisation-wide one."""

    kind: Literal["post"]
    post: Key


# How named people decide: every one of them, any one, at least N, more approvals than
# refusals among the votes cast (abstentions not counted), or approvals from more than half of
# those eligible. A panel deciding outside a meeting (Cafcass 4.13: "within a CMT/ECMT meeting
# or outside") votes by one of the majority rules.
VotingRule = Literal["all", "any", "count", "simple_majority", "absolute_majority"]
# The rules under which a vote may be cast without deciding (an abstention), and a quorum set.
VOTING_RULES = ("count", "simple_majority", "absolute_majority")


class PeopleDecider(_Strict):
    """Named people; with none named here, the submitter names them (several RSMs at NCT)."""

    kind: Literal["people"]
    people: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    rule: VotingRule = "all"
    count: StrictInt | None = Field(default=None, ge=1, le=50)
    # The fewest votes cast (approvals, refusals and abstentions) for the stage to settle by
    # approval; a vote that cannot reach approval any more settles whatever the quorum.
    quorum: StrictInt | None = Field(default=None, ge=1, le=50)
    # Whether a person may abstain (with reasons): counted towards the quorum, not as a vote
    # for or against.
    allow_abstention: StrictBool = False

    @model_validator(mode="after")
    def _count_with_rule(self) -> PeopleDecider:
        if (self.rule == "count") != (self.count is not None):
            raise ValueError("give count exactly when rule is 'count'")
        if self.count is not None and self.people and self.count > len(self.people):
            raise ValueError("count is more than the people named")
        if self.rule not in VOTING_RULES and (self.quorum is not None or self.allow_abstention):
            raise ValueError(
                "a quorum and abstentions go with a vote (rule 'count', 'simple_majority' or "
                f"'absolute_majority'), not with rule {self.rule!r}"
            )
        eligible = len(set(self.people))
        if self.quorum is not None and self.people and self.quorum > eligible:
            raise ValueError(f"the quorum ({self.quorum}) is more than the {eligible} named")
        if self.count is not None and self.quorum is not None and self.quorum < self.count:
            # N approvals are N votes cast: such a quorum would never be what holds it up.
            raise ValueError("a quorum below count has no effect; leave it out")
        return self


class BoardDecider(_Strict):
    """A board: at its next meeting (through the minutes), or by circulation to its members."""

    kind: Literal["board"]
    board_id: uuid.UUID
    via: Literal["meeting", "circulation"] = "meeting"
    # For circulation: how many members must approve.
    rule: Literal["all", "any", "count", "majority"] = "majority"
    count: StrictInt | None = Field(default=None, ge=1, le=100)


Decider = Annotated[
    DocumentRoleDecider | PostDecider | PeopleDecider | BoardDecider, Field(discriminator="kind")
]

DECIDER = TypeAdapter(Decider)

# Who decides a dis-application (an organisation setting): the holder of a post for the
# document's service area, or a person named on the document (Cafcass 6.1: the Policy Sponsor).
DisApplicationDecider = Annotated[DocumentRoleDecider | PostDecider, Field(discriminator="kind")]
DIS_APPLICATION_DECIDER = TypeAdapter(DisApplicationDecider)


class Condition(_Strict):
    """The stage applies only when the answer to ``question`` equals ``answer``."""

    question: Key
    answer: StrictBool = True


class RouteQuestion(_Strict):
    key: Key
    text: Annotated[str, TextPolicy(500, 1)]


class Inform(_Strict):
    """Who is shown the draft when the stage starts and asked to acknowledge it; nobody here
    decides, and no acknowledgement holds up the stage or the sign-off.

    LBBD stage 9: "Shared at OMT ... and with other relevant Heads of Service"; "shared with
    or signed off by the Cabinet Member".
    """

    # Posts: every holder of each, whatever their service area (LBBD: "other relevant Heads of
    # Service", one head_of_service post per service).
    posts: list[Key] = Field(default_factory=list, max_length=20)
    people: list[uuid.UUID] = Field(default_factory=list, max_length=50)


class Stage(_Strict):
    key: Key
    name: Annotated[str, TextPolicy(200, 1)]
    # approval: decides before issue. information: shared and noted (before issue, or after
    # it: Dorset's Director approval is reported to the next PPP meeting). ratification: after
    # an interim approval, full approval at the next meeting (Dorset 4.5).
    purpose: Literal["approval", "information", "ratification"] = "approval"
    after_issue: StrictBool = False
    decider: Decider
    condition: Condition | None = None
    # Where a deferral goes when the decider does not name a body (NCT: RSM -> SLT).
    refer_to: Decider | None = None
    # Who a deferral is discussed with first, in the organisation's words (NCT 2.3.3: "The
    # decision to submit procedures to SLT should be discussed with the RSM's Assistant
    # Director"): a deferral on this stage then names the person (discussed_with_id).
    deferral_discussed_with: Annotated[str, TextPolicy(200, 1)] | None = None
    # Shown the draft when the stage starts, to acknowledge without deciding.
    inform: Inform | None = None
    # Working days (the organisation's calendar) from the day the stage starts to decide it;
    # after that those who have not decided are chased once, and the policy team is told once
    # ``escalate_after_working_days`` later (NCT 3.2: "Agreed scheduled deadlines must be
    # adhered to"; 3.1 iii: "a six-week period ... to review and approve (or reject)").
    time_limit_working_days: StrictInt | None = Field(default=None, ge=1, le=120)
    escalate_after_working_days: StrictInt | None = Field(default=None, ge=1, le=60)

    @model_validator(mode="after")
    def _time_limit(self) -> Stage:
        if self.escalate_after_working_days is not None and self.time_limit_working_days is None:
            raise ValueError("escalate_after_working_days needs a time_limit_working_days")
        at_meeting = isinstance(self.decider, BoardDecider) and self.decider.via == "meeting"
        if at_meeting and self.time_limit_working_days is not None:
            raise ValueError(
                "a stage decided by a board at its meeting is decided on the meeting's date: "
                "it takes no time limit"
            )
        return self

    @model_validator(mode="after")
    def _timing(self) -> Stage:
        if self.purpose == "ratification" and not self.after_issue:
            raise ValueError("a ratification stage comes after issue: set after_issue")
        if self.purpose == "approval" and self.after_issue:
            raise ValueError("an approval stage comes before issue")
        return self


class RouteDefinition(_Strict):
    questions: list[RouteQuestion] = Field(default_factory=list, max_length=20)
    gates: list[Literal[GATES]] = Field(default_factory=list)  # type: ignore[valid-type]
    stages: list[Stage] = Field(min_length=1, max_length=20)
    # Months from the issue date to the next review (LBBD 12-18, Trix chapters 6).
    review_interval_months: int | None = Field(default=None, ge=1, le=120)
    # Birmingham: lack of response by the consultation deadline is taken as agreement. The
    # default for consultations on documents that take this route.
    deemed_agreement: StrictBool = False
    # Segregation of duties: nobody decides a stage on a draft they wrote, uploaded or
    # submitted. A very small team may lift it; each such decision records it was self-approved.
    allow_self_approval: StrictBool = False

    @model_validator(mode="after")
    def _consistent(self) -> RouteDefinition:
        stage_keys = [s.key for s in self.stages]
        if len(set(stage_keys)) != len(stage_keys):
            raise ValueError("stage keys must be unique")
        question_keys = {q.key for q in self.questions}
        if len(question_keys) != len(self.questions):
            raise ValueError("question keys must be unique")
        if len(set(self.gates)) != len(self.gates):
            raise ValueError("a gate is listed twice")
        for stage in self.stages:
            if stage.condition and stage.condition.question not in question_keys:
                raise ValueError(
                    f"stage {stage.key!r} depends on question {stage.condition.question!r}, "
                    "which the route does not ask"
                )
        before = [s for s in self.stages if not s.after_issue]
        if not any(s.purpose == "approval" and s.condition is None for s in before):
            raise ValueError("a route needs an approval stage before issue that always applies")
        timing = [s.after_issue for s in self.stages]
        if timing != sorted(timing):
            raise ValueError("stages after issue come after every stage before issue")
        return self
