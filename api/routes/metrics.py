"""``GET /metrics`` in the Prometheus text format."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from claims_ai.service import metrics
from claims_ai.service.processing import queue_depth

router = APIRouter(tags=["operations"])


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def prometheus_metrics(request: Request) -> Response:
    runtime = getattr(request.app.state, "service", None)
    if runtime is not None:
        for status, n in queue_depth(runtime.db).items():
            metrics.QUEUE_DEPTH.labels(status).set(n)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
