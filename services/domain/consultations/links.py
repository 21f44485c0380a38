"""External consultees' links: a signed token that opens one consultee's response, nothing else.

External consultees have no account (Cafcass: partner agencies, the public). Their invitation
carries a link whose token is the consultee's id and an HMAC of it and its link version under
the service's secret. The token is not stored anywhere; the notifier signs it when it writes
the email. Bumping the version (revoking, or sending a new link) voids every earlier token, and
a token expires a grace period after the consultation closes.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz import consultations as authz
from services.domain.clock import utcnow
from services.domain.consultations.service import link_expires_at
from services.domain.errors import NotFound
from services.domain.models.consultations import Consultation, Consultee
from services.domain.tokens import Keyring


def _message(consultee_id: uuid.UUID, link_version: int) -> str:
    return f"consultee-link:{consultee_id}:{link_version}"


def link_token(keyring: Keyring, consultee_id: uuid.UUID, link_version: int) -> str:
    """The token of a consultee's current link, signed with the current key."""
    return f"{consultee_id.hex}.{keyring.sign(_message(consultee_id, link_version))}"


async def consultee_for_link(
    session: AsyncSession, keyring: Keyring, token: str, grace: timedelta
) -> tuple[Consultee, Consultation]:
    """The consultee and consultation a token opens.

    NotFound for a token that is not ours (a wrong signature tells nothing about any
    consultee); Forbidden, saying why, for a genuine link that was withdrawn or has expired.
    """
    consultee_hex, _, signature = token.partition(".")
    try:
        consultee_id = uuid.UUID(hex=consultee_hex)
    except ValueError:
        raise NotFound("No such consultation link.") from None
    consultee = await session.get(Consultee, consultee_id)
    if consultee is None or consultee.kind != "external":
        raise NotFound("No such consultation link.")
    genuine = any(
        keyring.verify(_message(consultee.id, version), signature)
        for version in range(1, consultee.link_version + 1)
    )
    if not genuine:
        raise NotFound("No such consultation link.")
    current = keyring.verify(_message(consultee.id, consultee.link_version), signature)
    consultation = await session.get(Consultation, consultee.consultation_id)
    assert consultation is not None  # the foreign key cascades
    authz.check_link(
        consultation,
        consultee,
        is_current=current,
        is_expired=utcnow() >= link_expires_at(consultation, grace),
    )
    return consultee, consultation
