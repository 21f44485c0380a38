"""What a staff view link (``services.domain.access.view_links``) may still open."""

from __future__ import annotations

from services.domain.authz.core import Rule, refuse
from services.domain.models.people import Person


def check_view_link(person: Person, *, is_expired: bool) -> None:
    """A genuine link opens its page for the person it was sent to while they are active and
    until it expires. Called once the token's signature is known to be ours."""
    if is_expired:
        refuse(
            Rule.THEMSELF,
            "This link has expired. Links in emails work for a limited time: ask the policy "
            "team, or open the record in your organisation's policy system.",
        )
    if not person.is_active:
        refuse(Rule.THEMSELF, "This link no longer works: the person it was sent to has left.")
