"""Every page router, in the order the application includes them (services/pages/site.py)."""

from __future__ import annotations

from fastapi import APIRouter

from services.pages.consultations.router import router as consultations_router
from services.pages.records import register, workflows

# The consultee's page first: its /consultations/respond is not a consultation's id (the
# records' routes only match ids anyway).
ROUTERS: tuple[APIRouter, ...] = (consultations_router, register.router, workflows.router)
