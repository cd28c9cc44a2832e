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
import shutil
import tempfile
import time
import unicodedata
from pathlib import Path

MAX_FILE_BYTES = 20 * 1024 * 1024  # the default cap on a published file
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
DRAFTS = ".drafts"  # files sent for a publish not yet confirmed; never served
DRAFT_KEPT_SECONDS = 24 * 3600  # as long as a conversation is kept
_MAX_NAME = 100


def sha256_of(data: bytes) -> str:
    """The content hash that names a stored file's folder."""
    return hashlib.sha256(data).hexdigest()


def without_controls(text: str) -> str:
    """The text without control, format (bidi overrides such as U+202E, zero-width) or lone
    surrogate characters: what a name or title shows is what it is."""
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))


def safe_name(filename: str, fallback: str) -> str:
    """A file name without folders, controls, bidi overrides or characters file systems
    refuse."""
    base = without_controls(unicodedata.normalize("NFC", filename))
    base = base.replace("\\", "/").rsplit("/", 1)[-1]
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


async def save_draft(folder: Path, data: bytes, filename: str) -> str:
    """Keep a file until its publish is confirmed (promote) or forgotten (a day later)."""
    digest = sha256_of(data)
    await asyncio.to_thread(_write_draft, folder, digest, filename, data)
    return digest


def _write_draft(folder: Path, digest: str, filename: str, data: bytes) -> None:
    drafts = folder / DRAFTS
    if drafts.is_dir():
        old = time.time() - DRAFT_KEPT_SECONDS
        for each in drafts.iterdir():
            if each.stat().st_mtime < old:
                shutil.rmtree(each, ignore_errors=True)
    _replace(drafts / digest / filename, data)


async def promote_draft(folder: Path, digest: str, filename: str) -> None:
    """A confirmed draft moves to where published files live (no-op when it is there)."""
    await asyncio.to_thread(_promote, folder, digest, filename)


def _promote(folder: Path, digest: str, filename: str) -> None:
    draft = folder / DRAFTS / digest / filename
    if not draft.is_file():
        return
    final = stored_path(folder, digest, filename)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(draft, final)
    shutil.rmtree(draft.parent, ignore_errors=True)


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
