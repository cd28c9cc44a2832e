"""学习资料: publishing (chat and command line), 资料 for members, the large-print copy, and
the study-day broadcast."""

from __future__ import annotations

import asyncio
import io
import itertools
import os
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from bot.cli import main
from bot.core.messages import Attachment, InboundMessage, Reply
from handlers.delivery.common import parse_month
from handlers.delivery.jobs import DeliveryJobs
from storage import SqliteStore
from storage.repo_delivery import Material
from tests.conftest import Zhibu

BRANCH = "城关离退休干部党支部"
ROSTER = Path(__file__).resolve().parent.parent / "bot" / "demo_data" / "roster.csv"
TEXT = "十二月学习要点：学习党的二十届四中全会精神，坚定理想信念，发挥老同志作用。"
_FILE_IDS = itertools.count(1)
PDF = b"%PDF-1.4\n% a small stand-in for the month's document\n%%EOF\n"


async def send_file(z: Zhibu, who: str, data: bytes, filename: str, caption: str | None,
                    mime: str = "application/pdf") -> list[Reply]:
    """A file sent in chat, as a channel hands it over (the caption is the text)."""
    msg = InboundMessage(channel="console", sender=who, message_id=f"file-{next(_FILE_IDS)}",
                         received_at=z.clock.now(), text=caption,
                         attachment=Attachment(filename, mime, data))
    replies = await z.app.router.handle(msg)
    await z.app.dispatcher.run_once()
    return replies


async def materials(z: Zhibu, month: str = "2026-12") -> list[Material]:
    async with z.app.store.transaction() as tx:
        branch = await tx.find_branch(BRANCH)
        assert branch is not None
        return await tx.materials_for(branch.id, month)


def files_in(z: Zhibu) -> list[Path]:
    folder = z.path.parent / "files"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


async def test_members_read_the_months_text_with_资料(zhibu: Zhibu) -> None:
    assert "还没有发布" in await zhibu.text("王秀英", "资料")
    await zhibu.say("李建国", f"资料 发布 {TEXT}")
    assert "已发布2026年12月学习资料《十二月学习要点》" in await zhibu.text("李建国", "确认")
    assert await zhibu.text("王秀英", "资料") == (
        "【2026年12月学习资料】《十二月学习要点》\n"
        "学习党的二十届四中全会精神，坚定理想信念，发挥老同志作用。")
    assert (await zhibu.text("周玉蘭", "資料")).startswith("【2026年12月學習資料】")


async def test_nothing_is_published_before_the_readback_is_confirmed(zhibu: Zhibu) -> None:
    readback = await zhibu.text("李建国", f"资料 发布 {TEXT}")
    assert "《十二月学习要点》（文字），发给：城关离退休干部党支部" in readback
    assert await materials(zhibu) == []
    await zhibu.say("李建国", "取消")
    assert await materials(zhibu) == []


async def test_a_publish_without_content_takes_the_next_message(zhibu: Zhibu) -> None:
    assert "请发来2026年12月的学习资料" in await zhibu.text("李建国", "资料 发布")
    await send_file(zhibu, "李建国", PDF, "全会公报.pdf", None)
    await zhibu.say("李建国", "确认")
    (material,) = await materials(zhibu)
    assert material.kind == "file" and material.title == "全会公报"


async def test_a_file_over_the_limit_is_refused_with_the_limit_and_nothing_is_stored(
    zhibu: Zhibu,
) -> None:
    big = bytes(25 * 1024 * 1024)
    (reply,) = await send_file(zhibu, "李建国", big, "大文件.pdf", "资料 十二月学习资料")
    assert "文件太大（25.0 MB），最大只能20.0 MB，没有保存" in reply.text
    assert files_in(zhibu) == []
    assert await materials(zhibu) == []


async def test_a_pdf_sent_with_a_caption_is_published_and_sent_back_as_a_document(
    zhibu: Zhibu,
) -> None:
    (readback,) = await send_file(zhibu, "李建国", PDF, "公报.pdf", "资料 全会公报（原文）")
    assert "《全会公报（原文）》（PDF文件，1 KB）" in readback.text
    await zhibu.say("李建国", "确认")
    (reply,) = await zhibu.say("王秀英", "资料")
    assert "《全会公报（原文）》（PDF文件，1 KB），请查收" in reply.text
    (path,) = reply.files
    assert Path(path).name == "公报.pdf" and await asyncio.to_thread(Path(path).read_bytes) == PDF
    assert Path(path).parent.name == (await materials(zhibu))[0].file_sha256


async def test_members_see_neither_the_uploaders_file_name_nor_an_id(zhibu: Zhibu) -> None:
    await send_file(zhibu, "李建国", PDF, "december-material.pdf", "资料")
    await zhibu.say("李建国", "确认")
    (reply,) = await zhibu.say("王秀英", "资料")
    assert "《2026年12月学习资料》" in reply.text and "december" not in reply.text
    assert "#" not in reply.text
    (path,) = reply.files
    assert Path(path).name == "2026年12月学习资料.pdf"


async def test_the_same_file_is_stored_once_by_its_content_hash(zhibu: Zhibu) -> None:
    for caption in ("资料 公报", "资料 公报（再发一次）"):
        await send_file(zhibu, "李建国", PDF, "公报.pdf", caption)
        await zhibu.say("李建国", "确认")
    assert len(await materials(zhibu)) == 2
    assert len(files_in(zhibu)) == 1


async def test_a_file_of_another_kind_is_refused(zhibu: Zhibu) -> None:
    (reply,) = await send_file(zhibu, "李建国", b"MZ", "setup.exe", "资料 工具",
                               mime="application/octet-stream")
    assert "请发PDF、Word（.docx）或图片" in reply.text
    assert files_in(zhibu) == [] and await materials(zhibu) == []


async def test_a_link_is_returned_with_its_title(zhibu: Zhibu) -> None:
    await zhibu.say("李建国", "资料 发布 全会公报全文 https://example.org/gongbao")
    await zhibu.say("李建国", "确认")
    assert await zhibu.text("张桂兰", "资料") == (
        "【2026年12月学习资料】《全会公报全文》\nhttps://example.org/gongbao")


async def test_members_can_ask_for_an_earlier_month(zhibu: Zhibu) -> None:
    await zhibu.say("李建国", "资料 发布 2026-10 十月学习：重阳节敬老。")
    await zhibu.say("李建国", "确认")
    assert "2026年11月没有学习资料" in await zhibu.text("王秀英", "资料 上月")
    for asked in ("资料 2026-10", "资料 十月", "资料 2026年10月"):
        assert "《十月学习》\n重阳节敬老。" in await zhibu.text("王秀英", asked)
    assert "没看懂“下雨天”是哪个月" in await zhibu.text("王秀英", "资料 下雨天")


async def test_a_member_cannot_publish(zhibu: Zhibu) -> None:
    assert "只有支部书记" in await zhibu.text("王秀英", f"资料 发布 {TEXT}")
    (reply,) = await send_file(zhibu, "王秀英", PDF, "x.pdf", "资料 我的文件")
    assert "只有支部书记" in reply.text
    assert await materials(zhibu) == [] and files_in(zhibu) == []


async def test_an_admin_publishes_for_every_branch(zhibu: Zhibu) -> None:
    (question,) = await zhibu.say("钱主任", "资料 发布 全区通知：元旦前走访慰问。")
    assert question.buttons[0].data == "全部支部"
    assert "发给：全部支部" in await zhibu.text("钱主任", "1")
    assert "已为1位同志登记送学上门：刘德明" in await zhibu.text("钱主任", "确认")
    (material,) = await materials(zhibu)
    assert material.branch_id is None
    assert any("刘德明" in text for text in zhibu.sender.to("李建国"))


def test_months_are_understood_as_members_write_them() -> None:
    assert parse_month("", "2026-12") == "2026-12"
    assert parse_month("上个月", "2026-01") == "2025-12"
    assert parse_month("上個月", "2026-12") == "2026-11"
    assert parse_month("２０２６－１０", "2026-12") == "2026-10"
    assert parse_month("十二月", "2026-03") == "2025-12"
    assert parse_month("一月", "2026-12", ahead=True) == "2027-01"
    assert parse_month("13月", "2026-12") is None
    assert parse_month("明天", "2026-12") is None


def _pdf_facts(path: Path) -> tuple[str, list[float], list[Any], list[float]]:
    """The text, the font sizes used, the fonts, and the page size of a PDF."""
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    sizes: list[float] = []

    def visit(op: bytes, args: list[Any], cm: Any, tm: Any) -> None:
        if op == b"Tf":
            sizes.append(float(args[1]))

    text = "".join(page.extract_text(visitor_operand_before=visit) for page in reader.pages)
    fonts = [font.get_object() for page in reader.pages
             for font in page["/Resources"]["/Font"].values()]
    box = reader.pages[0].mediabox
    # pypdf reads the font's embedded encoding CMap as one-byte codes, so a NUL precedes each
    # character it extracts; PDF viewers (and poppler's pdftotext) map the two-byte codes.
    text = "".join(text.replace("\x00", "").split())
    return text, sizes, fonts, [float(box.width), float(box.height)]


async def test_the_large_print_copy_is_a4_with_large_embedded_chinese_text(
    zhibu: Zhibu,
) -> None:
    await zhibu.say("李建国", f"资料 发布 {TEXT}")
    await zhibu.say("李建国", "确认")
    _, printing = await zhibu.say("李建国", "送学单")
    (path,) = [Path(p) for p in printing.files]
    assert path.name == "十二月学习要点-大字版.pdf"
    text, sizes, fonts, page = await asyncio.to_thread(_pdf_facts, path)
    assert "学习党的二十届四中全会精神" in text and "十二月学习要点" in text
    assert sizes and min(sizes) >= 18
    assert [round(x) for x in page] == [595, 842]  # A4 in points
    (font,) = fonts
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    assert "NotoSansCJK" in str(font["/BaseFont"])
    assert "/FontFile3" in descriptor or "/FontFile2" in descriptor  # embedded, not referenced


async def test_a_document_is_passed_through_as_is_for_printing(zhibu: Zhibu) -> None:
    await send_file(zhibu, "李建国", PDF, "公报.pdf", "资料 全会公报")
    await zhibu.say("李建国", "确认")
    _, printing = await zhibu.say("李建国", "送学单")
    (path,) = printing.files
    assert await asyncio.to_thread(Path(path).read_bytes) == PDF


async def test_the_study_day_broadcast_sends_each_material_once_to_each_active_member(
    zhibu: Zhibu,
) -> None:
    await zhibu.say("李建国", f"资料 发布 {TEXT}")
    await zhibu.say("李建国", "确认")
    await send_file(zhibu, "李建国", PDF, "公报.pdf", "资料 全会公报")
    await zhibu.say("李建国", "确认")
    jobs = DeliveryJobs(zhibu.app.store, zhibu.clock, ZoneInfo("Asia/Shanghai"), "zh-Hans")
    assert await jobs.send_study_day_materials() == 2 * 9  # two materials, nine members
    assert await jobs.send_study_day_materials() == 0
    await zhibu.app.dispatcher.run_once()
    wang = zhibu.sender.to("王秀英")
    assert any(TEXT.split("：")[1] in text for text in wang)
    assert any("《全会公报》已发布。回复“资料”" in text for text in wang)
    zhibu.clock.advance(timedelta(days=1))
    await zhibu.say("李建国", "资料 发布 补充：迟到的资料。")
    await zhibu.say("李建国", "确认")
    assert await jobs.send_study_day_materials() == 0  # not the study day any more


# -- the command line -----------------------------------------------------------------------


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config on a fresh database with the demo roster imported."""
    for var in [v for v in os.environ if v.startswith("ZHIBU_")]:
        monkeypatch.delenv(var)
    path = tmp_path / "zhibu.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "z.db"}"\n', encoding="utf-8")
    assert main(["--config", str(path), "import-roster", str(ROSTER)]) == 0
    return path


def _requests(db: Path) -> list[str]:
    async def read() -> list[str]:
        store = await SqliteStore.open(db)
        try:
            async with store.transaction() as tx:
                found = await tx.open_deliveries(None)
                names = [await tx.get_member(r.member_id) for r in found]
                return [m.name for m in names if m]
        finally:
            await store.close()

    return asyncio.run(read())


def test_material_add_publishes_and_print_writes_the_large_print_copy(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    assert main(["--config", str(config), "material", "add", "--branch", BRANCH,
                 "--month", "2026-12", "--text", TEXT]) == 0
    assert "送学上门：刘德明" in capsys.readouterr().out
    assert _requests(tmp_path / "z.db") == ["刘德明"]
    out = tmp_path / "print"
    assert main(["--config", str(config), "material", "print", "--branch", BRANCH,
                 "--month", "2026-12", "--out", str(out)]) == 0
    written = Path(capsys.readouterr().out.strip())
    assert written == out / "十二月学习要点-大字版.pdf"
    assert PdfReader(io.BytesIO(written.read_bytes())).pages


def test_material_add_refuses_a_file_over_the_limit(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    big = tmp_path / "big.pdf"
    with big.open("wb") as out:
        out.truncate(25 * 1024 * 1024)
    capsys.readouterr()
    assert main(["--config", str(config), "material", "add", "--branch", BRANCH, str(big)]) == 2
    assert "文件太大（25.0 MB），最大20.0 MB" in capsys.readouterr().err
    assert not (tmp_path / "files").exists()
    assert _requests(tmp_path / "z.db") == []


async def test_a_file_is_what_its_bytes_are_not_its_name_or_declared_type(zhibu: Zhibu) -> None:
    await zhibu.say("李建国", "资料 发布")
    exe = b"MZ\x90\x00\x03\x00\x00\x00 a program, sent as a PDF"
    (reply,) = await send_file(zhibu, "李建国", exe, "学习资料.pdf", None, "application/pdf")
    assert "这种文件不能发布" in reply.text
    assert files_in(zhibu) == []
    # A real PDF sent as an octet stream is a PDF all the same.
    (readback,) = await send_file(zhibu, "李建国", PDF, "x", None, "application/octet-stream")
    assert "PDF" in readback.text


async def test_bidi_overrides_and_controls_leave_names_and_titles(zhibu: Zhibu) -> None:
    await zhibu.say("李建国", "资料 发布")
    (readback,) = await send_file(zhibu, "李建国", PDF, "学习\u202efdp.exe", None)
    assert "\u202e" not in readback.text
    await zhibu.say("李建国", "确认")
    (material,) = await materials(zhibu)
    assert material.filename == "学习fdp.pdf" and "\u202e" not in material.title
    (stored,) = files_in(zhibu)
    assert stored.name == "学习fdp.pdf"  # the type its bytes are, not .exe


async def test_a_cancelled_publish_leaves_no_published_file(zhibu: Zhibu) -> None:
    await zhibu.say("李建国", "资料 发布")
    await send_file(zhibu, "李建国", PDF, "全会公报.pdf", None)
    (draft,) = files_in(zhibu)
    assert ".drafts" in draft.parts  # kept aside until 确认, never served
    await zhibu.say("李建国", "取消")
    assert all(".drafts" in p.parts for p in files_in(zhibu))
    assert await materials(zhibu) == []
    await zhibu.say("李建国", "资料 发布")
    await send_file(zhibu, "李建国", PDF, "全会公报.pdf", None)
    await zhibu.say("李建国", "确认")
    (published,) = files_in(zhibu)
    assert ".drafts" not in published.parts and published.name == "全会公报.pdf"
