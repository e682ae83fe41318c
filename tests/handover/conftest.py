"""The hand-over tests run against the WhatsApp fake too: its fixtures (secrets, fake Graph API) from there."""

from tests.whatsapp.conftest import fake, graph, secrets_env

__all__ = ["fake", "graph", "secrets_env"]
