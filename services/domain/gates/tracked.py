"""The tracked-changes gate (NCT 4.1 v, 3.4 b iii): an amendment goes to sign-off as a Word
document with its changes tracked.

"Where a review leads to further amendments, Tri.x's Editing / Amending Advice must be adhered
to. Tri.x will not accept or publish amended material if changes have not been 'tracked'."
A first issue amends nothing, so it passes; a later draft must be a .docx with at least one
tracked insertion or deletion. The counts are taken at upload; a Word draft uploaded before
they were is counted now, in a child process within the heavy-work limits, and not stored:
gates only read.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.documents import text as texts
from services.domain.documents.revisions import TrackedChanges, tracked_changes
from services.domain.documents.versions import DEFAULT_LIMITS, read_file
from services.domain.gates.history import last_issue_before
from services.domain.heavy_work import run_bounded
from services.domain.models.documents import Document, DocumentVersion


async def _counted(session: AsyncSession, version: DocumentVersion) -> TrackedChanges:
    if version.tracked_insertions is not None and version.tracked_deletions is not None:
        return TrackedChanges(version.tracked_insertions, version.tracked_deletions)
    content = await read_file(session, version)
    return await run_bounded(tracked_changes, content, DEFAULT_LIMITS, limits=DEFAULT_LIMITS)


async def changes_tracked(
    session: AsyncSession, document: Document, version: DocumentVersion
) -> tuple[bool, str]:
    """Met or not, and in words why."""
    amended = await last_issue_before(session, document, version)
    if amended is None:
        return True, "Met: this is the document's first issue, so there are no changes to track."
    if version.media_type != texts.DOCX:
        kind = texts.ACCEPTED_MEDIA_TYPES.get(version.media_type, version.media_type)
        return False, (
            f"Version {version.number} is a {kind} file: an amendment to version "
            f"{amended.number} must be a Word document (.docx) with its changes tracked, or "
            "Tri.x will not publish it (NCT 4.1 v). Upload the draft again with Track Changes on."
        )
    counted = await _counted(session, version)
    if not counted.any:
        return False, (
            f"Version {version.number} has no tracked changes: Tri.x will not accept or publish "
            "amended material if changes have not been tracked (NCT 4.1 v). Make the "
            f"amendments to version {amended.number} with Track Changes on and upload it again."
        )
    return True, (
        f"Met: version {version.number} shows its amendments to version {amended.number} as "
        f"tracked changes ({counted.insertions} insertions, {counted.deletions} deletions)."
    )
