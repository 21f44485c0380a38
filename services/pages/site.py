"""Mount the pages and GOV.UK Frontend's stylesheet, fonts and images on the application."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from services.pages.rendering import ASSETS_PATH, STYLESHEET, STYLESHEET_PATH
from services.pages.routers import ROUTERS

log = logging.getLogger(__name__)

# `npm ci` in services/pages/frontend (make run and make test do it) installs GOV.UK Frontend
# at the version its package-lock.json pins; the image copies the same files.
FRONTEND = Path(__file__).parent / "frontend" / "node_modules" / "govuk-frontend" / "dist" / "govuk"


def install(app: FastAPI, frontend: Path = FRONTEND) -> None:
    """Add the pages' routers and the static files they use. Without the installed frontend
    the pages still work, unstyled, and the start-up log says how to install it."""
    for router in ROUTERS:
        app.include_router(router)
    if not (frontend / STYLESHEET).is_file():
        log.warning(
            "GOV.UK Frontend is not installed in %s: the pages are served without styles. "
            "Run `npm ci` in services/pages/frontend (make run does).",
            frontend,
        )
        return
    stylesheet = frontend / STYLESHEET

    async def serve_stylesheet(request: Request) -> Response:
        return FileResponse(stylesheet, media_type="text/css")

    # Before the mount, which would answer 404 for a file outside assets/.
    app.add_route(STYLESHEET_PATH, serve_stylesheet, include_in_schema=False)
    app.mount(ASSETS_PATH, StaticFiles(directory=frontend / "assets"), name="page-assets")
