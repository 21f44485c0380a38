"""Assessments belong to a draft (issue 13, item 7): the EIA, legal review and fitness gates are
met by an assessment of the draft submitted, or of an earlier draft carried to it by the
responsible officer's statement that nothing material changed in between."""

from __future__ import annotations

from httpx import AsyncClient

from tests.api.assessments_support import add_draft, completed_eia
from tests.api.sign_off_support import create_document, create_route, person_stage, submit
from tests.factories import World


async def _document_with_draft(client: AsyncClient, world: World) -> tuple[str, str]:
    """A procedure owned by the approver, written by the author, who is also its RO."""
    document_id = await create_document(client, world)
    return document_id, await add_draft(client, world, document_id)


async def test_a_screening_of_draft_0_1_does_not_meet_the_eia_gate_for_draft_0_3(
    client: AsyncClient, world: World
) -> None:
    # Cafcass 4.8: the near final version, re-drafted after consultation, is screened.
    await create_route(client, world, [person_stage("rsm")], definition={"gates": ["eia_screened"]})
    document_id, first = await _document_with_draft(client, world)
    await completed_eia(client, world, document_id, first, "screening", "no_adverse_impact")
    await add_draft(client, world, document_id)
    near_final = await add_draft(client, world, document_id)
    refused = await submit(client, world, document_id, near_final)
    assert refused.status_code == 409, refused.text
    (missing,) = refused.json()["missing_gates"]
    assert missing["gate"] == "eia_screened"
    assert "0.1" in missing["detail"] and "0.3" in missing["detail"]
