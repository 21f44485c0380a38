"""A 503 the domain raises on purpose (every heavy-work slot taken) says when to come back."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from services.api import errors
from services.domain.heavy_work import TooBusy


async def test_a_busy_503_carries_retry_after_and_a_problem() -> None:
    app = FastAPI()
    errors.install(app)

    @app.get("/busy")
    async def busy() -> None:
        raise TooBusy("The server is busy reading other files; try again in a minute.")

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get("/busy")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json()["title"] == "Service unavailable"
