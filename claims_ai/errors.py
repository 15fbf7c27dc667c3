"""One exception tree for claims-ai.

    ClaimsAIError                      base; every error has a stable ``code`` and a ``message`` for people
    ├── InputError                     the caller sent something we cannot use (CLI exit 2, HTTP 4xx)
    │   ├── EmptyFileError             empty_file          400
    │   ├── UnsupportedFormatError     unsupported_format  415
    │   ├── CorruptFileError           corrupt_file        400
    │   ├── EncryptedPdfError          encrypted_pdf       400
    │   ├── TooLargeError              too_large           413
    │   ├── TooManyPagesError          too_many_pages      413
    │   ├── TooManyPixelsError         too_many_pixels     413
    │   ├── TooManyFilesError          too_many_files      413
    │   ├── InvalidClaimFactsError     invalid_claim_facts 400
    │   ├── DatasetError               invalid_dataset     400 (a training file without a usable label or rows)
    │   ├── NotFoundError              not_found           404 (also another tenant's claim: never revealed)
    │   └── ConflictError              conflict            409
    │       ├── ClaimClosedError       claim_closed        409 (decided claims take no documents or decisions)
    │       ├── IdempotencyKeyReusedError idempotency_key_reused 409 (same key, different request)
    │       └── StaleAssessmentError   stale_assessment    409 (decision made on an assessment no longer current)
    ├── AccessError                    the caller may not do this
    │   ├── AuthError                  unauthorized        401 (no key, unknown or revoked key)
    │   └── ForbiddenError             forbidden           403 (the key's roles do not allow it)
    ├── StorageError                   storage_error       500 (a stored file is missing or fails its checksum)
    ├── ConfigError                    settings that cannot work (fail fast at start-up)
    └── ModelError                     a model file is missing, altered or cannot be loaded / run
        ├── ModelNotFoundError         model_not_found
        ├── ModelIntegrityError        model_checksum_mismatch
        ├── NotReadyError              not_ready           503 (models still loading or failed to load)
        ├── InferenceError             inference_failed
        └── ExportParityError          export_parity_failed (an exported ONNX model disagrees with its source)

Errors from third-party libraries (Pillow, pypdfium2, onnxruntime) are translated into these at the
boundary where they are called, so callers never catch library exceptions.
"""

from __future__ import annotations

__all__ = [
    "AccessError",
    "AuthError",
    "ClaimClosedError",
    "ClaimsAIError",
    "ConfigError",
    "ConflictError",
    "CorruptFileError",
    "DatasetError",
    "EmptyFileError",
    "EncryptedPdfError",
    "ExportParityError",
    "ForbiddenError",
    "IdempotencyKeyReusedError",
    "InferenceError",
    "InputError",
    "InvalidClaimFactsError",
    "ModelError",
    "ModelIntegrityError",
    "ModelNotFoundError",
    "NotFoundError",
    "NotReadyError",
    "StaleAssessmentError",
    "StorageError",
    "TooLargeError",
    "TooManyFilesError",
    "TooManyPagesError",
    "TooManyPixelsError",
    "UnsupportedFormatError",
    "http_status_for",
]


class ClaimsAIError(Exception):
    """Base class. ``code`` is stable and machine-readable; ``message`` tells a person what to do."""

    code = "internal_error"
    http_status = 500

    def __init__(self, message: str, *, file: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "file": self.file}

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        return f"[{self.code}] {where}{self.message}"


class InputError(ClaimsAIError):
    code = "invalid_input"
    http_status = 400


class EmptyFileError(InputError):
    code = "empty_file"


class UnsupportedFormatError(InputError):
    code = "unsupported_format"
    http_status = 415


class CorruptFileError(InputError):
    code = "corrupt_file"


class EncryptedPdfError(InputError):
    code = "encrypted_pdf"


class TooLargeError(InputError):
    code = "too_large"
    http_status = 413


class TooManyPagesError(InputError):
    code = "too_many_pages"
    http_status = 413


class TooManyPixelsError(InputError):
    code = "too_many_pixels"
    http_status = 413


class TooManyFilesError(InputError):
    code = "too_many_files"
    http_status = 413


class InvalidClaimFactsError(InputError):
    code = "invalid_claim_facts"


class DatasetError(InputError):
    """A labelled training file that cannot be used: unreadable, no such label column, one class only …"""

    code = "invalid_dataset"


class NotFoundError(InputError):
    code = "not_found"
    http_status = 404


class ConflictError(InputError):
    code = "conflict"
    http_status = 409


class ClaimClosedError(ConflictError):
    code = "claim_closed"


class IdempotencyKeyReusedError(ConflictError):
    code = "idempotency_key_reused"


class StaleAssessmentError(ConflictError):
    code = "stale_assessment"


class AccessError(ClaimsAIError):
    code = "access_denied"
    http_status = 403


class AuthError(AccessError):
    code = "unauthorized"
    http_status = 401


class ForbiddenError(AccessError):
    code = "forbidden"
    http_status = 403


class StorageError(ClaimsAIError):
    code = "storage_error"
    http_status = 500


class ConfigError(ClaimsAIError):
    code = "config_error"


class ModelError(ClaimsAIError):
    code = "model_error"


class ModelNotFoundError(ModelError):
    code = "model_not_found"


class ModelIntegrityError(ModelError):
    code = "model_checksum_mismatch"


class InferenceError(ModelError):
    code = "inference_failed"


class ExportParityError(ModelError):
    """Raised by training exports when onnxruntime's outputs differ from the trained model's (torch or
    scikit-learn) beyond the stated tolerance."""

    code = "export_parity_failed"


class NotReadyError(ModelError):
    code = "not_ready"
    http_status = 503


def http_status_for(code: str) -> int:
    """The HTTP status of the error class with this stable code (400 if unknown)."""
    pending: list[type[ClaimsAIError]] = [ClaimsAIError]
    while pending:
        cls = pending.pop()
        if cls.code == code:
            return cls.http_status
        pending.extend(cls.__subclasses__())
    return 400
