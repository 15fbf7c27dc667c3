"""``POST /v1/assessments``: one-shot assessment of the files of one claim."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse

from api.deps import PipelineDep, SettingsDep
from api.errors import error_body
from claims_ai.config import ClaimantRelationship, ClaimType, IngestLimits
from claims_ai.errors import TooManyFilesError, http_status_for
from claims_ai.pipeline import InputFile
from claims_ai.types import Assessment, ClaimFacts, to_dict

router = APIRouter(prefix="/v1", tags=["assessments"])

_ERROR_EXAMPLE = {"error": {"code": "unsupported_format", "message": "…", "file": "bill.docx"}}


@router.post(
    "/assessments",
    summary="Assess the files of one claim",
    description=(
        "Send photos or PDFs as multipart `files`, with optional claim facts. Every page comes back read "
        "(text lines with boxes and confidences) with its quality checks. A file that cannot be read is "
        "listed in `files[]` with its error while the others are assessed; when no file can be read the "
        'answer is 400/413/415 with `{"error": {"code", "message", "file"}}`.'
    ),
    response_model=Assessment,
    responses={
        400: {
            "description": "Bad input (empty or corrupt file, encrypted PDF, invalid facts)",
            "content": {"application/json": {"example": _ERROR_EXAMPLE}},
        },
        413: {"description": "Too large: file size, pages, pixels or number of files"},
        415: {"description": "Not an image or PDF we read"},
        503: {"description": "Models not loaded yet"},
    },
)
async def create_assessment(
    request: Request,
    pipeline: PipelineDep,
    settings: SettingsDep,
    files: Annotated[list[UploadFile], File(description="Photos (JPEG, PNG, HEIC, WebP, BMP, TIFF) or PDFs")],
    claim_type: Annotated[ClaimType | None, Form()] = None,
    member_age: Annotated[int | None, Form(ge=0, le=130)] = None,
    plan: Annotated[str | None, Form(max_length=100)] = None,
    policy_start_date: Annotated[dt.date | None, Form(description="YYYY-MM-DD")] = None,
    waiting_period_days: Annotated[int | None, Form(ge=0, le=3650)] = None,
    claimant: Annotated[ClaimantRelationship | None, Form(description="Who files the claim")] = None,
) -> Any:
    limits = settings.limits
    if len(files) > limits.max_files_per_request:
        raise TooManyFilesError(
            f"{len(files)} files were sent; at most {limits.max_files_per_request} are accepted at once. "
            "Please send the rest in another request."
        )
    inputs = [await _read_upload(upload, index, limits) for index, upload in enumerate(files)]
    facts = ClaimFacts(claim_type, member_age, plan, policy_start_date, waiting_period_days, claimant)
    has_facts = any(
        v is not None for v in (claim_type, member_age, plan, policy_start_date, waiting_period_days, claimant)
    )
    # Inference is blocking work: it runs in a worker thread, at most N requests at a time.
    assessment = await anyio.to_thread.run_sync(
        lambda: pipeline.assess(inputs, facts if has_facts else None),
        limiter=request.app.state.assessment_limiter,
    )
    body = to_dict(assessment)
    if not assessment.documents and assessment.rejected_files:
        first = assessment.rejected_files[0]
        assert first.error is not None
        status = http_status_for(first.error["code"])
        return JSONResponse(
            {**error_body(first.error["code"], first.error["message"], first.file), "files": body["files"]},
            status_code=status,
        )
    return JSONResponse(body)


async def _read_upload(upload: UploadFile, index: int, limits: IngestLimits) -> InputFile:
    # One byte past the limit is enough for ingest to reject an oversized file without holding all of it.
    data = await upload.read(limits.max_file_bytes + 1)
    return InputFile(name=upload.filename or f"file-{index + 1}", data=data)
