"""onnxruntime sessions: provider choice with a logged CPU fallback, thread settings, input checks.

This is the one inference-session implementation the project uses; every model wrapper gets its session here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import onnxruntime as ort

from claims_ai.config import ExecutionProvider
from claims_ai.errors import ModelError, ModelNotFoundError

__all__ = ["InferenceSession", "create_session", "providers_for"]


class InferenceSession(Protocol):
    """What the model wrappers use of an onnxruntime session (a torch module can stand in for benchmarks)."""

    def run(self, output_names: Sequence[str] | None, input_feed: Mapping[str, Any]) -> list[Any]: ...

    def get_modelmeta(self) -> Any: ...


log = logging.getLogger(__name__)

_CPU = "CPUExecutionProvider"
_CUDA = "CUDAExecutionProvider"


def providers_for(provider: ExecutionProvider, device_id: int = 0) -> list[str | tuple[str, dict]]:
    """The provider list to ask onnxruntime for; CUDA only when this onnxruntime build has it."""
    if provider is ExecutionProvider.CUDA:
        available = ort.get_available_providers()
        if _CUDA in available:
            return [(_CUDA, {"device_id": device_id}), _CPU]
        log.warning(
            "CUDA was requested (CLAIMS_AI_OCR__PROVIDER=cuda) but this onnxruntime build offers only %s; "
            "running on CPU. Install onnxruntime-gpu with a matching CUDA runtime to use the GPU.",
            ", ".join(available),
        )
    return [_CPU]


def create_session(
    path: Path, *, provider: ExecutionProvider, threads: int, device_id: int = 0
) -> ort.InferenceSession:
    if not path.is_file():
        raise ModelNotFoundError(f"Model file {path} does not exist; reinstall the package or restore models/.")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # onnxruntime's own warnings go to stderr otherwise
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    providers = providers_for(provider, device_id)
    try:
        session = ort.InferenceSession(str(path), sess_options=options, providers=providers)
    except Exception as exc:  # onnxruntime raises its own untyped errors (Fail, InvalidProtobuf, ...)
        if len(providers) > 1:
            log.warning("CUDA session for %s failed to start (%s); running on CPU.", path.name, exc)
            return create_session(path, provider=ExecutionProvider.CPU, threads=threads)
        raise ModelError(f"Cannot load model {path.name}: {exc}") from exc
    if provider is ExecutionProvider.CUDA and _CUDA in ort.get_available_providers():
        if _CUDA not in session.get_providers():
            log.warning("CUDA provider could not be initialised for %s; running on CPU.", path.name)
        else:
            log.info("Model %s runs on CUDA device %d.", path.name, device_id)
    return session
