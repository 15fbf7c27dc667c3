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
    │   └── InvalidClaimFactsError     invalid_claim_facts 400
    ├── ConfigError                    settings that cannot work (fail fast at start-up)
    └── ModelError                     a model file is missing, altered or cannot be loaded / run
        ├── ModelNotFoundError         model_not_found
        ├── ModelIntegrityError        model_checksum_mismatch
        ├── NotReadyError              not_ready           503 (models still loading or failed to load)
        └── InferenceError             inference_failed

Errors from third-party libraries (Pillow, pypdfium2, onnxruntime) are translated into these at the
boundary where they are called, so callers never catch library exceptions.
"""

from __future__ import annotations

__all__ = [
    "ClaimsAIError",
    "ConfigError",
    "CorruptFileError",
    "EmptyFileError",
    "EncryptedPdfError",
    "InferenceError",
    "InputError",
    "InvalidClaimFactsError",
    "ModelError",
    "ModelIntegrityError",
    "ModelNotFoundError",
    "NotReadyError",
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
