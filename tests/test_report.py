"""`zhibu report`: the monthly workbook and chart, from a real branch month."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.core.clock import FakeClock
from bot.documents.report import chart_series
from handlers.officers.report_data import build_report
from tests.conftest import STUDY_DAY_MORNING, make_config, open_zhibu


def test_the_monthly_report_has_attendance_visits_and_a_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "z.db"

    async def a_study_day() -> None:
        z = await open_zhibu(db, FakeClock(STUDY_DAY_MORNING), fresh=True)
        try:
            await z.text("王秀英", "签到")
            await z.converse("陈淑珍", "请假 感冒", "确认")
            await z.converse("李建国", "代签 刘德明 腿脚不便", "确认")
            # "2": do not tell the partner
            await z.converse("张桂兰", "住院 中心医院", "跳过", "今天", "2", "确认")
            await z.converse("李建国", "资料 发布 十二月学习要点：坚定理想信念。", "确认")
            z.clock.advance(timedelta(days=1))
            await z.converse("李建国", "已走访 1", "今天", "跳过")
            await z.text("李建国", "确认")
        finally:
            await z.app.close()

    asyncio.run(a_study_day())
    config = tmp_path / "z.toml"
    config.write_text(f'[database]\nurl = "{make_config(db).database.url}"\n', encoding="utf-8")
    out = tmp_path / "2026-12.xlsx"
    assert main(["--config", str(config), "report", "--branch", "城关离退休干部党支部",
                 "--month", "2026-12", "--out", str(out)]) == 0
    book = load_workbook(out)
    attendance = [list(r) for r in book["出勤"].iter_rows(values_only=True)]
    # 张桂兰, admitted that day, is on leave (住院), not absent: 实到 2, 代签 1, 请假 2 (one of
    # them 住院), 送学补学 0, 缺席 5
    assert attendance[0][:9] == ["日期", "会议", "应到", "实到", "代签", "请假", "请假：住院",
                                 "送学补学", "缺席"]
    assert attendance[1][:9] == ["2026-12-08 09:00", "学习日", 9, 2, 1, 1, 1, 0, 5]
    visits = [list(r) for r in book["走访"].iter_rows(values_only=True)]
    assert visits[1][:2] == ["张桂兰", "住院"] and visits[1][4] == "已走访"
    assert "中心医院" not in str(visits)
    deliveries = [list(r) for r in book["送学"].iter_rows(values_only=True)]
    # 刘德明 needs home delivery; 张桂兰 is in hospital: both were registered on publishing
    assert sorted(tuple(r[:2]) for r in deliveries[1:]) == [("刘德明", "待指派"),
                                                           ("张桂兰", "待指派")]
    trend = [list(r) for r in book["趋势"].iter_rows(values_only=True)]
    # the demo branch was entered this morning: no month before it is in the trend
    assert trend[0] == ["月份", "应到", "实到", "请假", "送学补学", "缺席", "出勤率"]
    assert trend[1:] == [["2026-12", 9, 2, 2, 0, 5, "22%"]]  # 实到 counts the proxy (代签)

    async def drawn() -> tuple[list[str], list[int], list[int], list[int]]:
        z = await open_zhibu(db, FakeClock(STUDY_DAY_MORNING), fresh=False)
        try:
            built = await build_report(z.app.store, "城关离退休干部党支部", 2026, 12,
                                       z.app.config.timezone, z.clock.now(), ("test", "test"))
        finally:
            await z.app.close()
        assert built is not None
        return chart_series(built)

    labels, present, leave, absent = asyncio.run(drawn())  # what the chart's bars are
    assert [[f"20{x}", p, q, r] for x, p, q, r in zip(labels, present, leave, absent,
                                                       strict=True)] == [
        [row[0], row[2], row[3] + row[4], row[5]] for row in trend[1:]]
    chart = out.with_suffix(".png")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["--config", str(config), "report", "--branch", "没有", "--month", "2026-12",
                 "--out", str(out)]) == 2
