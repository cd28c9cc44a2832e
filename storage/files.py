"""Files kept by content hash beside the database: `<files>/<sha256>/<name>`.

The hash names the folder, so the same content is stored once; the original file name inside
it is what a chat shows when the file is sent as a document. Writes go to a temporary file
first and are renamed into place, off the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

MAX_FILE_BYTES = 20 * 1024 * 1024  # the default cap on a published file
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
_MAX_NAME = 100


def sha256_of(data: bytes) -> str:
    """The content hash that names a stored file's folder."""
    return hashlib.sha256(data).hexdigest()


def safe_name(filename: str, fallback: str) -> str:
    """A file name without folders or characters that file systems refuse."""
    base = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    if not cleaned:
        return fallback
    if len(cleaned) > _MAX_NAME:
        stem, dot, ext = cleaned.rpartition(".")
        keep = _MAX_NAME - len(ext) - 1 if dot and len(ext) <= 10 else _MAX_NAME
        cleaned = f"{stem[:keep]}.{ext}" if dot and len(ext) <= 10 else cleaned[:keep]
    return cleaned


def stored_path(folder: Path, sha256: str, filename: str) -> Path:
    """Where a stored file lives."""
    return folder / sha256 / filename


async def save_file(folder: Path, data: bytes, filename: str) -> tuple[str, Path]:
    """Store bytes under their hash (once); returns (sha256, path)."""
    digest = sha256_of(data)
    path = stored_path(folder, digest, filename)
    await asyncio.to_thread(_write, path, data)
    return digest, path


async def write_file(path: Path, data: bytes) -> None:
    """Write a derived file (a large-print copy) atomically, off the event loop."""
    await asyncio.to_thread(_write, path, data)


async def replace_file(path: Path, data: bytes) -> None:
    """Write a file whose content may change under the same name (a month's report)
    atomically, off the event loop: a reader sees the old file or the new, never half."""
    await asyncio.to_thread(_replace, path, data)


def _write(path: Path, data: bytes) -> None:
    if path.is_file() and path.stat().st_size == len(data):
        return
    _replace(path, data)


def _replace(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
