"""One lock order (services.domain.locks): two transactions on one document and its review
never deadlock, whichever starts first. Real PostgreSQL, two connections, interleaved."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from httpx import AsyncClient

from services.domain.access import service as access
from services.domain.locks import lock_document
from services.domain.models.reviews import Review
from services.domain.reviews import outcomes as review_outcomes
from services.domain.reviews import service as reviews
from tests.api.sign_off_support import upload_draft
from tests.api.test_reviews import act, published_document, started
from tests.factories import World


async def amended_review(client: AsyncClient, world: World) -> tuple[uuid.UUID, uuid.UUID]:
    """A review whose amended draft is about to be issued: (document id, review id)."""
    document_id = await published_document(client, world)
    review_id = await started(client, world, document_id)
    draft = await upload_draft(client, world, document_id, b"The amended procedure.")
    amended = await act(
        client, world, review_id, "amended", world.a.author.headers, {"version_id": draft["id"]}
    )
    assert amended.status_code == 200, amended.text
    return uuid.UUID(document_id), uuid.UUID(review_id)


async def test_cancelling_a_review_while_its_document_is_issued_does_not_deadlock(
    client: AsyncClient, world: World
) -> None:
    document_id, review_id = await amended_review(client, world)
    cancel_holds_its_first_lock = asyncio.Event()
    issue_holds_its_first_lock = asyncio.Event()

    async def cancel() -> str:
        # As POST /v1/reviews/{id}/cancel does it.
        async with world.sessionmaker() as session, session.begin():
            principal = await access.authenticate_api_key(session, world.a.author.key)
            review = await reviews.get_review(session, principal, review_id, for_update=True)
            cancel_holds_its_first_lock.set()
            # Give the issue every chance to take its first lock before we take the next.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(issue_holds_its_first_lock.wait(), 1.0)
            await review_outcomes.cancel_review(session, principal, review, reason="Not needed now")
        return "cancelled"

    async def issue() -> str:
        # As issuing the signed-off draft does it: the document, then the review it completes.
        await cancel_holds_its_first_lock.wait()
        async with world.sessionmaker() as session, session.begin():
            document = await lock_document(session, document_id)
            issue_holds_its_first_lock.set()
            completed = await review_outcomes.complete_on_issue(session, None, document)
        return "completed" if completed else "nothing to complete"

    outcomes = await asyncio.wait_for(asyncio.gather(cancel(), issue()), 30)

    # The cancel went first; the issue waited for it and found no open review to complete.
    assert outcomes == ["cancelled", "nothing to complete"]
    async with world.sessionmaker() as session:
        review = await session.get(Review, review_id)
        assert review is not None and review.status == "cancelled"
