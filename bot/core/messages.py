"""The channel-agnostic message types: what every adapter translates to and from."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class Attachment:
    """A file someone sent (a document or a picture), already fetched by the channel."""

    filename: str
    mime: str
    data: bytes = field(repr=False)


def valid_text(value: str) -> str:
    """The text with every lone surrogate (JSON allows \\ud800) replaced by U+FFFD, so that
    it can be stored and sent; a surrogate pair becomes the character it encodes."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


@dataclass(frozen=True)
class InboundMessage:
    """One thing a person sent, normalised by its channel adapter.

    Whatever an adapter passes in, the text fields come out encodable (valid_text).
    """

    channel: str
    sender: str
    message_id: str
    received_at: datetime
    text: str | None = None
    button: str | None = None
    contact_phone: str | None = None
    contact_verified: bool = False
    chat_kind: Literal["private", "group"] = "private"
    display_name: str | None = None
    attachment: Attachment | None = None  # a file sent with the message; its caption is text

    def __post_init__(self) -> None:
        for name in ("sender", "message_id", "text", "button", "contact_phone", "display_name"):
            value = getattr(self, name)
            if value is not None and (valid := valid_text(value)) is not value:
                object.__setattr__(self, name, valid)


@dataclass(frozen=True)
class Button:
    """A choice shown under a reply; pressing it sends `data` back as InboundMessage.button."""

    label: str
    data: str


@dataclass(frozen=True)
class Reply:
    """One message back to the sender."""

    text: str
    buttons: tuple[Button, ...] = ()
    show_menu: bool = False
    ask_contact: bool = False
    files: tuple[str, ...] = field(default_factory=tuple)
    stale: bool = False  # a button pressed after its question was settled: "已处理"


def dump_replies(replies: list[Reply]) -> str:
    """Serialise replies (stored so a redelivered message gets the same answer).

    By hand rather than dataclasses.asdict, which deep-copies every field: 30 µs a message,
    a sixth of all the core's work on a check-in.
    """
    return json.dumps([{
        "text": r.text,
        "buttons": [{"label": b.label, "data": b.data} for b in r.buttons],
        "show_menu": r.show_menu,
        "ask_contact": r.ask_contact,
        "files": list(r.files),
        "stale": r.stale,
    } for r in replies], ensure_ascii=False)


def load_replies(text: str) -> list[Reply]:
    """Read replies written by dump_replies."""
    out = []
    for item in json.loads(text):
        buttons = tuple(Button(**b) for b in item.pop("buttons"))
        files = tuple(item.pop("files", ()))
        out.append(Reply(buttons=buttons, files=files, **item))
    return out
