"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Models are loaded and requests can be assessed")
async def readyz(request: Request) -> JSONResponse:
    pipeline = request.app.state.pipeline
    if pipeline is None:
        reason = request.app.state.load_error or "models are loading"
        return JSONResponse({"status": "not_ready", "reason": reason}, status_code=503)
    return JSONResponse({"status": "ready", "model_versions": pipeline.model_versions})
