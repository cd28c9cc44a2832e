"""Replies and pushes as WeChat text: buttons become "回复 1 确认 / 2 取消", long text is split."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePath

from bot.core.i18n import t
from bot.core.messages import Reply
from bot.understanding import is_traditional

__all__ = ["PASSIVE_LIMIT", "image_files", "render_push", "render_replies", "split_bytes"]

PASSIVE_LIMIT = 2048  # bytes of Content WeChat accepts in one text message
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
_CJK = re.compile("[\u4e00-\u9fff]")


def render_replies(replies: list[Reply], default_locale: str) -> str:
    """The router's replies joined into one text, as a passive reply carries them."""
    blocks = []
    for reply in replies:
        lines = [reply.text]
        files = [f for f in reply.files if not _is_image(f)]
        if reply.buttons or files:
            locale = _locale_of(reply.text, default_locale)
            if reply.buttons:
                lines.append(_buttons([(b.label, b.data) for b in reply.buttons], locale))
            lines += [t(locale, "wechat.file", name=PurePath(f).name) for f in files]
        blocks.append("\n".join(lines))
    return "\n\n".join(block for block in blocks if block)


def render_push(text: str, buttons: list[dict[str, str]], default_locale: str) -> str:
    """An outbox push with its buttons written out as words to reply with."""
    items = [(b.get("label", ""), b.get("data", "")) for b in buttons]
    if not items:
        return text
    return f"{text}\n{_buttons(items, _locale_of(text, default_locale))}"


def image_files(replies: Iterable[Reply]) -> list[str]:
    """Image files among the replies (sent as pictures; other files are named in the text)."""
    return [f for reply in replies for f in reply.files if _is_image(f)]


def split_bytes(text: str, limit: int = PASSIVE_LIMIT) -> list[str]:
    """Parts of at most `limit` UTF-8 bytes, cut at line ends where possible."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if _size(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        current = ""
        while _size(line) > limit:
            head = _cut(line, limit)
            parts.append(head)
            line = line[len(head):]
        current = line
    if current or not parts:
        parts.append(current)
    return parts


def _buttons(items: list[tuple[str, str]], locale: str) -> str:
    """Numbered choices keep their number (the router maps it); others show the words to send."""
    words = [label if label[:1].isdigit() else data for label, data in items]
    return t(locale, "wechat.reply_with", choices=" / ".join(words))


def _locale_of(text: str, default: str) -> str:
    if is_traditional(text):
        return "zh-Hant"
    return "zh-Hans" if _CJK.search(text) else default


def _is_image(path: str) -> bool:
    return path.lower().endswith(_IMAGE_SUFFIXES)


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(line: str, limit: int) -> str:
    """The longest prefix of `line` within `limit` bytes (never splitting a character)."""
    head = line.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
    return head or line[:1]
