"""Where each message goes: an open conversation, a paused one, a guess to ask back, a word.

This is the one understanding layer every flow goes through. A sentence, a dictated phrase,
a typed choice label or a homophone name reaches the same handler as the exact word; nothing
is recorded from a guess without the member's yes; a late answer never starts something else.
"""

from __future__ import annotations

from typing import Any

from bot.core.messages import Reply
from bot.understanding import Intent, Parsed, keyword, menu_intent
from bot.understanding.sentence import understand
from handlers.common import is_officer, not_understood, officer_only
from handlers.context import Context, Handler
from handlers.dialogue import contact, guess, pause
from handlers.dialogue.conversation import continue_conversation
from handlers.flow import Flow
from handlers.permissions import may_use

_ANSWER_WORDS = {Intent.CONFIRM, Intent.CANCEL, Intent.SKIP}

INTENTS: dict[Intent, Handler] = {**contact.INTENTS}


async def respond(ctx: Context, intents: dict[Intent, Handler],
                  flows: dict[str, Flow[Any]]) -> list[Reply]:
    """Answer a bound member's message."""
    said = ctx.message.button or ctx.message.text or ""
    parsed = understand(said, officer=is_officer(ctx))
    if ctx.conversation is not None:
        replies = await continue_conversation(ctx, parsed, flows, intents)
        if replies is not None:
            return replies
        parsed = understand(said, officer=is_officer(ctx))
    elif ctx.paused is not None:
        replies = await pause.after_pause(ctx, parsed, flows)
        if replies is not None:
            return replies
    return await handle_word(ctx, parsed, intents)


async def handle_word(ctx: Context, parsed: Parsed, intents: dict[Intent, Handler]) -> list[Reply]:
    """A message outside any conversation: a word, a sentence, a menu number."""
    intent = parsed.intent
    picture = ctx.message.attachment
    if picture is not None and picture.mime.startswith("image/") and not is_officer(ctx) and (
            intent is not Intent.SUBMIT):  # a member's photo, captioned or not, is a 投稿 (#17)
        intent = Intent.SUBMIT
        parsed = Parsed(intent, "", None)
    if intent is None and parsed.number is not None:
        intent = menu_intent(parsed.number, is_officer(ctx))
        parsed = Parsed(intent, "", parsed.number)
    if intent in _ANSWER_WORDS:
        ctx.note("none")
        return [Reply(ctx.t("nothing_to_confirm"), show_menu=True, stale=True)]
    handler = intents.get(intent) if intent else None
    if handler is None:
        ctx.note("none")
        if parsed.not_yet:
            return [Reply(ctx.t("understand.not_yet"))]
        return await contact.lost(ctx) or not_understood(ctx)
    assert intent is not None
    ctx.note("help" if intent is Intent.MENU else intent.value, **dict(parsed.slots))
    if not may_use(ctx, intent):  # handlers/permissions.py: the one table of who may do what
        await ctx.tx.audit("word_denied", ctx.now, actor_member_id=ctx.me().id, actor=ctx.actor,
                           detail={"word": intent.value})
        if is_officer(ctx):  # an officer's word of another role (指导 for a secretary)
            return [Reply(ctx.t("word.not_for_role", word=keyword(intent)))]
        return officer_only(ctx)
    if not parsed.sure:
        return guess.ask(ctx, parsed)
    return await handler(ctx, parsed)
