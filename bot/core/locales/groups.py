"""Texts of interest groups (merged into the zh-Hans and en catalogues)."""

ZH_HANS: dict[str, str] = {
    "menu.join_group": "加入兴趣小组",  # also what a guess (书法 alone) asks about
    "group.joined": "好的，您已加入{group}。组里的通知和活动会发给您。\n"
                    "以后不想去了，说“退出 {group}”就行。",
    "group.already": "您已经在{group}里了，不用再加入。",
    "group.left": "好的，您已退出{group}，以后不再收到它的通知。\n想回来，说“加入 {group}”就行。",
    "group.not_in": "您不在{group}里，不用退出。",
    "group.none": "支部还没有兴趣小组。想办一个，可以跟支部书记说。",
    "group.none_mine": "您还没有加入兴趣小组。想加入，说“加入 书法组”这样的话就行。",
    "group.no_branch": "您还没有所属的支部，加入不了兴趣小组。",
    "group.pick_join": "支部有这些兴趣小组，您想加入哪个？请点一下或回复数字：",
    "group.pick_join_named": "支部里没有叫“{name}”的小组。有这些兴趣小组，您想加入哪个？"
                             "请点一下或回复数字：",
    "group.pick_quit": "您在这些兴趣小组里，想退出哪个？请点一下或回复数字：",
    "group.gone": "这个小组已经不在了，请再说一次“加入”看看。",
    "group.create_readback": "新建兴趣小组“{group}”？（您不会因此成为组员）",
    "group.created": "已新建兴趣小组“{group}”。同志们说“加入 {group}”就能加入。",
    "group.notice_ask": "请发来要通知{group}成员的内容（不发了就回“取消”）。",
    "group.notice_readback": "将把下面这条通知发给{group}的{n}位成员：\n{text}",
    "group.notice_push": "【{group}通知】\n{text}\n——{sender}",
    "group.notice_ok": "已发出：{group}的{n}位成员会收到这条通知。",
    "group.notice_nobody": "{group}还没有能收到消息的成员，通知发不出去。",
}

EN: dict[str, str] = {
    "menu.join_group": "join an interest group",
    "group.joined": "Done: you are in {group}. Its notices and activities will reach you.\n"
                    "To leave it, say 退出 {group}.",
    "group.already": "You are in {group} already.",
    "group.left": "Done: you have left {group} and get no more of its notices.\n"
                  "To come back, say 加入 {group}.",
    "group.not_in": "You are not in {group}, so there is nothing to leave.",
    "group.none": "The branch has no interest groups yet. Your secretary can start one.",
    "group.none_mine": "You are in no interest group yet. To join one, say e.g. 加入 书法组.",
    "group.no_branch": "You belong to no branch, so you cannot join an interest group.",
    "group.pick_join": "These are the branch's interest groups. Which one would you like to "
                       "join? Tap it or reply with its number:",
    "group.pick_join_named": "The branch has no group called “{name}”. These are its interest "
                             "groups; which one would you like to join? Tap it or reply with "
                             "its number:",
    "group.pick_quit": "You are in these interest groups. Which one would you like to leave? "
                       "Tap it or reply with its number:",
    "group.gone": "That group is no longer there; please say 加入 again.",
    "group.create_readback": "Create the interest group “{group}”? (You will not become a "
                             "member of it.)",
    "group.created": "The interest group “{group}” is created. Members join it by saying "
                     "加入 {group}.",
    "group.notice_ask": "Please send the notice for the members of {group} (or 取消 to stop).",
    "group.notice_readback": "This notice will go to the {n} members of {group}:\n{text}",
    "group.notice_push": "[{group} notice]\n{text}\n— {sender}",
    "group.notice_ok": "Sent: the {n} members of {group} will receive the notice.",
    "group.notice_nobody": "Nobody in {group} can receive messages yet: the notice cannot be "
                           "sent.",
}
