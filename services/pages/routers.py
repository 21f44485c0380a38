"""Every page router, in the order the application includes them (services/pages/site.py)."""

from __future__ import annotations

from fastapi import APIRouter

ROUTERS: tuple[APIRouter, ...] = ()
