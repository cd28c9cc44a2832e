"""What every bench prints first: the machine and the versions its figures depend on."""

from __future__ import annotations

import os
import platform
import sqlite3
from importlib.metadata import PackageNotFoundError, version

_LIBRARIES = ("aiosqlite", "python-telegram-bot", "aiohttp", "httpx", "uvicorn", "httptools",
              "starlette", "wechatpy", "opencc-python-reimplemented", "pypinyin", "APScheduler")


def describe() -> str:
    """One paragraph: CPUs, OS, Python, SQLite, and the libraries' versions."""
    found = []
    for name in _LIBRARIES:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            continue
    try:
        load = "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        load = "load unknown"
    return (f"{os.cpu_count()} CPUs, {platform.machine()} {platform.system()} "
            f"{platform.release()}, {load}\n"
            f"Python {platform.python_version()} ({platform.python_implementation()}), "
            f"SQLite {sqlite3.sqlite_version}\n" + ", ".join(found))
