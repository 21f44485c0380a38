"""Pages the launch-and-cascade emails link to: a communication plan item with the rest of
its version's plan (``communication_plan.overdue``), and the recipient's own digest
subscription, which they may stop from the page (``news.digest``: "Change what it lists")."""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import urlencode

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from services.domain.access.view_links import open_view_link
from services.domain.errors import NotFound
from services.domain.launch import plans, subscriptions
from services.domain.launch.notices import channel_words
from services.domain.models.launch import DigestSubscription
from services.pages import forms
from services.pages.deps import AppSettings, Session
from services.pages.records.opening import Opened, Token, page
from services.pages.records.register import name_of
from services.pages.routing import page_router

router = page_router()
SUBSCRIPTION = "/digest-subscription"
PURPOSE = "digest-subscription"


@page(router, "/communication-plan-items/{item_id:uuid}")
async def plan_item_page(opened: Opened) -> Response:
    """A plan item gone unsent, with the rest of its version's plan."""
    session, principal = opened.session, opened.principal
    document, item = await plans.get_item(session, principal, opened.id("item_id"))
    _, version, items = await plans.plan_of(session, principal, document.id, str(item.version_id))
    return await opened.page(
        "communication_plan.html",
        f"Communication plan: {document.reference} {document.title}",
        document=document,
        version=version,
        item=item,
        items=[(i, channel_words(i), await name_of(session, i.owner_id)) for i in items],
    )


async def _subscription(opened: Opened) -> DigestSubscription | None:
    try:
        return await subscriptions.get_subscription(
            opened.session, opened.principal, opened.link.person.id
        )
    except NotFound:
        return None


@page(router, SUBSCRIPTION)
async def subscription_page(opened: Opened) -> Response:
    """What the recipient's digest lists, and a button to stop it."""
    query = urlencode({"token": opened.token})
    return await opened.page(
        "digest_subscription.html",
        "Your digest of new and changed documents",
        subscription=await _subscription(opened),
        person=opened.link.person,
        action=f"{SUBSCRIPTION}?{query}",
        form_token=forms.form_token(opened.settings.keyring, PURPOSE, opened.token),
        stopped=opened.request.query_params.get("done") == "1",
    )


@router.post(SUBSCRIPTION)
async def stop_digest(
    request: Request, token: Token, session: Session, settings: AppSettings
) -> Response:
    """Stop the digest for the link's person (already stopped: nothing to do)."""
    form = await forms.read_form(request)
    forms.check_form_token(settings.keyring, PURPOSE, token, form)
    link = await open_view_link(session, settings.keyring, token, [SUBSCRIPTION])
    with suppress(NotFound):
        await subscriptions.unsubscribe(session, link.principal, link.person.id)
    # Post/Redirect/Get: a reload shows that it stopped, it does not post again.
    return RedirectResponse(f"{SUBSCRIPTION}?{urlencode({'token': token, 'done': '1'})}", 303)
