"""`zhibu demo --script` replays the shipped examples end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _replay(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    config = tmp_path / "zhibu.toml"
    config.write_text('timezone = "Asia/Shanghai"\n', encoding="utf-8")
    code = main(["--config", str(config), "demo", "--script", str(EXAMPLES / name),
                 "--start", "2026-12-08 08:30"])
    out = capsys.readouterr().out
    assert code == 0, out
    return out


def test_first_study_day_transcript(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _replay("first-study-day.txt", tmp_path, capsys)
    assert "王秀英，签到成功！12月8日（星期二）学习日，08:31签到。" in out
    assert "张桂兰，簽到成功！" in out
    assert "已为您请假：12月8日（星期二）学习日。" in out
    assert "已签到 08:31，不用再签了。" in out
    assert "应到 9 人" in out
    assert "实到 2 人：王秀英、张桂兰" in out
    assert "请假 1 人：陈淑珍（孙子发烧，要在家照看）" in out
    assert "缺席 6 人：李建国、刘德明、孙福海、周玉蘭、吴长林、郑丽华" in out
    assert "已为刘德明代签，原因：腿脚不便，电话确认在家学习。" in out
    assert "📨 发给 刘德明：李建国已为您代签" in out
    assert "实到 3 人：王秀英、张桂兰、刘德明（代签）" in out


def test_hospital_visit_transcript(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _replay("hospital-visit.txt", tmp_path, capsys)
    assert "王秀英，住在人民医院3病区12床，今天入院。会请互助对象张桂兰去看看。" in out
    assert "已记下。已通知：李建国。也已请张桂兰去看看。" in out
    assert "📨 发给 李建国：【住院】王秀英住院了：人民医院 3病区12床" in out
    assert "📨 发给 张桂兰：王秀英住院了，请您有空时去看看他/她。" in out
    assert "您已接受走访任务#1：王秀英（住院）" in out
    assert "✅ 李建国已接受" in out
    assert "已记录走访，谢谢！" in out
    assert "✔ 李建国已走访（12月9日（星期三））：精神不错，送了牛奶和学习资料" in out
    assert "最近走访：12月9日（星期三）。" in out


def test_home_delivery_transcript(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _replay("home-delivery.txt", tmp_path, capsys)
    assert "已为1位同志登记送学上门：刘德明" in out
    assert "📎 december-material.pdf" in out
    assert "【刘德明】送学\n  ↳ 您已经登记过送学上门，再核对一下：" in out
    assert "[送学上门]" in out
    assert "城关镇新华路5号2单元（新地址） · 下午 · 待指派" in out
    assert "📎 十二月学习要点-大字版.pdf" in out
    assert "[1 我自己送]  [2 互助对象张桂兰（推荐）]  [3 其他同志（写名字）]" in out
    assert "📨 发给 孙福海：【送学任务】#1 请给刘德明送" in out and "地址：城关镇南关村17号" in out
    assert "待指派 · ⚠️超过3天未指派" in out
    assert "送学补学 2 人：王秀英、刘德明" in out
    assert "送学补学1次" in out


def test_a_missing_script_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--script", str(tmp_path / "nope.txt")]) == 2
    assert "script not found" in capsys.readouterr().err


def test_secretary_month_transcript(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _replay("secretary-month.txt", tmp_path, capsys)
    assert "将把下面这条通知发给城关离退休干部党支部8位同志" in out
    assert "已发出：城关离退休干部党支部8位同志会收到这条通知。" in out
    assert "📨 发给 王秀英：【城关离退休干部党支部通知】" in out
    assert "正在生成城关离退休干部党支部2026年12月的报表，请稍候…" in out
    assert "城关离退休干部党支部2026年12月报表：学习日1次，实到2人次（代签0）" in out
    assert "📎 城关离退休干部党支部-2026-12-报表.xlsx" in out
    assert "📎 城关离退休干部党支部-2026-12-报表.png" in out


def test_sentences_transcript(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Sentences and voice input: fillers, negation, slots, corrections, a late answer."""
    out = _replay("sentences.txt", tmp_path, capsys)
    assert "王秀英，签到成功！" in out  # 嗯，我今天签到。
    assert "张桂兰，签到成功！" in out  # 书记好，我到了
    assert "吴长林，签到成功" not in out  # 在路上 is never a check-in
    assert "路上慢点" in out
    assert "原因：腰疼。" in out  # 不对，是腰疼 corrected the reason from the sentence
    assert "已为您请假" in out
    # The hospital and ward came from the sentence; only the day was asked.
    assert "陈淑珍，住在人民医院三病区十二床，昨天入院。" in out
    assert "住在哪家医院？" in out  # asked of 郑丽华 only, after she chose to go on
    assert "要接着登记住院吗？" in out
    assert "郑丽华，签到成功" not in out  # the late 1 was not menu item 1
    assert "郑丽华，住在中医院，今天入院。" in out
    assert "有事可以找李建国書記，電話 13800000001。" in out
    assert "也可以直接說，比如：我腿疼去不了" in out
    assert "请假 3 人：陈淑珍（住院）、孙福海（腰疼）、郑丽华（住院）" in out
    assert "为吴长林代签" in out  # 吴常林, as voice wrote it
    assert "实到 3 人：王秀英、张桂兰、吴长林（代签）" in out


def test_branch_life_transcript(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A pair contact, an activity with sign-ups, check-ins and hours, a piece taken into the
    digest and liked (issue #17)."""
    out = _replay("branch-life.txt", tmp_path, capsys)
    assert "您的互助对子是张桂兰，电话 13800000004。" in out
    assert "您今天去看了张桂兰，陪她聊了会天（精神慰藉）。" in out
    assert "记下了，谢谢您对张桂兰的关心。" in out
    assert "活动“帮社区老人理发”已发布，已通知8位同志。" in out
    assert "📨 发给 王秀英：【活动通知】志愿服务：帮社区老人理发" in out
    assert out.count("报名成功！12月8日（星期二） 10:00 帮社区老人理发") == 1
    assert "報名成功！" in out  # 孙福海 wrote Traditional
    assert "📨 发给 王秀英：您的稿件已采用，将放进本月简报。" in out
    assert "[1 学习日 09:00]  [2 帮社区老人理发 10:00]" in out
    assert "孙福海，签到成功！12月8日（星期二）帮社区老人理发" in out
    assert ("给12月8日（星期二）的“帮社区老人理发”记服务时长：张桂兰、孙福海，共2人，每人2小时"
            in out)
    assert "王秀英 — 张桂兰：上次12月8日，本月1次" in out
    assert "2026年12月简报已发给9位同志。" in out
    # the preview, and one push to each of the 9 (周玉蘭's in Traditional)
    assert out.count("1. 王秀英（我见证）：社区新修了健身广场") == 9
    assert "📨 发给 周玉蘭：【城关离退休干部党支部 2026年12月簡報】" in out
    assert "已为王秀英的稿件点赞，谢谢！" in out
    assert "📨 发给 王秀英：张桂兰为您点赞：帮邻居买菜" in out
    assert "活动参加2人次，志愿服务4小时；稿件收到1篇，采用1篇；互助对子联系1对；点赞2次。" in out
