"""Every problem type the service answers with, served at its own `type` URI.

A problem's `type` is `/problems/<slug>`, relative to the service (RFC 9457 3.1.1 allows a
relative reference): a client resolves it against the address it called, so it points at this
deployment whatever its host or path prefix. A test fails when code uses a slug not listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

TYPE_BASE = "/problems/"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    title: str
    statuses: tuple[int, ...]
    description: str
    members: tuple[str, ...] = ()

    @property
    def type(self) -> str:
        return TYPE_BASE + self.slug


PROBLEM_TYPES: tuple[ProblemType, ...] = (
    ProblemType("bad-request", "Bad request", (400,), "The request cannot be understood as sent."),
    ProblemType(
        "invalid-cursor",
        "Invalid cursor",
        (400,),
        "The pagination cursor was not issued for this list, or was altered: start again "
        "from the first page.",
    ),
    ProblemType(
        "unauthenticated",
        "Unauthenticated",
        (401,),
        "No valid credential: send `Authorization: Bearer <API key>` (or an OIDC token).",
    ),
    ProblemType(
        "forbidden",
        "Forbidden",
        (403,),
        "The credential is valid but may not do this. `permission` names the permissions that "
        "would allow it; `rule` names the relationship rule that refused it (the author of the "
        "draft, a member of the board...).",
        ("permission", "rule"),
    ),
    ProblemType(
        "not-found",
        "Not found",
        (404,),
        "Nothing with this id in your organisation (another organisation's record answers the "
        "same).",
    ),
    ProblemType(
        "method-not-allowed",
        "Method not allowed",
        (405,),
        "The path does not answer this method; the `Allow` header lists those it does.",
    ),
    ProblemType(
        "conflict",
        "Conflict",
        (409,),
        "The request conflicts with the state of the record or with a change made at the same "
        "time. Extension members say why: `missing_gates` (what a route needs before sign-off), "
        "`document_status`, `publication_status`, `current_decision_id`...",
        (
            "missing_gates",
            "document_status",
            "publication_status",
            "request_status",
            "cancelled_reason",
            "call",
            "trix_url",
            "submitted_version_id",
            "decision_id",
            "current_decision_id",
        ),
    ),
    ProblemType(
        "precondition-failed",
        "Precondition failed",
        (412,),
        "If-Match does not match the current ETag: someone changed the record since you read "
        "it. Read it again, then retry with the new ETag.",
    ),
    ProblemType(
        "payload-too-large",
        "Payload too large",
        (413,),
        "The body or file is over a limit; `limit` names the setting, `limit_bytes` the size.",
        ("limit", "limit_bytes", "versions_bytes"),
    ),
    ProblemType(
        "unsupported-media-type",
        "Unsupported media type",
        (415,),
        "The file is of a type the service does not read; `accepted` lists those it does.",
        ("accepted",),
    ),
    ProblemType(
        "validation",
        "Your request is not valid",
        (422,),
        "The request does not match the schema; `invalid_params` names each field and why.",
        ("invalid_params",),
    ),
    ProblemType(
        "invalid",
        "Invalid input",
        (422,),
        "Well-formed input that breaks a business rule. `invalid_params` names the field when "
        "there is one; a rejected tracker import lists every `problems` row; an update plan "
        "names its `row`; heavy work over its time names the `limit`.",
        ("invalid_params", "problems", "row", "limit"),
    ),
    ProblemType(
        "precondition-required",
        "Precondition required",
        (428,),
        "A change needs `If-Match` with the ETag you last read, so changes made meanwhile are "
        "not lost.",
    ),
    ProblemType(
        "idempotency",
        "Idempotency-Key misuse",
        (400, 409, 413, 422),
        "The Idempotency-Key was reused with a different request (422), is still being "
        "processed (409), is malformed (400), or the request is too large to remember (413).",
    ),
    ProblemType(
        "internal", "Internal error", (500,), "A bug: it is logged; the request had no effect."
    ),
    ProblemType(
        "file-damaged",
        "Stored file damaged",
        (502,),
        "The file store answered with a file that is missing or does not match the hash "
        "recorded when it was uploaded. Trying again will not help: an administrator restores "
        "the file from a backup.",
    ),
    ProblemType(
        "feed-unavailable",
        "Feed unavailable",
        (502,),
        "A statutory source's Atom feed could not be read: unreachable, refused (an internal "
        "address not allowed), over the size or time limit, or not a well-formed Atom feed. "
        "Nothing was recorded; the detail says which.",
    ),
    ProblemType(
        "unavailable",
        "Service unavailable",
        (503,),
        "The database or the file store cannot be reached, or every slot for heavy work is "
        "taken (`limit`). Try again after `Retry-After` seconds.",
        ("limit",),
    ),
)

BY_SLUG = {problem.slug: problem for problem in PROBLEM_TYPES}
