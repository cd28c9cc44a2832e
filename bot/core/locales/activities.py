"""Texts of activities, sign-ups, check-in at activities and volunteer hours (merged into the
zh-Hans and en catalogues)."""

ZH_HANS: dict[str, str] = {
    "activity.kind.interest": "兴趣小组",
    "activity.kind.volunteer": "志愿服务",
    "activity.kind.visit": "参观",
    "activity.kind.lecture": "讲座",
    "activity.kind.phone": "学手机",
    "activity.kind.other": "其他",
    "activity.place_later": "另行通知",
    "activity.place_later_button": "以后再说",
    "activity.limit": "限{n}人",
    "activity.no_limit": "不限人数",
    "activity.button.signup": "报名",
    "activity.button.signup_title": "报名：{title}",
    "activity.invite": "【活动通知】{kind}：{title}\n时间：{when}\n地点：{place}\n名额：{limit}\n"
                       "想参加请按“报名”，或回复“报名”。",
    "activity.group_title": "{group}活动",
    # creating
    "activity.ask_kind": "要组织什么活动？请选类别：",
    "activity.no_groups": "还没有兴趣小组。组员说“加入 书法组”就建好了。请先选别的类别：",
    "activity.ask_group": "是哪个兴趣小组的活动？只通知这个小组的组员。",
    "activity.ask_title": "活动叫什么？例如：帮社区老人理发。",
    "activity.ask_day": "“{title}”哪天？例如：12月12日、下周六、明天。",
    "activity.ask_time": "“{title}”几点开始？例如：上午9点、下午2点半。",
    "activity.past": "那个时间已经过去了。活动哪天？",
    "activity.past_now": "这个时间已经过去了，活动没有发布。请重新说“活动”。",
    "activity.ask_place": "在哪里？例如：社区服务站。不定的话按“以后再说”。",
    "activity.ask_limit": "最多几个人参加？请回复如“20人”；不限人数按“不限人数”。",
    "activity.ask_branches": "您负责几个支部，这个活动通知哪些支部？",
    "activity.branch_home": "本支部（{branch}）",
    "activity.branch_all": "我负责的全部支部（{n}个）",
    "activity.readback": "请核对活动：\n类别：{kind}\n名称：{title}\n时间：{when}\n地点：{place}\n"
                         "名额：{limit}\n通知：{who}",
    "activity.who_group": "{group}的组员",
    "activity.who_branches": "{branches}的党员",
    "activity.ok": "活动“{title}”已发布，已通知{n}位同志。活动前一天会提醒报了名的同志。",
    # 我的活动
    "activity.mark.signed": "已报名",
    "activity.mark.waiting": "候补",
    "activity.mark.full": "已满",
    "activity.mark.open": "可报名",
    "activity.line": "{when} {title}（{place}）",
    "activity.list_head": "最近的活动：",
    "activity.list_more": "还有{n}个活动没有列出。",
    "activity.list_hint": "要报名，请按下面的按钮，或说“报名”加活动名称或编号，例如：报名 1。",
    "activity.organised_head": "您组织的活动：",
    "activity.organised_line": "{line}：已报名{signed}人，候补{waiting}人",
    "activity.none": "最近没有活动。有了新活动会通知您。",
    "activity.none_officer": "最近没有活动。要组织活动，请说“活动”。",
    "activity.none_kind": "最近没有{kind}活动。说“我的活动”可以看看所有活动。",
    # 报名 / 取消报名
    "activity.not_found": "没有找到这个活动。说“我的活动”可以看看能报名的活动。",
    "activity.no_match": "没有对上“{words}”这个活动。",
    "activity.which_signup": "您要报名哪一个？请回复编号：",
    "activity.which_unsign": "您要取消哪一个活动的报名？请回复编号：",
    "activity.none_open": "现在没有可以报名的活动。有了新活动会通知您。",
    "activity.too_late": "这个活动已经开始了，不能再报名了。",
    "activity.already": "您已经报过名了：{when} {title}，地点：{place}。",
    "activity.already_waiting": "您已经在候补名单上了：{when} {title}。有空位会马上告诉您。",
    "activity.signup_readback": "报名：{when} {title}，地点：{place}",
    "activity.full_ask": "“{title}”名额已满，要排队候补吗？有人退出就轮到您。",
    "activity.full_now": "“{title}”名额刚刚满了，要排队候补吗？",
    "activity.signup_ok": "报名成功！{when} {title}，地点：{place}。活动前一天会提醒您。",
    "activity.waiting_ok": "已为您排队候补：{title}。有空位会马上告诉您。",
    "activity.none_signed": "您现在没有报名的活动，不用取消。",
    "activity.unsign_readback": "取消报名：{when} {title}",
    "activity.unsign_ok": "已取消报名：{title}。",
    "activity.promoted": "【候补成功】有同志退出了，您已报上名：{when} {title}，地点：{place}。"
                         "去不了的话请回复“取消报名”。",
    # 签到
    "activity.checkin_ok": "{name}，签到成功！{date}{title}，{time}签到。",
    "activity.checkin_already": "“{title}”已签到 {time}，不用再签了。",
    "activity.checkin_which": "现在有几个活动或会都可以签到，您要签哪一个？",
    # 时长
    "activity.hours_none": "您还没有组织过已经开始的活动。活动开始以后，说“时长 2小时”"
                           "就能给到场的同志记时长。",
    "activity.hours_who": "没有找到“{name}”，请检查姓名再说一次。",
    "activity.hours_ask": "“{title}”每人记几个小时？例如：2小时、两个半小时。",
    "activity.hours_bad": "时长要在0到24小时之间，请再说一次，例如：时长 2小时。",
    "activity.hours_nobody": "“{title}”还没有人签到。要给谁记，请说“时长 姓名 2小时”。",
    "activity.hours_readback": "给{date}的“{title}”记服务时长：{names}，共{n}人，每人{hours}小时",
    "activity.hours_ok": "已记好：“{title}”{n}人，每人{hours}小时。",
    # 提醒
    "activity.remind": "【活动提醒】明天{when}：{title}，地点：{place}。"
                       "去不了的话请回复“取消报名”。",
}

EN: dict[str, str] = {
    "activity.kind.interest": "Interest group",
    "activity.kind.volunteer": "Volunteering",
    "activity.kind.visit": "Visit",
    "activity.kind.lecture": "Lecture",
    "activity.kind.phone": "Phone class",
    "activity.kind.other": "Other",
    "activity.place_later": "to be announced",
    "activity.place_later_button": "Later",
    "activity.limit": "{n} places",
    "activity.no_limit": "No limit",
    "activity.button.signup": "Sign up",
    "activity.button.signup_title": "Sign up: {title}",
    "activity.invite": "[Activity] {kind}: {title}\nWhen: {when}\nWhere: {place}\n"
                       "Places: {limit}\nTo join, press “Sign up” or reply “报名”.",
    "activity.group_title": "{group} activity",
    "activity.ask_kind": "What kind of activity?",
    "activity.no_groups": "There are no interest groups yet (a member saying “加入 书法组” "
                          "creates one). Please pick another kind:",
    "activity.ask_group": "Which interest group is it for? Only its members are told.",
    "activity.ask_title": "What is the activity called? E.g. haircuts for elderly neighbours.",
    "activity.ask_day": "Which day is “{title}”? E.g. 12月12日, next Saturday, tomorrow.",
    "activity.ask_time": "What time does “{title}” start? E.g. 9am, 2:30pm.",
    "activity.past": "That time has passed. Which day is the activity?",
    "activity.past_now": "That time has passed; nothing was published. Say “活动” again.",
    "activity.ask_place": "Where? E.g. the community service station. Press “Later” if not "
                          "decided.",
    "activity.ask_limit": "How many places? Reply e.g. “20人”; press “No limit” for no limit.",
    "activity.ask_branches": "You look after several branches. Which should be invited?",
    "activity.branch_home": "My own ({branch})",
    "activity.branch_all": "All my branches ({n})",
    "activity.readback": "Please check the activity:\nKind: {kind}\nName: {title}\nWhen: {when}\n"
                         "Where: {place}\nPlaces: {limit}\nInvited: {who}",
    "activity.who_group": "members of {group}",
    "activity.who_branches": "members of {branches}",
    "activity.ok": "“{title}” is published; {n} members were told. Those who sign up are "
                   "reminded the day before.",
    "activity.mark.signed": "signed up",
    "activity.mark.waiting": "waiting list",
    "activity.mark.full": "full",
    "activity.mark.open": "open",
    "activity.line": "{when} {title} ({place})",
    "activity.list_head": "Coming activities:",
    "activity.list_more": "{n} more not listed.",
    "activity.list_hint": "To sign up, press a button below or say “报名” and the name or "
                          "number, e.g. 报名 1.",
    "activity.organised_head": "Activities you organise:",
    "activity.organised_line": "{line}: {signed} signed up, {waiting} waiting",
    "activity.none": "No activities coming up. You will be told of new ones.",
    "activity.none_officer": "No activities coming up. Say “活动” to organise one.",
    "activity.none_kind": "No {kind} activity coming up. Say “我的活动” to see them all.",
    "activity.not_found": "No such activity found. Say “我的活动” to see what you can join.",
    "activity.no_match": "No activity matches “{words}”.",
    "activity.which_signup": "Which one would you like to join? Reply with its number:",
    "activity.which_unsign": "Which sign-up should be cancelled? Reply with its number:",
    "activity.none_open": "There is no activity to sign up for now. You will be told of new "
                          "ones.",
    "activity.too_late": "This activity has already begun; sign-up is closed.",
    "activity.already": "You are signed up already: {when} {title}, at {place}.",
    "activity.already_waiting": "You are on the waiting list already: {when} {title}. You "
                                "will be told as soon as a place is free.",
    "activity.signup_readback": "Sign up: {when} {title}, at {place}",
    "activity.full_ask": "“{title}” is full. Join the waiting list? You get the next free "
                         "place.",
    "activity.full_now": "“{title}” has just filled up. Join the waiting list?",
    "activity.signup_ok": "Signed up! {when} {title}, at {place}. You will be reminded the "
                          "day before.",
    "activity.waiting_ok": "You are on the waiting list for {title}. You will be told as "
                           "soon as a place is free.",
    "activity.none_signed": "You have not signed up for any activity; nothing to cancel.",
    "activity.unsign_readback": "Cancel sign-up: {when} {title}",
    "activity.unsign_ok": "Sign-up cancelled: {title}.",
    "activity.promoted": "[Place free] Someone dropped out, so you are signed up: {when} "
                         "{title}, at {place}. If you cannot come, reply “取消报名”.",
    "activity.checkin_ok": "{name}, you are checked in: {date} {title}, at {time}.",
    "activity.checkin_already": "Checked in at “{title}” already at {time}.",
    "activity.checkin_which": "Several activities or meetings are open for check-in. Which "
                              "one?",
    "activity.hours_none": "You have not organised an activity that has begun. Once one "
                           "has, say “时长 2小时” to record the hours of those present.",
    "activity.hours_who": "“{name}” was not found; please check the name.",
    "activity.hours_ask": "How many hours each for “{title}”? E.g. 2小时, 两个半小时.",
    "activity.hours_bad": "Hours must be between 0 and 24. Please say it again, e.g. 时长 2小时.",
    "activity.hours_nobody": "Nobody has checked in at “{title}” yet. To record someone, "
                             "say “时长 name 2小时”.",
    "activity.hours_readback": "Volunteer hours for “{title}” ({date}): {names}, {n} in all, "
                               "{hours} hours each",
    "activity.hours_ok": "Recorded: “{title}”, {n} people, {hours} hours each.",
    "activity.remind": "[Reminder] Tomorrow {when}: {title}, at {place}. If you cannot "
                       "come, reply “取消报名”.",
}
