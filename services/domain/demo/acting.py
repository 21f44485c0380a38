"""Who the demo acts as: the system, on behalf of a seeded person of the organisation."""

from __future__ import annotations

import uuid

from services.domain.authz.principal import Principal


def acting_as(organisation_id: uuid.UUID, person_id: uuid.UUID) -> Principal:
    """The demo seeding as ``person_id``, so their rules (who may ask, who may decide) apply."""
    return Principal.system(organisation_id, "seed-demo", person_id=person_id)
