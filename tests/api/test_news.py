"""The news of the register through the API (Birmingham 11, Dorset 5.2): what was issued,
changed or retired; digest subscriptions; the digest preview; the Atom feed (RFC 4287) that
intranets and Tri.x news read without an API key."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from httpx import AsyncClient
from hypothesis import strategies as st
from sqlalchemy import text

from services.domain.text import printable, refusal
from tests.api.launch_support import add_version, document_with_draft, subscribe
from tests.factories import World
from tests.hostile_text import examples, storable

ATOM = "{http://www.w3.org/2005/Atom}"


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    return problem


async def _retire(client: AsyncClient, world: World, document_id: str) -> None:
    headers = world.a.policy_officer.headers
    got = await client.get(f"/v1/documents/{document_id}", headers=headers)
    retired = await client.patch(
        f"/v1/documents/{document_id}",
        json={"status": "retired"},
        headers={**headers, "If-Match": got.headers["ETag"]},
    )
    assert retired.status_code == 200, retired.text


async def _news(client: AsyncClient, world: World) -> tuple[str, str]:
    """A procedure for Adult Social Care issued then changed; a policy issued then retired."""
    a = world.a
    procedure = await document_with_draft(
        client, a, kind="procedure", service_area="Adult Social Care", title="Safeguarding adults"
    )
    await add_version(client, a, procedure, issued=True, summary="First issue")
    await add_version(client, a, procedure, issued=True, summary="Section 42 enquiries: 5 days.")
    policy = await document_with_draft(client, a, service_area="Children in Care")
    await add_version(client, a, policy, issued=True, summary="First issue")
    await _retire(client, world, policy)
    return procedure, policy


async def test_what_was_issued_changed_and_retired_is_announced_newest_first(
    client: AsyncClient, world: World
) -> None:
    procedure, policy = await _news(client, world)
    found = await client.get("/v1/news/announcements", headers=world.a.reader.headers)
    assert found.status_code == 200, found.text
    items = found.json()["items"]
    assert [(i["document_id"], i["change"]) for i in items] == [
        (policy, "retired"),
        (policy, "issued"),
        (procedure, "changed"),
        (procedure, "issued"),
    ]
    assert items[2]["summary"] == "Section 42 enquiries: 5 days."
    assert items[2]["number"] == "2.0"
    narrowed = await client.get(
        "/v1/news/announcements?service_area=adult social care&kind=procedure",
        headers=world.a.reader.headers,
    )
    assert [i["change"] for i in narrowed.json()["items"]] == ["changed", "issued"]
    paged = await client.get("/v1/news/announcements?limit=3", headers=world.a.reader.headers)
    assert len(paged.json()["items"]) == 3 and paged.json()["next_cursor"]
    # Another organisation hears nothing of it.
    other = await client.get("/v1/news/announcements", headers=world.b.reader.headers)
    assert other.json()["items"] == []


async def test_a_person_subscribes_to_areas_and_kinds_and_only_the_policy_team_for_others(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    made = await client.put(
        f"/v1/people/{a.reader.person_id}/digest-subscription",
        json={"service_areas": ["Adult Social Care"], "kinds": ["procedure"]},
        headers=a.reader.headers,
    )
    assert made.status_code == 201, made.text
    changed = await subscribe(client, a, kinds=["policy", "procedure"])
    assert (changed["id"], changed["service_areas"]) == (made.json()["id"], [])
    unknown = await client.put(
        f"/v1/people/{a.reader.person_id}/digest-subscription",
        json={"kinds": ["leaflet"]},
        headers=a.reader.headers,
    )
    assert _problem(unknown, 422)["invalid_params"][0]["name"] == "kinds"
    # Not for someone else, unless the policy team does it.
    other = f"/v1/people/{a.author.person_id}/digest-subscription"
    assert _problem(await client.put(other, json={}, headers=a.reader.headers), 403)
    assert (await client.put(other, json={}, headers=a.policy_officer.headers)).status_code == 201
    # Another organisation's person is no such person.
    foreign = f"/v1/people/{world.b.reader.person_id}/digest-subscription"
    _problem(await client.put(foreign, json={}, headers=a.policy_officer.headers), 404)
    listed = await client.get("/v1/news/subscriptions", headers=a.policy_officer.headers)
    assert {s["person_id"] for s in listed.json()["items"]} == {
        str(a.reader.person_id),
        str(a.author.person_id),
    }
    _problem(await client.get("/v1/news/subscriptions", headers=a.reader.headers), 403)
    mine = f"/v1/people/{a.reader.person_id}/digest-subscription"
    assert (await client.delete(mine, headers=a.reader.headers)).status_code == 204
    _problem(await client.get(mine, headers=a.reader.headers), 404)


async def test_the_preview_shows_the_running_period_as_a_subscription_narrows_it(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    procedure, _ = await _news(client, world)
    await subscribe(client, a, service_areas=["Adult Social Care"])
    everything = await client.get("/v1/news/digest-preview", headers=a.policy_officer.headers)
    assert everything.status_code == 200, everything.text
    body = everything.json()
    assert (body["frequency"], body["would_send"], len(body["entries"])) == ("weekly", True, 4)
    assert body["period_key"].startswith("weekly:")
    theirs = await client.get(
        f"/v1/news/digest-preview?person_id={a.reader.person_id}",
        headers=a.policy_officer.headers,
    )
    assert {e["document_id"] for e in theirs.json()["entries"]} == {procedure}
    # The last period sent was before any of it: nothing to say, no email.
    latest = await client.get(
        "/v1/news/digest-preview?period=latest", headers=a.policy_officer.headers
    )
    assert (latest.json()["would_send"], latest.json()["entries"]) == (False, [])
    _problem(await client.get("/v1/news/digest-preview", headers=a.reader.headers), 403)


async def _feed_path(client: AsyncClient, world: World, query: str = "") -> str:
    got = await client.get(f"/v1/news/feed{query}", headers=world.a.policy_officer.headers)
    assert got.status_code == 200, got.text
    assert got.headers["cache-control"] == "no-store"
    return str(got.json()["url"]).removeprefix("http://testserver")


def _parsed(body: bytes) -> ET.Element:
    """The feed, read by a real XML parser, with the elements RFC 4287 requires."""
    feed = ET.fromstring(body)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, name
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
    return feed


async def test_the_feed_is_read_without_an_api_key_and_is_valid_atom(
    client: AsyncClient, world: World
) -> None:
    procedure, _ = await _news(client, world)
    path = await _feed_path(client, world)
    read = await client.get(path)
    assert read.status_code == 200, read.text
    assert read.headers["content-type"].startswith("application/atom+xml")
    feed = _parsed(read.content)
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert len(titles) == 4
    assert titles[0] is not None and titles[0].startswith("Retired: ")
    changed = feed.findall(f"{ATOM}entry")[2]
    assert changed.findtext(f"{ATOM}summary") == "Section 42 enquiries: 5 days."
    assert changed.find(f"{ATOM}link").get("href", "").endswith(f"/documents/{procedure}")  # type: ignore[union-attr]

    narrowed = await client.get(await _feed_path(client, world, "?kind=procedure"))
    assert len(_parsed(narrowed.content).findall(f"{ATOM}entry")) == 2


async def test_the_feed_answers_304_to_its_etag_and_last_modified(
    client: AsyncClient, world: World
) -> None:
    await _news(client, world)
    path = await _feed_path(client, world)
    first = await client.get(path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert (await client.get(path, headers={"If-None-Match": etag})).status_code == 304
    since = await client.get(path, headers={"If-Modified-Since": modified})
    assert since.status_code == 304 and since.content == b""
    head = await client.head(path)
    assert head.status_code == 200 and head.headers["ETag"] == etag
    # Something new: a new ETag, and If-Modified-Since no longer holds.
    document_id = await document_with_draft(client, world.a)
    await add_version(client, world.a, document_id, issued=True)
    again = await client.get(path, headers={"If-None-Match": etag, "If-Modified-Since": modified})
    assert again.status_code == 200 and again.headers["ETag"] != etag


async def test_a_wrong_or_rotated_token_is_no_such_feed(client: AsyncClient, world: World) -> None:
    path = await _feed_path(client, world)
    assert (await client.get(path)).status_code == 200
    _problem(await client.get(path.replace("token=", "token=x")), 404)
    # Another organisation's token opens nothing of this one.
    other = await client.get("/v1/news/feed", headers=world.b.policy_officer.headers)
    b_token = other.json()["url"].split("token=")[1].split("&")[0]
    a_id = path.split("/v1/news-feeds/")[1].split(".atom")[0]
    _problem(await client.get(f"/v1/news-feeds/{a_id}.atom?token={b_token}"), 404)
    rotated = await client.post("/v1/news/feed/rotate", headers=world.a.policy_officer.headers)
    assert rotated.status_code == 200, rotated.text
    _problem(await client.get(path), 404)
    assert (
        await client.get(rotated.json()["url"].removeprefix("http://testserver"))
    ).status_code == 200
    _problem(await client.get("/v1/news/feed", headers=world.a.reader.headers), 403)


async def test_any_stored_text_comes_out_of_the_feed_as_valid_xml(
    client: AsyncClient, world: World
) -> None:
    document_id = await document_with_draft(client, world.a)
    await add_version(client, world.a, document_id, issued=True)
    path = await _feed_path(client, world)
    stored = examples(st.tuples(storable, storable), count=25)
    assert len(stored) == 25
    for title, summary in stored:
        title = title[:300] + "<b>&amp;"
        async with world.sessionmaker() as session, session.begin():
            await session.execute(
                text("UPDATE announcements SET title = :t, summary = :s"),
                {"t": title, "s": summary + "]]></summary>"},
            )
        read = await client.get(path)
        assert read.status_code == 200, read.text
        [entry] = _parsed(read.content).findall(f"{ATOM}entry")
        shown = entry.findtext(f"{ATOM}title") or ""
        assert refusal(shown, multiline=True) is None
        assert printable(title, multiline=False) in shown
        lines = printable(summary + "]]></summary>").replace("\r\n", "\n").replace("\r", "\n")
        assert entry.findtext(f"{ATOM}summary") == lines
