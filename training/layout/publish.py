"""Putting a trained layout model into service: ONNX under models/, a manifest entry, a model card."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from claims_ai.runtime.manifest import sha256_of

__all__ = ["update_manifest", "write_card"]


def update_manifest(
    models_dir: Path,
    *,
    name: str,
    version: str,
    filename: str,
    metrics: dict[str, Any],
    description: str,
    inputs: tuple[str, ...] = ("ids", "boxes", "mask"),
) -> None:
    path = models_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    entry = {
        "name": name,
        "version": version,
        "path": filename,
        "sha256": sha256_of(models_dir / filename),
        "inputs": list(inputs),
        "description": description,
        "metrics": metrics,
    }
    manifest["models"] = [m for m in manifest["models"] if m["name"] != name] + [entry]
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_card(path: Path, *, title: str, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {title}\n\n{body.strip()}\n", encoding="utf-8")
