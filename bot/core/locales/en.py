"""English."""

MESSAGES: dict[str, str] = {
    "menu.title": "Reply with a number or a word:",
    "menu.checkin": "check in",
    "menu.leave": "leave",
    "menu.next": "study day",
    "menu.me": "my record",
    "menu.help": "help",
    "menu.attendance": "attendance",
    "menu.proxy": "proxy NAME REASON",
    "menu.invite": "invite NAME",
    "not_understood": "Sorry, I did not understand.",
    "help.intro": "I am the branch assistant: check in, ask for leave, see the study day.",
    "error": "Sorry, something went wrong. Please try again later. Nothing was recorded.",
    "stranger.greeting": (
        "Hello! I am the branch assistant.\n"
        "Please send the 8-digit binding code your branch secretary gave you (e.g. 1234 5678)."
    ),
    "bind.ok": "Hello, {name}! You are connected. Just write to me here from now on.",
    "bind.ok_family": "Connected: you act for {name} as {relation}.",
    "bind.unknown": "That code is not right. Please check it or ask your branch secretary.",
    "bind.used": "That code has been used already. Please ask your secretary for a new one.",
    "bind.expired": "That code has expired (7 days). Please ask your secretary for a new one.",
    "bind.too_many": "Too many wrong codes. Please try again in an hour, or ask your secretary.",
    "bind.phone_unknown": (
        "That phone is not on the roster, or is not your own. Please ask your secretary."
    ),
    "bind.already": "You are already connected as {name}.",
    "account.inactive": "This account is no longer active. Please contact the branch secretary.",
    "cancelled": "All right, cancelled. Nothing was recorded.",
    "nothing_to_confirm": "Done already: there is nothing to confirm now.",
    "button.confirm": "Confirm",
    "button.cancel": "Cancel",
    "button.skip": "Skip",
    "confirm.question": "Is that right?",
    "rule.none": "The branch has not set a study day yet. Please ask your secretary.",
    "rule.none_named": "{branch} has no study day yet (zhibu set-study-day sets one).",
    "study.next": "Next study day: {when}.",
    "study.next_place": "Next study day: {when}, at {place}.",
    "study.today": "Today is the study day: {when}.",
    "checkin.ok": "{name}, you are checked in: study day {date}, at {time}.",
    "checkin.ok_family": "{name} is checked in: study day {date}, at {time}.",
    "checkin.already": "Checked in already at {time}.",
    "checkin.too_early": "Today's study day starts at {time}; check-in opens at {open}.",
    "checkin.not_today": "Today is not a study day.",
    "checkin.not_today_meeting": "There is no meeting today.",
    "checkin.ok_meeting": "{name}, you are checked in: {kind} on {date}, at {time}.",
    "checkin.ok_family_meeting": "{name} is checked in: {kind} on {date}, at {time}.",
    "checkin.too_early_meeting": "Today's {kind} starts at {time}; check-in opens at {open}.",
    "checkin.which": "Several meetings are open for check-in. Which one?",
    "study.next_meeting": "Next {kind}: {when}.",
    "study.next_place_meeting": "Next {kind}: {when}, at {place}.",
    "study.today_meeting": "Today there is a {kind}: {when}.",
    "checkin.on_leave": "You asked for leave today ({reason}); you are checked in now anyway.",
    "leave.ask_reason": "Why can't you come (e.g. unwell)? Or press Skip.",
    "leave.readback": "Leave for the study day on {date}, reason: {reason}.",
    "leave.ok": "Your leave is recorded for {date}. Take care!",
    "leave.ok_meeting": "You are excused from the {kind} on {date}. Rest well!",
    "leave.readback_meeting": "Leave from the {kind} on {date}, because: {reason}.",
    "leave.already": "Your leave is recorded already ({date}, {reason}).",
    "leave.checked_in": "You checked in on {date} already; no leave needed.",
    "leave.no_reason": "not given",
    "me.summary": (
        "{name}, {year} so far: {total} study days, {present} attended, {leave} on leave, "
        "{absent} missed."
    ),
    "me.branch": "Branch: {branch}.",
    "officer_only": "Only the branch secretary can do that. Please ask your secretary.",
    "word.not_for_role": "{word} is not for your role (代签 and 邀请 are the secretary's, 指导 "
                         "the instructor's).",
    "error.later": "Sorry, the last step did not finish; please try again. The rest was recorded.",
    "report.making": "Making the report of {branch} for {month}, one moment…",
    "report.ready": ("{branch}, {month}: {sessions} study days, {present} present ({proxy} by "
                     "proxy), {leave} on leave ({hospital} in hospital), {made_up} made up at "
                     "home, {absent} absent; {visits} visits, {visited} "
                     "made; {deliveries} home deliveries, {delivered} delivered."),
    "meeting.ask_kind": "What kind of meeting for {branch}?",
    "meeting.ask_day": "Which day is the {kind}? e.g. 12月20日, 下周二, 明天.",
    "meeting.ask_time": "At what time does the {kind} begin? e.g. 9点, 下午2点半.",
    "meeting.past": "That time has passed. Which day is the {kind}?",
    "meeting.ask_place": "Where? Without an answer: {usual}.",
    "meeting.usual_place": "The usual place",
    "meeting.ask_topic": "The {kind}'s topic? You may skip it.",
    "meeting.readback": "A {kind} for {branch}: {when}, at {place}. {topic}",
    "meeting.taken": "The branch already has a meeting at {when}; please pick another time.",
    "meeting.ok": "The {kind} is set; {n} members were told, and will be reminded on the day.",
    "meeting.push": "[{kind}] {branch}: {kind} {when}, at {place}. {topic}Send 签到 when you "
                    "arrive.",
    "reschedule.ask_day": "Move the study day of {when} to which day? e.g. 12月15日, 下周二.",
    "reschedule.ask_time": "At what time?",
    "reschedule.same_time": "Same time",
    "reschedule.bad_day": "The new day must be after today and not the same. Move the study day "
                          "of {when} to which day?",
    "reschedule.readback": "Move the study day of {old} to {new}.",
    "reschedule.ok": "The study day is moved; {n} members were told.",
    "reschedule.push": "[Study day moved] {branch}: the study day of {old} is now {when}, at "
                       "{place}.",
    "guidance.ask": "What did you do at {branch}? A sentence or two, e.g. 参加了学习日，讲了党史.",
    "guidance.readback": "A guidance visit: {date}, {branch}.\nWhat was done: {note}",
    "guidance.ok": "The guidance visit to {branch} is recorded; it counts in the monthly "
                   "report.",
    "report.life": (" Activities: {participants} taking part, {hours} volunteer hours; "
                    "{pieces} pieces received, {taken_up} taken up; {pairs} pairs in touch; "
                    "{praises} likes."),
    "report.making_all": "Making the roll-up of {n} branches for {month}, one moment…",
    "report.ready_all": "{month}, all branches: {n} branches, {flagged} need a look{names}.",
    "report.wechat_excel": "WeChat cannot carry the Excel file: send 报表 on Telegram, or run "
                           "zhibu report on a computer.",
    "report.button": "Get the report",
    "branch.which_list": "You look after several branches. Which one for {word}? Reply with "
                         "its number or name:",
    "branch.more": "{n} more branches are not listed: write the name, e.g. {word} 城关",
    "branch.none_overseen": "No branch is listed for you yet; ask an admin to add it to the "
                            "roster.",
    "branch.not_yours": "You can only do that for branches you look after.",
    "broadcast.ask": "Please send the notice for everyone in {branch} (or 取消 to stop).",
    "broadcast.too_long": "The notice is too long ({n} characters); please keep it under {limit}.",
    "broadcast.readback": "This notice will go to {n} members of {branch}:\n{text}",
    "broadcast.push": "[{branch} notice]\n{text}\n— {sender}",
    "broadcast.ok": "Sent: {n} members of {branch} will receive the notice.",
    "broadcast.nobody": "Nobody in {branch} has a chat account yet: the notice cannot be sent.",
    "broadcast.phone": "These members have no chat account; please phone them: {names}",
    "report.bad_month": "Which month is “{text}”? Write e.g. 报表 上月 or 报表 2026-10.",
    "attendance.title": "Attendance, study day {date} ({branch})",
    "attendance.expected": "Expected: {n}",
    "attendance.present": "Present {n}: {names}",
    "attendance.leave": "On leave {n}: {names}",
    "attendance.absent": "Absent {n}: {names}",
    "attendance.proxy_mark": " (proxy)",
    "attendance.none": "none",
    "attendance.no_session": "Today is not a study day; this is the latest one.",
    "attendance.never": "No study day has taken place yet.",
    "proxy.usage": "Write: proxy NAME REASON, e.g. 代签 王秀英 腿脚不便",
    "proxy.not_found": "No member called {name} in this branch.",
    "proxy.ambiguous": "Several members sound like {name}: {names}. Please write the full name.",
    "proxy.no_reason": "checked in by the secretary",
    "proxy.readback": "Check in {name} for the study day on {date}, reason: {reason}.",
    "proxy.ok": "{name} is checked in (reason: {reason}). They have been told.",
    "proxy.already": "{name} checked in already at {time}.",
    "proxy.notice": "{secretary} checked you in for the study day on {date} (reason: {reason}).",
    "proxy.not_today": "Today is not a study day; nobody can be checked in.",
    "invite.usage": "Write: invite NAME, e.g. 邀请 王秀英",
    "invite.ok": (
        "Binding code for {name}: {code}\nValid for 7 days, once. {name} sends it to me in "
        "WeChat or Telegram."
    ),
    "invite.ok_family": "Binding code for {name}'s {relation}: {code}\nValid for 7 days, once.",
    "date.format": "{weekday} {day} {month_name}",
    "weekday.0": "Mon",
    "weekday.1": "Tue",
    "weekday.2": "Wed",
    "weekday.3": "Thu",
    "weekday.4": "Fri",
    "weekday.5": "Sat",
    "weekday.6": "Sun",
    # schedule
    "remind.session": (
        "[Study day] {when} is the branch study day, at {place}. {topic}"
        "Send 签到 when you arrive."
    ),
    "remind.meeting": "[{kind}] {when}, at {place}. {topic}Send 签到 when you arrive.",
    "remind.meeting_on_leave": "[{kind}] You are excused from the {kind} on {date}. Rest well.",
    "remind.topic": "Topic: {topic}. ",
    "remind.place_unknown": "the place the secretary announces",
    "remind.on_leave": "[Study day] Your leave for the study day on {date} is recorded. Take care!",
    "remind.phone_list": (
        "These members cannot be reached; please phone them about the study day on {date}: "
        "{names}"
    ),
    "remind.absentees": "Study day {date}: neither checked in nor on leave: {names}",
    "remind.welfare": (
        "{name} did not come to the study day today and lives alone; please call or look in."
    ),
    "outbox.dead_notice": "A message could not reach {name} ({reason}); please phone them.",
    "menu.hospital": "hospital",
    "menu.visits": "visits",
    "care.kind.hospitalisation": "hospital",
    "care.kind.discharge": "after discharge",
    "care.kind.hardship": "hardship",
    "care.kind.worry": "worries",
    "care.kind.death": "condolence",
    "care.kind.holiday": "holiday visit",
    "care.kind.birthday": "birthday",
    "care.who": "Who is in hospital?",
    "care.which": "More than one member answers to that name: {names}. Which one?",
    "care.unknown": "unknown",
    "care.day_unknown": "admission day unknown",
    "care.who.discharge": "Who left hospital?",
    "care.who.hardship": "Whose family is in difficulty?",
    "care.opt.self": "Me",
    "care.opt.partner": "My partner {name}",
    "care.opt.other": "Someone else (write the name)",
    "care.ask_name": "Please write the member's name.",
    "care.name_not_found": (
        "No member called {name} in this branch. Write the name again, or Cancel."
    ),
    "care.ask_hospital": "Which hospital?",
    "care.ask_ward": "Which ward and bed (e.g. ward 3 bed 12)? Press Skip if you don't know.",
    "care.ask_date": "When were they admitted?",
    "care.opt.today": "Today",
    "care.opt.yesterday": "Yesterday",
    "care.opt.day_before": "The day before",
    "care.bad_date": "I could not read that date. Press a button or write e.g. 11月20日.",
    "care.ask_partner": "May I tell {name} (mutual-aid partner) to look in on them?",
    "care.opt.yes": "Yes",
    "care.opt.no": "No",
    "care.readback": "{name}, in {hospital}{ward}, admitted {date}.",
    "care.readback.partner": "{partner} (partner) will be asked to look in.",
    "care.recorded": "Recorded. Told: {officers}.",
    "care.recorded.partner": "{partner} was asked to look in too.",
    "care.recorded.none": "the secretary (nobody can be reached: please phone them)",
    "care.added_to_task": "Recorded, added to the open visit task. Told: {officers}.",
    "care.alert.hospitalisation": (
        "[Hospital] {name} is in hospital: {hospital}{ward}, admitted {date}. "
        "Reported by {reporter}. Please visit by {due}."
    ),
    "care.alert.update": "[Update] {name}: {hospital}{ward} (reported by {reporter}).",
    "care.alert.discharge": "[Discharged] {name} left hospital ({reporter}). Visit by {due}.",
    "care.alert.hardship": "[Hardship] {name}: {note}. Reported by {reporter}. Visit by {due}.",
    "care.alert.worry": "[Worries] {name}: {note}. Noted by {reporter}. Visit by {due}.",
    "care.alert.death": "[Death] {name} has died ({reporter}). Visit the family by {due}.",
    "care.alert.holiday": "[{festival}] {date} is {festival}; please visit before: {names}.",
    "care.alert.birthday": "[Birthday] {name} turns {age} on {date}; please visit.",
    "care.alert.reminder": "[Reminder] Nobody has taken this visit yet:",
    "care.alert.escalated": "[Overdue] A visit in {branch} is past due:",
    "care.taken_line": "✅ taken by {who} ({when})",
    "care.done_line": "✔ visited by {who} ({date}){note}",
    "care.partner_notice": "{name} is in hospital; please look in on them when you can.",
    "care.button.accept": "Accept",
    "care.button.visited": "Visited",
    "care.self": "themself",
    "care.family": "{name}'s {relation}",
    "care.partner_of": "{name} (partner)",
    "care.ward_none": "",
    "care.task_usage": "Write the task number, e.g. {word} 12",
    "care.no_branch": (
        "You are on no branch's roster, so only branch members can "
        "be reported here. Write the member's name, or send 取消."
    ),
    "care.added_for_check": (
        "Recorded; the secretary will check it before "
        "the record changes. Told: {officers}."
    ),
    "care.alert.addition": (
        "[Addition, to check] {name}: {reporter} says {hospital}{ward}. The record "
        "is unchanged; after checking, press 采纳 (采纳 {id}) to update it."
    ),
    "care.button.adopt": "Adopt",
    "care.adopt.ok": "Adopted: {name}, {hospital}{ward}.",
    "care.adopt.none": "Visit task #{id} has no addition waiting to be checked.",
    "care.task_unknown": "There is no visit task #{id} for you to act on. Send 待访 to see yours.",
    "care.taken_ok": "You took visit #{id}: {name} ({kind}). Afterwards send 已走访 {id}.",
    "care.taken_by_other": "{who} has taken this task already.",
    "care.already_done": "This visit is recorded already.",
    "care.ask_visit_date": "When did you visit?",
    "care.ask_note": "A short note (e.g. in good spirits), or press Skip.",
    "care.visit_readback": "Record: visited {name} on {date}. {note}",
    "care.visit_ok": "Visit recorded. Thank you!",
    "care.visits.none": "No visits are waiting.",
    "care.visits.title": "Visits to make (overdue first):",
    "care.visits.line": "#{id} {name} · {kind} · {due}{status}",
    "care.visits.overdue": "overdue",
    "care.visits.due": "by {date}",
    "care.visits.taken": " · taken by {who}",
    "care.visits.hint": "Reply 接受 NUMBER or 已走访 NUMBER.",
    "care.occasion_usage": "Write: {word} NAME DETAILS, e.g. {word} 王秀英 {example}",
    "care.note_readback": "{kind}: {name}, {note}.",
    "care.hardship.ask_note": "What is the difficulty, in a few words?",
    "care.death.readback": (
        "{name} has died. {name} will receive nothing more; a visit to the family is arranged."
    ),
    "care.discharge.readback": "{name} left hospital. A follow-up visit within a week is arranged.",
    "care.discharge.no_stay": (
        "No hospital stay of {name} was recorded; a follow-up visit is arranged."
    ),
    "care.me.visits": "Recent visits: {visits}.",
    "care.photo_kept": " (photo kept)",
    "care.photo_refused": (
        "The photo was not kept (images up to 10 MB). Send it again, write a note, or Skip."
    ),
    # wechat
    "wechat.welcome": (
        "Welcome to the branch assistant!\nSend the 8-digit binding code your branch secretary "
        "gave you (e.g. 1234 5678) to check in, ask for leave and see the study day.\n"
        "No code yet? Ask your branch secretary."
    ),
    "wechat.not_heard": "Sorry, I did not catch that. Please say it again or use the menu.",
    "wechat.text_only": "Please send text or use the menu.",
    "wechat.working": "Working on it, one moment…",
    "wechat.reply_with": "Reply {choices}",
    "wechat.file": "The file “{name}” cannot be sent in WeChat; ask your branch secretary.",
    "wechat.menu.study": "Study",
    "wechat.menu.care": "Services",
    "wechat.menu.secretary": "Secretary",
    "wechat.template.remark": "Reply with any text to talk to the assistant again.",
    "wechat.failed": "{why}, code {code}",
    "wechat.why.window": "no message from them in WeChat for 48 hours, so WeChat refuses",
    "wechat.why.template": "the official account's template message is misconfigured",
    "wechat.why.unsubscribed": "they unfollowed the official account",
    "wechat.why.unknown": "the WeChat account is invalid",
    "wechat.why.blocked": "they block the official account's messages",
    "wechat.why.refused": "they refuse reminder messages",
    "wecom.why.unknown_user": "no such account in WeCom",
    "wecom.why.busy": "WeCom could not send it for now, code {code}",
    # delivery (study materials, home delivery)
    "menu.delivery": "home delivery",
    "menu.material": "study material",
    "menu.deliveries": "deliveries",
    "material.kind.text": "text",
    "material.kind.link": "link",
    "material.kind.pdf": "PDF",
    "material.kind.doc": "Word document",
    "material.kind.image": "picture",
    "material.print_label": "large print for home delivery",
    "material.default_title": "Study material, {month}",
    "material.publish.no_branch": (
        "There is no branch you can publish for. Please ask the administrator."
    ),
    "material.publish.ask_content": (
        "Please send the study material for {month}: a text, a file (PDF, Word, picture) or a "
        "link. The first line of a text is its title."
    ),
    "material.too_big": (
        "That file is too large ({size}); the limit is {limit}. Nothing was stored. Please send a "
        "smaller file or a link."
    ),
    "material.bad_type": (
        "That kind of file cannot be published. Send a PDF, a Word file (.docx) or a"
        " picture, or a text or link."
    ),
    "material.no_store": "Files cannot be stored right now. Please ask the administrator.",
    "material.publish.ask_target": "For which branch?",
    "material.publish.readback": (
        "Publish the study material for {month}: “{title}” ({kind}), for: {target}."
    ),
    "material.publish.ok": "Published the study material for {month}: “{title}”.",
    "material.publish.requests": (
        "Home delivery arranged for {n}:"
        " {names}. Send 送学单 to assign it."
    ),
    "material.publish.no_requests": "Nobody needs a home delivery.",
    "material.bad_month": "Which month is “{text}”? Write e.g. 资料 上月 or 资料 2026-10.",
    "material.none_current": "The study material for {month} is not out yet; you will be told.",
    "material.none": "There was no study material for {month}.",
    "material.text": "[Study material, {month}] {title}\n{body}",
    "material.link": "[Study material, {month}] {title}\n{url}",
    "material.file": "[Study material, {month}] {title} ({kind}, {size}).",
    "material.file_missing": (
        "[Study material, {month}] {title}: the file cannot be found; please ask the"
        " secretary."
    ),
    "material.button": "Material",
    "material.broadcast.text": "[Study material, {month}] {title}\n{body}",
    "material.broadcast.more": "… (reply 资料 for all of it)",
    "material.broadcast.link": "[Study material, {month}] {title}\n{url}",
    "material.broadcast.file": (
        "[Study material, {month}] {title} is out. Reply 资料 to get the file."
    ),
    "delivery.month": "{month_name} {year}",
    "delivery.time.morning": "morning",
    "delivery.time.afternoon": "afternoon",
    "delivery.time.any": "any time",
    "delivery.no_address": "(no address: please phone)",
    "delivery.changed_mark": " (new address)",
    "delivery.auto_notice": (
        "{name}, the study material for {month}, “{title}”, is out. The branch will bring it to "
        "you at: {address}. To change the address or time, reply 送学."
    ),
    "delivery.auto_digest": (
        "[Delivery] The study material for {month}, “{title}”,"
        " is out; to be brought home: {names}. Send 送学单 to assign."
    ),
    "delivery.already_delivered": "The study material for {month} was brought to you on {date}.",
    "delivery.existing": "You asked for home delivery already; let us check it:",
    "delivery.ask_address": "Where should it go?\n{address}",
    "delivery.opt.same": "Here",
    "delivery.opt.changed": "New address",
    "delivery.ask_new_address": "Please write the address to bring it to.",
    "delivery.ask_time": "When suits you best?",
    "delivery.readback": (
        "Home delivery of the study material for {month} to {address}{changed}, "
        "{time}."
    ),
    "delivery.alert": (
        "[Delivery] #{id} {name} asks for home delivery ({month}):"
        " {address}{changed}, {time}. Send 送学单 to assign."
    ),
    "delivery.the_secretary": "the secretary",
    "delivery.ok": (
        "Recorded: home delivery of the study material for {month}, {time}. {secretary} will "
        "send someone and tell you who."
    ),
    "delivery.ok_assigned": (
        "Recorded. {who} will bring you the study material for {month},"
        " {time}. Reply 收到 when it arrives."
    ),
    "delivery.received.none": "No study material is on its way to you.",
    "delivery.received.ok": (
        "Recorded: the study material for {month} arrived; it counts as make-up stud"
        "y."
    ),
    "delivery.done.already": "That delivery is recorded already.",
    "delivery.done.unknown": "There is no delivery #{id} given to you.",
    "delivery.done.ok": (
        "Recorded: {name} has the study material for {month} (make-up study). Thank "
        "you!"
    ),
    "delivery.done.none": "You have no deliveries to make.",
    "delivery.done.which": "You have several deliveries. Which one is done?",
    "delivery.task": (
        "[Delivery] #{id} Please bring {name} the study material for {month}, “{title}”.\n"
        "Address: {address}{changed}\nWhen: {time}\nAfterwards reply 已送达 {id}."
    ),
    "delivery.button.delivered": "Delivered",
    "delivery.button.delivered_id": "Delivered #{id}",
    "delivery.button.received": "Received",
    "delivery.button.assign": "Assign #{id}",
    "delivery.button.offer": "Home delivery",
    "delivery.assigned_notice": (
        "{who} will bring you the study material for {month}, {time}. Reply 收到 when "
        "it arrives."
    ),
    "delivery.reassigned": "Delivery #{id} ({name}) is now {who}'s; you need not go. Thank you!",
    "delivery.delivered_notice": (
        "{who} recorded that the study material for {month} reached you (make-up study)."
        " If it did not, tell the secretary."
    ),
    "delivery.delivered_alert": (
        "✔ Delivery #{id}: {name} has the study material for {month} (recorded by "
        "{who})."
    ),
    "delivery.list.none": "No deliveries are waiting.",
    "delivery.list.title": "Deliveries (oldest first):",
    "delivery.list.line": "#{id} {name} · {month} · {address}{changed} · {time} · {status}{flag}",
    "delivery.list.overdue": " · ⚠️ unassigned for over 3 days",
    "delivery.list.hint": (
        "Reply 送学单 NUMBER to assign. The large-print copies to print are attached."
    ),
    "delivery.status.requested": "to assign",
    "delivery.status.assigned": "{who} delivers",
    "delivery.list.print": "To print (large-print copies and documents):",
    "delivery.unknown": "There is no delivery #{id} for you to assign. Send 送学单 to see yours.",
    "delivery.opt.self": "Myself",
    "delivery.opt.partner": "Partner {name} (suggested)",
    "delivery.opt.other": "Someone else (write the name)",
    "delivery.assign.whom": "Delivery #{id}: {name}, {address}.\nWho takes it?",
    "delivery.assign.ask_name": "Please write the volunteer's name.",
    "delivery.assign.name_not_found": (
        "No member called {name} in this branch. Write the name again, or Cancel."
    ),
    "delivery.assign.readback": "{who} brings {name} the material (#{id}): {address}, {time}.",
    "delivery.assign.ok": "{who} takes delivery #{id}; the address was sent to {who}.",
    "delivery.offer": "To have the study material brought home, press Home delivery.",
    "delivery.attendance": "Make-up by home delivery {n}: {names}",
    "delivery.me": "Make-up study by home delivery: {n}.",
    # telegram
    "telegram.contact_button": "📱 Share my phone number",
    "telegram.contact_hint": "Press “📱 Share my phone number” below to bind with your own phone.",
    "telegram.file_not_needed": (
        "Thank you, but no file is needed here. Write what you need, or send 帮助."
    ),
    "telegram.file_too_big": (
        "The file is too large (over 20 MB). Please compress it or send a link."
    ),
    "telegram.private_only": "Please message me privately: tap my name, then “Send message”.",
    "telegram.group_help": (
        "I am the branch assistant. For check-in, leave and other personal matters please "
        "message me privately; branch notices and reminders are posted in this group."
    ),
    "telegram.stale": "Already done",
    "telegram.chosen": "👉 {label}",
    "telegram.page": "Page {n} of {total}",
    "telegram.prev": "◀ Previous",
    "telegram.next": "Next ▶",
    "telegram.page_gone": "This page has expired; please ask again.",
    "telegram.bindgroup_ok": ("This group is now registered as {branch}'s group. Here I answer "
                              "/help only; personal matters go to a private chat."),
    "telegram.bindgroup_denied": "Only a branch secretary (bound in private first) can do that.",
    "telegram.bindgroup_private": "Send /bindgroup in the branch's group to register it.",
    "telegram.why.blocked": "cannot be reached on Telegram (blocked or deleted the bot)",
    "telegram.unreachable": (
        "{name} cannot be reached on Telegram any more (blocked or deleted the bot). "
        "Please phone them."
    ),
    "telegram.cmd.checkin": "Check in (签到)",
    "telegram.cmd.leave": "Ask for leave (请假)",
    "telegram.cmd.delivery": "Home delivery (送学)",
    "telegram.cmd.hospital": "Report a hospital stay (住院)",
    "telegram.cmd.next": "Next study day (学习日)",
    "telegram.cmd.material": "Study material (资料)",
    "telegram.cmd.me": "My attendance (我的)",
    "telegram.cmd.help": "Help (帮助)",
    "telegram.cmd.visits": "Visits to make (secretary)",
    "telegram.cmd.deliveries": "Home deliveries (secretary)",
    "telegram.cmd.attendance": "Today's attendance (secretary)",
    "telegram.cmd.proxy": "Check someone in: name, reason (secretary)",
    "telegram.cmd.broadcast": "Send a notice (secretary)",
    "telegram.cmd.report": "Monthly report (secretary)",
    "telegram.cmd.invite": "Binding code: name (secretary)",
    "telegram.cmd.bindgroup": "Make this the branch group (secretaries)",
    "bind.not_own": "That is someone else's number, not yours: it cannot be used to bind.",
    "bind.secretary_is": "Your branch secretary is {names}.",
    "understand.not_yet": "No hurry. Send 签到 once you are there.",
    "choice.again": "Please reply with a number from 1 to {n}, or press a button:",
    "answer.again": "Sorry, I did not understand. Once more, please:",
    "change.ask": "What should be different? Say it, e.g. 不对，是…",
    "resume.ask": "You were {what} and had not finished. Go on {what}?",
    "resume.what": "doing something",
    "resume.what.report": "reporting a hospital stay",
    "resume.what.leave": "asking for leave",
    "resume.go_on": "Go on",
    "resume.stop": "No, thanks",
    "guess.ask": "Do you want to {word}?",
    "guess.yes": "Yes",
    "guess.no": "No",
    "guess.not_that": "All right, nothing was recorded. Say what you need, or send 书记 for help.",
    "contact.secretary_phone": "Your secretary {name} can help: phone {phone}.",
    "contact.secretary": "Your secretary {name} can help.",
    "contact.no_secretary": "No secretary is on record for your branch; please call the bureau.",
    "contact.partner": "Your mutual-aid partner {name} can help too.",
    "contact.button.callback": "Ask the secretary to call me",
    "contact.family": "{relation} of {name}",
    "contact.callback_push": "{who} asks you to call back: {phone}",
    "contact.callback_ok": "{names} has been asked to call you back.",
    "contact.lost": "Sorry, I still did not understand. Someone can help:",
    "help.short": (
        "I can help with, reply a number or just say it:\n"
        "1 Check in\n"
        "2 Leave\n"
        "3 Delivery\n"
        "4 Hospital\n"
        "You can also write a sentence, e.g. 我腿疼去不了\n"
        "Send 书记 for your secretary, 菜单 for everything."
    ),
}

# Branch life (issue #17): each feature keeps its texts beside the others in its own module.
from bot.core.locales import activities, groups, pairs, submissions  # noqa: E402

MESSAGES.update(pairs.EN)
MESSAGES.update(groups.EN)
MESSAGES.update(activities.EN)
MESSAGES.update(submissions.EN)
