"""Cost tests talk WhatsApp through its fake Graph API: its fixtures from there."""

from tests.whatsapp.conftest import fake, graph, secrets_env

__all__ = ["fake", "graph", "secrets_env"]
