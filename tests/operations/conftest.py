"""Faults, payments and operations: tests/payments' provider fakes and shops, a Razorpay whose refunds can be held."""

from __future__ import annotations

import pytest

from tests.operations.providers import HeldRazorpay
from tests.payments.conftest import http, razorpay_shop, stripe_api, stripe_shop
from tests.privacy.conftest import logs
from tests.scale.conftest import postgres_url

__all__ = ["http", "logs", "postgres_url", "razorpay_shop", "stripe_api", "stripe_shop"]


@pytest.fixture
def razorpay_api() -> HeldRazorpay:
    """tests/payments' fake Razorpay, whose refunds a test may hold back."""
    return HeldRazorpay()
