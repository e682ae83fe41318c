"""The team inbox's tests: a shop with its dashboard and staff accounts, the WhatsApp fake's fixtures."""

from __future__ import annotations

import pytest

from tests.whatsapp.conftest import fake, graph, secrets_env

from .staff import ADMIN_ENV, ADMIN_TOKEN

__all__ = ["fake", "graph", "secrets_env"]


@pytest.fixture(autouse=True)
def admin_token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(ADMIN_ENV, ADMIN_TOKEN)
    return ADMIN_TOKEN
