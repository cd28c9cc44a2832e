"""点赞: one tap on a digest item, or 身边点赞 of a person for a good deed.

`点赞 #15` (the digest's button) likes an accepted piece of the speaker's branch once — a
second tap says so; no read-back, the tap itself is explicit and harmless. `点赞 2` is the
second item of the latest digest. `点赞 王秀英 帮邻居买菜`, `给王秀英点个赞，她帮邻居买菜`
or `點讚 王秀英` praise a person in the speaker's reach: read back, recorded on 确认, and the
person is told who praised them. Nobody praises themself; there are no points or rankings.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from bot.understanding.clean import Cleaned, clean, without_opening
from handlers.common import is_officer, may_handle
from handlers.context import Context
from handlers.delivery.common import month_key
from handlers.flow import Choice, Flow, FlowState
from handlers.people import find_glued
from handlers.sessions import speaker_branch
from handlers.submissions.shared import after_number, short, trimmed
from storage.models import Member
from storage.repo_submissions import Piece

MAX_NOTE = 100  # characters of a deed
_LIKE_WORDS = tuple(sorted((
    "点一个赞", "点一下赞", "点了个赞", "点个赞", "点了赞", "点赞", "赞一个", "赞一下", "夸一夸",
    "夸夸", "表扬一下", "表扬表扬", "要表扬", "表扬"), key=len, reverse=True))
_TO = "给为替向"
_DEED_OPENING = ("因为她", "因为他", "因为", "她", "他", "是")


@dataclass
class PraiseState(FlowState):
    """身边点赞: whom (once found) and for what."""

    flow = "praise"
    to_member: int = 0
    note: str = ""


async def handle_like(ctx: Context, parsed: Parsed) -> list[Reply]:
    """A digest item by its number, or a person by name."""
    raw = ctx.message.button or ctx.message.text or ""
    args = parsed.args.strip()
    if "#" in raw or "＃" in raw or (args and after_number(args)[2] == "" and args[0].isdigit()):
        return [await _like_piece(ctx, args, by_id="#" in raw or "＃" in raw)]
    if ctx.for_family:  # 身边点赞 is the member's own word; a family account may only tap
        return [Reply(ctx.t("like.family", name=ctx.me().name))]
    who, deed = (args, "") if args else _target(ctx.message.text or "")
    if not who:
        return [_ask_who(ctx, PraiseState())]
    return await _found(ctx, PraiseState(), who, deed)


def _target(text: str) -> tuple[str, str]:
    """The words naming whom, and the deed when it came apart from the name: 给王秀英点个赞，
    她帮邻居买菜 → (王秀英, 她帮邻居买菜); 表扬一下王秀英，… → (王秀英，…, "")."""
    said = clean(text)
    found = [(said.simple.find(w), -len(w), w) for w in _LIKE_WORDS if w in said.simple]
    if not found:
        return trimmed(said.typed), ""
    at, _, word = min(found)
    before = said.simple[:at]
    after = trimmed(said.typed[at + len(word):])
    to = max(before.rfind(c) for c in _TO)
    name = trimmed(said.typed[to + 1:at]) if to >= 0 else ""
    return (name, after) if name else (after, "")


def _deed(text: str) -> str:
    """The deed as said, without 她/因为 before it (她帮邻居买菜 → 帮邻居买菜)."""
    return trimmed(without_opening(trimmed(text), *_DEED_OPENING))[:MAX_NOTE]


def _ask_who(ctx: Context, state: PraiseState) -> Reply:
    """给谁点赞？ when no name came with the word."""
    return ctx.ask("who", state, ctx.t("like.ask_who"), [Choice("取消", ctx.t("button.cancel"))])


async def _found(ctx: Context, state: PraiseState, who: str, deed: str) -> list[Reply]:
    """The person the words name (in reach), then the deed or the read-back."""
    found = await find_glued(ctx, who)
    person = found.one
    if person is None:
        shown = short(who.split()[0] if who.split() else who, 8)
        key = "like.several" if found.members else "like.not_found"
        names = "、".join(m.name for m in found.members)
        return [ctx.ask("who", state, ctx.t(key, name=shown, names=names),
                        [Choice("取消", ctx.t("button.cancel"))])]
    if person.id == ctx.me().id:
        ctx.end()
        return [Reply(ctx.t("like.self"))]
    state.to_member = person.id
    state.note = _deed(deed or found.rest)
    if not state.note:
        return [ctx.ask("note", state, ctx.t("like.ask_note", name=person.name),
                        [Choice("跳过", ctx.t("button.skip"))])]
    return [_readback(ctx, state, person)]


def _readback(ctx: Context, state: PraiseState, person: Member) -> Reply:
    """为王秀英点赞：帮邻居买菜。 read back before the person is told."""
    ctx.note_slots(name=person.name, text=state.note)
    key = "like.readback" if state.note else "like.readback_bare"
    return ctx.readback("confirm", state, ctx.t(key, name=person.name, note=state.note))


async def continue_praise(ctx: Context, state: PraiseState,
                          parsed: Parsed) -> list[Reply] | None:
    """Whom, for what, then 确认."""
    assert ctx.conversation is not None
    step = ctx.conversation.step
    typed = (ctx.message.text or "").strip()
    if step == "who" or (step == "note" and parsed.intent is Intent.LIKE):
        who, deed = _target(typed)  # at the deed's question, 给张桂兰点个赞… starts afresh
        return await _found(ctx, PraiseState(), who, deed) if who else None
    person = await ctx.tx.get_member(state.to_member)
    if person is None:
        return None
    if step == "note" or (parsed.intent is None and typed):
        skipped = parsed.intent is Intent.SKIP or ctx.choice == "跳过"
        state.note = "" if skipped else _deed(typed)
        if not skipped and not state.note:
            return None
        return [_readback(ctx, state, person)]
    if parsed.intent is not Intent.CONFIRM:
        return None
    ctx.end()
    return await _record(ctx, state, person)


async def _record(ctx: Context, state: PraiseState, person: Member) -> list[Reply]:
    """The 身边点赞, and the praised person told who praised them."""
    me = ctx.me()
    branch_id = person.branch_id or me.branch_id
    if branch_id is None:
        return [Reply(ctx.t("piece.no_branch"))]
    like_id = await ctx.tx.add_praise(branch_id, me.id, person.id, state.note or None,
                                      month_key(ctx.local()), ctx.now)
    await ctx.tx.audit("praise", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       subject_member_id=person.id, detail={"like": like_id})
    key = "like.told" if state.note else "like.told_bare"
    await ctx.push(person, key, f"praise:{like_id}", "praise", who=me.name, note=state.note)
    return [Reply(ctx.t("like.ok", name=person.name), show_menu=True)]


async def correct_praise(ctx: Context, state: PraiseState,
                         value: Cleaned) -> list[Reply] | None:
    """不对，是… at the read-back: the deed, rewritten."""
    person = await ctx.tx.get_member(state.to_member)
    note = _deed(value.typed)
    if person is None or not note:
        return None
    state.note = note
    return [_readback(ctx, state, person)]


async def _like_piece(ctx: Context, args: str, *, by_id: bool) -> Reply:
    """One like of a digest item: by the piece's id (#15) or its number in the latest digest."""
    number, shown, _ = after_number(args)
    piece = await _piece_by_number(ctx, number or 0, by_id=by_id)
    if piece is None:
        return Reply(ctx.t("like.unknown", id=shown or "?"))
    if piece.member_id == ctx.me().id:
        return Reply(ctx.t("like.own_piece"))
    if not await ctx.tx.like_piece(piece.branch_id, ctx.me().id, piece.id,
                                   month_key(ctx.local()), ctx.now):
        return Reply(ctx.t("like.piece_again"))
    return Reply(ctx.t("like.piece_ok", author=piece.author))


async def _piece_by_number(ctx: Context, number: int, *, by_id: bool) -> Piece | None:
    """The accepted piece meant, if it is of the speaker's branch (an officer's: in reach)."""
    branch = await speaker_branch(ctx)
    if by_id:
        piece = await ctx.tx.get_piece(number) if number else None
    else:
        month = await ctx.tx.latest_digest_month(branch.id) if branch else None
        pieces = await ctx.tx.accepted_pieces(branch.id, month) if branch and month else []
        piece = pieces[number - 1] if 1 <= number <= len(pieces) else None
    if piece is None or piece.status != "accepted" or piece.section == "advice":
        return None
    if is_officer(ctx):
        return piece if await may_handle(ctx.tx, ctx.me(), piece.branch_id) else None
    return piece if branch is not None and piece.branch_id == branch.id else None


INTENTS = {Intent.LIKE: handle_like}
FLOWS = {"praise": Flow(PraiseState, continue_praise, correct_praise)}
