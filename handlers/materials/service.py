"""Publishing a month's material (from chat or the command line) and what follows from it:
a delivery request, without asking, for each member who cannot come to the study."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any

from bot.core.i18n import t
from handlers.delivery.common import month_words
from handlers.notify import push
from storage import Tx
from storage.files import promote_draft, safe_name, save_draft, without_controls
from storage.models import Branch, Member
from storage.repo_delivery import DeliveryRequest, Material

FILE_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
_URL = re.compile(r"https?://\S+")
_TITLE_SPLIT = re.compile(r"[：:]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MAX_TITLE = 40


@dataclass(frozen=True)
class Draft:
    """A material about to be published (kept in the conversation until 确认)."""

    kind: str
    title: str
    body: str | None = None
    url: str | None = None
    sha256: str | None = None
    filename: str | None = None
    mime: str | None = None
    size: int | None = None

    def as_data(self) -> dict[str, Any]:
        """The draft as conversation data (JSON)."""
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Draft:
        """A draft read back from conversation data."""
        return cls(**data)


@dataclass
class Published:
    """What publishing did: the material, and who now has a delivery request."""

    material: Material
    requested: list[Member] = field(default_factory=list)


def file_mime(data: bytes) -> str | None:
    """The accepted type of a file (PDF, DOCX, picture) from its bytes, or None when it is
    none of them. The sender's MIME type and the file's name are not trusted."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return FILE_TYPES[".pdf"]
    if head.startswith(b"\xff\xd8\xff"):
        return FILE_TYPES[".jpg"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FILE_TYPES[".png"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FILE_TYPES[".webp"]
    if head.startswith(b"PK\x03\x04") and _is_docx(data):
        return FILE_TYPES[".docx"]
    return None


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


async def file_draft(folder: Path, data: bytes, filename: str, mime: str,
                     caption: str, default_title: str) -> Draft:
    """Store the file by its content hash and describe it. The caption is its title (else the
    month's: 2026年12月学习资料), and the file is kept under that title: members see neither
    the uploader's file name (december-material.pdf) nor an id."""
    ext = next(e for e, m in FILE_TYPES.items() if m == mime)  # the type the bytes are
    stem = without_controls(PurePath(filename).stem).strip()
    human = _CJK.search(stem) is not None  # 全会公报.pdf is a title; december-material is not
    caption = without_controls(caption).strip()
    title = caption[:_MAX_TITLE] or (stem[:_MAX_TITLE] if human else default_title)
    name = safe_name(f"{stem if human else title}{ext}", f"material{ext}")
    sha = await save_draft(folder, data, name)
    return Draft("file", title, sha256=sha, filename=name, mime=mime, size=len(data))


def text_draft(text: str, default_title: str) -> Draft:
    """A link (with its title) when the text holds one, else a text; the title is the first
    line, or what comes before a colon on a single line."""
    found = _URL.search(text)
    if found:
        title = (text[: found.start()] + text[found.end():]).strip() or found.group()
        return Draft("link", title[:_MAX_TITLE], url=found.group())
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) > 1:
        return Draft("text", lines[0][:_MAX_TITLE], body="\n".join(lines[1:]))
    single = lines[0] if lines else ""
    parts = _TITLE_SPLIT.split(single, maxsplit=1)
    if len(parts) == 2 and 0 < len(parts[0].strip()) <= _MAX_TITLE and parts[1].strip():
        return Draft("text", parts[0].strip(), body=parts[1].strip())
    return Draft("text", default_title, body=single)


async def publish(
    tx: Tx, draft: Draft, *, branch_id: int | None, month: str, now: datetime,
    publisher: Member | None, default_locale: str,
) -> Published:
    """Record the material; give each homebound or hospitalised member a delivery request."""
    folder = await tx.files_dir()
    if draft.sha256 and draft.filename and folder is not None:
        await promote_draft(folder, draft.sha256, draft.filename)
    material = await tx.add_material(
        branch_id, month, draft.kind, draft.title, now, body=draft.body, url=draft.url,
        file_sha256=draft.sha256, filename=draft.filename, mime=draft.mime, size=draft.size,
        published_by=publisher.id if publisher else None,
    )
    if branch_id is None:
        branches = await tx.list_branches()
    else:
        branches = [b for b in [await tx.get_branch(branch_id)] if b is not None]
    result = Published(material)
    in_hospital = await tx.hospitalised_member_ids()
    for each in branches:
        new = await _requests_for(tx, each, material, in_hospital, now, default_locale)
        result.requested += new
        await _tell_secretaries(tx, each, material, new, publisher, now, default_locale)
    await tx.audit("material_publish", now, actor_member_id=publisher.id if publisher else None,
                   detail={"material": material.id, "requests": len(result.requested)})
    return result


async def _requests_for(tx: Tx, branch: Branch, material: Material, in_hospital: set[int],
                        now: datetime, default_locale: str) -> list[Member]:
    new = []
    for member in await tx.branch_members(branch.id):
        hospitalised = member.id in in_hospital
        if not (member.needs_home_delivery or hospitalised):
            continue
        existing = await tx.delivery_for(member.id, material.month)
        if existing is not None:
            await tx.attach_material(existing.id, material.id)
            continue
        address = await _hospital(tx, member) if hospitalised else member.address
        reason = "hospitalised" if hospitalised else "needs_home_delivery"
        request = await tx.add_delivery(branch.id, member.id, material.month, reason, now,
                                        material_id=material.id, address=address)
        if request is not None:
            new.append(member)
            await _tell_member(tx, member, request, material, now, default_locale)
    return new


async def _hospital(tx: Tx, member: Member) -> str | None:
    """A hospitalised member's ward is where the material goes."""
    stay = await tx.open_stay(member.id)
    if stay is None or not stay.details.get("hospital"):
        return member.address
    ward = stay.details.get("ward")
    return f"{stay.details['hospital']}{' ' + str(ward) if ward else ''}"


async def _tell_member(tx: Tx, member: Member, request: DeliveryRequest, material: Material,
                       now: datetime, default_locale: str) -> None:
    await push(tx, member,
               lambda locale: t(locale, "delivery.auto_notice", name=member.name,
                                month=month_words(locale, material.month), title=material.title,
                                address=request.address or t(locale, "delivery.no_address")),
               key=f"delivery:{request.id}:auto", kind="delivery_notice", now=now,
               default_locale=default_locale)


async def _tell_secretaries(tx: Tx, branch: Branch, material: Material, new: list[Member],
                            publisher: Member | None, now: datetime, default_locale: str) -> None:
    if not new:
        return
    names = "、".join(m.name for m in new)
    for officer in await tx.officers(branch.id, "secretary"):
        if publisher is not None and officer.id == publisher.id:
            continue
        await push(tx, officer,
                   lambda locale: t(locale, "delivery.auto_digest", title=material.title,
                                    month=month_words(locale, material.month), names=names),
                   key=f"material:{material.id}:requests:{branch.id}:{officer.id}",
                   kind="delivery_alert", now=now, default_locale=default_locale)
