"""The links an email gives its recipient: each page's address, signed for them now.

Templates call ``page(path)`` for every link to the service (``page("/documents/" ~
document_id)``, ``page(sign_off_path)``). A notification's context keeps the API's paths
(``/v1/sign-offs/<id>``: what webhook subscribers and the notifications API read); here they
become the read-only pages people can open (``services/api/pages``), and each gets a
``?token=`` for the recipient (``services.domain.access.view_links``), valid for
``view_link_days``. The token is signed when the email is written and stored nowhere.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta

from services.domain.access.view_links import page_linker
from services.domain.clock import utcnow
from services.domain.models.notifications import Notification
from services.domain.settings import Settings

# API paths an email context carries, and the page each opens.
_PAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/v1/consultations/([0-9a-f-]+)/report\.html$"), r"/consultations/\1/report"),
    (re.compile(r"^/v1/update-cycles/([0-9a-f-]+)/report$"), r"/update-cycles/\1"),
    (re.compile(r"^/v1(/.*)$"), r"\1"),
)


def page_path(path: str) -> str:
    """The page a path in an email's context opens: an API path becomes its page."""
    for pattern, page in _PAGES:
        if pattern.match(path):
            return pattern.sub(page, path)
    return path


def page_links(notification: Notification, settings: Settings) -> Callable[[str], str]:
    """``page(path)`` for this notification's templates: the page's absolute address with a
    token for the recipient. A notification to no person (an external consultee) gets the
    bare address: its emails link such people only to their own signed response page."""
    base_url = settings.frontend_base_url.rstrip("/")
    person_id = notification.recipient_person_id
    if person_id is None:
        return lambda path: f"{base_url}{page_path(str(path))}"
    signed = page_linker(
        settings.keyring,
        base_url,
        person_id=uuid.UUID(str(person_id)),
        organisation_id=notification.organisation_id,
        expires_at=utcnow() + timedelta(days=settings.view_link_days),
    )
    return lambda path: signed(page_path(str(path)))
