"""Third QA pass on WhatsApp: the WhatsApp tests' fake Graph API and secrets, and the QA shop of the
second pass (four languages, long names, sold-out and scarce products)."""

from __future__ import annotations

from tests.qa_whatsapp2.shop import asha, shop
from tests.whatsapp.conftest import fake, graph, secrets_env

__all__ = ["asha", "fake", "graph", "secrets_env", "shop"]
