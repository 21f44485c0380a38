"""Dis-applications (Cafcass 6.1): asked for, decided, ended."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from services.domain.events.base import _Event


class DisApplicationRequested(_Event):
    """Someone asked for part of a document in force to be set aside for a team or area."""

    type: Literal["dis_application.requested"] = "dis_application.requested"
    dis_application_id: uuid.UUID
    document_id: uuid.UUID
    requested_by_id: uuid.UUID
    starts_on: date
    ends_on: date


class DisApplicationDecided(_Event):
    """The decider the organisation names approved or refused a dis-application."""

    type: Literal["dis_application.decided"] = "dis_application.decided"
    dis_application_id: uuid.UUID
    document_id: uuid.UUID
    status: Literal["approved", "refused"]
    decided_by_id: uuid.UUID


class DisApplicationEnded(_Event):
    """A dis-application ended: withdrawn before its decision, revoked early, or expired."""

    type: Literal["dis_application.ended"] = "dis_application.ended"
    dis_application_id: uuid.UUID
    document_id: uuid.UUID
    status: Literal["withdrawn", "revoked", "expired"]
    ended_by_id: uuid.UUID | None
