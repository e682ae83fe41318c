"""COD tests pay online through tests/payments' fake Razorpay and talk WhatsApp through its fake
Graph API: their fixtures from there."""

from tests.payments.conftest import razorpay_api
from tests.whatsapp.conftest import fake, graph, secrets_env

__all__ = ["fake", "graph", "razorpay_api", "secrets_env"]
