"""``/acknowledgements/respond?token=...``: the page the read-and-acknowledge emails link to
(services/notifier/email.py ``_acknowledge_link``). It shows the document, its version, a link
to read it (the API's download through the same token) and its text, the due date, and a
button to confirm it was read and understood.

The domain's own functions do the work (services/domain/acknowledgements/confirming.py):
``open_by_token`` opens the one acknowledgement the token names, ``confirm_by_token`` records
the confirmation as by link; an ended ask opens, to say so, and confirms nothing.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from starlette.responses import RedirectResponse, Response

from services.domain.acknowledgements.confirming import (
    confirm_by_token,
    open_by_token,
    version_by_token,
)
from services.domain.models.acknowledgements import AcknowledgementStatus
from services.domain.models.documents import DocumentVersion
from services.domain.models.organisations import Organisation
from services.domain.text import TextPolicy
from services.pages import forms
from services.pages.deps import AppSettings, Session
from services.pages.rendering import render
from services.pages.routing import page_router

PATH = "/acknowledgements/respond"
PURPOSE = "acknowledgement"
router = page_router()
Token = Annotated[str, TextPolicy(200, 1), Query(description="The token from the email.")]


async def _version(session: Session, settings: AppSettings, token: str) -> DocumentVersion:
    """The version the link asks its person to read, with the text taken from its file."""
    version = await version_by_token(session, settings.keyring, token)
    await session.refresh(version, attribute_names=["text"])
    return version


async def _page(request: Request, session: Session, settings: AppSettings, token: str) -> Any:
    view = await open_by_token(session, settings.keyring, token)
    organisation = await session.get(Organisation, view.document.organisation_id)
    assert organisation is not None  # the foreign key cascades
    query = urlencode({"token": token})
    confirmed = view.acknowledgement.status == AcknowledgementStatus.CONFIRMED
    return {
        "title": f"Read and confirm: {view.document.title}",
        "organisation_name": organisation.name,
        "view": view,
        "version": await _version(session, settings, token),
        "confirmed": confirmed,
        "may_confirm": view.is_open and not confirmed,
        # The API's download through the same token (services/api/acknowledgements).
        "read_url": f"/v1/acknowledgement-links/{token}/document",
        "action": f"{PATH}?{query}",
        "form_token": forms.form_token(settings.keyring, PURPOSE, token),
        "done": confirmed and request.query_params.get("done") == "1",
    }


@router.get(PATH)
async def show_acknowledgement(
    request: Request, token: Token, session: Session, settings: AppSettings
) -> Response:
    """The document to read and the confirm button (or what was confirmed, and when)."""
    return render("acknowledgements/respond.html", await _page(request, session, settings, token))


@router.post(PATH)
async def confirm(
    request: Request, token: Token, session: Session, settings: AppSettings
) -> Response:
    """Record that the person has read and understood the version."""
    form = await forms.read_form(request)
    forms.check_form_token(settings.keyring, PURPOSE, token, form)
    await confirm_by_token(session, settings.keyring, token)
    # Post/Redirect/Get: a reload shows the confirmation, it does not post again.
    return RedirectResponse(f"{PATH}?{urlencode({'token': token, 'done': '1'})}", status_code=303)
