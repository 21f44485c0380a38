"""Every page router, in the order the application includes them (services/pages/site.py)."""

from __future__ import annotations

from fastapi import APIRouter

from services.pages.consultations.router import router as consultations_router

ROUTERS: tuple[APIRouter, ...] = (consultations_router,)
