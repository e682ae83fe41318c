"""COD tests pay online through tests/payments' fake Razorpay and talk WhatsApp through its fake
Graph API: their fixtures from there."""

from datetime import UTC, datetime

import pytest

from tests.cod import shops
from tests.payments.conftest import razorpay_api
from tests.whatsapp.conftest import fake, graph, secrets_env

__all__ = ["fake", "graph", "razorpay_api", "secrets_env"]


@pytest.fixture(autouse=True)
def fresh_clock(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts the shop's clock at now, to the minute: WhatsApp and the stores stamp real
    times, and a clock fixed when the tests were collected drifts from them during a long run."""
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    for module in (shops, request.module):
        if hasattr(module, "T0"):
            monkeypatch.setattr(module, "T0", start)
