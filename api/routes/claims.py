"""``/v1/claims``: claims, their documents (upload, pages), timeline, assessments, decisions, audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Header, Path, Query, Response, UploadFile
from fastapi.responses import JSONResponse

from api.service_deps import PrincipalDep, RuntimeDep
from claims_ai.config import ClaimType
from claims_ai.service.claims import Reply, Upload
from claims_ai.service.models import ClaimStatus
from claims_ai.service.schemas import ClaimCreate, ClaimFilters, DecisionCreate

router = APIRouter(prefix="/v1/claims", tags=["claims"])

ClaimId = Annotated[str, Path(max_length=40, description="Claim id, e.g. clm_…")]
DocumentId = Annotated[str, Path(max_length=40)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Send the same key when retrying: the request takes effect once and the answer is replayed",
    ),
]
_AUTH: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or invalid API key"},
    403: {"description": "The key's roles do not allow it"},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such claim in your tenant"}}

_MIME = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "tiff": "image/tiff",
    "bmp": "image/bmp",
    "webp": "image/webp",
    "heic": "image/heic",
    "heif": "image/heif",
    "pdf": "application/pdf",
}


def _reply(reply: Reply) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"} if reply.replayed else None
    return JSONResponse(reply.body, status_code=reply.status_code, headers=headers)


@router.post("", status_code=201, summary="Create a claim with its facts", responses={**_AUTH, 409: {}})
def create_claim(
    body: ClaimCreate, principal: PrincipalDep, runtime: RuntimeDep, idempotency_key: IdempotencyKey = None
) -> Any:
    return _reply(runtime.claims.create_claim(principal, body, idempotency_key))


@router.get("", summary="List claims (newest first) with filters and cursor pagination", responses=_AUTH)
def list_claims(
    principal: PrincipalDep,
    runtime: RuntimeDep,
    status: Annotated[list[ClaimStatus], Query()] = [],  # noqa: B006 (FastAPI copies query defaults)
    route: Annotated[list[str], Query(max_length=40)] = [],  # noqa: B006
    fraud_band: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006
    claim_type: Annotated[list[ClaimType], Query()] = [],  # noqa: B006
    created_after: dt.datetime | None = None,
    created_before: dt.datetime | None = None,
    min_age_hours: Annotated[float | None, Query(ge=0, description="Claims at least this old")] = None,
    max_age_hours: Annotated[float | None, Query(ge=0, description="Claims at most this old")] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    filters = ClaimFilters(
        status=status,
        route=route,
        fraud_band=fraud_band,
        claim_type=claim_type,
        created_after=created_after,
        created_before=created_before,
        min_age_hours=min_age_hours,
        max_age_hours=max_age_hours,
    )
    return runtime.claims.list_claims(principal, filters, cursor, limit)


@router.get("/{claim_id}", summary="A claim: status, documents, latest assessment, decision", responses=_NOT_FOUND)
def get_claim(claim_id: ClaimId, principal: PrincipalDep, runtime: RuntimeDep) -> Any:
    return runtime.claims.get_claim(principal, claim_id)


@router.delete("/{claim_id}", status_code=204, summary="Delete a claim and its files", responses=_NOT_FOUND)
def delete_claim(claim_id: ClaimId, principal: PrincipalDep, runtime: RuntimeDep) -> Response:
    runtime.claims.delete_claim(principal, claim_id)
    return Response(status_code=204)


@router.post(
    "/{claim_id}/documents",
    status_code=202,
    summary="Upload documents; the claim is re-assessed",
    description=(
        "Multipart `files` (photos or PDFs). Answers 202 with the new document ids once the files are stored; "
        "the claim is then re-assessed in the background (see `GET /v1/claims/{id}` and the timeline). "
        "Empty, oversized or non-image/PDF files are refused (400/413/415) and nothing is stored."
    ),
    responses={**_NOT_FOUND, 409: {"description": "Claim decided, or Idempotency-Key reused"}},
)
def upload_documents(
    claim_id: ClaimId,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    files: Annotated[list[UploadFile], File(description="Photos (JPEG, PNG, HEIC, WebP, BMP, TIFF) or PDFs")],
    idempotency_key: IdempotencyKey = None,
) -> Any:
    limit = runtime.settings.limits.max_file_bytes
    uploads = [
        Upload(name=f.filename or f"file-{i + 1}", data=f.file.read(limit + 1))  # one byte over is enough to refuse
        for i, f in enumerate(files)
    ]
    return _reply(runtime.claims.upload_documents(principal, claim_id, uploads, idempotency_key))


@router.get("/{claim_id}/timeline", summary="Member-visible states with timestamps", responses=_NOT_FOUND)
def timeline(claim_id: ClaimId, principal: PrincipalDep, runtime: RuntimeDep) -> Any:
    return runtime.claims.timeline(principal, claim_id)


@router.get("/{claim_id}/assessments", summary="Every assessment of the claim, newest first", responses=_NOT_FOUND)
def assessments(claim_id: ClaimId, principal: PrincipalDep, runtime: RuntimeDep) -> Any:
    return {"items": runtime.claims.assessments(principal, claim_id)}


@router.post(
    "/{claim_id}/decision",
    status_code=201,
    summary="Record an adjuster's decision",
    responses={**_NOT_FOUND, 409: {"description": "Claim already decided, or the assessment is no longer current"}},
)
def decide(claim_id: ClaimId, body: DecisionCreate, principal: PrincipalDep, runtime: RuntimeDep) -> Any:
    return JSONResponse(runtime.claims.decide(principal, claim_id, body), status_code=201)


@router.get("/{claim_id}/audit", summary="Audit trail of the claim (adjuster, admin)", responses=_NOT_FOUND)
def audit(claim_id: ClaimId, principal: PrincipalDep, runtime: RuntimeDep) -> Any:
    return {"items": runtime.claims.audit_trail(principal, claim_id)}


@router.get(
    "/{claim_id}/documents/{document_id}/content",
    summary="The file as uploaded (personal data: adjuster, admin; audited)",
    response_class=Response,
)
def document_content(claim_id: ClaimId, document_id: DocumentId, principal: PrincipalDep, runtime: RuntimeDep) -> Any:
    data, doc = runtime.claims.document_content(principal, claim_id, document_id)
    disposition = f"inline; filename*=UTF-8''{quote(doc.filename)}"
    media = _MIME.get(doc.format or "", "application/octet-stream")
    return Response(data, media_type=media, headers={"Content-Disposition": disposition})


@router.get(
    "/{claim_id}/documents/{document_id}/pages/{page}",
    summary="One page as PNG, upright, in the pixels the assessment's boxes refer to (scaled by max_side)",
    response_class=Response,
)
def page_image(
    claim_id: ClaimId,
    document_id: DocumentId,
    page: Annotated[int, Path(ge=1, le=10_000)],
    principal: PrincipalDep,
    runtime: RuntimeDep,
    max_side: Annotated[int, Query(ge=64, le=10_000)] = 10_000,
) -> Any:
    png = runtime.claims.page_image(principal, claim_id, document_id, page, max_side)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})
