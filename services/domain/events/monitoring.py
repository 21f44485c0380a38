"""Implementation monitoring (Cafcass 7.4, Dorset xi): actions set, reassigned, closed; reports
tabled to a board."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from services.domain.events.base import _Event


class MonitoringActionAssigned(_Event):
    """A monitoring action was set, or given to another owner: its owner is asked to do it."""

    type: Literal["monitoring_action.assigned"] = "monitoring_action.assigned"
    monitoring_action_id: uuid.UUID
    document_id: uuid.UUID
    owner_id: uuid.UUID
    due_on: date
    assigned_by_id: uuid.UUID | None


class MonitoringActionClosed(_Event):
    """A monitoring action was done (with its outcome) or cancelled (with the reason)."""

    type: Literal["monitoring_action.closed"] = "monitoring_action.closed"
    monitoring_action_id: uuid.UUID
    document_id: uuid.UUID
    status: Literal["done", "cancelled"]
    closed_by_id: uuid.UUID | None


class ImplementationReportTabled(_Event):
    """An implementation report was put on a board meeting's agenda as a paper."""

    type: Literal["implementation_report.tabled"] = "implementation_report.tabled"
    implementation_report_id: uuid.UUID
    document_id: uuid.UUID | None
    board_id: uuid.UUID
    meeting_id: uuid.UUID
    agenda_item_id: uuid.UUID
