"""Every page router, in the order the application includes them (services/pages/site.py)."""

from __future__ import annotations

from fastapi import APIRouter

from services.pages import outcomes
from services.pages.acknowledgements.router import router as acknowledgements_router
from services.pages.consultations.router import router as consultations_router
from services.pages.records import launch, register, workflows

# The account-less pages first: /consultations/respond is not a consultation's id (the
# records' routes only match ids anyway).
ROUTERS: tuple[APIRouter, ...] = (
    consultations_router,
    acknowledgements_router,
    outcomes.router,
    register.router,
    workflows.router,
    launch.router,
)
