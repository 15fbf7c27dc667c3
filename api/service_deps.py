"""Dependencies of the claims-service routes: the service runtime and the caller (``Authorization: Bearer``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from claims_ai.errors import AuthError, NotReadyError
from claims_ai.service.auth import Principal
from claims_ai.service.runtime import ServiceRuntime

__all__ = ["PrincipalDep", "RuntimeDep"]

_bearer = HTTPBearer(auto_error=False, description="An API key from `claims-ai keys create`")


def _runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime | None = getattr(request.app.state, "service", None)
    if runtime is None:
        raise NotReadyError("The claims service is starting or failed to start; see /readyz.")
    return runtime


def _principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    # A plain function: FastAPI runs it in a worker thread, so argon2 never blocks the event loop.
    if credentials is None:
        raise AuthError("Send your API key as `Authorization: Bearer <key>`.")
    return _runtime(request).keys.authenticate(f"Bearer {credentials.credentials}")


RuntimeDep = Annotated[ServiceRuntime, Depends(_runtime)]
PrincipalDep = Annotated[Principal, Depends(_principal)]
