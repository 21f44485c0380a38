"""Who is calling: the organisation, the person (if any) and what they may do."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from services.domain.authz.permissions import Permission, permissions_for


@dataclass(frozen=True)
class Principal:
    """The caller of a use case.

    ``roles`` are the credential's roles (an API key's role, an OIDC token's roles claim);
    ``person_roles`` the roles the person holds in the directory, or None when the credential
    acts for no person (a service account). ``permissions`` is what both allow.
    """

    organisation_id: uuid.UUID
    person_id: uuid.UUID | None
    roles: frozenset[str]
    label: str
    api_key_id: uuid.UUID | None = None
    person_roles: frozenset[str] | None = None
    # The service itself (seeding, the command line, the sign-off engine): not a person.
    is_system: bool = False
    permissions: frozenset[Permission] = field(init=False)

    def __post_init__(self) -> None:
        granted = frozenset(Permission) if self.is_system else permissions_for(self.roles)
        if self.person_roles is not None:
            granted &= permissions_for(self.person_roles)
        object.__setattr__(self, "permissions", granted)

    @classmethod
    def system(
        cls, organisation_id: uuid.UUID, label: str, *, person_id: uuid.UUID | None = None
    ) -> Principal:
        """The service acting on its own account, for ``label`` (and the person behind it)."""
        return cls(
            organisation_id=organisation_id,
            person_id=person_id,
            roles=frozenset(),
            label=label,
            is_system=True,
        )

    def kept(self) -> dict[str, Any]:
        """What rebuilds this principal later (``again``): a background job acting for its
        caller, with the caller's credentials as they were when it was asked for."""
        return {
            "person_id": self.person_id,
            "api_key_id": self.api_key_id,
            "label": self.label,
            "roles": sorted(self.roles),
            "person_roles": None if self.person_roles is None else sorted(self.person_roles),
        }

    @classmethod
    def again(cls, organisation_id: uuid.UUID, kept: Mapping[str, Any]) -> Principal:
        """The principal ``kept`` describes, for ``organisation_id``."""
        person_roles = kept["person_roles"]
        return cls(
            organisation_id=organisation_id,
            person_id=kept["person_id"],
            roles=frozenset(kept["roles"]),
            label=kept["label"],
            api_key_id=kept["api_key_id"],
            person_roles=None if person_roles is None else frozenset(person_roles),
        )

    def view(self) -> tuple[object, ...]:
        """What decides what this principal is shown of its organisation: two principals with
        the same view see the same documents and drafts (services/api/page_cache.py)."""
        return (self.organisation_id, self.person_id, self.permissions, self.is_system)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions
