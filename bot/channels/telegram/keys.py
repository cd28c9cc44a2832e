"""What a Telegram update is recorded under: (telegram, chat, update_id), never the id alone.

The router dedupes by (channel, message_id) in the unit of work, so the message id decides
what counts as "the same update again". Telegram numbers updates per bot, but an update id
seen again from another chat (a forged, replayed or mistaken copy) is its own message: keyed by
the id alone it was answered with the first member's "签到成功" and not recorded.
"""

from __future__ import annotations

from telegram import Update


def message_key(chat_id: int, update_id: int) -> str:
    """The message id of update `update_id` from chat `chat_id` (also what pages look up)."""
    return f"{chat_id}:{update_id}"


def update_key(update: Update) -> str | None:
    """The message id an update is recorded under; None when it has no usable id."""
    update_id = update.update_id
    if isinstance(update_id, bool) or not isinstance(update_id, int) or update_id <= 0:
        return None
    chat = update.effective_chat
    user = update.effective_user
    where = chat.id if chat is not None else user.id if user is not None else 0
    return message_key(where, update_id)
