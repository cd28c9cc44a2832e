"""Stored replies: what a redelivered message is answered with."""

from __future__ import annotations

import json
from dataclasses import fields

from bot.core.messages import Button, Reply, dump_replies, load_replies


def test_replies_survive_storage_with_every_field() -> None:
    replies = [
        Reply("请确认：", buttons=(Button("确认", "confirm"), Button("取消", "cancel")),
              show_menu=False, ask_contact=True, files=("/tmp/出勤.png",), stale=True),
        Reply("签到成功", show_menu=True),
    ]
    stored = dump_replies(replies)

    assert load_replies(stored) == replies
    assert "签到成功" in stored  # readable in the database, not \\u-escaped
    # A field added to Reply must be stored too, or a redelivery would lose it.
    assert set(json.loads(stored)[0]) == {f.name for f in fields(Reply)}
