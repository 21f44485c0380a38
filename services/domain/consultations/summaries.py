""" "You said, we did": a consultation's public summary, drafted from its analysis.

For each theme the author gave the responses (``responses.analyse``), what was said and what we
did (changed, partly changed, not changed, and why), each linked to the paragraphs of the diff
between the consulted draft and the issued version. The policy team edits it while it is a
draft; it is frozen when published, by an explicit publish or when the document is issued
(``summary_issue``), and then anyone may read it (``services/pages/outcomes.py``).

LBBD, Birmingham and Cafcass consult on every new or revised policy; the consultees who gave
their time are told what became of it.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.audit.service import snapshot
from services.domain.authz import consultations as authz
from services.domain.authz.principal import Principal
from services.domain.consultations import report as reports
from services.domain.consultations.report_contents import ResponseEntry, ThemeSummary
from services.domain.consultations.service import consultees_of, document_of, get_consultation
from services.domain.consultations.summary_checks import check_words
from services.domain.consultations.summary_publishing import (
    CHANGE_KEY,
    changes_between,
    freeze,
    issued_since,
    send,
)
from services.domain.db import new_id
from services.domain.documents.versions import latest_version
from services.domain.errors import Conflict, Invalid, NotFound
from services.domain.heavy_work import HeavyLimits
from services.domain.models.consultation_summaries import (
    OUTCOMES,
    ConsultationSummary,
    SummaryStatus,
)
from services.domain.models.consultations import (
    Consultation,
    ConsultationResponse,
    ConsultationStatus,
)

# How the prefilled "what was said" words each position.
_POSITION_WORDS = {
    "support": "supported the draft",
    "support_with_comments": "supported it with comments",
    "object": "objected",
    "no_view": "had no view",
}


@dataclass(frozen=True)
class ThemeEntry:
    theme: str
    said: str
    outcome: str
    did: str
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SummaryDraft:
    """The whole draft, as the policy team sends it (PUT replaces it)."""

    introduction: str = ""
    themes: tuple[ThemeEntry, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SummaryState:
    """What the policy team sees: the summary saved (or prefilled from the analysis), the
    analysis it came from, and the changes a theme may link to."""

    consultation: Consultation
    summary: ConsultationSummary | None
    introduction: str
    themes: list[dict[str, Any]]
    is_prefilled: bool
    analysis: tuple[ThemeSummary, ...]
    changes: list[dict[str, Any]]
    changes_total: int


async def summary_of(
    session: AsyncSession, consultation_id: uuid.UUID
) -> ConsultationSummary | None:
    return (
        await session.execute(
            select(ConsultationSummary).where(
                ConsultationSummary.consultation_id == consultation_id
            )
        )
    ).scalar_one_or_none()


def _said(theme: ThemeSummary) -> str:
    noun = "response" if theme.responses == 1 else "responses"
    parts = [
        f"{n} {_POSITION_WORDS[p]}" for p, n in theme.by_position.items() if p in _POSITION_WORDS
    ]
    return f"{theme.responses} {noun} raised this" + (f": {', '.join(parts)}." if parts else ".")


def _outcome(entries: list[ResponseEntry]) -> str:
    handled = Counter(r.handling for r in entries)
    if handled["accepted"] and not (handled["not_accepted"] or handled["partly_accepted"]):
        return "changed"
    if handled["accepted"] or handled["partly_accepted"]:
        return "partly_changed"
    return "not_changed"


def prefill(report: reports.ConsultationReport) -> list[dict[str, Any]]:
    """A theme per theme of the analysis, said from its counts (never a name or a quote), the
    outcome from how its responses were handled; "what we did" is the team's to write."""
    found = []
    for theme in report.themes:
        entries = [r for r in report.responses if theme.theme in r.themes]
        found.append(
            {
                "theme": theme.theme,
                "said": _said(theme),
                "outcome": _outcome(entries),
                "did": "",
                "changes": [],
            }
        )
    return found


async def _readable(
    session: AsyncSession, principal: Principal, consultation_id: uuid.UUID
) -> Consultation:
    consultation = await get_consultation(session, principal, consultation_id)
    if not authz.can_read_summary_draft(principal, await document_of(session, consultation)):
        raise NotFound("No such consultation.")
    return consultation


async def get_summary(
    session: AsyncSession, principal: Principal, consultation_id: uuid.UUID, limits: HeavyLimits
) -> SummaryState:
    """The summary for the policy team: saved, or prefilled from the analysis when there is
    none yet; with the changes from the consulted draft to the latest (or, once published,
    the frozen ones)."""
    consultation = await _readable(session, principal, consultation_id)
    summary = await summary_of(session, consultation.id)
    report = await reports.build_report(session, consultation)
    if summary is not None and summary.status == SummaryStatus.PUBLISHED:
        changes, total = summary.changes, summary.changes_total
    else:
        latest = await latest_version(session, consultation.document_id)
        assert latest is not None
        changes, total = await changes_between(session, consultation.version_id, latest.id, limits)
    saved = summary is not None and (summary.themes or summary.status == SummaryStatus.PUBLISHED)
    return SummaryState(
        consultation=consultation,
        summary=summary,
        introduction=summary.introduction if summary else "",
        themes=list(summary.themes) if saved and summary else prefill(report),
        is_prefilled=not saved,
        analysis=report.themes,
        changes=changes,
        changes_total=total,
    )


async def _check_draft(
    session: AsyncSession, consultation: Consultation, command: SummaryDraft
) -> None:
    seen: set[str] = set()
    for i, theme in enumerate(command.themes):
        if theme.outcome not in OUTCOMES:
            raise Invalid(f"outcome is one of {', '.join(OUTCOMES)}.", field=f"themes.{i}.outcome")
        if theme.theme.casefold() in seen:
            raise Invalid("Each theme once.", field=f"themes.{i}.theme")
        seen.add(theme.theme.casefold())
        for key in theme.changes:
            if not CHANGE_KEY.match(key):
                raise Invalid(
                    "A change is named by its key in the diff ('p12', 'r3').",
                    field=f"themes.{i}.changes",
                )
    consultees = await consultees_of(session, consultation)
    comments = (
        await session.execute(
            select(ConsultationResponse.comments).where(
                ConsultationResponse.consultation_id == consultation.id
            )
        )
    ).scalars()
    fields = [("introduction", command.introduction)]
    for i, theme in enumerate(command.themes):
        fields += [(f"themes.{i}.theme", theme.theme), (f"themes.{i}.said", theme.said)]
        fields.append((f"themes.{i}.did", theme.did))
    check_words(
        fields,
        names=[c.name for c in consultees],
        emails=[c.email for c in consultees],
        comments=list(comments),
    )


async def save_draft(
    session: AsyncSession,
    principal: Principal,
    consultation_id: uuid.UUID,
    command: SummaryDraft,
    limits: HeavyLimits,
) -> SummaryState:
    """Write (or replace) the draft of a closed consultation's summary; 409 once published.
    Answers the summary as ``get_summary`` does."""
    authz.check_edit_summary(principal)
    consultation = await get_consultation(session, principal, consultation_id, for_update=True)
    if consultation.status != ConsultationStatus.CLOSED:
        raise Conflict("A summary is written once the consultation has closed.")
    summary = await summary_of(session, consultation.id)
    if summary is not None and summary.status == SummaryStatus.PUBLISHED:
        raise Conflict("The summary is published: it no longer changes.")
    await _check_draft(session, consultation, command)
    before = None if summary is None else snapshot(summary)
    if summary is None:
        summary = ConsultationSummary(
            id=new_id(),
            organisation_id=consultation.organisation_id,
            consultation_id=consultation.id,
            status=SummaryStatus.DRAFT,
        )
        session.add(summary)
    summary.introduction = command.introduction
    summary.themes = [
        {
            "theme": t.theme,
            "said": t.said,
            "outcome": t.outcome,
            "did": t.did,
            "changes": list(dict.fromkeys(t.changes)),
        }
        for t in command.themes
    ]
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict("Someone else has just started this summary; reload it.") from None
    action = "consultation.summary_drafted" if before is None else "consultation.summary_changed"
    await audit_changes.record_change(session, principal, summary, action, before=before)
    return await get_summary(session, principal, consultation.id, limits)


async def publish(
    session: AsyncSession, principal: Principal, consultation_id: uuid.UUID, limits: HeavyLimits
) -> SummaryState:
    """Freeze the draft against the issued version (or, before any issue, the latest), and
    send it to the consultees now if the document was already issued; 409 if there is no
    draft with a theme, or it is already published."""
    authz.check_edit_summary(principal)
    consultation = await get_consultation(session, principal, consultation_id, for_update=True)
    summary = await summary_of(session, consultation.id)
    if summary is None or not summary.themes:
        raise Conflict("Write the summary (at least one theme) before publishing it.")
    if summary.status == SummaryStatus.PUBLISHED:
        raise Conflict("The summary is already published.")
    issued = await issued_since(session, consultation)
    compared = issued or await latest_version(session, consultation.document_id)
    assert compared is not None
    changes, total = await changes_between(session, consultation.version_id, compared.id, limits)
    keys = {c["key"] for c in changes}
    for i, theme in enumerate(summary.themes):
        missing = [k for k in theme.get("changes", []) if k not in keys]
        if missing:
            raise Invalid(
                f"Not among the changes from the consulted draft to version {compared.number}: "
                f"{', '.join(missing)}.",
                field=f"themes.{i}.changes",
            )
    before = snapshot(summary)
    freeze(summary, compared, changes, total, published_by_id=principal.person_id)
    if issued is not None:
        await send(session, summary, consultation, issued)
    await audit_changes.record_change(
        session, principal, summary, "consultation.summary_published", before=before
    )
    return await get_summary(session, principal, consultation.id, limits)
