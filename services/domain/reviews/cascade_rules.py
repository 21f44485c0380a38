"""What an amended parent's issue does to the documents linked to it, per kind of link.

Each organisation says, for ``governs``, ``implements`` and ``form_for``: open a review of the
linked document, flag it for its RO, or do nothing. Until it says, ``DEFAULT_ACTIONS`` holds
(models/cascades.py): procedures under a changed policy are reviewed, forms are flagged.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import cascades as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.errors import Invalid
from services.domain.models.cascades import (
    CASCADE_ACTIONS,
    CASCADE_LINKS,
    DEFAULT_ACTIONS,
    CascadeAction,
    CascadeRule,
)


@dataclass(frozen=True)
class RuleView:
    """One kind of link and what an amended parent's issue does along it."""

    link_kind: str
    action: CascadeAction
    is_default: bool
    updated_by_id: uuid.UUID | None
    updated_at: datetime | None


async def actions_of(session: AsyncSession, organisation_id: uuid.UUID) -> dict[str, CascadeAction]:
    """The organisation's action for each link kind, the default where it set none."""
    rows = await session.execute(
        select(CascadeRule.link_kind, CascadeRule.action).where(
            CascadeRule.organisation_id == organisation_id
        )
    )
    found = {kind: CascadeAction(action) for kind, action in rows.all()}
    return {kind: found.get(kind, DEFAULT_ACTIONS[kind]) for kind in CASCADE_LINKS}


async def list_rules(session: AsyncSession, principal: Principal) -> list[RuleView]:
    """Every link kind a parent's change travels along, with the organisation's action."""
    authz.check_read_rules(principal)
    rows = await session.execute(
        select(CascadeRule).where(CascadeRule.organisation_id == principal.organisation_id)
    )
    found = {rule.link_kind: rule for rule in rows.scalars()}
    views = []
    for kind in CASCADE_LINKS:
        rule = found.get(kind)
        views.append(
            RuleView(
                link_kind=kind,
                action=rule.action if rule else DEFAULT_ACTIONS[kind],
                is_default=rule is None,
                updated_by_id=rule.updated_by_id if rule else None,
                updated_at=rule.updated_at if rule else None,
            )
        )
    return views


async def set_rules(
    session: AsyncSession, principal: Principal, actions: dict[str, str]
) -> list[RuleView]:
    """Set the action for the link kinds given (the others keep theirs); audited per change."""
    authz.check_manage_rules(principal)
    for kind, action in actions.items():
        if kind not in CASCADE_LINKS:
            raise Invalid(f"The link kind is one of: {', '.join(CASCADE_LINKS)}.", field=kind)
        if action not in CASCADE_ACTIONS:
            raise Invalid(f"The action is one of: {', '.join(CASCADE_ACTIONS)}.", field=kind)
    # Two first settings at once would both insert: one waits for the other.
    key = f"cascade_rules:{principal.organisation_id}"
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))
    rows = await session.execute(
        select(CascadeRule).where(CascadeRule.organisation_id == principal.organisation_id)
    )
    found = {rule.link_kind: rule for rule in rows.scalars()}
    for kind, action in actions.items():
        rule = found.get(kind)
        before = audit.snapshot(rule) if rule is not None else None
        if rule is None:
            rule = CascadeRule(organisation_id=principal.organisation_id, link_kind=kind)
            session.add(rule)
        elif rule.action == action:
            continue
        rule.action = CascadeAction(action)
        rule.updated_by_id = principal.person_id
        rule.updated_at = utcnow()
        await session.flush()
        await audit_changes.record_change(
            session, principal, rule, "cascade_rule.set", before=before
        )
    return await list_rules(session, principal)
