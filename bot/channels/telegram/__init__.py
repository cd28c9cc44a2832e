"""Telegram: the python-telegram-bot Application, inbound updates, groups, sends, webhook."""
