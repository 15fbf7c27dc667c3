"""The adjuster workbench (server-rendered pages under ``/web``, static files under ``/web/static``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["install"]

_STATIC = Path(__file__).resolve().parent / "static"


def install(app: FastAPI) -> None:
    """Add the workbench's routes and static files to ``app``; ``/`` leads to it."""
    from api.web.routes import router

    app.include_router(router)
    app.mount("/web/static", StaticFiles(directory=_STATIC), name="web-static")

    @app.get("/", include_in_schema=False)
    def _root() -> RedirectResponse:
        return RedirectResponse("/web/", status_code=307)
