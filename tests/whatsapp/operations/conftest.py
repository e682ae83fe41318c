"""WhatsApp operations (odd webhooks, configuration, WhatsApp Pay, pictures, serving beside the web
chat): the WhatsApp tests' fake Graph API and secrets, reused."""

from __future__ import annotations

from tests.whatsapp.conftest import fake, graph, secrets_env

from .whatsapp_shop import priya, shop

__all__ = ["fake", "graph", "priya", "secrets_env", "shop"]
