"""互助对子: who my partner is, help recorded in one sentence, the branch's pairs (issue #17).

我的对子 (mine), 互助 / 今天去看了张桂兰 (contact), 对子 for officers (listing), 结对 (pair_up);
the daily nudge of silent pairs is `handlers.pairs.jobs.PairJobs`. 我的 shows the partner
through `common.partner_line`; an officer's 已走访 of their own partner comes here through
`contact.visited_partner`.
"""

from __future__ import annotations

from typing import Any

from bot.understanding import Intent
from handlers.context import Handler
from handlers.flow import Flow
from handlers.pairs import contact, listing, mine, pair_up

INTENTS: dict[Intent, Handler] = {
    Intent.MY_PAIR: mine.handle_my_pair,
    Intent.PAIRS: listing.handle_pairs,
    Intent.PAIR_UP: pair_up.handle_pair_up,
    Intent.PAIR_CONTACT: contact.handle_pair_contact,
}
FLOWS: dict[str, Flow[Any]] = {
    "pair_contact": contact.FLOW,
    "pair_up": pair_up.FLOW,
}
