"""Logging for the zhibu command: how much, and never a secret or a member's words.

    zhibu run          warnings and errors
    zhibu -v run       zhibu's own INFO lines (ids, counts, states: no names or text)
    zhibu -vv run      everything, libraries' DEBUG included (python-telegram-bot logs
                       whole updates and request URLs that carry the bot token), except
                       aiosqlite's statements with their parameters

At every level each line passes through `redact`: bot tokens, URL secrets, phone numbers,
eight-digit binding codes and message texts (JSON "text"/"caption", WeChat <Content>) are
masked before anything is written. Tracebacks are masked too.
"""

from __future__ import annotations

import logging
import re

OWN = ("bot", "handlers", "schedules", "storage", "zhibu", "__main__")
_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Telegram bot tokens, alone or inside a URL (…/bot123456:AAE…/getUpdates).
    (re.compile(r"(?<!\d)\d{3,}:[A-Za-z0-9_-]{10,}"), "<token>"),
    # Secrets in query strings and key=value pairs.
    (re.compile(r"(?i)\b(access_token|secret|appsecret|secret_token|token|aes_key|"
                r"encodingaeskey|msg_signature|signature)=([^&\s'\"]+)"), r"\1=<hidden>"),
    # Message texts in JSON (PTB's update dumps), reprs and WeChat XML.
    (re.compile(r"""(["'](?:text|caption|phone_number|first_name|last_name|username)["']"""
                r"""\s*:\s*)(["'])(?:\\.|(?!\2).)*\2"""), r"\1\2<hidden>\2"),
    (re.compile(r"\b(text|caption|first_name|last_name|username|phone_number|title)="
                r"(['\"])(?:\\.|(?!\2).)*\2"), r"\1=\2<hidden>\2"),
    (re.compile(r"<Content>.*?</Content>", re.S), "<Content><hidden></Content>"),
    # Mainland mobile numbers (with or without +86) and eight-digit binding codes.
    (re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)"), "<phone>"),
    (re.compile(r"(?<![\d.:-])\d{4} ?\d{4}(?![\d.:-])"), "<code>"),
)


_SECRETS: set[str] = set()


def hide(*secrets: str | None) -> None:
    """Mask these exact values too (the configuration's tokens, secrets and keys)."""
    _SECRETS.update(s for s in secrets if s and len(s) >= 4)


def redact(text: str) -> str:
    """The text with secrets and personal data masked."""
    for secret in _SECRETS:
        text = text.replace(secret, "<hidden>")
    for pattern, mask in _MASKS:
        text = pattern.sub(mask, text)
    return text


class RedactingFormatter(logging.Formatter):
    """A formatter whose whole output (message, arguments, traceback) is redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure(verbosity: int) -> None:
    """Set up the root handler for `zhibu` with -v counted (0, 1, 2 or more)."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbosity >= 2 else logging.WARNING)
    if verbosity == 1:
        for name in OWN:
            logging.getLogger(name).setLevel(logging.INFO)
    if verbosity < 2:
        # httpx logs each request URL at INFO, and a Telegram URL carries the token.
        logging.getLogger("httpx").setLevel(logging.WARNING)
    # aiosqlite's DEBUG lines are SQL statements with their parameters: members' data.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
