"""Health checks and the caller's own organisation."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from services.api.deps import CurrentPrincipal, Session
from services.domain.organisations import service as organisations

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str
    checks: dict[str, str] = {}


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
async def readyz(request: Request) -> JSONResponse:
    """The database and Redis answer; 503 otherwise."""
    checks: dict[str, str] = {}
    try:
        async with request.app.state.sessionmaker() as session:
            await session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # a health check reports failures, it does not raise them
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        await request.app.state.redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JSONResponse(
        Health(status="ok" if healthy else "unavailable", checks=checks).model_dump(),
        status_code=200 if healthy else 503,
    )


class Organisation(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    holiday_subdivision: str
    escalation_contact_id: uuid.UUID | None


@router.get("/v1/organisation", response_model=Organisation)
async def get_own_organisation(session: Session, principal: CurrentPrincipal) -> Organisation:
    """The organisation the caller belongs to."""
    org = await organisations.get(session, principal.organisation_id)
    return Organisation.model_validate(org, from_attributes=True)
