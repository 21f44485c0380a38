"""The HTTP client that posts to webhook receivers: the domain's checked client
(services/domain/webhooks/client.py), which statutory sources' feeds are read with too."""

from __future__ import annotations

from services.domain.webhooks.client import (
    LIMITS,
    CheckedBackend,
    CheckedTransport,
    receiver_client,
)

__all__ = ["LIMITS", "CheckedBackend", "CheckedTransport", "receiver_client"]
