"""Creating and finding organisations."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import organisation as org_authz
from services.domain.authz.principal import Principal
from services.domain.commands import UNSET
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.governance.definition import DIS_APPLICATION_DECIDER
from services.domain.models.documents import DEFAULT_KINDS, DocumentKind
from services.domain.models.organisations import Organisation
from services.domain.organisations.commands import OrganisationChange
from services.domain.organisations.words import OrganisationWords
from services.domain.people.service import require_active_person

SLUG = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
CATEGORY = re.compile(r"^[a-z][a-z0-9_]{0,79}$")


async def create_organisation(session: AsyncSession, *, slug: str, name: str) -> Organisation:
    """A new organisation with the default document kinds and an empty audit chain."""
    if not SLUG.match(slug):
        raise Invalid("A slug is 2-40 lower-case letters, digits or hyphens.", field="slug")
    if await find_by_slug(session, slug) is not None:
        raise Conflict(f"An organisation with slug {slug!r} already exists.")
    org = Organisation(slug=slug, name=name)
    session.add(org)
    await session.flush()
    for key, label, requires_owner in DEFAULT_KINDS:
        session.add(
            DocumentKind(
                organisation_id=org.id, key=key, label=label, requires_owner=requires_owner
            )
        )
    await audit.start_chain(session, org.id)
    await audit_changes.record_change(session, None, org, "organisation.created")
    return org


async def update_organisation(
    session: AsyncSession,
    principal: Principal,
    change: OrganisationChange,
    *,
    expected_version: int,
) -> Organisation:
    """Change the caller's organisation: its name, calendar, escalation contact, equality
    categories, default review interval, target time to triage requests or words (role
    titles and citations; admins)."""
    org_authz.check_manage(principal)
    org = await get(session, principal.organisation_id)
    if org.row_version != expected_version:
        raise PreconditionFailed("The organisation has changed since you read it.")
    changes = change.given()
    if change.closure_days is not UNSET:
        changes["closure_days"] = sorted(set(change.closure_days))
    if change.eia_categories is not UNSET:
        _check_categories(change.eia_categories)
    _check_periods(change)
    if change.dis_application_decider is not UNSET:
        changes["dis_application_decider"] = _decider(change.dis_application_decider)
    if change.dis_application_reminder_days is not UNSET:
        changes["dis_application_reminder_days"] = _reminder_days(
            change.dis_application_reminder_days
        )
    _check_acknowledgement_settings(change, changes)
    _check_digest(change)
    if change.words is not UNSET:
        # Stored as set: the defaults stay defaults, so a better default later reaches them.
        try:
            words = OrganisationWords.model_validate(change.words)
        except ValidationError as exc:
            raise Invalid(f"Words: {exc.errors()[0]['msg']}.", field="words") from None
        changes["words"] = words.model_dump(exclude_defaults=True)
    contact = change.escalation_contact_id
    await require_active_person(
        session, org.id, None if contact is UNSET else contact, "escalation_contact_id"
    )
    before = audit.snapshot(org)
    changed = {k for k, v in changes.items() if getattr(org, k) != v}
    if not changed:
        return org
    for key in changed:
        setattr(org, key, changes[key])
    await session.flush()
    await audit_changes.record_change(
        session, principal, org, "organisation.updated", before=before
    )
    return org


def _decider(sent: Mapping[str, Any]) -> dict[str, Any]:
    """Who decides dis-applications: a post or a person named on the document, as JSON."""
    try:
        decider = DIS_APPLICATION_DECIDER.validate_python(dict(sent))
    except ValidationError as exc:
        raise Invalid(
            f"Dis-application decider: {exc.errors()[0]['msg']}.", field="dis_application_decider"
        ) from None
    stored: dict[str, Any] = decider.model_dump()
    return stored


def _check_acknowledgement_settings(change: OrganisationChange, changes: dict[str, Any]) -> None:
    """Read and acknowledge: 1-60 working days to confirm, 1-5 reminder steps (0 to 30
    working days before the due date), the owner told 0-60 working days after it."""
    due = change.acknowledgement_due_working_days
    if due is not UNSET and not 1 <= due <= 60:
        raise Invalid("Give 1 to 60 working days.", field="acknowledgement_due_working_days")
    grace = change.acknowledgement_escalation_working_days
    if grace is not UNSET and not 0 <= grace <= 60:
        raise Invalid("Give 0 to 60 working days.", field="acknowledgement_escalation_working_days")
    steps = change.acknowledgement_reminder_days
    if steps is not UNSET:
        if not 1 <= len(steps) <= 5 or not all(0 <= d <= 30 for d in steps):
            raise Invalid(
                "Give 1 to 5 reminder steps, each 0 (the due date) to 30 working days before it.",
                field="acknowledgement_reminder_days",
            )
        changes["acknowledgement_reminder_days"] = sorted(set(steps), reverse=True)


def _check_periods(change: OrganisationChange) -> None:
    """The default review interval (1-120 months) and the target time to triage a request
    (1-60 working days)."""
    interval = change.default_review_interval_months
    if interval is not UNSET and not (isinstance(interval, int) and 1 <= interval <= 120):
        raise Invalid(
            "The default review interval is 1 to 120 months.",
            field="default_review_interval_months",
        )
    days = change.request_triage_working_days
    if days is not UNSET and not (isinstance(days, int) and 1 <= days <= 60):
        raise Invalid(
            "The target time to triage a request is 1 to 60 working days.",
            field="request_triage_working_days",
        )


def _check_digest(change: OrganisationChange) -> None:
    if change.digest_frequency is not UNSET and change.digest_frequency not in (
        "weekly",
        "monthly",
        "off",
    ):
        raise Invalid("The digest is weekly, monthly or off.", field="digest_frequency")
    day = change.digest_weekday
    if day is not UNSET and not (isinstance(day, int) and 0 <= day <= 6):
        raise Invalid("The digest's day is 0 (Monday) to 6 (Sunday).", field="digest_weekday")


def _reminder_days(days: list[int]) -> list[int]:
    if not 1 <= len(days) <= 5 or not all(0 <= d <= 90 for d in days):
        raise Invalid(
            "Give 1 to 5 reminder days, each 0 (the end date) to 90 days before it.",
            field="dis_application_reminder_days",
        )
    return sorted(set(days), reverse=True)


def _check_categories(categories: list[str]) -> None:
    # Cafcass appendix 2 screens six categories; an organisation may screen others.
    if not 1 <= len(categories) <= 20:
        raise Invalid("Give 1 to 20 equality categories.", field="eia_categories")
    if len(set(categories)) != len(categories):
        raise Invalid("Name each equality category once.", field="eia_categories")
    for category in categories:
        if not CATEGORY.match(category):
            raise Invalid(
                "A category is a key of lower-case letters, digits and underscores (at most "
                "80), e.g. religion_or_belief.",
                field="eia_categories",
            )


async def find_by_slug(session: AsyncSession, slug: str) -> Organisation | None:
    return (
        await session.execute(select(Organisation).where(Organisation.slug == slug))
    ).scalar_one_or_none()


async def get_by_slug(session: AsyncSession, slug: str) -> Organisation:
    org = await find_by_slug(session, slug)
    if org is None:
        raise NotFound(f"No organisation with slug {slug!r}.")
    return org


async def get(session: AsyncSession, organisation_id: uuid.UUID) -> Organisation:
    org = await session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("No such organisation.")
    return org
