"""The response form of an external consultee's page: its fields, read from a post into what
the consultee said, each field checked by the domain's own rules so that every error shows at
once (GOV.UK's error summary) rather than the first one."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from services.domain.consultations import responses
from services.domain.consultations.commands import ConsulteeResponse
from services.domain.errors import Invalid
from services.domain.models.consultations import POSITIONS, ConsultationResponse
from services.domain.text import refusal
from services.pages.forms import FormErrors, text

# The radios, in the order the form offers them (the domain's POSITIONS, in words).
POSITION_LABELS = {
    "support": "I support the draft",
    "support_with_comments": "I support the draft, with comments",
    "object": "I object to the draft",
    "no_view": "I have no view",
}
assert tuple(POSITION_LABELS) == POSITIONS
YES_NO = (("yes", "Yes"), ("no", "No"))
# As the API bounds them (services/api/consultations/schemas.py: Comments, Answer).
COMMENTS_LENGTH = 20_000
ANSWER_LENGTH = 5_000


def answer_field(key: str) -> str:
    """The form field (and its id) of a question's answer; a key is [a-z][a-z0-9_]*."""
    return f"answer-{key}"


@dataclass(frozen=True)
class Values:
    """What the form shows in its fields: what was posted, or the saved response."""

    position: str
    comments: str
    answers: Mapping[str, str]  # by question key: the text, the option, or "yes" / "no"

    @classmethod
    def of(cls, response: ConsultationResponse | None) -> Values:
        if response is None or response.position not in POSITIONS:
            return cls("", "", {})
        return cls(
            response.position,
            response.comments,
            {k: _shown(v) for k, v in (response.answers or {}).items()},
        )


def _shown(answer: Any) -> str:
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    return str(answer)


def _bounded(errors: FormErrors, field: str, value: str, limit: int, what: str) -> None:
    if len(value) > limit:
        errors.add(field, f"{what} must be {limit:,} characters or fewer.")
    elif (reason := refusal(value, multiline=True)) is not None:
        errors.add(field, f"{what} {reason}.")


def _answer(question: Mapping[str, Any], given: str) -> str | bool | None:
    if not given.strip():
        return None
    if question["kind"] == "yes_no":
        return {"yes": True, "no": False}.get(given, given)
    return given


def read(
    form: FormData, questions: Sequence[Mapping[str, Any]]
) -> tuple[Values, ConsulteeResponse | None, FormErrors]:
    """The posted values, what they say (None when anything is wrong) and the errors, in the
    order of the fields on the page."""
    position = text(form, "position")
    comments = text(form, "comments")
    given = {q["key"]: text(form, answer_field(q["key"])) for q in questions}
    values = Values(position, comments, given)
    errors = FormErrors()
    if position not in POSITIONS:
        errors.add("position", "Select whether you support the draft.")
    _bounded(errors, "comments", comments, COMMENTS_LENGTH, "Your comments")
    if "comments" not in errors.messages and position in POSITIONS:
        _domain_check(errors, None, responses.check_said, position, comments)
    answers: dict[str, str | bool | None] = {}
    for question in questions:
        key, field = question["key"], answer_field(question["key"])
        _bounded(errors, field, given[key], ANSWER_LENGTH, "Your answer")
        answers[key] = _answer(question, given[key])
        if field not in errors.messages:
            # One question at a time, so that each wrong answer is named on its own field.
            _domain_check(errors, field, responses.check_answers, [question], {key: answers[key]})
    if errors:
        return values, None, errors
    said = ConsulteeResponse(
        position=position,
        comments=comments,
        answers={k: v for k, v in answers.items() if v is not None},
    )
    return values, said, errors


def _domain_check(
    errors: FormErrors, field: str | None, check: Callable[..., object], *args: Any
) -> None:
    """Run one of the domain's checks; its Invalid becomes the message of ``field`` (by
    default the field it names)."""
    try:
        check(*args)
    except Invalid as exc:
        errors.add(field or str(exc.extra.get("field", "position")), exc.detail)
