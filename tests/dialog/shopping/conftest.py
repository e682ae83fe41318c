"""Fixtures of the shopping dialog tests (search, postal codes, typed commands, the native catalog):
the WhatsApp tests' fake Graph API and secrets."""

from __future__ import annotations

from tests.whatsapp.conftest import fake, graph, secrets_env

__all__ = ["fake", "graph", "secrets_env"]
