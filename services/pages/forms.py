"""Forms without JavaScript: a form token against cross-site posts, bounded reading of the
posted fields, and the errors a form shows (GOV.UK's error summary and error messages).

The form token is an HMAC of the link token and the form's purpose under the service's
keyring: a page that shows a form puts it in a hidden field, and the post must carry it back.
Another site cannot read the page, so it cannot forge the post, and no state is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.datastructures import FormData
from starlette.requests import Request

from services.domain.tokens import Keyring
from services.pages.deps import PageProblem

FORM_TOKEN_FIELD = "form_token"
# A page's form has a few fields; anything bigger is not from it.
MAX_FIELDS = 80
MAX_FIELD_BYTES = 64 * 1024


def form_token(keyring: Keyring, purpose: str, link_token: str) -> str:
    """The hidden field's value for the form ``purpose`` opened by ``link_token``."""
    return keyring.sign(f"page-form:{purpose}:{link_token}")


def check_form_token(keyring: Keyring, purpose: str, link_token: str, form: FormData) -> None:
    """A 403 problem page unless the post carries the token of this form and link."""
    given = form.get(FORM_TOKEN_FIELD)
    if not isinstance(given, str) or not keyring.verify(f"page-form:{purpose}:{link_token}", given):
        raise PageProblem(
            403, "This form was not sent from this service, or has expired: open the link again."
        )


async def read_form(request: Request) -> FormData:
    """The posted fields, bounded in number and size (no files)."""
    return await request.form(max_files=0, max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES)


def text(form: FormData, name: str) -> str:
    """A text field's value ('' when absent; a file in its place counts as absent)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


@dataclass
class FormErrors:
    """What is wrong with a post, by field id, in the order the form shows the fields."""

    messages: dict[str, str] = field(default_factory=dict)

    def add(self, field_id: str, message: str) -> None:
        self.messages.setdefault(field_id, message)

    def __bool__(self) -> bool:
        return bool(self.messages)

    def summary(self) -> list[dict[str, str]]:
        """The error summary's list: each message links to its field."""
        return [{"text": m, "href": f"#{f}"} for f, m in self.messages.items()]

    def of(self, field_id: str) -> str | None:
        return self.messages.get(field_id)


def order(errors: FormErrors, field_ids: Mapping[str, int]) -> FormErrors:
    """``errors`` in the order the fields appear on the page."""
    ranked = sorted(errors.messages.items(), key=lambda item: field_ids.get(item[0], 1_000))
    return FormErrors(dict(ranked))
