""" "You said, we did" over HTTP: drafted by the policy team from the analysis, frozen when
published, sent to every consultee once when the document is issued, and missing (and said
so) when there is none at the issue."""

from __future__ import annotations

from httpx import AsyncClient

from tests.api.summaries_support import TYPOGRAPHY, draft_body, issue, put_draft, sent, url
from tests.domain.consultation_report_support import closed_consultation
from tests.factories import World

CONSULTEES = [
    "asha@alpha.example.org",
    "ben@alpha.example.org",
    "carol@police.example.org",
    "dev@alpha.example.org",
    "eve@nhs.example.org",
    "finn@alpha.example.org",
]


async def test_the_draft_is_prefilled_from_the_analysis_with_counts_and_no_names(
    client: AsyncClient, world: World
) -> None:
    cast = await closed_consultation(world)

    got = await client.get(url(cast.ids["consultation"]), headers=world.a.policy_officer.headers)

    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["status"], body["is_prefilled"], body["summary_id"]) == ("none", True, None)
    assert [t["theme"] for t in body["themes"]] == ["Contacts", "Out of hours", "Thresholds"]
    contacts = body["themes"][0]
    assert contacts["said"] == (
        "3 responses raised this: 1 supported the draft, 1 supported it with comments, 1 objected."
    )
    # The reader's comment was accepted, Ben's not: the theme was partly acted on.
    assert contacts["outcome"] == "partly_changed"
    assert body["themes"][1]["outcome"] == "changed"
    assert body["themes"][2]["outcome"] == "not_changed"
    for name in ("Reader of alpha", "Asha Patel", "Ben Okafor", "Carol Jones"):
        assert name not in got.text
    # What a theme may link to: the consulted draft 0.1 against the latest draft 0.2.
    assert [(c["key"], c["kind"]) for c in body["changes"]] == [("p1", "changed")]
    assert body["missing_at_issue"] is False


async def test_only_the_policy_team_writes_it_and_only_the_team_reads_the_draft(
    client: AsyncClient, world: World
) -> None:
    cast = await closed_consultation(world)
    consultation_id = cast.ids["consultation"]

    by_author = await client.put(
        url(consultation_id), json=draft_body(), headers=world.a.author.headers
    )
    by_consultee = await client.get(url(consultation_id), headers=world.a.reader.headers)
    from_elsewhere = await client.get(url(consultation_id), headers=world.b.policy_officer.headers)

    assert by_author.status_code == 403, by_author.text
    assert by_author.json()["rule"] == "policy_team"
    # A consultee sees the consultation, not the draft drawn from everyone's responses.
    assert by_consultee.status_code == 404, by_consultee.text
    assert from_elsewhere.status_code == 404, from_elsewhere.text
    assert (await put_draft(client, world, consultation_id)).status_code == 200


async def test_the_summary_may_not_name_a_consultee_or_give_their_address(
    client: AsyncClient, world: World
) -> None:
    cast = await closed_consultation(world)
    themes = draft_body()["themes"]

    named = await put_draft(
        client,
        world,
        cast.ids["consultation"],
        themes=[{**themes[0], "said": "ben okafor said the thresholds were unclear."}],
    )
    addressed = await put_draft(
        client,
        world,
        cast.ids["consultation"],
        themes=[themes[0], {**themes[1], "did": "We wrote to carol@police.example.org."}],
    )

    assert named.status_code == 422, named.text
    assert named.json()["invalid_params"][0]["name"] == "themes.0.said"
    assert addressed.status_code == 422, addressed.text
    assert addressed.json()["invalid_params"][0]["name"] == "themes.1.did"


async def test_a_summary_is_written_once_the_consultation_has_closed(
    client: AsyncClient, world: World
) -> None:
    from tests.domain.consultation_report_support import open_consultation

    cast = await open_consultation(world)

    early = await put_draft(client, world, cast.ids["consultation"])

    assert early.status_code == 409, early.text


async def test_publishing_freezes_it_and_consultees_then_read_it(
    client: AsyncClient, world: World
) -> None:
    cast = await closed_consultation(world)
    consultation_id = cast.ids["consultation"]
    saved = await put_draft(client, world, consultation_id)
    assert saved.json()["status"] == "draft" and saved.json()["is_prefilled"] is False
    before = await client.get(
        url(consultation_id, "summary/published"), headers=world.a.reader.headers
    )

    published = await client.post(
        url(consultation_id, "summary/publish"), headers=world.a.policy_officer.headers
    )

    assert before.status_code == 404, before.text
    assert published.status_code == 200, published.text
    body = published.json()
    assert body["status"] == "published"
    assert body["public_path"] == f"/you-said-we-did/{body['summary_id']}"
    # Not issued yet: nobody is sent anything until the document is.
    assert body["sent_at"] is None
    assert await sent(world) == []
    again = await put_draft(client, world, consultation_id, introduction="Changed my mind.")
    assert again.status_code == 409, again.text
    twice = await client.post(
        url(consultation_id, "summary/publish"), headers=world.a.policy_officer.headers
    )
    assert twice.status_code == 409, twice.text
    read = await client.get(
        url(consultation_id, "summary/published"), headers=world.a.reader.headers
    )
    assert read.status_code == 200, read.text
    public = read.json()
    assert (public["consulted_version"], public["issued_version"]) == ("0.1", "0.2")
    assert public["themes"][0]["changes"] == ["p1"]
    assert public["changes"][0]["after"] == "What to do when a child is missing (revised)."
    assert "Ben Okafor" not in read.text and "Thresholds are unclear" not in read.text


async def test_publishing_refuses_a_link_to_a_change_the_diff_does_not_have(
    client: AsyncClient, world: World
) -> None:
    cast = await closed_consultation(world)
    themes = draft_body()["themes"]
    await put_draft(
        client,
        world,
        cast.ids["consultation"],
        themes=[themes[1], {**themes[0], "changes": ["p7"]}],
    )

    published = await client.post(
        url(cast.ids["consultation"], "summary/publish"), headers=world.a.policy_officer.headers
    )

    assert published.status_code == 422, published.text
    assert published.json()["invalid_params"][0]["name"] == "themes.1.changes"


async def test_the_issue_publishes_the_draft_and_sends_it_to_every_consultee_once(
    client: AsyncClient, world: World
) -> None:
    cast = await closed_consultation(world)
    consultation_id = cast.ids["consultation"]
    await put_draft(client, world, consultation_id)

    await issue(client, world, cast.ids["document"])

    got = await client.get(url(consultation_id), headers=world.a.policy_officer.headers)
    body = got.json()
    assert (body["status"], body["missing_at_issue"]) == ("published", False)
    assert body["sent_at"] is not None
    notices = await sent(world)
    # Everyone asked, the external consultees by email, the board's members, the silent.
    assert sorted(n.recipient_email for n in notices) == sorted(
        [*CONSULTEES, str(world.a.reader.email)]
    )
    assert {n.context["summary_path"] for n in notices} == {body["public_path"]}
    assert {n.context["issued_version"] for n in notices} == {"1.0"}
    # A later issue (2.0) sends nothing again.
    await issue(client, world, cast.ids["document"], b"A later text.")
    assert len(await sent(world)) == len(notices)


async def test_issued_with_no_summary_nothing_is_sent_and_the_team_sees_it_is_missing(
    client: AsyncClient, world: World
) -> None:
    cast = await closed_consultation(world)
    consultation_id = cast.ids["consultation"]

    await issue(client, world, cast.ids["document"])

    got = await client.get(url(consultation_id), headers=world.a.policy_officer.headers)
    assert got.status_code == 200, got.text
    assert (got.json()["status"], got.json()["missing_at_issue"]) == ("draft", True)
    assert got.json()["is_prefilled"] is True
    assert await sent(world) == []
    # Written and published late, it goes out then, against the issued version.
    await put_draft(client, world, consultation_id)
    published = await client.post(
        url(consultation_id, "summary/publish"), headers=world.a.policy_officer.headers
    )
    assert published.status_code == 200, published.text
    assert published.json()["sent_at"] is not None
    assert len(await sent(world)) == 7
    read = await client.get(
        url(consultation_id, "summary/published"), headers=world.a.policy_officer.headers
    )
    assert read.json()["issued_version"] == "1.0"


async def test_the_pdf_is_the_published_summary_with_its_typography_intact(
    client: AsyncClient, world: World
) -> None:
    import io

    import pypdf

    cast = await closed_consultation(world)
    consultation_id = cast.ids["consultation"]
    await put_draft(client, world, consultation_id)
    early = await client.get(url(consultation_id, "summary.pdf"), headers=world.a.reader.headers)
    await client.post(
        url(consultation_id, "summary/publish"), headers=world.a.policy_officer.headers
    )

    got = await client.get(url(consultation_id, "summary.pdf"), headers=world.a.reader.headers)

    assert early.status_code == 404, early.text
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == 'inline; filename="POL-CR-1-you-said-we-did.pdf"'
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(got.content)).pages)
    assert TYPOGRAPHY in " ".join(text.split())
    assert "Ben Okafor" not in text
