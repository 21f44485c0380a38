"""The pages' framework (services/pages): every answer carries the security headers, a link
that does not work is a 4xx page in HTML (never a 500 or a problem+json), whatever a refused
request wrote is rolled back, a post must carry its form token, and GOV.UK Frontend's
stylesheet and fonts are served by the app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Query, Request
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.responses import RedirectResponse, Response

from services.domain.errors import NotFound
from services.domain.settings import Settings
from services.pages import forms
from services.pages.deps import AppSettings, Session, refuse
from services.pages.rendering import render
from services.pages.routing import CONTENT_SECURITY_POLICY, page_router

probe = page_router()


@probe.get("/probe")
async def show(token: Annotated[str, Query(max_length=200)], session: Session) -> Response:
    await session.execute(text("INSERT INTO page_probe VALUES (:t)"), {"t": f"get {token}"})
    if token == "missing":
        raise NotFound("No such consultation link.")
    return render(
        "problem.html",
        {"title": "Probe", "detail": token, "advice": "", "organisation_name": "Org"},
    )


@probe.post("/probe")
async def post(
    request: Request,
    token: Annotated[str, Query(max_length=200)],
    session: Session,
    settings: AppSettings,
) -> Response:
    form = await forms.read_form(request)
    forms.check_form_token(settings.keyring, "probe", token, form)
    await session.execute(text("INSERT INTO page_probe VALUES (:t)"), {"t": f"post {token}"})
    if not forms.text(form, "answer"):
        refuse(request)
        return render(
            "problem.html",
            {"title": "Error", "detail": "", "advice": "", "organisation_name": None},
            400,
        )
    return RedirectResponse(f"/probe?token={token}", status_code=303)


@pytest.fixture
async def probe_client(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[AsyncClient]:
    async with sessionmaker() as session:
        await session.execute(text("CREATE TABLE IF NOT EXISTS page_probe (said text)"))
        await session.execute(text("TRUNCATE page_probe"))
        await session.commit()
    app = FastAPI()
    app.state.settings = settings
    app.state.sessionmaker = sessionmaker
    app.include_router(probe)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as c:
        yield c
    async with sessionmaker() as session:
        await session.execute(text("DROP TABLE page_probe"))
        await session.commit()


async def _said(sessionmaker: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessionmaker() as session:
        return list(
            (await session.execute(text("SELECT said FROM page_probe ORDER BY said"))).scalars()
        )


def _secured(response: Any) -> None:
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'none'" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_page_is_html_with_the_security_headers_and_its_write_is_kept(
    probe_client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    response = await probe_client.get("/probe", params={"token": "abc"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    _secured(response)
    html = response.text
    assert '<html lang="en-GB"' in html
    assert '<a href="#main-content" class="govuk-skip-link">' in html
    assert 'id="main-content"' in html and "<script" not in html
    assert "Org" in html
    assert await _said(sessionmaker) == ["get abc"]


async def test_a_link_that_does_not_work_is_a_4xx_page_and_writes_nothing(
    probe_client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    response = await probe_client.get("/probe", params={"token": "missing"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    _secured(response)
    assert "This link does not work" in response.text
    assert "No such consultation link." in response.text
    assert await _said(sessionmaker) == []


async def test_an_address_without_its_token_is_a_400_page(probe_client: AsyncClient) -> None:
    response = await probe_client.get("/probe")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    _secured(response)
    assert "This link is not complete" in response.text


async def test_a_post_without_its_form_token_is_refused(
    probe_client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    forged = await probe_client.post("/probe?token=abc", data={"answer": "yes"})
    assert forged.status_code == 403
    # A token for another link does not do either.
    other = forms.form_token(settings.keyring, "probe", "xyz")
    again = await probe_client.post(
        "/probe?token=abc", data={"answer": "yes", forms.FORM_TOKEN_FIELD: other}
    )
    assert again.status_code == 403
    assert await _said(sessionmaker) == []


async def test_a_post_the_form_could_not_send_is_a_4xx_page(
    probe_client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # A file where the form has none: Starlette refuses it before the handler reads a field.
    posted = await probe_client.post(
        "/probe?token=abc", data={"answer": "yes"}, files={"upload": ("a.txt", b"x", "text/plain")}
    )
    assert posted.status_code == 400
    assert posted.headers["content-type"].startswith("text/html")
    _secured(posted)
    assert await _said(sessionmaker) == []


async def test_a_post_redirects_to_a_get_and_a_refused_one_rolls_back(
    probe_client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    token = forms.form_token(settings.keyring, "probe", "abc")
    saved = await probe_client.post(
        "/probe?token=abc", data={"answer": "yes", forms.FORM_TOKEN_FIELD: token}
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/probe?token=abc"
    _secured(saved)
    refused = await probe_client.post(
        "/probe?token=abc", data={"answer": "", forms.FORM_TOKEN_FIELD: token}
    )
    assert refused.status_code == 400
    assert await _said(sessionmaker) == ["post abc"]


async def test_the_app_serves_gov_uk_frontend_and_keeps_the_pages_out_of_the_spec(
    client: AsyncClient,
) -> None:
    css = await client.get("/assets/govuk-frontend.min.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    font = next(
        part.split(")")[0]
        for part in css.text.split("url(")[1:]
        if part.startswith("/assets/fonts")
    )
    assert (await client.get(font)).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    assert not any(
        path.startswith(("/consultations/respond", "/acknowledgements", "/assets"))
        for path in spec["paths"]
    )
