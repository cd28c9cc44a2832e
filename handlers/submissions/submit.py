"""投稿: a member's piece for 我见证 / 我参与 / 我点赞 / 建言献策, read back, then submitted.

`投稿`, `我要投稿`, `我見證`, `我参与了社区的义诊，想写几句`, `我有个建议，活动室太冷`,
`建言献策 活动室太冷`, or a picture with a caption: what the message already says counts
(the column its words name, the text it dictates), and only what is missing is asked —
the column (numbered), the text, and for a picture whether the digest may show it. The
month's 征文主题 goes with every piece but advice. Nothing is recorded before 确认; the
branch's secretaries are then told a piece is waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from bot.understanding.clean import Cleaned, clean, is_separator, without_opening
from bot.understanding.lexicon import lexicon
from handlers.context import Context
from handlers.delivery.common import month_key
from handlers.flow import Choice, Flow, FlowState
from handlers.sessions import speaker_branch
from handlers.submissions.shared import (
    MAX_BODY,
    section_in,
    section_label,
    trimmed,
)
from storage.files import safe_name, save_file

MAX_PHOTO_BYTES = 10 * 1024 * 1024
SECTIONS = ("witness", "join", "praise", "advice")
PHOTO_YES, PHOTO_NO = "照片可以", "照片不要"
# A clause that only announces the piece (投稿, 我有个建议) is not its text; these are cut
# from the start of a clause, and what is left of it (活动室太冷) is the text.
_ANNOUNCING = (
    "我要建言献策", "我想建言献策", "建言献策", "我想提个建议", "我提个建议", "提个建议",
    "我有一个建议", "有一个建议", "我有个建议", "有个建议", "我有建议", "有建议", "提建议",
    "我要投稿", "我想投稿", "想投稿", "要投稿", "投个稿", "投一篇", "投稿", "写稿",
)
# A clause that is only one of these names a column, and is no text either.
_ALONE = ("我见证", "我参与", "我点赞", "见证", "参与", "建议", "我有个想法", "有个想法",
          "我有话说", "想写篇稿子")
# ...and these promise that the text is still to come (想写几句): it is asked for.
_MORE = ("写几句", "说几句", "写点", "写一写", "说一说", "说说", "写写", "讲几句", "讲讲")
_ANSWERS = (Intent.CONFIRM, Intent.CANCEL, Intent.SKIP)
# 投稿 见证 …: a column named first.
_LABELS = {"见证": "witness", "我见证": "witness", "参与": "join", "我参与": "join",
           "点赞": "praise", "我点赞": "praise", "建言献策": "advice", "建议": "advice"}


@dataclass
class SubmitState(FlowState):
    """投稿: the branch, then the column, the text (after what the first message said), the
    photo and whether the digest may show it, and the theme as read back."""

    flow = "submit"
    branch_id: int
    section: str | None = None
    body: str | None = None
    lead: str = ""
    photo: str | None = None
    photo_public: bool | None = None
    theme: str | None = None


async def handle_submit(ctx: Context, parsed: Parsed) -> list[Reply]:
    """Start a piece with whatever the message said; ask only for what is missing."""
    branch = await speaker_branch(ctx)
    if branch is None:
        return [Reply(ctx.t("piece.no_branch"))]
    section, text, more = _said(ctx, parsed)
    state = SubmitState(branch.id, section=section)
    notes = await _take_photo(ctx, state)
    if more:
        state.lead = text[:MAX_BODY]
    elif text:
        if len(text) > MAX_BODY:
            notes.append(ctx.t("piece.too_long", n=MAX_BODY))
        else:
            state.body = text
    return await _next(ctx, state, notes)


def _said(ctx: Context, parsed: Parsed) -> tuple[str | None, str, bool]:
    """The column the words name, the text they said, and whether more was promised."""
    text = ctx.message.text or ""
    args = parsed.args
    # 投稿 见证 … / 建言献策 活动室太冷 (not 我参与了…: a sentence that starts with the word)
    if args and text.rstrip().endswith(args.rstrip()) and args.lstrip()[0] not in "了过":
        head = text.rstrip()[: len(text.rstrip()) - len(args.rstrip())]
        first, _, rest = args.strip().partition(" ")
        named = _LABELS.get(clean(first).simple)
        section = section_in(head) or named
        body, more = _text_of(clean(rest if named else args))
        return section, body, more
    body, more = _text_of(clean(text))
    return _first_section(text), body, more


def _first_section(text: str) -> str | None:
    """The column named first in a sentence (我见证了…采纳建议… is a 见证)."""
    said = clean(text).simple
    found = [(said.find(word), s) for s in SECTIONS for word in _words_of(s) if word in said]
    return min(found)[1] if found else section_in(text)


def _words_of(section: str) -> tuple[str, ...]:
    """The words that name a column inside a sentence (我点赞 only: 点赞 is its own word)."""
    return {"witness": ("见证",), "join": ("参与",), "praise": ("我点赞",),
            "advice": ("建言", "献策", "建议", "意见")}[section]


def _text_of(said: Cleaned) -> tuple[str, bool]:
    """What a message says besides announcing itself, and whether it promised more."""
    spans: list[tuple[int, int]] = []
    start = 0
    for i in range(len(said.simple) + 1):
        if i == len(said.simple) or is_separator(said.simple[i]):
            if i > start:
                spans.append((start, i))
            start = i + 1
    kept: list[tuple[int, int]] = []
    more = False
    particles = lexicon().particles
    for begin, end in spans:
        clause = said.simple[begin:end]
        cut = next((w for w in _ANNOUNCING if clause.startswith(w)), "")
        begin += len(cut)
        bare = clause[len(cut):].rstrip(particles)
        if not bare or bare in _ALONE:
            continue
        if len(bare) <= 8 and any(w in bare for w in _MORE) and any(c in bare for c in "想要"):
            more = True
            continue
        kept.append((begin, end))
    if not kept:
        return "", more
    return trimmed(said.typed[kept[0][0]:kept[-1][1]]), more


async def _take_photo(ctx: Context, state: SubmitState) -> list[str]:
    """A picture sent with the message is kept (by content hash); a note when it is not."""
    attachment = ctx.message.attachment
    if attachment is None:
        return []
    if not attachment.mime.startswith("image/"):
        return [ctx.t("piece.photo_not_image")]
    if len(attachment.data) > MAX_PHOTO_BYTES:
        return [ctx.t("piece.photo_too_big")]
    folder = await ctx.tx.files_dir()
    if folder is None:
        return [ctx.t("piece.photo_not_kept")]
    _, path = await save_file(folder, attachment.data, safe_name(attachment.filename,
                                                                 "piece.jpg"))
    state.photo, state.photo_public = str(path), None
    return [ctx.t("piece.photo_kept")]


async def _next(ctx: Context, state: SubmitState, notes: list[str]) -> list[Reply]:
    """The next question (the column, the text, the photo) or the read-back."""
    first = "".join(f"{note}\n" for note in notes)
    if state.section is None:
        choices = [Choice(s, section_label(ctx, s)) for s in SECTIONS]
        return [ctx.ask("section", state, first + ctx.t("piece.ask_section"), choices)]
    if state.body is None:
        key = "advice.ask_text" if state.section == "advice" else "piece.ask_text"
        return [ctx.ask("body", state, first + ctx.t(key),
                        [Choice("取消", ctx.t("button.cancel"))])]
    if state.photo is not None and state.photo_public is None:
        choices = [Choice(PHOTO_YES, ctx.t("piece.photo_yes")),
                   Choice(PHOTO_NO, ctx.t("piece.photo_no"))]
        return [ctx.ask("photo", state, first + ctx.t("piece.ask_photo"), choices)]
    return [await _readback(ctx, state, first)]


async def _readback(ctx: Context, state: SubmitState, first: str = "") -> Reply:
    """The whole piece read back, with the theme it will carry."""
    assert state.section is not None and state.body is not None
    state.theme = None if state.section == "advice" else await ctx.tx.theme_of(
        state.branch_id, month_key(ctx.local()))
    ctx.note_slots(text=state.body, section=state.section)
    theme = ctx.t("piece.readback_theme", theme=state.theme) if state.theme else ""
    photo = "" if state.photo is None else ctx.t(
        "piece.readback_public" if state.photo_public else "piece.readback_private")
    return ctx.readback("confirm", state, first + ctx.t(
        "piece.readback", section=section_label(ctx, state.section), theme=theme,
        body=state.body, photo=photo))


async def continue_submit(ctx: Context, state: SubmitState,
                          parsed: Parsed) -> list[Reply] | None:
    """The column, the text, the photo's yes or no, then 确认."""
    assert ctx.conversation is not None
    step = ctx.conversation.step
    notes = await _take_photo(ctx, state) if state.photo is None else []
    typed = without_opening(ctx.message.text or "")
    if step == "section":
        section = ctx.choice if ctx.choice in SECTIONS else _first_section(typed)
        answered = section is not None or parsed.intent in _ANSWERS
        text = "" if answered else _text_of(clean(typed))[0]
        if section is None and state.body is None and 4 <= len(text) <= MAX_BODY:
            state.body = text  # the text came before the column: kept, the column asked again
            return [await _again(ctx, state, [*notes, ctx.t("piece.text_kept")])]
        if section is None:
            return [await _again(ctx, state, notes)] if notes else None
        state.section = section
        return await _next(ctx, state, notes)
    if step == "body" and parsed.intent in _ANSWERS:
        return None  # 确认 / 跳过 before any text: the question again
    if step == "body" or (step == "confirm" and parsed.intent is None and typed):
        if step == "confirm":  # the text again, rewritten whole
            state.lead = ""
        return await _body(ctx, state, typed, notes)
    if step == "photo":
        yes = ctx.choice == PHOTO_YES or parsed.intent is Intent.CONFIRM
        if not yes and ctx.choice != PHOTO_NO:
            return None
        state.photo_public = yes
        return await _next(ctx, state, notes)
    if notes:  # a picture at the read-back: ask whether the digest may show it
        return await _next(ctx, state, notes)
    if parsed.intent is not Intent.CONFIRM or state.body is None or state.section is None:
        return None
    ctx.end()
    return await _record(ctx, state)


async def _again(ctx: Context, state: SubmitState, notes: list[str]) -> Reply:
    """The column question again after a picture came instead of an answer."""
    return (await _next(ctx, state, notes))[0]


async def _body(ctx: Context, state: SubmitState, typed: str,
                notes: list[str]) -> list[Reply] | None:
    """The text typed at the question (or at the read-back: the text again, rewritten)."""
    text = _text_of(clean(typed))[0]  # 投稿 said again, or 我想说几句, is no text yet
    if not text:
        return await _next(ctx, state, notes) if notes else None
    if state.lead:
        text = f"{state.lead}。{text}"
    if len(text) > MAX_BODY:
        state.body = None
        return await _next(ctx, state, [*notes, ctx.t("piece.too_long", n=MAX_BODY)])
    state.body = text
    return await _next(ctx, state, notes)


async def _record(ctx: Context, state: SubmitState) -> list[Reply]:
    """The piece, and a word to the branch's secretaries that it is waiting."""
    assert state.section is not None and state.body is not None
    me = ctx.me()
    piece_id = await ctx.tx.add_submission(
        state.branch_id, me.id, state.section, state.body, month_key(ctx.local()), ctx.now,
        theme=state.theme, photo=state.photo, photo_public=bool(state.photo_public))
    await ctx.tx.audit("piece_submit", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       subject_member_id=me.id,
                       detail={"piece": piece_id, "section": state.section})
    for officer in await ctx.tx.officers(state.branch_id, "secretary"):
        if officer.id != me.id:
            await ctx.push(officer, "piece.new_for_officer", f"piece:{piece_id}:new:{officer.id}",
                           "piece_notice")
    key = "advice.ok" if state.section == "advice" else "piece.ok"
    return [Reply(ctx.t(key), show_menu=True)]


async def correct_submit(ctx: Context, state: SubmitState,
                         value: Cleaned) -> list[Reply] | None:
    """不对，是参与 (the column) or 不对，是… (the text, rewritten) at the read-back."""
    named = _LABELS.get(value.simple.rstrip(lexicon().particles))
    if named is not None:
        state.section = named
        return await _next(ctx, state, [])
    text = trimmed(value.typed)
    if not text or len(text) > MAX_BODY:
        return None
    state.body, state.lead = text, ""
    return await _next(ctx, state, [])


INTENTS = {Intent.SUBMIT: handle_submit}
FLOWS = {"submit": Flow(SubmitState, continue_submit, correct_submit)}
