"""What an organisation's admins may ask of it: a change to its settings."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from services.domain.commands import UNSET, Command, Maybe


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrganisationChange(Command):
    """Change the caller's organisation: only the fields given.

    ``words`` is the role titles and citations as sent, checked and stored as JSON by
    ``OrganisationWords``; ``dis_application_decider`` who decides dis-applications."""

    name: Maybe[str] = UNSET
    holiday_subdivision: Maybe[str] = UNSET
    closure_days: Maybe[list[date]] = UNSET
    escalation_contact_id: Maybe[uuid.UUID | None] = UNSET
    eia_categories: Maybe[list[str]] = UNSET
    default_review_interval_months: Maybe[int] = UNSET
    request_triage_working_days: Maybe[int] = UNSET
    words: Maybe[Mapping[str, Any]] = UNSET
    # A ``governance.definition.DisApplicationDecider`` as sent, checked and stored as JSON.
    dis_application_decider: Maybe[Mapping[str, Any]] = UNSET
    dis_application_reminder_days: Maybe[list[int]] = UNSET
    # Read and acknowledge: working days to confirm, reminder steps, the owner's grace.
    acknowledgement_due_working_days: Maybe[int] = UNSET
    acknowledgement_reminder_days: Maybe[list[int]] = UNSET
    acknowledgement_escalation_working_days: Maybe[int] = UNSET
    # The digest (Birmingham 11: weekly; Dorset 5.2: monthly) and the day it goes.
    digest_frequency: Maybe[str] = UNSET
    digest_weekday: Maybe[int] = UNSET
