"""``/consultations/respond?token=...``: the page an external consultee's invitation links to
(services/notifier/email.py ``_respond_link``). It shows the consultation, the draft and the
consultee's response, and takes a response or a change to it until the close.

The same domain functions as the API's ``/v1/consultation-links/{token}``
(services/api/consultations/links_router.py): the token opens the consultee
(``links.consultee_for_link``), the draft is ``service.draft_of`` and the response
``responses.respond``; a withdrawn or expired link is the domain's refusal, shown as a page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from starlette.responses import RedirectResponse, Response

from services.domain.calendar.words import long_date
from services.domain.clock import LONDON, closing_day, utcnow
from services.domain.consultations import links, responses, service
from services.domain.models.consultations import Consultation, ConsultationResponse, Consultee
from services.domain.models.organisations import Organisation
from services.domain.text import TextPolicy
from services.pages import forms
from services.pages.consultations import form as response_form
from services.pages.deps import AppSettings, Session, refuse
from services.pages.forms import FormErrors
from services.pages.rendering import render
from services.pages.routing import page_router

PATH = "/consultations/respond"
PURPOSE = "consultation-response"
router = page_router()
Token = Annotated[
    str, TextPolicy(200, 1), Query(description="The token from the invitation email.")
]


async def _open(
    session: Session, settings: AppSettings, token: str
) -> tuple[Consultee, Consultation]:
    return await links.consultee_for_link(
        session, settings.keyring, token, timedelta(days=settings.consultation_link_grace_days)
    )


def _closes(consultation: Consultation) -> str:
    """When responses are due, in words (Europe/London): a close at midnight is the end of
    the day before."""
    local = consultation.closes_at.astimezone(LONDON)
    if local.hour == local.minute == 0:
        return f"by the end of {long_date(closing_day(consultation.closes_at))}"
    return f"by {_clock(local.hour, local.minute)} on {long_date(local.date())}"


def _clock(hour: int, minute: int) -> str:
    """A time as GOV.UK writes it: 9am, 5:30pm, midday."""
    if (hour, minute) == (12, 0):
        return "midday"
    suffix = "am" if hour < 12 else "pm"
    shown = hour % 12 or 12
    return f"{shown}{suffix}" if minute == 0 else f"{shown}:{minute:02d}{suffix}"


async def _page(
    request: Request,
    session: Session,
    settings: AppSettings,
    token: str,
    *,
    posted: response_form.Values | None = None,
    errors: FormErrors | None = None,
) -> dict[str, Any]:
    """What the page shows: the consultation, the draft, the response and the form."""
    consultee, consultation = await _open(session, settings, token)
    document, version = await service.draft_of(
        session, responses.external_principal(consultee), consultation, with_text=True
    )
    response = await responses.response_of(session, consultee)
    organisation = await session.get(Organisation, consultation.organisation_id)
    assert organisation is not None  # the foreign key cascades
    return {
        "title": consultation.title,
        "organisation_name": organisation.name,
        "consultation": consultation,
        "closes": _closes(consultation),
        "is_closed": service.is_past_deadline(consultation, utcnow()),
        "document": document,
        "version": version,
        "draft_url": f"/v1/consultation-links/{token}/draft",
        "consultee": consultee,
        "response": response,
        "may_respond": responses.takes_change(consultation, response, utcnow()),
        "values": posted or response_form.Values.of(response),
        "errors": errors or FormErrors(),
        "position_labels": response_form.POSITION_LABELS,
        "yes_no": response_form.YES_NO,
        "answer_field": response_form.answer_field,
        "shown_answer": _shown_answer,
        "action": f"{PATH}?{urlencode({'token': token})}",
        "form_token": forms.form_token(settings.keyring, PURPOSE, token),
        "saved": request.query_params.get("saved") == "1" and response is not None,
    }


def _shown_answer(response: ConsultationResponse, key: str) -> str:
    value = (response.answers or {}).get(key)
    if value is None:
        return "Not answered"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


@router.get(PATH)
async def show_consultation(
    request: Request, token: Token, session: Session, settings: AppSettings
) -> Response:
    """The consultation, the draft and the consultee's response (the form until the close)."""
    return render("consultations/respond.html", await _page(request, session, settings, token))


@router.post(PATH)
async def respond(
    request: Request, token: Token, session: Session, settings: AppSettings
) -> Response:
    """Save the response, or show the form again with its errors."""
    consultee, consultation = await _open(session, settings, token)
    form = await forms.read_form(request)
    forms.check_form_token(settings.keyring, PURPOSE, token, form)
    await service.lock(session, consultation)
    values, said, errors = response_form.read(form, consultation.questions)
    if said is None:
        refuse(request)
        page = await _page(request, session, settings, token, posted=values, errors=errors)
        return render("consultations/respond.html", page, status_code=400)
    await responses.respond(
        session, responses.external_principal(consultee), consultation, consultee, said
    )
    # Post/Redirect/Get: a reload shows the saved response, it does not post again.
    return RedirectResponse(f"{PATH}?{urlencode({'token': token, 'saved': '1'})}", status_code=303)
