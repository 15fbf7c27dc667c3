"""``/v1/webhooks``: a tenant's endpoints and their delivery log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from fastapi.responses import JSONResponse

from api.service_deps import PrincipalDep, RuntimeDep
from claims_ai.service.schemas import WebhookCreate

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

WebhookId = Annotated[str, Path(max_length=40)]


@router.post(
    "",
    status_code=201,
    summary="Register an endpoint",
    description=(
        "The answer holds the signing `secret`, shown only this once. Every delivery carries "
        "`X-Claims-AI-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, '<t>.' + body)>`."
    ),
)
def register(body: WebhookCreate, principal: PrincipalDep, runtime: RuntimeDep) -> Any:
    return JSONResponse(runtime.webhooks.register(principal, body.url, body.events, body.description), 201)


@router.get("", summary="List endpoints")
def list_webhooks(principal: PrincipalDep, runtime: RuntimeDep) -> Any:
    return {"items": runtime.webhooks.list_hooks(principal)}


@router.delete("/{webhook_id}", status_code=204, summary="Remove an endpoint")
def delete_webhook(webhook_id: WebhookId, principal: PrincipalDep, runtime: RuntimeDep) -> Response:
    runtime.webhooks.delete(principal, webhook_id)
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries", summary="Delivery log, newest first")
def deliveries(webhook_id: WebhookId, principal: PrincipalDep, runtime: RuntimeDep) -> Any:
    return {"items": runtime.webhooks.deliveries(principal, webhook_id)}
