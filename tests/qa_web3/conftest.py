"""The web shop of tests/web needs its admin token in the environment."""

from __future__ import annotations

import pytest

from tests.web.conftest import ADMIN_ENV, ADMIN_TOKEN


@pytest.fixture(autouse=True)
def admin_token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(ADMIN_ENV, ADMIN_TOKEN)
    return ADMIN_TOKEN
