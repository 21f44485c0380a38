"""Webhook subscriptions of the caller's organisation and their deliveries (admins).

The API only writes rows: the notifier sends every pending delivery (Standard Webhooks), so a
ping or a replay answers 202 and goes out shortly after.
"""

from __future__ import annotations

import uuid

from fastapi import Response

from services.api.deps import AppSettings, CurrentPrincipal, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.api.webhooks import schemas
from services.domain.authz.permissions import Permission as P
from services.domain.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookSubscription
from services.domain.webhooks import service
from services.domain.webhooks.commands import NewSubscription, SubscriptionChange

router = Router(prefix="/v1/webhooks", tags=["webhooks"])


def _with_secret(
    subscription: WebhookSubscription, response: Response
) -> schemas.WebhookWithSecret:
    # The secret leaves once; nothing on the way may keep a copy.
    response.headers["Cache-Control"] = "no-store"
    set_etag(response, subscription.row_version)
    return schemas.WebhookWithSecret.model_validate(
        {
            **schemas.Webhook.model_validate(subscription).model_dump(),
            "secret": subscription.secret,
        }
    )


def _accepted(
    subscription: WebhookSubscription, delivery: WebhookDelivery, response: Response
) -> schemas.WebhookDelivery:
    response.headers["Location"] = f"/v1/webhooks/{subscription.id}/deliveries/{delivery.id}"
    return schemas.WebhookDelivery.model_validate(delivery)


@router.get("", response_model=list[schemas.Webhook], dependencies=[allowed(P.WEBHOOKS_MANAGE)])
async def list_webhooks(session: Session, principal: CurrentPrincipal) -> list[schemas.Webhook]:
    return [
        schemas.Webhook.model_validate(s)
        for s in await service.list_subscriptions(session, principal)
    ]


@router.post(
    "",
    status_code=201,
    response_model=schemas.WebhookWithSecret,
    dependencies=[allowed(P.WEBHOOKS_MANAGE)],
)
async def create_webhook(
    body: schemas.WebhookCreate,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
    response: Response,
) -> schemas.WebhookWithSecret:
    """Subscribe a receiver (admins). The signing secret is in this response only."""
    subscription = await service.create_subscription(
        session, principal, settings, NewSubscription.of(body.model_dump(mode="json"))
    )
    response.headers["Location"] = f"/v1/webhooks/{subscription.id}"
    return _with_secret(subscription, response)


@router.get(
    "/{subscription_id}", response_model=schemas.Webhook, dependencies=[allowed(P.WEBHOOKS_MANAGE)]
)
async def get_webhook(
    subscription_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.Webhook:
    subscription = await service.get_subscription(session, principal, subscription_id)
    set_etag(response, subscription.row_version)
    return schemas.Webhook.model_validate(subscription)


@router.patch(
    "/{subscription_id}", response_model=schemas.Webhook, dependencies=[allowed(P.WEBHOOKS_MANAGE)]
)
async def update_webhook(
    subscription_id: uuid.UUID,
    body: schemas.WebhookUpdate,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.Webhook:
    """Change the URL, description or event types, or disable / re-enable. Needs `If-Match`."""
    expected = expected_version(if_match)
    subscription = await service.get_subscription(session, principal, subscription_id)
    subscription = await service.update_subscription(
        session,
        principal,
        settings,
        subscription,
        SubscriptionChange.of(body.model_dump(mode="json", exclude_unset=True)),
        expected_version=expected,
    )
    set_etag(response, subscription.row_version)
    return schemas.Webhook.model_validate(subscription)


@router.delete(
    "/{subscription_id}",
    status_code=204,
    response_class=Response,
    dependencies=[allowed(P.WEBHOOKS_MANAGE)],
)
async def delete_webhook(
    subscription_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> Response:
    """Remove a subscription and its delivery history. Needs `If-Match`."""
    expected = expected_version(if_match)
    subscription = await service.get_subscription(session, principal, subscription_id)
    await service.delete_subscription(session, principal, subscription, expected_version=expected)
    return Response(status_code=204)


@router.post(
    "/{subscription_id}/rotate-secret",
    response_model=schemas.WebhookWithSecret,
    dependencies=[allowed(P.WEBHOOKS_MANAGE)],
)
async def rotate_webhook_secret(
    subscription_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    body: schemas.SecretRotation | None = None,
) -> schemas.WebhookWithSecret:
    """Issue a new signing secret, shown in this response only.

    The previous secret keeps signing for `overlap_hours` (24 by default): meanwhile every
    message carries both signatures, so the receiver can switch when it likes.
    """
    rotation = body or schemas.SecretRotation()
    subscription = await service.get_subscription(session, principal, subscription_id)
    subscription = await service.rotate_secret(
        session, principal, subscription, overlap_hours=rotation.overlap_hours
    )
    return _with_secret(subscription, response)


@router.get(
    "/{subscription_id}/deliveries",
    response_model=schemas.WebhookDeliveryPage,
    dependencies=[allowed(P.WEBHOOKS_MANAGE)],
)
async def list_webhook_deliveries(
    subscription_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    status: schemas.DeliveryStatus | None = None,
) -> schemas.WebhookDeliveryPage:
    """The messages sent (or to be sent) to this receiver, newest first."""
    subscription = await service.get_subscription(session, principal, subscription_id)
    scope = {"subscription_id": str(subscription.id), "status": status}
    after = page.after_time(scope)
    deliveries = await service.list_deliveries(
        session,
        principal,
        subscription,
        status=DeliveryStatus(status) if status is not None else None,
        after=after,
        limit=page.fetch,
    )
    deliveries, next_cursor = page.time_page(deliveries, scope, lambda row: row.created_at)
    return schemas.WebhookDeliveryPage(
        items=[schemas.WebhookDelivery.model_validate(d) for d in deliveries],
        next_cursor=next_cursor,
    )


@router.get(
    "/{subscription_id}/deliveries/{delivery_id}",
    response_model=schemas.WebhookDelivery,
    dependencies=[allowed(P.WEBHOOKS_MANAGE)],
)
async def get_webhook_delivery(
    subscription_id: uuid.UUID,
    delivery_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
) -> schemas.WebhookDelivery:
    subscription = await service.get_subscription(session, principal, subscription_id)
    delivery = await service.get_delivery(session, principal, subscription, delivery_id)
    return schemas.WebhookDelivery.model_validate(delivery)


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/replay",
    status_code=202,
    response_model=schemas.WebhookDelivery,
    dependencies=[allowed(P.WEBHOOKS_MANAGE)],
)
async def replay_webhook_delivery(
    subscription_id: uuid.UUID,
    delivery_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.WebhookDelivery:
    """Send a message again, as a new delivery with a new `webhook-id` and the same body.

    An original still waiting to be retried is cancelled (`superseded_by` names the replay), so
    the receiver gets the event once; one being sent at this moment answers 409."""
    subscription = await service.get_subscription(session, principal, subscription_id)
    original = await service.get_delivery(session, principal, subscription, delivery_id)
    delivery = await service.replay(session, principal, original)
    return _accepted(subscription, delivery, response)


@router.post(
    "/{subscription_id}/ping",
    status_code=202,
    response_model=schemas.WebhookDelivery,
    dependencies=[allowed(P.WEBHOOKS_MANAGE)],
)
async def ping_webhook(
    subscription_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.WebhookDelivery:
    """Send a `webhook.ping` message, to test the receiver and its signature check."""
    subscription = await service.get_subscription(session, principal, subscription_id)
    delivery = await service.create_ping(session, principal, subscription)
    return _accepted(subscription, delivery, response)
