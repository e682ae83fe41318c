"""The hand-over tests' shops: the small test shop with a dashboard (someone can answer) and
``[support]`` hours in Kolkata (``handover_toml``); they run against the WhatsApp fake too (its
fixtures, secrets and the fake Graph API, from there)."""

import pytest

from tests.conftest import SHOP_TOML
from tests.whatsapp.conftest import fake, graph, secrets_env

__all__ = ["fake", "graph", "handover_toml", "secrets_env"]

HANDOVER = """
[admin]

[support]
timezone = "Asia/Kolkata"
idle_minutes = 60
after_not_understood = 3

[support.hours]
mon = "09:00-18:00"
tue = "09:00-18:00"
wed = "09:00-18:00"
thu = "09:00-18:00"
fri = "09:00-18:00"
sat = "10:00-14:00"
"""


@pytest.fixture
def handover_toml() -> str:
    """The test shop with someone to answer (a dashboard) and support hours in Kolkata."""
    return SHOP_TOML + HANDOVER
