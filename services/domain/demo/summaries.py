"""The demo's "You said, we did" (you_said_we_did.json): a consultation on a revised draft,
closed, its responses analysed into themes, the revised version issued, and the summary
published to the consultees, all through the domain's own functions and rules.

Birmingham Children's Trust, PG-001: "Second drafts will incorporate comments/ amendments
received during the consultation period" (BCT policy framework), and the guidance itself says
"tell the child what you will do with what they told you".
"""

from __future__ import annotations

import json
from datetime import timedelta
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.clock import london_today
from services.domain.consultations import lifecycle, opening, responses, summaries
from services.domain.consultations.commands import (
    Audience,
    ConsulteeResponse,
    External,
    NewConsultation,
    ResponseAnalysis,
)
from services.domain.consultations.service import consultees_of
from services.domain.documents import versions
from services.domain.models.consultation_summaries import SummaryStatus
from services.domain.models.consultations import Consultation, Consultee
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.organisations import Organisation

MAX_BYTES = 1024 * 1024


def load_spec(slug: str) -> dict[str, Any] | None:
    data = resources.files("services.domain.demo").joinpath("you_said_we_did.json")
    found: dict[str, Any] | None = json.loads(data.read_text(encoding="utf-8")).get(slug)
    return found


async def _version(
    session: AsyncSession, who: Principal, document: Document, text: str, summary: str, **kw: Any
) -> DocumentVersion:
    return await versions.add_version(
        session,
        who,
        document,
        filename=f"{document.reference.lower()}.md",
        content=text.encode(),
        declared_media_type="text/markdown",
        change_summary=summary,
        max_bytes=MAX_BYTES,
        **kw,
    )


async def _respond(
    session: AsyncSession,
    author: Principal,
    consultation: Consultation,
    spec: dict[str, Any],
    by_email: dict[str, Any],
) -> dict[str, Any]:
    """Each response of the spec; returns {email: response id}."""
    consultees: dict[str, Consultee] = {
        c.email.lower(): c for c in await consultees_of(session, consultation)
    }
    found = {}
    for r in spec["responses"]:
        said = ConsulteeResponse(position=r["position"], comments=r["comments"])
        consultee = consultees[r["email"].lower()]
        if consultee.kind == "person":
            who = Principal.system(
                consultation.organisation_id, "seed-demo", person_id=by_email[r["email"]]
            )
            response, _ = await responses.respond_as_consultee(session, who, consultation, said)
        else:
            response, _ = await responses.record_for(session, author, consultation, consultee, said)
        found[r["email"]] = response
    return found


async def _consult(
    session: AsyncSession,
    author: Principal,
    document: Document,
    spec: dict[str, Any],
    by_email: dict[str, Any],
) -> Consultation:
    """The revised draft consulted on, the responses, the close, the draft after it, and the
    author's analysis of each response into themes."""
    draft = await _version(
        session, author, document, spec["consulted_text"], "Revised for consultation", issue=False
    )
    command = NewConsultation(
        document_id=document.id,
        version_id=draft.id,
        kind="internal",
        title=spec["title"],
        description=spec["description"],
        audience=Audience(
            people=[by_email[e] for e in spec["people_emails"]],
            external=[External(**e) for e in spec["external"]],
        ),
    )
    consultation = await opening.open_consultation(
        session, author, command, default_reminder_days=[]
    )
    received = await _respond(session, author, consultation, spec, by_email)
    await lifecycle.close_consultation(session, author, consultation)
    final = await _version(
        session, author, document, spec["issued_text"], "After consultation", issue=False
    )
    for r in spec["responses"]:
        analysis = ResponseAnalysis(
            themes=r["themes"],
            handling=r["handling"],
            handling_note=r["handling_note"],
            addressed_in_version_id=final.id if r["handling"] else None,
        )
        await responses.analyse_response(
            session, author, consultation, received[r["email"]], analysis
        )
    return consultation


def _draft(spec: dict[str, Any]) -> summaries.SummaryDraft:
    return summaries.SummaryDraft(
        introduction=spec["introduction"],
        themes=tuple(
            summaries.ThemeEntry(
                t["theme"], t["said"], t["outcome"], t["did"], tuple(t.get("changes", ()))
            )
            for t in spec["themes"]
        ),
    )


async def seed_summary(
    session: AsyncSession,
    organisation: Organisation,
    by_reference: dict[str, Document],
    by_email: dict[str, Any],
) -> int:
    """The organisation's consulted, issued and summarised document; 1 if made, 0 if it has
    none in the data or its document has had a consultation already."""
    spec = load_spec(organisation.slug)
    if spec is None:
        return 0
    document = by_reference[spec["reference"]]
    existing = await session.execute(
        select(Consultation.id).where(Consultation.document_id == document.id).limit(1)
    )
    if existing.first() is not None:
        return 0
    org = organisation.id
    author = Principal.system(org, "seed-demo", person_id=by_email[spec["author_email"]])
    team = Principal.system(org, "seed-demo", person_id=by_email[spec["policy_team_email"]])
    consultation = await _consult(session, author, document, spec, by_email)
    limits = versions.DEFAULT_LIMITS
    await summaries.save_draft(session, team, consultation.id, _draft(spec["summary"]), limits)
    today = london_today()
    await _version(
        session,
        team,
        document,
        spec["issued_text"],
        "Issued after consultation",
        issue=True,
        issued_on=today,
        next_review_due=today + timedelta(days=365),
    )
    # The issue publishes and sends it (reactions/consultation_summaries.py) where the
    # reactions are installed; where they are not, the policy team publishes it now.
    summary = await summaries.summary_of(session, consultation.id)
    if summary is None or summary.status != SummaryStatus.PUBLISHED:
        await summaries.publish(session, team, consultation.id, limits)
    return 1
