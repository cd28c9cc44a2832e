"""The ground every layer stands on: messages, texts and languages, the clock, phone numbers.

Imports nothing from the shell (router, channels, CLI), from handlers/ or from schedules/.
"""
