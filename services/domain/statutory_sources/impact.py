"""The impact report of a change to a statutory source: what it did to each linked document.

Per document: the review opened, the open review the change was attached to, or why there was
none (its new version is going through, or it is not in force); its owner and RO as they were
when the change was recorded; and the counts. As JSON (the API) and CSV (a spreadsheet for
the board that asks what a new Working Together means for the manual).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.domain.authz.principal import Principal
from services.domain.models.people import Person
from services.domain.models.statutory_sources import (
    IMPACT_OUTCOMES,
    StatutorySource,
    StatutorySourceChange,
    StatutorySourceImpact,
)
from services.domain.statutory_sources.changes import get_change
from services.domain.text import printable

# What a spreadsheet would run as a formula (OWASP: CSV injection), tab and return included.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "reference",
    "title",
    "document_status",
    "outcome",
    "review_id",
    "owner",
    "responsible_officer",
    "document_id",
)


@dataclass(frozen=True)
class ImpactLine:
    """One linked document in the report, with its people's names."""

    impact: StatutorySourceImpact
    owner_name: str | None
    responsible_officer_name: str | None


@dataclass(frozen=True)
class ImpactReport:
    source: StatutorySource
    change: StatutorySourceChange
    lines: list[ImpactLine]

    @property
    def counts(self) -> dict[str, int]:
        """How many documents had each outcome (every outcome listed, 0 too), and the total."""
        found = Counter(str(line.impact.outcome) for line in self.lines)
        return {
            **{outcome: found[outcome] for outcome in IMPACT_OUTCOMES},
            "documents": len(self.lines),
        }


async def impact_report(
    session: AsyncSession, principal: Principal, change_id: uuid.UUID
) -> ImpactReport:
    """The report of one change, its documents by reference."""
    source, change = await get_change(session, principal, change_id)
    owner, officer = aliased(Person), aliased(Person)
    rows = await session.execute(
        select(StatutorySourceImpact, owner.name, officer.name)
        .outerjoin(owner, owner.id == StatutorySourceImpact.owner_id)
        .outerjoin(officer, officer.id == StatutorySourceImpact.responsible_officer_id)
        .where(StatutorySourceImpact.change_id == change.id)
        .order_by(StatutorySourceImpact.reference, StatutorySourceImpact.id)
    )
    lines = [ImpactLine(impact, o, r) for impact, o, r in rows]
    return ImpactReport(source, change, lines)


def spreadsheet_safe(value: str) -> str:
    """A cell shown as text, never run as a formula, with no control character."""
    text = printable(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def impact_csv(report: ImpactReport) -> str:
    """The report as CSV, one row per document; text a spreadsheet would run as a formula is
    quoted as text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in report.lines:
        impact = line.impact
        writer.writerow(
            [
                spreadsheet_safe(impact.reference),
                spreadsheet_safe(impact.title),
                str(impact.document_status),
                str(impact.outcome),
                str(impact.review_id or ""),
                spreadsheet_safe(line.owner_name or ""),
                spreadsheet_safe(line.responsible_officer_name or ""),
                str(impact.document_id),
            ]
        )
    return out.getvalue()
