"""Every test in this folder runs on a virtual clock (tests/fakes/timeloop.VirtualTimeLoop).

pytest-asyncio asks this hook for the loop of each test under this folder only (a conftest's
hooks apply to the tests beside and below it), so the rest of the suite keeps real loops.
"""

from __future__ import annotations

import pytest

from tests.fakes.timeloop import VirtualTimeLoop


def pytest_asyncio_loop_factories(config: pytest.Config,
                                  item: pytest.Item) -> dict[str, type[VirtualTimeLoop]]:
    """The one loop factory for these tests."""
    return {"virtual_time": VirtualTimeLoop}
