"""What each role may do, before any relationship to a record is considered.

A request holds the permissions that BOTH its credential and its person allow: an API key (or an
OIDC token) carries a role, the person it acts for holds roles in the directory, and only the
permissions in both count (a `reader` key bound to an RSM never decides a stage). A key with no
person (a service account, such as a Tri.x upload script) has its role's permissions alone.

Relationship rules ("the author of the draft", "a member of the board") narrow these further in
the policies of each kind of record (``services/domain/authz/*.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from services.domain.models.people import ROLES


class Permission(StrEnum):
    # The register.
    DOCUMENTS_READ = "documents:read"
    DRAFTS_READ = "drafts:read"
    DOCUMENTS_CREATE = "documents:create"
    DOCUMENTS_EDIT = "documents:edit"
    DOCUMENTS_MANAGE = "documents:manage"
    VERSIONS_REGISTER_ISSUED = "versions:register_issued"
    TRIX_URL_SET = "documents:set_trix_url"
    DOCUMENT_KINDS_MANAGE = "document_kinds:manage"
    TRACKER_READ = "tracker:read"
    TRACKER_IMPORT = "tracker:import"
    # Sign-off.
    SIGN_OFFS_READ = "sign_offs:read"
    SIGN_OFFS_SUBMIT = "sign_offs:submit"
    SIGN_OFFS_DECIDE = "sign_offs:decide"
    ROUTES_READ = "routes:read"
    ROUTES_MANAGE = "routes:manage"
    PUBLICATIONS_WORK = "publications:work"
    # Work around a draft.
    ASSESSMENTS_RECORD = "assessments:record"
    LEGAL_REVIEWS_ANSWER = "legal_reviews:answer"
    PROPOSALS_READ = "proposals:read"
    PROPOSALS_CREATE = "proposals:create"
    CONSULTATIONS_RUN = "consultations:run"
    CONSULTATIONS_RESPOND = "consultations:respond"
    # Requests to the policy service (Birmingham: requests to the Policy Service).
    REQUESTS_MAKE = "requests:make"
    # Dis-applications (Cafcass 6.1): setting aside part of a document in force.
    DIS_APPLICATIONS_READ = "dis_applications:read"
    DIS_APPLICATIONS_REQUEST = "dis_applications:request"
    DIS_APPLICATIONS_DECIDE = "dis_applications:decide"
    # Implementation monitoring (Cafcass 7.4, Dorset xi): actions, evidence, reports.
    MONITORING_READ = "monitoring:read"
    MONITORING_RECORD = "monitoring:record"
    MONITORING_MANAGE = "monitoring:manage"
    # Read and acknowledge: confirming one's own; reading compliance; asking.
    ACKNOWLEDGEMENTS_CONFIRM = "acknowledgements:confirm"
    ACKNOWLEDGEMENTS_READ = "acknowledgements:read"
    ACKNOWLEDGEMENTS_MANAGE = "acknowledgements:manage"
    # Launch and cascade: communication plans, the digest and the news feed.
    COMMUNICATIONS_PLAN = "communications:plan"
    DIGESTS_SUBSCRIBE = "digests:subscribe"
    NEWS_MANAGE = "news:manage"
    # Reviews.
    REVIEWS_RUN = "reviews:run"
    REVIEWS_CONFIRM = "reviews:confirm"
    UPDATE_CYCLES_MANAGE = "update_cycles:manage"
    # Boards.
    BOARDS_READ = "boards:read"
    BOARDS_MANAGE = "boards:manage"
    MEETINGS_RUN = "meetings:run"
    AGENDA_SUBMIT = "agenda:submit"
    # The organisation.
    ORGANISATION_READ = "organisation:read"
    PEOPLE_READ = "people:read"
    PEOPLE_MANAGE = "people:manage"
    ROLES_ASSIGN = "roles:assign"
    ORGANISATION_MANAGE = "organisation:manage"
    API_KEYS_MANAGE = "api_keys:manage"
    WEBHOOKS_MANAGE = "webhooks:manage"
    AUDIT_READ = "audit:read"
    AUDIT_VERIFY = "audit:verify"
    NOTIFICATIONS_READ = "notifications:read"


P = Permission

# What a member of staff may do at all: read the register and the people and boards around it.
_STAFF = frozenset(
    {
        P.DOCUMENTS_READ,
        P.DRAFTS_READ,
        P.TRACKER_READ,
        P.SIGN_OFFS_READ,
        P.ROUTES_READ,
        P.CONSULTATIONS_RESPOND,
        P.LEGAL_REVIEWS_ANSWER,
        P.PROPOSALS_READ,
        P.BOARDS_READ,
        # Board members table items with no document (Dorset: horizon scanning, training).
        P.AGENDA_SUBMIT,
        # Anyone may ask the policy service for a new document or a change (Birmingham).
        P.REQUESTS_MAKE,
        P.ORGANISATION_READ,
        P.PEOPLE_READ,
        # Cafcass 6.1: any member of staff may ask for a policy not to be applied, and must
        # know which parts are set aside for whom.
        P.DIS_APPLICATIONS_READ,
        P.DIS_APPLICATIONS_REQUEST,
        # Cafcass 7.4, Dorset xi: whoever is given a monitoring action (a service manager, a
        # practice manager) records its evidence and outcome, and everyone may read how a
        # document is being implemented.
        P.MONITORING_READ,
        P.MONITORING_RECORD,
        # Everyone confirms they have read what they are asked to (and a meeting's papers).
        P.ACKNOWLEDGEMENTS_CONFIRM,
        # Birmingham 11, Dorset 5.2: anyone may have the digest of what was issued.
        P.DIGESTS_SUBSCRIBE,
        # LBBD 10, Cafcass 7.1: the plan is the document's people's (authz/launch.py), and
        # whoever an item names to send it (a communications officer) says it went.
        P.COMMUNICATIONS_PLAN,
    }
)
# Working on documents one is named on: drafting, assessing, consulting, reviewing.
_WORKING = _STAFF | {
    P.DOCUMENTS_EDIT,
    P.SIGN_OFFS_SUBMIT,
    P.ASSESSMENTS_RECORD,
    P.PROPOSALS_CREATE,
    P.CONSULTATIONS_RUN,
    P.REVIEWS_RUN,
    P.MEETINGS_RUN,
    P.MONITORING_MANAGE,
    # Managers and owners see who has read and acknowledged what.
    P.ACKNOWLEDGEMENTS_READ,
}
# The central policy team (Policy and Procedures Officer, Practice Hub, Project and Policy Officer).
_POLICY_TEAM = _WORKING | {
    P.DOCUMENTS_CREATE,
    P.DOCUMENTS_MANAGE,
    P.VERSIONS_REGISTER_ISSUED,
    P.TRIX_URL_SET,
    P.TRACKER_IMPORT,
    P.ROUTES_MANAGE,
    P.PUBLICATIONS_WORK,
    P.REVIEWS_CONFIRM,
    P.UPDATE_CYCLES_MANAGE,
    P.BOARDS_MANAGE,
    P.PEOPLE_MANAGE,
    P.AUDIT_READ,
    P.NOTIFICATIONS_READ,
    P.ACKNOWLEDGEMENTS_MANAGE,
    P.NEWS_MANAGE,
}

ROLE_PERMISSIONS: Mapping[str, frozenset[Permission]] = {
    # Everything in the organisation, deciding a stage included when named to decide it.
    "admin": frozenset(Permission),
    "policy_officer": frozenset(_POLICY_TEAM),
    "author": frozenset(_WORKING | {P.DOCUMENTS_CREATE}),
    # Signs off (RSM, Head of Service, Director, board members deciding by circulation),
    # confirms that a review needed no change, and decides the dis-applications the
    # organisation names them for (Cafcass 6.1: the Policy Sponsor).
    "approver": frozenset(
        _WORKING | {P.SIGN_OFFS_DECIDE, P.REVIEWS_CONFIRM, P.DIS_APPLICATIONS_DECIDE}
    ),
    # Reads published documents; answers consultations and legal questions put to them.
    "reader": _STAFF,
    # A Tri.x upload script: exactly what it needs, nothing more.
    "integration": frozenset(
        {P.DOCUMENTS_READ, P.PUBLICATIONS_WORK, P.TRIX_URL_SET, P.VERSIONS_REGISTER_ISSUED}
    ),
}
assert set(ROLE_PERMISSIONS) == set(ROLES)


def permissions_for(roles: Iterable[str]) -> frozenset[Permission]:
    """Every permission any of ``roles`` grants (unknown roles grant nothing)."""
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def roles_granting(permission: Permission) -> tuple[str, ...]:
    """The roles that grant ``permission``, in the order roles are listed."""
    return tuple(role for role in ROLES if permission in ROLE_PERMISSIONS[role])
