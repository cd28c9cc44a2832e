"""The monthly study day: 签到, 请假, 学习日 and 我的."""

from handlers.study.member import FLOWS, INTENTS

__all__ = ["FLOWS", "INTENTS"]
