"""The model manifest: which model files the service runs, their versions, checksums and input specs.

``models/manifest.json`` lists every model. A model is either a file under ``models/`` (our own exports)
or a file shipped inside an installed package (``"package": "rapidocr"``), so nothing is ever downloaded.
Checksums and input names are verified when a model is loaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import onnxruntime as ort

from claims_ai.config import ExecutionProvider
from claims_ai.errors import ModelError, ModelIntegrityError, ModelNotFoundError
from claims_ai.runtime.session import create_session

__all__ = ["ModelManifest", "ModelSpec", "open_model", "sha256_of", "verify_inputs"]


@dataclass(frozen=True)
class ModelSpec:
    name: str
    version: str
    path: Path
    sha256: str
    inputs: tuple[str, ...]
    description: str = ""

    @property
    def version_tag(self) -> str:
        return f"{self.version}+{self.sha256[:12]}"

    def verify(self) -> None:
        if not self.path.is_file():
            raise ModelNotFoundError(f"Model {self.name!r} is missing: {self.path} does not exist.")
        actual = sha256_of(self.path)
        if actual != self.sha256:
            raise ModelIntegrityError(
                f"Model {self.name!r} at {self.path} has sha256 {actual[:16]}…, the manifest expects "
                f"{self.sha256[:16]}…. Reinstall the package that ships it or restore the file."
            )


class ModelManifest:
    def __init__(self, specs: Mapping[str, ModelSpec]) -> None:
        self._specs = dict(specs)

    @classmethod
    def load(cls, models_dir: Path) -> ModelManifest:
        manifest_path = models_dir / "manifest.json"
        try:
            raw = json.loads(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ModelNotFoundError(f"No model manifest at {manifest_path}.") from exc
        except json.JSONDecodeError as exc:
            raise ModelError(f"The model manifest {manifest_path} is not valid JSON: {exc}") from exc
        specs = {}
        for entry in raw.get("models", []):
            try:
                path = _resolve(entry, models_dir)
                specs[entry["name"]] = ModelSpec(
                    name=entry["name"],
                    version=entry["version"],
                    path=path,
                    sha256=entry["sha256"],
                    inputs=tuple(entry["inputs"]),
                    description=entry.get("description", ""),
                )
            except KeyError as exc:
                raise ModelError(f"Manifest entry {entry!r} lacks the key {exc}.") from exc
        return cls(specs)

    def get(self, name: str) -> ModelSpec:
        try:
            return self._specs[name]
        except KeyError as exc:
            raise ModelNotFoundError(f"The model manifest has no model named {name!r}.") from exc

    def names(self) -> list[str]:
        return sorted(self._specs)


def _resolve(entry: Mapping[str, str], models_dir: Path) -> Path:
    package = entry.get("package")
    if package is None:
        return models_dir / entry["path"]
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModelNotFoundError(f"Model {entry['name']!r} ships with the package {package!r}, not installed.")
    return Path(spec.origin).parent / entry["path"]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_inputs(spec: ModelSpec, session: ort.InferenceSession) -> None:
    names = tuple(i.name for i in session.get_inputs())
    if names != spec.inputs:
        raise ModelIntegrityError(f"Model {spec.name!r} takes inputs {names}, the manifest says {spec.inputs}.")


def open_model(
    spec: ModelSpec, *, provider: ExecutionProvider, threads: int, device_id: int = 0
) -> ort.InferenceSession:
    """The model's session, after its checksum is verified and with its input names checked: the one way in."""
    spec.verify()
    session = create_session(spec.path, provider=provider, threads=threads, device_id=device_id)
    verify_inputs(spec, session)
    return session
