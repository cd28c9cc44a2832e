"""Files members and secretaries send on Telegram reach the flows that use them."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.botapi import telegram_rig

WANG, LI = 5001, 7001
PDF = b"%PDF-1.4\n% the month's document\n%%EOF\n"


async def test_a_secretary_publishes_a_pdf_sent_as_a_document(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.bind(LI, "李建国")
        await rig.bind(WANG, "王秀英")
        before = len(rig.api.sent(LI))
        rig.api.document(LI, "公报.pdf", PDF, mime="application/pdf",
                         caption="资料 全会公报（原文）")
        [readback] = (await rig.api.wait_sent(LI, before + 1))[before:]
        assert "《全会公报（原文）》（PDF文件，1 KB）" in readback.text
        [published] = await rig.say(LI, "确认")
        assert "已发布" in published.text

        [reply] = await rig.say(WANG, "资料", n=1)
        assert "《全会公报（原文）》" in reply.text
        [document] = await rig.api.wait_sent(WANG, 1, method="sendDocument")
        assert document.files["document"] == ("公报.pdf", PDF)


async def test_a_photo_arrives_in_its_largest_size(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.bind(LI, "李建国")
        before = len(rig.api.sent(LI))
        rig.api.photo(LI, b"\xff\xd8\xff\xe0 a photo of the notice", caption="资料")
        [answer] = (await rig.api.wait_sent(LI, before + 1))[before:]
        # A picture of the notice is a material too; what was fetched is the photo itself,
        # not the thumbnail Telegram lists first.
        assert "（图片，1 KB）" in answer.text
        assert [c.params["file_id"] for c in rig.api.calls if c.method == "getFile"] == ["F2"]


async def test_a_file_over_telegrams_download_limit_gets_a_short_answer(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.bind(LI, "李建国")
        before = len(rig.api.sent(LI))
        rig.api.document(LI, "big.pdf", b"\0" * (20 * 1024 * 1024 + 1), mime="application/pdf",
                         caption="资料")
        [answer] = (await rig.api.wait_sent(LI, before + 1))[before:]
        assert "文件太大" in answer.text
        assert not [c for c in rig.api.calls if c.method == "getFile"]
        assert await rig.count("materials") == 0


async def test_files_from_members_family_and_strangers_are_never_downloaded(
        tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.bind(WANG, "王秀英")
        stranger = 8001
        for chat in (WANG, stranger):
            before = len(rig.api.sent(chat))
            rig.api.document(chat, "x.pdf", PDF, mime="application/pdf", caption="资料")
            [answer] = (await rig.api.wait_sent(chat, before + 1))[before:]
            assert "用不上文件" in answer.text
        rig.api.photo(stranger, b"\xff\xd8\xff\xe0 a photo", caption=None)
        await rig.api.wait_sent(stranger, 2)
        assert not [c for c in rig.api.calls if c.method == "getFile"]
        assert await rig.count("materials") == 0


async def test_a_members_photo_is_fetched_for_a_submission(tmp_path: Path) -> None:
    """我见证: a picture with a caption is a piece for the branch's digest (issue #17)."""
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.bind(WANG, "王秀英")
        before = len(rig.api.sent(WANG))
        rig.api.photo(WANG, b"\xff\xd8\xff\xe0 a photo", caption="我见证：社区新修的健身广场")
        [answer] = (await rig.api.wait_sent(WANG, before + 1))[before:]
        assert "照片收到了" in answer.text and "照片可以放进简报给大家看吗" in answer.text
        assert len([c for c in rig.api.calls if c.method == "getFile"]) == 1
        assert await rig.count("materials") == 0
