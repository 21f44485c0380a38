"""Staff view links: the address in an email that opens one page for the person it was sent to.

A person told about a document, a consultation or a meeting follows a link to a read-only page
about it (``services/api/pages``) without signing in. The link's ``?token=`` binds the
recipient, their organisation, the page's path and an expiry under the service's keyring: the
notifier signs it when it writes the email (``services.notifier.email``), and it is stored
nowhere (admins read a notification's context; they must not be able to open its links). A
key rotation keeps links signed under the previous key working; a person made inactive loses
every link at once; a link opens its own page (and that page's files), nothing else.

The token is ``<person id hex>.<expiry, Unix seconds>.<signature>``, every part URL-safe.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.authz.view_links import check_view_link
from services.domain.clock import utcnow
from services.domain.errors import NotFound
from services.domain.models.people import Person
from services.domain.tokens import Keyring

# Far more than any token we sign (a UUID, ten digits, a 43-character signature).
TOKEN_MAX = 120


def _message(person_id: uuid.UUID, organisation_id: uuid.UUID, path: str, expires: int) -> str:
    return f"view-link:{person_id}:{organisation_id}:{path}:{expires}"


def sign_view_link(
    keyring: Keyring,
    *,
    person_id: uuid.UUID,
    organisation_id: uuid.UUID,
    path: str,
    expires_at: datetime,
) -> str:
    """The token that opens the page at ``path`` for this person until ``expires_at``."""
    expires = int(expires_at.timestamp())
    signature = keyring.sign(_message(person_id, organisation_id, path, expires))
    return f"{person_id.hex}.{expires}.{signature}"


def page_linker(
    keyring: Keyring,
    base_url: str,
    *,
    person_id: uuid.UUID,
    organisation_id: uuid.UUID,
    expires_at: datetime,
) -> Callable[[str], str]:
    """``page(path)``: the page's absolute address under ``base_url`` with a token for the
    person, valid until ``expires_at`` (the notifier's emails, the person's calendar feed)."""
    base = base_url.rstrip("/")

    def page(path: str) -> str:
        token = sign_view_link(
            keyring,
            person_id=person_id,
            organisation_id=organisation_id,
            path=path,
            expires_at=expires_at,
        )
        return f"{base}{path}?{urlencode({'token': token})}"

    return page


@dataclass(frozen=True)
class ViewLink:
    """An opened link: who holds it, and the service reading on their behalf."""

    person: Person
    path: str
    expires_at: datetime

    @property
    def principal(self) -> Principal:
        """The service reading for the recipient: the signed path is the authority (the
        service itself chose to tell this person about this record), not a role."""
        return Principal.system(self.person.organisation_id, "view link", person_id=self.person.id)


async def open_view_link(
    session: AsyncSession, keyring: Keyring, token: str | None, paths: Iterable[str]
) -> ViewLink:
    """The link ``token`` makes for one of ``paths`` (a page, or the page a file belongs to).

    NotFound for a token that is not ours or is for another page (a wrong signature tells
    nothing about any person); Forbidden, saying why, for a genuine link that expired or whose
    person is no longer active.
    """
    if not token or len(token) > TOKEN_MAX:
        raise NotFound("This link is not complete: open it from the email again.")
    person_hex, _, rest = token.partition(".")
    expires_text, _, signature = rest.partition(".")
    try:
        person_id = uuid.UUID(hex=person_hex)
        expires = int(expires_text)
        expires_at = datetime.fromtimestamp(expires, tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise NotFound("No such link: open it from the email again.") from None
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound("No such link: open it from the email again.")
    genuine = [
        path
        for path in paths
        if keyring.verify(_message(person.id, person.organisation_id, path, expires), signature)
    ]
    if not genuine:
        raise NotFound("No such link: open it from the email again.")
    check_view_link(person, is_expired=utcnow() >= expires_at)
    return ViewLink(person=person, path=genuine[0], expires_at=expires_at)
