"""Finding the member a command line names by phone: the one helper every command uses."""

from __future__ import annotations

from bot.cli.errors import CommandError
from bot.core.phone import normalize_phone
from storage import Tx
from storage.models import Member


def phone_arg(raw: str) -> str:
    """A phone given on the command line, normalised (or a one-line error)."""
    phone = normalize_phone(raw)
    if phone is None:
        raise CommandError(f"手机号无效：{raw}")
    return phone


async def member_by_phone(tx: Tx, phone: str) -> Member:
    """The roster member with that phone (or a one-line error)."""
    member = await tx.find_member_by_phone(phone)
    if member is None:
        raise CommandError(f"名单上没有手机号 {phone}，请先导入名单。")
    return member
