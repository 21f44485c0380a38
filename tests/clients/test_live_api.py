"""The live API the generated clients drive answers as the in-process app does."""

from __future__ import annotations

import httpx

from tests.factories import World


async def test_the_live_api_knows_the_worlds_keys(live_api: str, world: World) -> None:
    async with httpx.AsyncClient(base_url=live_api) as client:
        mine = await client.get("/v1/documents", headers=world.a.reader.headers)
        nobody = await client.get("/v1/documents")
    assert mine.status_code == 200, mine.text
    assert nobody.status_code == 401
