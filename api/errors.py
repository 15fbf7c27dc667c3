"""Every error answers ``{"error": {"code", "message", "file"}}``; never a stack trace, never a 500 for bad input."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from claims_ai.errors import ClaimsAIError
from claims_ai.logs import request_id_var
from claims_ai.service.metrics import ERRORS

__all__ = ["error_body", "install_error_handlers"]

log = logging.getLogger("api.errors")


def error_body(code: str, message: str, file: str | None = None, **extra: object) -> dict:
    ERRORS.labels(code).inc()
    return {"error": {"code": code, "message": message, "file": file, **extra}}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ClaimsAIError)
    async def _claims_ai_error(_: Request, exc: ClaimsAIError) -> JSONResponse:
        if exc.http_status >= 500:
            log.error("request failed: %s", exc)
        return JSONResponse(error_body(exc.code, exc.message, exc.file), status_code=exc.http_status)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
            problems.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
        message = "The request is not valid: " + "; ".join(problems) + ". See /docs for the expected fields."
        return JSONResponse(error_body("invalid_request", message), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        message = "Something went wrong on our side; the request was not processed. Please try again later."
        return JSONResponse(error_body("internal_error", message, request_id=request_id_var.get()), status_code=500)
