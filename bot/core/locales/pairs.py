"""Texts of 互助对子 (merged into the zh-Hans and en catalogues)."""

ZH_HANS: dict[str, str] = {
    "pair.date": "{month}月{day}日",
    "pair.kind.life": "生活帮助",
    "pair.kind.comfort": "精神慰藉",
    "pair.kind.nearby": "就近互助",
    "pair.me_line": "互助对子：{name}，电话 {phone}",
    # 我的对子
    "pair.mine.partner": "您的互助对子是{name}，电话 {phone}。",
    "pair.mine.family": "{member}的互助对子是{name}，电话 {phone}。",
    "pair.mine.none": "您现在还没有互助对子。想有个伴互相照应，可以跟支部书记说，书记会帮您安排。",
    "pair.mine.none_family": "{member}现在还没有互助对子。需要的话，可以跟支部书记说，"
                             "书记会帮忙安排。",
    "pair.mine.never": "你们还没有互助记录。",
    "pair.mine.last": "上次互助：{date}（{kind}）。",
    "pair.mine.hint": "帮了忙就告诉我，例如：今天去看了{name}",
    # 互助: one help recorded
    "pair.contact.no_partner": "您现在还没有互助对子，这次就先不记了。"
                               "想结个对子，可以跟支部书记说。",
    "pair.contact.no_partner_family": "{member}现在还没有互助对子，这次就先不记了。"
                                      "需要的话可以跟支部书记说。",
    "pair.contact.not_partner": "{name}不是您的互助对子（您的对子是{partner}），这次就不记了。"
                                "关心别的同志也很好，谢谢您！",
    "pair.contact.ask": "您为{name}做了什么？直接说就行，例如：去看了她、打了电话、帮她买了菜。",
    "pair.contact.readback": "您{date}{note}（{kind}）。",
    "pair.contact.readback_for": "您{date}为{name}：{note}（{kind}）。",
    "pair.contact.change_kind": "改为{kind}",
    "pair.contact.ok": "记下了，谢谢您对{name}的关心。",
    "pair.contact.gone": "您的互助对子有了变化，这次没有记。有事请找支部书记。",
    "change.ask.pair_contact": "要改哪里？例如：不对，是生活帮助；或者：不对，是昨天。",
    # 对子: an officer's list
    "pair.list.none": "{branch}还没有互助对子。可以这样安排：结对 张三 李四",
    "pair.list.title": "{branch}的互助对子（{n}对）：",
    "pair.list.line": "{mark}{a} — {b}{committee}：{last}",
    "pair.list.mark": "⚠",
    "pair.list.committee": "（支委结对）",
    "pair.list.last": "上次{date}，本月{n}次",
    "pair.list.never": "还没有联系记录",
    "pair.list.silent_note": "⚠ 表示30天以上没有联系，可以打个电话问问。",
    # 结对
    "pair.up.usage": "要给哪两位同志结对？请这样说：结对 张三 李四",
    "pair.up.not_found": "没有找到“{name}”，请核对姓名。",
    "pair.up.none_found": "没有找到要结对的两位同志，请写全名，例如：结对 张三 李四",
    "pair.up.one_found": "只找到了{name}，另一位没有找到。请写全名，例如：结对 {name} 李四",
    "pair.up.ambiguous": "有几位同志都叫“{name}”，请分别写清楚，例如：结对 张三 李四",
    "pair.up.same": "两个名字都是{name}，请写两位不同的同志。",
    "pair.up.already": "{a}和{b}已经是互助对子了。",
    "pair.up.readback": "{a} 和 {b} 结成互助对子。",
    "pair.up.release": "{who}原来的对子{former}将解除。",
    "pair.up.gone": "名单有了变化，这次没有结对。请再说一次。",
    "pair.up.push": "支部为您安排了互助对子：{name}，电话 {phone}。平时多联系，互相照应。",
    "pair.up.released_push": "支部调整了互助对子，您和{name}的对子解除了。有事可以找支部书记。",
    "pair.up.ok": "好了，{a}和{b}结成了互助对子，已经告诉他们两位。",
    "change.ask.pair_up": "要改成哪两位？例如：不对，是孙福海和郑丽华。",
    # the nudge of a silent pair
    "pair.nudge": "好久没和{name}联系了，有空打个电话问个好吧。联系过了就告诉我：给{name}打了电话",
}

EN: dict[str, str] = {
    "pair.date": "{month}/{day}",
    "pair.kind.life": "daily help",
    "pair.kind.comfort": "company and comfort",
    "pair.kind.nearby": "help nearby",
    "pair.me_line": "Mutual-aid partner: {name}, phone {phone}",
    "pair.mine.partner": "Your mutual-aid partner is {name}, phone {phone}.",
    "pair.mine.family": "{member}'s mutual-aid partner is {name}, phone {phone}.",
    "pair.mine.none": "You have no mutual-aid partner yet. If you would like one, tell the branch "
                      "secretary, who will arrange it.",
    "pair.mine.none_family": "{member} has no mutual-aid partner yet. If one would help, tell "
                             "the branch secretary.",
    "pair.mine.never": "No help has been recorded between you yet.",
    "pair.mine.last": "Last time: {date} ({kind}).",
    "pair.mine.hint": "When you help, just tell me, e.g.: visited {name} today",
    "pair.contact.no_partner": "You have no mutual-aid partner yet, so nothing was recorded. "
                               "The branch secretary can arrange one.",
    "pair.contact.no_partner_family": "{member} has no mutual-aid partner yet, so nothing was "
                                      "recorded. The branch secretary can arrange one.",
    "pair.contact.not_partner": "{name} is not your mutual-aid partner (yours is {partner}), so "
                                "nothing was recorded. Caring for others is good too, thank you!",
    "pair.contact.ask": "What did you do for {name}? Just say it, e.g.: visited, phoned, "
                        "bought groceries.",
    "pair.contact.readback": "{date} you: {note} ({kind}).",
    "pair.contact.readback_for": "{date} for {name}: {note} ({kind}).",
    "pair.contact.change_kind": "Change to {kind}",
    "pair.contact.ok": "Recorded. Thank you for caring for {name}.",
    "pair.contact.gone": "Your partner has changed, so nothing was recorded. Please ask the "
                         "branch secretary.",
    "change.ask.pair_contact": "What should change? E.g.: no, it was daily help; or: no, "
                               "yesterday.",
    "pair.list.none": "{branch} has no mutual-aid pairs yet. To pair two members: 结对 A B",
    "pair.list.title": "Mutual-aid pairs of {branch} ({n}):",
    "pair.list.line": "{mark}{a} — {b}{committee}: {last}",
    "pair.list.mark": "⚠",
    "pair.list.committee": " (committee member)",
    "pair.list.last": "last {date}, {n} this month",
    "pair.list.never": "no contact yet",
    "pair.list.silent_note": "⚠ no contact for 30 days or more: a call may help.",
    "pair.up.usage": "Which two members? Say it like this: 结对 A B",
    "pair.up.not_found": "No member called “{name}” was found. Please check the name.",
    "pair.up.none_found": "The two members were not found. Write full names, e.g.: 结对 A B",
    "pair.up.one_found": "Only {name} was found, not the other. Write full names, e.g.: "
                         "结对 {name} B",
    "pair.up.ambiguous": "Several members are called “{name}”; please tell them apart.",
    "pair.up.same": "Both names are {name}; please name two different members.",
    "pair.up.already": "{a} and {b} are already a mutual-aid pair.",
    "pair.up.readback": "{a} and {b} become a mutual-aid pair.",
    "pair.up.release": " {who}'s present partner {former} will be released.",
    "pair.up.gone": "The roster has changed; nothing was paired. Please say it again.",
    "pair.up.push": "The branch has paired you with {name}, phone {phone}. Keep in touch and "
                    "look out for each other.",
    "pair.up.released_push": "The branch has changed the mutual-aid pairs: you and {name} are "
                             "no longer paired. The branch secretary can help with anything.",
    "pair.up.ok": "Done: {a} and {b} are now a mutual-aid pair; both have been told.",
    "change.ask.pair_up": "Which two should it be? E.g.: no, 孙福海 and 郑丽华.",
    "pair.nudge": "It has been a while since you were in touch with {name}. Why not give them "
                  "a call? Afterwards just tell me: phoned {name}",
}
