"""The staff tests use the inbox tests' shop, accounts and per-person cookie jars."""

from __future__ import annotations

import pytest

from tests.inbox.staff import ADMIN_ENV, ADMIN_TOKEN


@pytest.fixture(autouse=True)
def admin_token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(ADMIN_ENV, ADMIN_TOKEN)
    return ADMIN_TOKEN
