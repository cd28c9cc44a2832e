"""今天去看了张桂兰 / 给张桂兰打了电话 / 帮她买了药: a member records help to their partner.

One sentence says it all: whom (the partner, named or 她/他 or nobody), what (the member's own
words, kept as the note), which form of help (guessed from the verbs) and which day (今天,
昨天, 前天; today when unsaid). It is read back — 您今天去看了张桂兰（精神慰藉）— and recorded
only on 确认; the form can be changed with a button or 不对，是生活帮助. Naming someone who is
not the partner records nothing and says so kindly. The partner is not told.

An officer paired with a member who says 今天去看了张桂兰 is first heard as 已走访 (a 五必访
visit); `visited_partner` takes the sentence over when there is no visit task for the partner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from bot.understanding import slots as find
from bot.understanding.clean import Cleaned, clean
from bot.understanding.lexicon import lexicon
from handlers.care.alerts import day_words
from handlers.common import is_officer
from handlers.context import Context
from handlers.flow import Choice, Flow, FlowState
from handlers.pairs.common import kind_words, partner_of
from handlers.pairs.kinds import KINDS, guess_kind, kind_named
from handlers.pairs.names import Named, names_in
from storage.models import Member

MAX_NOTE = 200  # characters
_WORDS = ("互助记录", "帮扶记录", "互助")  # the word itself, when it leads the sentence
_PRONOUNS = ("她", "他")
_DAYS = {"today": 0, "yesterday": 1, "day_before": 2}
_KIND_CHOICE = "kind:"


@dataclass
class PairContactState(FlowState):
    """互助: the partner helped, the day, the member's words and the form of help."""

    flow = "pair_contact"
    partner: int
    day: str = ""
    note: str = ""
    kind: str = "comfort"


async def handle_pair_contact(ctx: Context, parsed: Parsed) -> list[Reply]:
    """Read the sentence back for 确认, or ask what was done when only the word was said."""
    partner = await partner_of(ctx.tx, ctx.me())
    if partner is None:
        key = "pair.contact.no_partner_family" if ctx.for_family else "pair.contact.no_partner"
        return [Reply(ctx.t(key, member=ctx.me().name))]
    state = PairContactState(partner.id, day=ctx.local().date().isoformat())
    said = ctx.message.text or parsed.args
    return await _heard(ctx, state, partner, said) or [_ask(ctx, state, partner)]


async def _heard(ctx: Context, state: PairContactState, partner: Member,
                 text: str) -> list[Reply] | None:
    """The read-back of what a sentence says (None: it says nothing beyond the word)."""
    names = await names_in(ctx, text, partner)
    other = _someone_else(ctx, names, partner)
    if other is not None:
        ctx.end()
        return [Reply(ctx.t("pair.contact.not_partner", name=other.name, partner=partner.name))]
    said = clean(text)
    note = _note(said, names, partner)
    if not note.replace(partner.name, "").strip("，,。 "):  # 互助 张桂兰: but what was done?
        return None
    day = find.day(said)
    if day is not None:
        state.day = (ctx.local().date() - timedelta(days=_DAYS[day])).isoformat()
        ctx.note_slots(day=day)
    state.note = note
    state.kind = guess_kind(text)
    return [_readback(ctx, state, partner)]


def _names_partner(named: Named, partner: Member) -> bool:
    return any(m.id == partner.id for m in named.members)


def _someone_else(ctx: Context, names: list[Named], partner: Member) -> Member | None:
    """The first person named who is neither the partner nor the speaker."""
    if any(_names_partner(n, partner) for n in names):
        return None
    me = ctx.me()
    for named in names:
        if all(m.id != me.id for m in named.members):
            return named.members[0]
    return None


def _note(said: Cleaned, names: list[Named], partner: Member) -> str:
    """The member's words without the word 互助, the day and a leading 我; the partner's name
    as the roster writes it (for 张桂蓝 or 她)."""
    typed, simple = said.typed, said.simple
    for word in _WORDS:
        if simple.startswith(word):
            typed, simple = typed[len(word):], simple[len(word):]
            break
    for word in sorted(_day_words(), key=len, reverse=True):
        at = simple.find(word)
        while at >= 0:
            end = at + len(word)
            typed, simple = typed[:at] + typed[end:], simple[:at] + simple[end:]
            at = simple.find(word)
    for named in names:
        if _names_partner(named, partner):
            typed = typed.replace(named.said, partner.name)
    typed = typed.strip("，,。.！!？? ：:")
    if typed.startswith(("我", "俺")) and len(typed) > 2:
        typed = typed[1:].lstrip("，, ")
    if partner.name not in typed:
        for pronoun in _PRONOUNS:
            if pronoun in typed:
                typed = typed.replace(pronoun, partner.name, 1)
                break
    return typed.strip()[:MAX_NOTE]


def _day_words() -> tuple[str, ...]:
    return tuple(w for words in lexicon().time_words.values() for w in words)


def _ask(ctx: Context, state: PairContactState, partner: Member) -> Reply:
    return ctx.ask("what", state, ctx.t("pair.contact.ask", name=partner.name),
                   [Choice("取消", ctx.t("button.cancel"))])


def _readback(ctx: Context, state: PairContactState, partner: Member) -> Reply:
    ctx.note_slots(kind=state.kind)
    day = day_words(ctx.locale, date.fromisoformat(state.day), ctx.local().date())
    key = "pair.contact.readback" if partner.name in state.note else "pair.contact.readback_for"
    text = ctx.t(key, date=day, note=state.note, name=partner.name,
                 kind=kind_words(ctx, state.kind))
    others = [Choice(f"{_KIND_CHOICE}{k}", ctx.t("pair.contact.change_kind",
                                                 kind=kind_words(ctx, k)))
              for k in KINDS if k != state.kind]
    return ctx.ask("confirm", state, f"{text}\n{ctx.t('confirm.question')}",
                   [*ctx.yes_no(), *others])


async def continue_pair_contact(ctx: Context, state: PairContactState,
                                parsed: Parsed) -> list[Reply] | None:
    """What was done (at the question), another form (at the read-back), then 确认."""
    assert ctx.conversation is not None
    partner = await ctx.tx.get_member(state.partner)
    if partner is None:
        ctx.end()
        return [Reply(ctx.t("pair.contact.gone"))]
    text = (ctx.message.text or "").strip()
    if ctx.conversation.step == "what":
        return await _heard(ctx, state, partner, text) if text else None
    if ctx.choice and ctx.choice.startswith(_KIND_CHOICE):
        state.kind = ctx.choice.removeprefix(_KIND_CHOICE)
        return [_readback(ctx, state, partner)]
    if parsed.intent is not Intent.CONFIRM:
        kind = kind_named(text) if text else None
        if kind is None:
            return None
        state.kind = kind
        return [_readback(ctx, state, partner)]
    ctx.end()
    return await _record(ctx, state, partner)


async def correct_pair_contact(ctx: Context, state: PairContactState,
                               value: Cleaned) -> list[Reply] | None:
    """不对，是生活帮助 (the form), 不对，是昨天 (the day), or what was done, said again."""
    partner = await ctx.tx.get_member(state.partner)
    if partner is None:
        return None
    kind = kind_named(value.typed)
    day = find.day(value)
    if kind is not None:
        state.kind = kind
    if day is not None:
        state.day = (ctx.local().date() - timedelta(days=_DAYS[day])).isoformat()
    if kind is not None or day is not None:
        return [_readback(ctx, state, partner)]
    if not value.typed:
        return None
    return await _heard(ctx, state, partner, value.typed)


async def _record(ctx: Context, state: PairContactState, partner: Member) -> list[Reply]:
    """The contact, in the helper's branch and the month of its day."""
    me = ctx.me()
    still = partner.status == "active" and me.pair_member_id == partner.id
    branch_id = me.branch_id or partner.branch_id
    if not still or branch_id is None or state.kind not in KINDS:
        return [Reply(ctx.t("pair.contact.gone"))]
    contact = await ctx.tx.add_pair_contact(branch_id, me.id, partner.id, state.kind,
                                            state.note, state.day, state.day[:7], ctx.now)
    await ctx.tx.audit("pair_contact", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       subject_member_id=partner.id, detail={"contact": contact})
    return [Reply(ctx.t("pair.contact.ok", name=partner.name), show_menu=True)]


async def visited_partner(ctx: Context, parsed: Parsed) -> list[Reply] | None:
    """An officer's 今天去看了张桂兰 heard as 已走访: their pair contact when 张桂兰 is their
    partner and no visit task is open for her (None: it stays a 五必访 visit)."""
    if not is_officer(ctx):
        return None
    partner = await partner_of(ctx.tx, ctx.me())
    if partner is None:
        return None
    text = ctx.message.text or ""
    names = await names_in(ctx, text, partner)
    if _someone_else(ctx, names, partner) is not None:
        return None
    if not any(_names_partner(n, partner) for n in names) and not any(
            p in text for p in _PRONOUNS):
        return None
    branch_ids = [partner.branch_id] if partner.branch_id is not None else None
    if any(task.member_id == partner.id for task in await ctx.tx.tasks(branch_ids)):
        return None
    return await handle_pair_contact(ctx, parsed)


FLOW = Flow(PairContactState, continue_pair_contact, correct_pair_contact)
