"""Servers a test started are stopped when it ends, passed or failed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.persist.serving import stop_all


@pytest.fixture(autouse=True)
def _no_server_outlives_its_test() -> Iterator[None]:
    yield
    stop_all()
