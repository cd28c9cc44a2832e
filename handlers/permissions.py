"""Who may use which word, and over whom: the one table (docs/security.md is drawn from it).

Every word reaches its handler through one gate (handlers.dialogue.handle_word →
`may_use`): a role whose cell is NO gets the short "secretaries only" answer and nothing
else happens. The reach of an allowed cell is enforced where the target is found:
`handlers.people` looks names up only within the speaker's reach, and
`handlers.care.alerts.may_handle` decides over a task's or a delivery's branch; a number or a
name out of reach reads exactly like one that does not exist, so neither can be probed.
tests/test_permissions.py drives every cell through the real router.
"""

from __future__ import annotations

from enum import StrEnum

from bot.understanding import Intent, keyword
from handlers.context import Context


class Role(StrEnum):
    """Who is speaking. A family member speaks for the member who invited them."""

    STRANGER = "stranger"  # a chat account not bound to anyone: only a binding code works
    FAMILY = "family"
    MEMBER = "member"
    SECRETARY = "secretary"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


class Reach(StrEnum):
    """Over whom an allowed word acts."""

    NO = "—"
    SELF = "self"  # the speaker's own record (a family member: their member's)
    BRANCH = "own branch"  # the speaker, their pair partner, members of their own branch
    ASSIGNED = "assigned"  # what was given to them (a delivery they carry)
    OVERSEEN = "overseen"  # branches the speaker oversees: a secretary's own, an instructor's
    ALL = "all"  # every branch


_OFFICERS = (Role.SECRETARY, Role.INSTRUCTOR)


def _row(family: Reach, member: Reach, officers: Reach, admin: Reach) -> dict[Role, Reach]:
    return {Role.STRANGER: Reach.NO, Role.FAMILY: family, Role.MEMBER: member,
            **dict.fromkeys(_OFFICERS, officers), Role.ADMIN: admin}


_S, _N = Reach.SELF, Reach.NO
_OFFICER_WORD = _row(_N, _N, Reach.OVERSEEN, Reach.ALL)
# 代签 and 邀请 act on the study day and roster of the speaker's own branch: secretaries only
# (an instructor or admin uses `zhibu invite`; naming a branch in chat is issue #16's work).
_SECRETARY_WORD = {**_row(_N, _N, Reach.OVERSEEN, _N), Role.INSTRUCTOR: _N}

PERMISSIONS: dict[Intent, dict[Role, Reach]] = {
    Intent.CHECKIN: _row(_S, _S, _S, _S),
    Intent.LEAVE: _row(_S, _S, _S, _S),
    Intent.NEXT: _row(_S, _S, _S, _S),
    Intent.ME: _row(_S, _S, _S, _S),
    Intent.MATERIAL: _row(_S, _S, _S, _S),  # reading; 资料 发布 is PUBLISH below
    Intent.DELIVERY: _row(_S, _S, _S, _S),
    Intent.RECEIVED: _row(_S, _S, _S, _S),
    Intent.HELP: _row(_S, _S, _S, _S),
    Intent.MENU: _row(_S, _S, _S, _S),
    Intent.CONTACT: _row(_S, _S, _S, _S),
    Intent.CALLBACK: _row(_S, _S, _S, _S),
    Intent.HOSPITAL: _row(_S, Reach.BRANCH, Reach.OVERSEEN, Reach.ALL),
    Intent.DISCHARGE: _row(_S, Reach.BRANCH, Reach.OVERSEEN, Reach.ALL),
    Intent.HARDSHIP: _row(_S, _S, Reach.OVERSEEN, Reach.ALL),
    Intent.DELIVERED: _row(_N, Reach.ASSIGNED, Reach.OVERSEEN, Reach.ALL),
    Intent.VISITS: _OFFICER_WORD,
    Intent.DELIVERIES: _OFFICER_WORD,
    Intent.ATTENDANCE: _OFFICER_WORD,
    Intent.PROXY: _SECRETARY_WORD,
    Intent.BROADCAST: _OFFICER_WORD,
    Intent.REPORT: _OFFICER_WORD,
    Intent.INVITE: _SECRETARY_WORD,
    Intent.WORRY: _OFFICER_WORD,
    Intent.DEATH: _OFFICER_WORD,
    Intent.ACCEPT: _OFFICER_WORD,
    Intent.VISITED: _OFFICER_WORD,
    Intent.ADOPT: _OFFICER_WORD,
    # 指导: a guidance visit is the instructor's own record (an admin may write one too)
    Intent.GUIDANCE: {**_row(_N, _N, Reach.OVERSEEN, Reach.ALL), Role.SECRETARY: _N},
    Intent.MEETING: _OFFICER_WORD,
    Intent.RESCHEDULE: _OFFICER_WORD,
    # Branch life (#17). A member's 对子, 活动, 稿件, 征文主题 and 简报 show their own (or the
    # published); creating, reviewing, pairing and recording hours are officers' work.
    Intent.MY_PAIR: _row(_S, _S, _S, _S),
    Intent.PAIRS: _row(_S, _S, Reach.OVERSEEN, Reach.ALL),
    Intent.PAIR_UP: _OFFICER_WORD,
    Intent.PAIR_CONTACT: _row(_S, _S, _S, _S),
    Intent.ACTIVITY: _row(_S, _S, Reach.OVERSEEN, Reach.ALL),
    Intent.ACTIVITIES: _row(_S, _S, _S, _S),
    Intent.SIGNUP: _row(_S, _S, _S, _S),
    Intent.UNSIGN: _row(_S, _S, _S, _S),
    Intent.HOURS: _OFFICER_WORD,
    Intent.JOIN_GROUP: _row(_S, _S, _S, _S),
    Intent.QUIT_GROUP: _row(_S, _S, _S, _S),
    Intent.SUBMIT: _row(_S, _S, _S, _S),
    Intent.PIECES: _row(_S, _S, Reach.OVERSEEN, Reach.ALL),
    Intent.THEME: _row(_S, _S, Reach.OVERSEEN, Reach.ALL),
    Intent.DIGEST: _row(_S, _S, Reach.OVERSEEN, Reach.ALL),
    Intent.LIKE: _row(_S, Reach.BRANCH, Reach.OVERSEEN, Reach.ALL),
    Intent.ANSWER: _OFFICER_WORD,
}
PUBLISH = _OFFICER_WORD  # 资料 发布 (and a file sent by an officer)
# Answers inside a conversation (确认, 取消, 跳过) belong to whoever started it.
ANSWERS = (Intent.CONFIRM, Intent.CANCEL, Intent.SKIP)


def role_of(ctx: Context) -> Role:
    """The speaker's role as the table knows it."""
    if ctx.member is None:
        return Role.STRANGER
    if ctx.for_family:
        return Role.FAMILY
    return Role(ctx.member.role)


def may_use(ctx: Context, intent: Intent) -> bool:
    """Whether the speaker may use the word at all (its reach is checked on the target)."""
    cells = PERMISSIONS.get(intent)
    return cells is not None and cells[role_of(ctx)] is not Reach.NO


def table_markdown() -> str:
    """The table as docs/security.md shows it."""
    roles = [r for r in Role if r is not Role.STRANGER]
    lines = ["| word | " + " | ".join(r.value for r in roles) + " |",
             "|---|" + "---|" * len(roles)]
    for intent, cells in PERMISSIONS.items():
        lines.append(f"| {keyword(intent)} | " + " | ".join(cells[r].value for r in roles) + " |")
    lines.append("| 资料 发布 | " + " | ".join(PUBLISH[r].value for r in roles) + " |")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m handlers.permissions: the table for docs/security.md
    print(table_markdown())
