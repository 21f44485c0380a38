"""Who is calling: the organisation, the person (if any) and their roles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from services.domain.errors import Forbidden

# Roles that see and manage every document of their organisation.
MANAGING_ROLES = frozenset({"admin", "policy_officer"})


@dataclass(frozen=True)
class Principal:
    organisation_id: uuid.UUID
    person_id: uuid.UUID | None
    roles: frozenset[str]
    label: str
    api_key_id: uuid.UUID | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def manages_documents(self) -> bool:
        return bool(self.roles & MANAGING_ROLES)

    def require(self, *roles: str) -> None:
        """Raise Forbidden unless the caller holds one of ``roles``."""
        if not self.roles & set(roles):
            raise Forbidden(f"This needs one of the roles: {', '.join(sorted(roles))}.")
