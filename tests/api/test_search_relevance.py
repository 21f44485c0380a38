"""The order of search results, on a golden set: a title (or reference) match first, then a
summary match, then the words as a phrase in the text, then the words apart; within each, issued
documents before those with only a draft, for those who see drafts. Paging keeps that order."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy import text as sql_text

from tests.factories import World, document_body

MD = "text/markdown"


async def make(
    client: AsyncClient, world: World, title: str, text: str, *, summary: str = "", issued: bool
) -> str:
    po = world.a.policy_officer.headers
    body = document_body(
        title=title,
        summary=summary,
        kind="procedure",
        owner_id=str(world.a.approver.person_id),
        responsible_officer_id=str(world.a.author.person_id),
    )
    created = await client.post("/v1/documents", json=body, headers=po)
    assert created.status_code == 201, created.text
    document_id = str(created.json()["id"])
    uploaded = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("text.md", text.encode(), MD)},
        data={"issued": "true" if issued else "false", "change_summary": "Text"},
        headers=po,
    )
    assert uploaded.status_code == 201, uploaded.text
    return document_id


async def golden(client: AsyncClient, world: World) -> dict[str, str]:
    return {
        "title": await make(client, world, "Care plan reviews", "Reviews are yearly.", issued=True),
        "title draft": await make(
            client, world, "Care plan templates", "Templates are kept here.", issued=False
        ),
        "summary": await make(
            client,
            world,
            "Looked after children",
            "Nothing more on that here.",
            summary="How the care plan is agreed with the child.",
            issued=True,
        ),
        "phrase": await make(
            client, world, "Fostering visits", "Each child has a care plan.", issued=True
        ),
        # Says the phrase forty times: frequency does not lift it above a title or summary.
        "phrase often": await make(
            client, world, "Residential homes", "The care plan. " * 40, issued=True
        ),
        "phrase draft": await make(
            client, world, "Kinship visits", "Each child has a care plan.", issued=False
        ),
        "apart": await make(
            client, world, "Respite", "The plan sets out the care offered.", issued=True
        ),
        "elsewhere": await make(client, world, "Complaints", "Nothing relevant.", issued=True),
    }


async def search(
    client: AsyncClient, headers: dict[str, str], q: str, limit: int = 50
) -> list[str]:
    found: list[str] = []
    params: dict[str, Any] = {"q": q, "limit": limit}
    while True:
        page = await client.get("/v1/documents", params=params, headers=headers)
        assert page.status_code == 200, page.text
        found += [d["id"] for d in page.json()["items"]]
        if page.json()["next_cursor"] is None:
            return found
        params["cursor"] = page.json()["next_cursor"]


def tiers(ids: dict[str, str], found: list[str]) -> list[str]:
    names = {v: k for k, v in ids.items()}
    return [names[i] for i in found]


async def test_title_then_summary_then_phrase_then_words_apart_issued_first(
    client: AsyncClient, world: World
) -> None:
    ids = await golden(client, world)
    order = tiers(ids, await search(client, world.a.policy_officer.headers, "care plan"))
    assert order[:3] == ["title", "title draft", "summary"]
    assert sorted(order[3:5]) == ["phrase", "phrase often"]
    assert order[5:] == ["phrase draft", "apart"]


async def test_paging_one_at_a_time_keeps_the_order(client: AsyncClient, world: World) -> None:
    await golden(client, world)
    po = world.a.policy_officer.headers
    assert await search(client, po, "care plan", limit=1) == await search(client, po, "care plan")


async def test_a_reader_finds_drafts_by_their_register_entry_only(
    client: AsyncClient, world: World
) -> None:
    ids = await golden(client, world)
    order = tiers(ids, await search(client, world.a.reader.headers, "care plan"))
    # The draft's title is in the register; a draft's text is not searched for a reader.
    assert order[:3] == ["title", "title draft", "summary"]
    assert sorted(order[3:5]) == ["phrase", "phrase often"]
    assert order[5:] == ["apart"]


async def test_one_word_and_negated_queries_match_as_before(
    client: AsyncClient, world: World
) -> None:
    ids = await golden(client, world)
    po = world.a.policy_officer.headers
    order = tiers(ids, await search(client, po, "plan"))
    assert order[:3] == ["title", "title draft", "summary"]
    assert set(order[3:]) == {"phrase", "phrase often", "phrase draft", "apart"}
    # websearch syntax: a document saying "templates" anywhere is left out.
    assert "title draft" not in tiers(ids, await search(client, po, "care plan -templates"))
    assert tiers(ids, await search(client, po, "nothing relevant")) == ["elsewhere"]


QUERIES = [
    "care plan",
    "plan",
    '"care plan"',
    "care plan -templates",
    "-templates care",
    "care or respite",
    "the",
    "visits",
]
# The match set as it was before the tiers: each tier must hold a share of exactly these.
MATCHED = {
    "policy_officer": "search_all @@ websearch_to_tsquery('english', :q)",
    "reader": "search_published @@ websearch_to_tsquery('english', :q)",
    "author": "search_published @@ websearch_to_tsquery('english', :q) OR ("
    "(author_id = :me OR responsible_officer_id = :me OR owner_id = :me)"
    " AND search_all @@ websearch_to_tsquery('english', :q))",
}


async def test_the_tiers_share_out_exactly_the_documents_the_query_matches(
    client: AsyncClient, world: World
) -> None:
    await golden(client, world)
    for role, matched in MATCHED.items():
        member = world.a.members[role]
        for q in QUERIES:
            found = await search(client, member.headers, q, limit=2)
            async with world.sessionmaker() as session:
                rows = await session.execute(
                    sql_text(
                        f"SELECT id FROM documents WHERE organisation_id = :org AND ({matched})"
                    ),
                    {"q": q, "org": world.a.id, "me": member.person_id},
                )
                expected = sorted(str(r[0]) for r in rows)
            assert len(found) == len(set(found)), (role, q)
            assert sorted(found) == expected, (role, q)
