""" "You said, we did", public: ``/you-said-we-did/{summary_id}`` (the page), ``.../changes``
(the changed paragraphs) and ``.../summary.pdf``.

Anyone may open them, with no account and no token: a summary is public once the policy team
(or the document's issue) published it, and a draft answers as if it were not there. What is
safe to show (``consultations/summary_publishing.py``): the summary's own words, checked when
saved to name no consultee and quote no response (``summary_checks.py``), and the paragraphs
that changed from the consulted draft (which every consultee was sent) to the issued version,
frozen when it was published. Never a version's file, a response or a consultee; never a diff
run on a request. The summary's id (random) is its address; it is meant to be passed on.
"""

from __future__ import annotations

import uuid

from starlette.responses import Response

from services.domain.consultations import summary_pdf, summary_view
from services.pages.deps import AppSettings, Session
from services.pages.rendering import render
from services.pages.routing import page_router

router = page_router()
PATH = "/you-said-we-did/{summary_id}"
TAG_CLASSES = {
    "changed": "govuk-tag--green",
    "partly_changed": "govuk-tag--yellow",
    "not_changed": "govuk-tag--grey",
}
KIND_WORDS = {"added": "added", "removed": "removed", "changed": "reworded"}


def _change_names(view: summary_view.PublicSummary) -> dict[str, str]:
    """'Paragraph 12 (reworded)'; a removed paragraph is numbered as in the consulted draft."""
    names = {}
    for change in view.changes:
        number = change.key[1:]
        where = f"draft paragraph {number}" if change.key[0] == "r" else f"paragraph {number}"
        names[change.key] = f"{where[0].upper()}{where[1:]} ({KIND_WORDS[change.kind]})"
    return names


def _context(view: summary_view.PublicSummary, title: str) -> dict[str, object]:
    base = f"/you-said-we-did/{view.summary_id}"
    return {
        "title": title,
        "organisation_name": view.organisation_name,
        "view": view,
        "summary_path": base,
        "changes_path": f"{base}/changes",
        "pdf_path": f"{base}/summary.pdf",
        "tag_classes": TAG_CLASSES,
        "change_names": _change_names(view),
    }


@router.get(PATH)
async def summary_page(summary_id: uuid.UUID, session: Session) -> Response:
    """The published summary: each theme, what was said and what we did, with its changes."""
    view = await summary_view.public_summary(session, summary_id)
    title = f"You said, we did: {view.document_reference} {view.document_title}"
    return render("outcomes/summary.html", _context(view, title))


@router.get(PATH + "/changes")
async def changes_page(summary_id: uuid.UUID, session: Session) -> Response:
    """The paragraphs changed from the consulted draft to the issued version, as frozen."""
    view = await summary_view.public_summary(session, summary_id)
    title = f"What changed from version {view.consulted_version} to {view.issued_version}"
    return render("outcomes/changes.html", _context(view, title))


@router.get(PATH + "/summary.pdf")
async def summary_pdf_file(
    summary_id: uuid.UUID, session: Session, settings: AppSettings
) -> Response:
    """The summary as a PDF, written off the event loop within the heavy-work limits."""
    view = await summary_view.public_summary(session, summary_id)
    content = await summary_pdf.pdf_of(view, settings.heavy_limits)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{summary_pdf.pdf_filename(view)}"'},
    )
