"""An organisation's limits on review extensions: read (the defaults when none are set) and
set by admins and the policy team, with If-Match like every other setting."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.authz import review_extensions as authz
from services.domain.authz.principal import Principal
from services.domain.errors import Invalid, PreconditionFailed
from services.domain.models.organisations import Organisation
from services.domain.models.review_extensions import (
    DEFAULT_MAX_EXTENSIONS,
    DEFAULT_MAX_MONTHS,
    ReviewExtensionLimits,
)
from services.domain.review_extensions.commands import ExtensionLimits
from services.domain.review_extensions.rules import Limits

MAX_MONTHS = 24
MAX_EXTENSIONS = 6


@dataclass(frozen=True)
class StoredLimits:
    """The limits in force and their version: 0 until the organisation first sets them."""

    limits: Limits
    row_version: int


async def limits_of(session: AsyncSession, organisation_id: uuid.UUID) -> Limits:
    """The organisation's limits, or the defaults (3 months, one extension per period)."""
    row = await session.get(ReviewExtensionLimits, organisation_id)
    if row is None:
        return Limits(DEFAULT_MAX_MONTHS, DEFAULT_MAX_EXTENSIONS)
    return Limits(row.max_months, row.max_extensions)


async def read_limits(session: AsyncSession, principal: Principal) -> StoredLimits:
    """The caller's organisation's limits and their version (for If-Match)."""
    authz.check_read(principal)
    row = await session.get(ReviewExtensionLimits, principal.organisation_id)
    if row is None:
        return StoredLimits(Limits(DEFAULT_MAX_MONTHS, DEFAULT_MAX_EXTENSIONS), 0)
    return StoredLimits(Limits(row.max_months, row.max_extensions), row.row_version)


def _check(command: ExtensionLimits) -> None:
    if not 1 <= command.max_months <= MAX_MONTHS:
        raise Invalid(f"Give 1 to {MAX_MONTHS} months.", field="max_months")
    if not 0 <= command.max_extensions <= MAX_EXTENSIONS:
        raise Invalid(
            f"Give 0 (none agreed) to {MAX_EXTENSIONS} extensions per review period.",
            field="max_extensions",
        )


async def set_limits(
    session: AsyncSession, principal: Principal, command: ExtensionLimits, *, expected_version: int
) -> StoredLimits:
    """Replace the limits (admins, policy team); ``expected_version`` is the ETag's (0 for the
    defaults). Requests already agreed stay as they are; the new limits hold for the next."""
    authz.check_set_limits(principal)
    _check(command)
    org_id = principal.organisation_id
    row = (
        await session.execute(
            select(ReviewExtensionLimits)
            .where(ReviewExtensionLimits.organisation_id == org_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if (row.row_version if row is not None else 0) != expected_version:
        raise PreconditionFailed("The limits have changed since you read them.")
    organisation = await session.get(Organisation, org_id)
    assert organisation is not None
    before = {"max_months": DEFAULT_MAX_MONTHS, "max_extensions": DEFAULT_MAX_EXTENSIONS}
    if row is None:
        # Two first settings at once: one inserts, the other finds the row and is told to read.
        inserted = await session.scalar(
            insert(ReviewExtensionLimits)
            .values(organisation_id=org_id, **command.given())
            .on_conflict_do_nothing()
            .returning(ReviewExtensionLimits.organisation_id)
        )
        if inserted is None:
            raise PreconditionFailed("The limits have changed since you read them.")
        row = await session.get(ReviewExtensionLimits, org_id, populate_existing=True)
        assert row is not None
    elif (row.max_months, row.max_extensions) != (command.max_months, command.max_extensions):
        before = {"max_months": row.max_months, "max_extensions": row.max_extensions}
        row.max_months, row.max_extensions = command.max_months, command.max_extensions
        await session.flush()
    else:
        return StoredLimits(Limits(row.max_months, row.max_extensions), row.row_version)
    after = {"max_months": row.max_months, "max_extensions": row.max_extensions}
    # Recorded on the organisation, whose setting this is.
    await audit_changes.record_change(
        session,
        principal,
        organisation,
        "organisation.review_extension_limits_set",
        before={"review_extension_limits": before},
        after={"review_extension_limits": after},
    )
    return StoredLimits(Limits(row.max_months, row.max_extensions), row.row_version)
