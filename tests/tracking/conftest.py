"""Tracking tests run WhatsApp through its fake Graph API: its fixtures (secrets, the fake) from there."""

from tests.whatsapp.conftest import fake, graph, secrets_env

__all__ = ["fake", "graph", "secrets_env"]
