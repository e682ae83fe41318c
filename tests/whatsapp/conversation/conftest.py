"""Conversations on WhatsApp: the WhatsApp tests' fake Graph API and secrets, and a real four-language shop."""

from __future__ import annotations

from tests.whatsapp.conftest import fake, graph, secrets_env

from .shop import asha, shop

__all__ = ["asha", "fake", "graph", "secrets_env", "shop"]
