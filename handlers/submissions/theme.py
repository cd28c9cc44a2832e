"""征文主题: an officer sets the month's theme for their branch; everyone else asks what it is.

`征文主题 我眼中的新变化` (or 这个月主题定为…) from an officer: read back, then set (a second
one replaces the first); every piece but advice sent that month carries it. `征文主题` alone,
or 主题是什么, shows the theme of the speaker's branch, or that there is none yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from bot.understanding.clean import Cleaned, clean
from handlers.common import is_officer
from handlers.context import Context
from handlers.delivery.common import month_key, month_words
from handlers.flow import Flow, FlowState
from handlers.officers.branch_scope import officer_branch
from handlers.sessions import speaker_branch
from handlers.submissions.shared import trimmed

MAX_THEME = 50  # characters
# Where a dictated sentence's theme starts: after the last of these.
_MARKERS = ("征文主题", "本月主题", "这个月主题", "主题定为", "主题定成", "主题改成", "主题是",
            "主题为", "主题")
_ASKING = ("什么", "吗", "?", "？", "哪个", "多少")
_OPENING = "是为：:，, "


@dataclass
class ThemeState(FlowState):
    """征文主题: the branch, its month and the theme to set."""

    flow = "theme"
    branch_id: int
    month: str
    theme: str = ""


def said_theme(text: str, *, sentence: bool = True) -> str:
    """The theme a message gives (empty when it only asks what the theme is); in a
    sentence, what follows the last 主题 word (这个月主题定为… → …)."""
    said = clean(text)
    theme = said.typed
    if sentence:
        ends = [said.simple.rfind(m) + len(m) for m in _MARKERS if m in said.simple]
        theme = said.typed[max(ends):].lstrip(_OPENING) if ends else theme
    theme = trimmed(theme).strip("“”\"《》「」")
    if any(word in theme for word in _ASKING) or not theme:
        return ""
    return theme


async def handle_theme(ctx: Context, parsed: Parsed) -> list[Reply]:
    """An officer with a theme sets it (read back); otherwise the current theme is shown."""
    theme = said_theme(parsed.args, sentence=False) if parsed.args else said_theme(
        ctx.message.text or "")
    if not is_officer(ctx):
        branch = await speaker_branch(ctx)
        if branch is None:
            return [Reply(ctx.t("theme.none"))]
        return [await _show(ctx, branch.id, officer=False)]
    scoped = await officer_branch(ctx, parsed.args if parsed.args else theme, action="theme",
                                  word="征文主题", intent=Intent.THEME)
    if scoped.branch is None:
        return scoped.refusal
    theme = said_theme(scoped.rest, sentence=False) if scoped.rest else ""
    if not theme:
        return [await _show(ctx, scoped.branch.id, officer=True)]
    if len(theme) > MAX_THEME:
        return [Reply(ctx.t("theme.too_long", n=MAX_THEME))]
    state = ThemeState(scoped.branch.id, month_key(ctx.local()))
    return [_readback(ctx, state, scoped.branch.name, theme)]


async def _show(ctx: Context, branch_id: int, *, officer: bool) -> Reply:
    """The month's theme, or none yet (an officer is told how to set one)."""
    month = month_key(ctx.local())
    theme = await ctx.tx.theme_of(branch_id, month)
    words = month_words(ctx.locale, month)
    if theme is None:
        return Reply(ctx.t("theme.none_officer" if officer else "theme.none", month=words))
    return Reply(ctx.t("theme.show", month=words, theme=theme))


def _readback(ctx: Context, state: ThemeState, branch: str, theme: str) -> Reply:
    """The theme read back before it is set for the whole branch."""
    state.theme = theme
    ctx.note_slots(text=theme)
    return ctx.readback("confirm", state, ctx.t(
        "theme.readback", branch=branch, month=month_words(ctx.locale, state.month),
        theme=theme))


async def continue_theme(ctx: Context, state: ThemeState,
                         parsed: Parsed) -> list[Reply] | None:
    """确认 sets the theme; other words typed at the read-back are the theme, rewritten."""
    branch = await ctx.tx.get_branch(state.branch_id)
    if branch is None:
        return None
    typed = said_theme(ctx.message.text or "", sentence=False) if parsed.intent is None else ""
    if typed:
        return [_readback(ctx, state, branch.name, typed[:MAX_THEME])]
    if parsed.intent is not Intent.CONFIRM or not state.theme:
        return None
    ctx.end()
    me = ctx.me()
    await ctx.tx.set_theme(branch.id, state.month, state.theme, me.id)
    await ctx.tx.audit("theme_set", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       detail={"branch": branch.id, "month": state.month})
    return [Reply(ctx.t("theme.ok", branch=branch.name, theme=state.theme))]


async def correct_theme(ctx: Context, state: ThemeState, value: Cleaned) -> list[Reply] | None:
    """不对，是… at the read-back: the theme, rewritten."""
    branch = await ctx.tx.get_branch(state.branch_id)
    theme = said_theme(value.typed, sentence=False)
    if branch is None or not theme:
        return None
    return [_readback(ctx, state, branch.name, theme[:MAX_THEME])]


INTENTS = {Intent.THEME: handle_theme}
FLOWS = {"theme": Flow(ThemeState, continue_theme, correct_theme)}
