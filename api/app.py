"""FastAPI application factory. Models load once in the lifespan, never per request."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI, Request, Response

from api.errors import install_error_handlers
from api.routes import assessments, claims, health, metrics, webhooks
from api.web import install as install_workbench
from claims_ai.config import Settings
from claims_ai.errors import ClaimsAIError
from claims_ai.logs import request_id_var
from claims_ai.pipeline import Pipeline
from claims_ai.service import metrics as service_metrics
from claims_ai.service.runtime import ServiceRuntime

__all__ = ["create_app"]

log = logging.getLogger("api")


def create_app(settings: Settings | None = None, pipeline: Pipeline | None = None) -> FastAPI:
    """The app. Pass ``pipeline`` to use one already built (tests); otherwise it loads at start-up."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = pipeline is None
        if owned:
            try:
                app.state.pipeline = await anyio.to_thread.run_sync(Pipeline.from_settings, settings)
                log.info("models loaded", extra={"model_versions": app.state.pipeline.model_versions})
            except ClaimsAIError as exc:
                # Stay up so /readyz can say why; assessment routes answer 503 meanwhile.
                app.state.load_error = str(exc)
                log.error("models failed to load: %s", exc)
        # The claims service (store, queue, webhooks); fails start-up when its database cannot be reached.
        runtime = await anyio.to_thread.run_sync(ServiceRuntime, settings, app.state.pipeline)
        runtime.start()
        app.state.service = runtime
        yield
        # Graceful: running jobs finish (or stay queued in the database) before the models go away.
        app.state.service = None
        await anyio.to_thread.run_sync(runtime.close)
        if owned and app.state.pipeline is not None:
            app.state.pipeline.close()

    app = FastAPI(
        title="claims-ai",
        version="0.1.0",
        summary="Reads claim documents and assesses health and critical-illness claims.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.pipeline = pipeline
    app.state.load_error = None
    app.state.service = None
    app.state.assessment_limiter = anyio.CapacityLimiter(settings.max_concurrent_assessments)

    @app.middleware("http")
    async def request_id(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        rid = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        token = request_id_var.set(rid[:64])
        try:
            response = await call_next(request)
        finally:
            request_id_var.reset(token)
        response.headers["X-Request-ID"] = rid[:64]
        return response

    @app.middleware("http")
    async def request_metrics(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        service_metrics.HTTP_SECONDS.labels(request.method, path, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response

    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(assessments.router)
    app.include_router(claims.router)
    app.include_router(webhooks.router)
    if settings.service.metrics_enabled:
        app.include_router(metrics.router)
    install_workbench(app)  # the adjuster web pages under /web
    return app
