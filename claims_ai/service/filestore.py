"""Content-addressed file store: each content is kept once, at ``<root>/ab/cd/<sha256>``.

Nothing is keyed by a name a user chose. Writes go to a temporary file in the same directory, are fsynced and
then renamed into place, so a crash leaves either the whole file or none of it. Reads check the sha256.
Which contents are still in use is the database's business (table ``blobs``); see ``ClaimStore``.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from claims_ai.errors import StorageError

__all__ = ["FileStore", "StagedFile"]

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class StagedFile:
    """Bytes written and fsynced next to their final place, waiting for ``FileStore.commit``."""

    def __init__(self, sha256: str, size: int, temp_path: Path | None) -> None:
        self.sha256 = sha256
        self.size = size
        self.temp_path = temp_path

    def discard(self) -> None:
        if self.temp_path is not None:
            self.temp_path.unlink(missing_ok=True)
            self.temp_path = None


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path_of(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise StorageError(f"not a sha256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def stage(self, data: bytes) -> StagedFile:
        """Write ``data`` to a temporary file beside its final place (the slow part, done outside any lock)."""
        digest = hashlib.sha256(data).hexdigest()
        final = self.path_of(digest)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=final.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            Path(temp).unlink(missing_ok=True)
            raise StorageError(f"could not write the file to the store: {exc.strerror or exc}") from exc
        return StagedFile(digest, len(data), Path(temp))

    def commit(self, staged: StagedFile) -> None:
        """Move a staged file into place (atomic rename). Idempotent: same name, same content."""
        if staged.temp_path is None:
            return
        final = self.path_of(staged.sha256)
        os.replace(staged.temp_path, final)
        staged.temp_path = None
        _fsync_dir(final.parent)

    def put(self, data: bytes) -> str:
        staged = self.stage(data)
        self.commit(staged)
        return staged.sha256

    def get(self, sha256: str) -> bytes:
        path = self.path_of(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise StorageError(f"stored file {sha256} is missing") from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StorageError(f"stored file {sha256} fails its checksum")
        return data

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def delete(self, sha256: str) -> None:
        self.path_of(sha256).unlink(missing_ok=True)

    def all_digests(self) -> list[str]:
        return [p.name for p in self.root.glob("??/??/*") if _SHA256.match(p.name)]


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
