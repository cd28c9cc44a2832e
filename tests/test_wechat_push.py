"""Pushes from the outbox: the 48 h window, templates, tokens, the undeliverable, WeCom."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.channels.wechat.menu import create_menu
from bot.cli import main
from bot.core.messages import Reply
from bot.outbox import SendError
from storage.models import OutboxRow
from tests.conftest import Zhibu
from tests.fakes.wechatapi import (
    MEMBER,
    FakeWechatApi,
    Rig,
    event_xml,
    open_rig,
    text_xml,
    wechat_config,
)

SECRETARY = "oLiJianguo"
TEMPLATE = "TPL-reminder"


async def bind_on_wechat(rig: Rig, openid: str = MEMBER, name: str = "王秀英") -> int:
    """Bind after the demo's console accounts, so the outbox picks the WeChat account."""
    rig.zhibu.clock.advance(timedelta(minutes=1))
    return await rig.bind(openid, name)


async def push(rig: Rig, member_id: int, body: str, key: str = "k1",
               buttons: list[dict[str, str]] | None = None) -> OutboxRow:
    """Queue one push, run the dispatcher once, and return the row as it ended."""
    async with rig.zhibu.app.store.transaction() as tx:
        await tx.enqueue(key, member_id, "notice", body, rig.zhibu.clock.now(), buttons=buttons)
    await rig.zhibu.app.dispatcher.run_once()
    async with rig.zhibu.app.store.transaction() as tx:
        rows = await tx.outbox_rows(member_id)
    return next(r for r in rows if r.idempotency_key == key)


async def test_a_push_inside_the_48_hour_window_is_a_customer_service_message(
    zhibu: Zhibu,
) -> None:
    async with open_rig(zhibu) as rig:
        member = await bind_on_wechat(rig)
        row = await push(rig, member, "请看本月学习资料。",
                         buttons=[{"label": "已收到", "data": "收到 #3"}])

    assert row.state == "sent" and row.channel == "wechat"
    assert rig.api.texts_to(MEMBER) == ["请看本月学习资料。\n回复 收到 #3"]


async def test_an_expired_token_is_refreshed_once_and_the_push_goes_through(
    zhibu: Zhibu,
) -> None:
    async with open_rig(zhibu) as rig:
        member = await bind_on_wechat(rig)
        await push(rig, member, "第一条", key="k1")
        rig.api.expire_tokens()  # e.g. another process fetched a new token
        row = await push(rig, member, "第二条", key="k2")

    assert row.state == "sent"
    assert rig.api.texts_to(MEMBER) == ["第一条", "第二条"]
    assert rig.api.rejected == [("/cgi-bin/message/custom/send", 40001)]
    assert [r["force_refresh"] for r in rig.api.token_requests] == [False, True]


async def test_tasks_that_meet_an_expired_token_together_refresh_it_once(
    zhibu: Zhibu,
) -> None:
    async with open_rig(zhibu) as rig:
        await bind_on_wechat(rig)
        await rig.channel.sender.custom_text(MEMBER, "预热")
        rig.api.expire_tokens()
        await asyncio.gather(*(rig.channel.sender.custom_text(MEMBER, f"第{i}条")
                               for i in range(5)))

    assert len(rig.api.token_requests) == 2
    assert sorted(rig.api.texts_to(MEMBER)[1:]) == sorted(f"第{i}条" for i in range(5))


async def test_a_token_is_refreshed_before_it_expires(zhibu: Zhibu) -> None:
    async with open_rig(zhibu) as rig:
        member = await bind_on_wechat(rig)
        await push(rig, member, "第一条", key="k1")
        zhibu.clock.advance(timedelta(hours=1, minutes=56))
        await push(rig, member, "第二条", key="k2")

    assert len(rig.api.token_requests) == 2
    assert rig.api.rejected == []


async def test_45015_marks_the_row_undeliverable_and_the_secretary_is_told(
    zhibu: Zhibu,
) -> None:
    async with open_rig(zhibu) as rig:
        member = await bind_on_wechat(rig)
        rig.api.closed_windows.add(MEMBER)
        row = await push(rig, member, "明天上午九点学习日，请准时参加。")
        await zhibu.app.dispatcher.run_once()  # the notice to the secretary

    assert row.state == "dead"
    assert row.last_error == "超过48小时没在公众号里说话，微信不让再发，代码45015"
    [notice] = zhibu.sender.to("李建国")
    assert notice == f"有一条消息没能发给王秀英（{row.last_error}），请电话联系。"


async def test_outside_the_window_a_template_message_is_sent(zhibu: Zhibu) -> None:
    async with open_rig(zhibu, template=TEMPLATE) as rig:
        member = await bind_on_wechat(rig)
        zhibu.clock.advance(timedelta(hours=49))
        row = await push(rig, member, "明天上午九点学习日，地点：老干部活动中心二楼学习室，"
                                      "请准时参加。")

    assert row.state == "sent" and rig.api.custom == []
    [sent] = rig.api.templates
    assert sent["touser"] == MEMBER and sent["template_id"] == TEMPLATE
    assert sent["data"]["keyword1"]["value"] == "明天上午九点学习日，地点：老干部活动中…"
    assert len(sent["data"]["thing1"]["value"]) <= 20
    assert sent["data"]["first"]["value"].endswith("请准时参加。")


async def test_outside_the_window_without_a_template_the_secretary_is_told(
    zhibu: Zhibu,
) -> None:
    async with open_rig(zhibu) as rig:
        member = await bind_on_wechat(rig)
        zhibu.clock.advance(timedelta(hours=49))
        row = await push(rig, member, "本月学习资料已发布。")
        await zhibu.app.dispatcher.run_once()

    assert row.state == "dead" and "超过48小时" in (row.last_error or "")
    assert rig.api.custom == [] and rig.api.templates == []
    [notice] = zhibu.sender.to("李建国")
    assert notice.startswith("有一条消息没能发给王秀英（超过48小时没在公众号里说话")


async def test_writing_again_reopens_the_window(zhibu: Zhibu) -> None:
    async with open_rig(zhibu) as rig:
        member = await bind_on_wechat(rig)
        zhibu.clock.advance(timedelta(hours=49))
        await rig.reply(text_xml(MEMBER, "学习日", rig.msg_id()))
        row = await push(rig, member, "本月学习资料已发布。")

    assert row.state == "sent"
    assert rig.api.texts_to(MEMBER) == ["本月学习资料已发布。"]


async def test_a_member_who_unfollowed_is_no_longer_pushed_to_on_wechat(zhibu: Zhibu) -> None:
    async with open_rig(zhibu) as rig:
        member = await bind_on_wechat(rig)
        rig.api.unfollowed.add(MEMBER)
        row = await push(rig, member, "学习日提醒", key="k1")
        later = await push(rig, member, "资料提醒", key="k2")
        await zhibu.app.dispatcher.run_once()

    assert row.state == "dead" and row.last_error == "已取消关注公众号，代码43004"
    assert later.state == "sent" and later.channel == "console"  # their other account
    [notice] = zhibu.sender.to("李建国")
    assert "已取消关注公众号" in notice


async def test_an_unfollow_event_stops_pushes_until_they_follow_again(zhibu: Zhibu) -> None:
    async with open_rig(zhibu) as rig:
        member = await bind_on_wechat(rig)
        assert await rig.reply(event_xml(MEMBER, "unsubscribe")) == ""
        away = await push(rig, member, "学习日提醒", key="k1")
        await rig.reply(event_xml(MEMBER, "subscribe", create_time=9))
        back = await push(rig, member, "资料提醒", key="k2")

    assert away.channel == "console"
    assert back.channel == "wechat" and rig.api.texts_to(MEMBER) == ["资料提醒"]


async def test_a_secretary_bound_to_wecom_gets_alerts_through_message_send(
    zhibu: Zhibu,
) -> None:
    async with open_rig(zhibu, wecom=True) as rig:
        secretary = await bind_on_wechat(rig, SECRETARY, "李建国")
        async with zhibu.app.store.transaction() as tx:
            await tx.bind("wecom", "LiJianGuo", secretary, None, zhibu.clock.now())
        zhibu.clock.advance(timedelta(hours=49))  # no 48 h window on WeCom
        row = await push(rig, secretary, "【住院】刘德明住院了。",
                         buttons=[{"label": "接受", "data": "接受 #7"}])

    assert row.state == "sent" and rig.api.custom == [] and rig.api.templates == []
    [sent] = rig.api.wecom
    assert sent["touser"] == "LiJianGuo" and sent["agentid"] == 1000002
    assert sent["text"]["content"] == "【住院】刘德明住院了。\n回复 接受 #7"


async def test_an_unknown_wecom_userid_is_a_permanent_failure(zhibu: Zhibu) -> None:
    async with open_rig(zhibu, wecom=True) as rig:
        secretary = await bind_on_wechat(rig, SECRETARY, "李建国")
        async with zhibu.app.store.transaction() as tx:
            await tx.bind("wecom", "Nobody", secretary, None, zhibu.clock.now())
        rig.api.unknown_wecom_users.add("Nobody")
        row = await push(rig, secretary, "提醒")

    assert row.state == "dead" and row.last_error == "企业微信里没有这个账号"


async def test_wecom_holds_back_the_31st_message_in_a_minute_to_one_person(
    zhibu: Zhibu,
) -> None:
    async with open_rig(zhibu, wecom=True) as rig:
        wecom = rig.channel.wecom
        assert wecom is not None
        for i in range(30):
            await wecom.send("LiJianGuo", f"提醒{i}", [])
        with pytest.raises(SendError) as held:
            await wecom.send("LiJianGuo", "第31条", [])

    assert len(rig.api.wecom) == 30
    assert held.value.retry_after is not None and 0 < held.value.retry_after <= 60
    assert not held.value.permanent


async def test_a_picture_in_a_reply_is_uploaded_and_sent(
    zhibu: Zhibu, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chart = tmp_path / "出勤.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\n")

    async def answer(msg: object) -> list[Reply]:
        return [Reply("报表已生成。", files=(str(chart), str(tmp_path / "出勤.xlsx")))]

    async with open_rig(zhibu) as rig:
        monkeypatch.setattr(rig.channel.inbox.router, "handle", answer)
        text = await rig.reply(text_xml(SECRETARY, "报表", rig.msg_id()))
        await rig.channel.inbox.drain()

    assert text == "报表已生成。\n文件“出勤.xlsx”在微信里发不了，请找支部书记要。"
    assert rig.api.uploads == ["出勤.png"]
    [image] = [m for m in rig.api.custom if m["msgtype"] == "image"]
    assert image == {"touser": SECRETARY, "msgtype": "image", "image": {"media_id": "MEDIA1"}}


async def test_the_menu_is_created_from_the_configuration(zhibu: Zhibu) -> None:
    api = FakeWechatApi()

    menu = await create_menu(wechat_config(zhibu.path), zhibu.clock, api.transport())

    assert api.menus == [menu]
    assert [group["name"] for group in menu["button"]] == ["学习", "服务", "书记"]


def test_wechat_menu_dry_run_prints_the_menu(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["wechat-menu", "--dry-run"]) == 0

    menu = json.loads(capsys.readouterr().out)
    assert menu["button"][0]["sub_button"][0] == {
        "type": "click", "name": "签到", "key": "ZHIBU_CHECKIN"}


def test_wechat_menu_without_an_app_secret_says_what_is_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ZHIBU_CONFIG", raising=False)

    assert main(["wechat-menu"]) == 2
    assert "app_id and app_secret" in capsys.readouterr().err


def test_wecom_bind_sends_a_members_alerts_to_their_wecom_userid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "z.db"
    config = tmp_path / "zhibu.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,手机,支部,角色\n李建国,13800000001,城关支部,书记\n", encoding="utf-8")
    assert main(["--config", str(config), "import-roster", str(roster)]) == 0

    assert main(["--config", str(config), "wecom-bind", "13800000001", "LiJianGuo"]) == 0
    assert main(["--config", str(config), "wecom-bind", "13900000009", "X"]) == 2

    out, err = capsys.readouterr()
    assert "李建国的提醒今后发到企业微信（LiJianGuo）" in out
    assert "名单上没有手机号 13900000009" in err
