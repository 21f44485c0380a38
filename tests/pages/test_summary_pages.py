""" "You said, we did" for people without an account: the page, its changes and its PDF open
with no token once published; a draft is not there; nothing names a consultee."""

from __future__ import annotations

import re
import uuid

from httpx import AsyncClient

from tests.api.summaries_support import TYPOGRAPHY, put_draft, url
from tests.domain.consultation_report_support import closed_consultation
from tests.factories import World


async def _published(client: AsyncClient, world: World) -> tuple[str, str]:
    cast = await closed_consultation(world)
    consultation_id = cast.ids["consultation"]
    saved = await put_draft(client, world, consultation_id)
    summary_id = saved.json()["summary_id"]
    draft = await client.get(f"/you-said-we-did/{summary_id}")
    assert draft.status_code == 404, draft.text  # a draft is not public
    published = await client.post(
        url(consultation_id, "summary/publish"), headers=world.a.policy_officer.headers
    )
    assert published.status_code == 200, published.text
    return summary_id, str(consultation_id)


async def test_anyone_reads_the_published_summary_with_no_account_or_token(
    client: AsyncClient, world: World
) -> None:
    summary_id, _ = await _published(client, world)

    page = await client.get(f"/you-said-we-did/{summary_id}")

    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src 'none'" in page.headers["content-security-policy"]
    html = page.text
    assert '<h1 class="govuk-heading-xl">You said, we did</h1>' in html
    assert "POL-CR-1 Missing children procedure" in html
    assert re.search(r"<h2[^>]*>Contacts</h2>", html) and re.search(
        r"<h2[^>]*>Thresholds</h2>", html
    )
    assert "We changed the policy" in html and "We did not change the policy" in html
    assert f'href="/you-said-we-did/{summary_id}/summary.pdf"' in html
    assert f'href="/you-said-we-did/{summary_id}/changes#change-p1"' in html
    assert "This page is public: you may share it." in html
    for private in ("Ben Okafor", "Carol Jones", "Thresholds are unclear", "alpha.example.org"):
        assert private not in html


async def test_the_changes_page_shows_each_changed_paragraph_under_its_anchor(
    client: AsyncClient, world: World
) -> None:
    summary_id, _ = await _published(client, world)

    page = await client.get(f"/you-said-we-did/{summary_id}/changes")

    assert page.status_code == 200, page.text
    assert 'id="change-p1"' in page.text
    assert "What to do when a child is missing." in page.text  # before
    assert "What to do when a child is missing (revised)." in page.text  # after
    assert f'href="/you-said-we-did/{summary_id}"' in page.text  # back to the summary


async def test_the_public_pdf_downloads_with_no_account(client: AsyncClient, world: World) -> None:
    import io

    import pypdf

    summary_id, _ = await _published(client, world)

    got = await client.get(f"/you-said-we-did/{summary_id}/summary.pdf")

    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/pdf"
    assert "attachment" in got.headers["content-disposition"]
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(got.content)).pages)
    assert TYPOGRAPHY in " ".join(text.split())


async def test_an_unknown_summary_is_a_problem_page_not_a_500(client: AsyncClient) -> None:
    missing = await client.get(f"/you-said-we-did/{uuid.uuid4()}")
    malformed = await client.get("/you-said-we-did/not-an-id")

    assert missing.status_code == 404, missing.text
    assert "This link does not work" in missing.text
    assert malformed.status_code in (400, 404), malformed.text
