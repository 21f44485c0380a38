"""Who may read and change documents, their versions, links and kinds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from sqlalchemy import ColumnElement, or_

from services.domain.authz.core import Rule, action, refuse
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal
from services.domain.models.documents import Document, DocumentStatus

# Only the policy team changes who is accountable, the reference, kind, category (they choose
# the sign-off route) or status.
MANAGED_FIELDS = frozenset(
    {
        *("reference", "kind", "category", "status"),
        *("owner_id", "responsible_officer_id", "author_id"),
        # The register's record of approval and of the forms' alignment (Dorset).
        *("approved_by", "approved_on", "forms_aligned_on", "forms_aligned_by"),
    }
)
DraftScope = Literal["all", "named", "none"]


def is_policy_team(principal: Principal) -> bool:
    """The central team that runs the process: it sees and manages every document."""
    return principal.can(P.DOCUMENTS_MANAGE)


def is_named_on(principal: Principal, document: Document) -> bool:
    """True if the caller is the document's author, responsible officer or owner."""
    return principal.person_id is not None and principal.person_id in (
        document.author_id,
        document.responsible_officer_id,
        document.owner_id,
    )


def acting_responsible_officer_id(document: Document) -> object:
    # NCT: every procedure has an RO; when none is named the RSM (owner) stands in.
    return document.responsible_officer_id or document.owner_id


@action(
    "document.read_drafts",
    "read a document's drafts (0.1, 0.2, ...), its timeline, sign-offs and assessments",
    P.DRAFTS_READ,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
    kind="test",
)
def can_read_drafts(principal: Principal, document: Document) -> bool:
    return principal.is_system or is_policy_team(principal) or is_named_on(principal, document)


def check_read_drafts(principal: Principal, document: Document, detail: str) -> None:
    """can_read_drafts, refusing with ``detail``."""
    if not can_read_drafts(principal, document):
        refuse(Rule.NAMED_ON_DOCUMENT, detail)


@action(
    "document.search_drafts",
    "find documents by the text of their drafts",
    P.DRAFTS_READ,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
    kind="filter",
    denied="none",
)
def draft_scope(principal: Principal) -> DraftScope:
    """Whose drafts a search may look into: every document's, those named on, or none."""
    if principal.is_system or is_policy_team(principal):
        return "all"
    return "named" if principal.person_id is not None else "none"


def named_on_condition(principal: Principal) -> ColumnElement[bool]:
    """Rows of documents the caller is named on (for a ``named`` draft scope)."""
    me = principal.person_id
    return or_(
        Document.author_id == me, Document.responsible_officer_id == me, Document.owner_id == me
    )


@action("document.create", "add a draft document to the register", P.DOCUMENTS_CREATE)
def check_create(principal: Principal, *, status: str) -> None:
    if status != DocumentStatus.DRAFT:
        check_manage(principal)


@action(
    "document.manage",
    "register a document already in force; change who is accountable for any document, its "
    "reference, kind, category or status",
    P.DOCUMENTS_MANAGE,
)
def check_manage(principal: Principal) -> None:
    """The policy team manages every document (the permission is the whole rule)."""


def works_on(principal: Principal, document: Document) -> bool:
    """The relationship behind editing: the service itself, the policy team, the named people."""
    return principal.is_system or is_policy_team(principal) or is_named_on(principal, document)


def may_edit(principal: Principal, document: Document) -> bool:
    """check_edit as a question: may the caller change the document (role and relationship)?"""
    return principal.can(P.DOCUMENTS_EDIT) and works_on(principal, document)


@action(
    "document.edit",
    "change a document's title, summary, service area, tags or Trix URL; upload drafts; link it",
    P.DOCUMENTS_EDIT,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
)
def check_edit(principal: Principal, document: Document) -> None:
    if works_on(principal, document):
        return
    refuse(
        Rule.NAMED_ON_DOCUMENT,
        f"Only the author, responsible officer or owner of {document.reference}, or the "
        "policy team, may change it.",
    )


@action(
    "document.set_trix_url",
    "record where a document is published on Tri.x (its `trix_url`), on any document",
    P.TRIX_URL_SET,
)
def check_set_trix_url(principal: Principal) -> None:
    """The Tri.x upload script reports the page it published (the permission is the rule)."""


def check_update(principal: Principal, document: Document, changing: Iterable[str]) -> None:
    """May the caller change these fields of the document's register entry?"""
    fields = set(changing)
    if fields and fields <= {"trix_url"} and principal.can(P.TRIX_URL_SET):
        check_set_trix_url(principal)
        return
    check_edit(principal, document)
    restricted = sorted(MANAGED_FIELDS & fields)
    if restricted and not (principal.is_system or is_policy_team(principal)):
        refuse(
            Rule.POLICY_TEAM,
            f"Only admins and policy officers can change {', '.join(restricted)}.",
        )


@action(
    "version.register_issued",
    "register a version that is already issued (live in Tri.x) on any document",
    P.VERSIONS_REGISTER_ISSUED,
)
def check_register_issued(principal: Principal) -> None:
    """The policy team and the Tri.x upload script (the permission is the whole rule)."""


def check_add_version(principal: Principal, document: Document, *, issued: bool) -> None:
    """A draft is uploaded by the document's people; an issued version is registered."""
    if issued:
        check_register_issued(principal)
    else:
        check_edit(principal, document)


@action(
    "document.read_amendment_pack",
    "read the Tri.x amendment pack of an update cycle or a month: the issued versions, their "
    "change summaries and section-level redlines",
    P.DOCUMENTS_READ,
)
def check_read_amendment_pack(principal: Principal) -> None:
    """Readers of the register: the pack shows issued versions only (the permission is the
    whole rule)."""


@action(
    "document.export_paper_trail",
    "export everything about a document for an FOI request (paper-trail.zip: every draft, "
    "response, email and audit record)",
    P.AUDIT_READ,
)
def check_export_paper_trail(principal: Principal) -> None:
    """The policy team answers FOI requests (the permission is the whole rule)."""


@action(
    "document_kind.template",
    "set or remove a kind's template, its guidelines and the headings its drafts must have "
    "(Dorset aim v)",
    P.DOCUMENTS_MANAGE,
    Rule.POLICY_TEAM,
)
def check_set_template(principal: Principal) -> None:
    """The policy team (the PPP Group's officer at Dorset): the permission is the whole rule."""


@action("document_kind.manage", "add or change the kinds of document", P.DOCUMENT_KINDS_MANAGE)
def check_manage_kinds(principal: Principal) -> None:
    """Admins only (the permission is the whole rule)."""
