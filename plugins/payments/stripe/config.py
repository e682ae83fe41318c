"""The ``[payments.stripe]`` section: keys by environment variable, session expiry, return pages."""

from __future__ import annotations

from pydantic import Field

from chatshop.config import SecretNames
from chatshop.payments import PaymentConfig


class StripeConfig(PaymentConfig):
    secret_key_env: str = "STRIPE_SECRET_KEY"  # noqa: S105 (the variable's name)
    #: One variable, or a list: the current endpoint secret first, then the one being rolled away.
    webhook_secret_env: SecretNames = Field(default_factory=lambda: ["STRIPE_WEBHOOK_SECRET"])
    api_base_url: str = Field(default="https://api.stripe.com", pattern=r"^https?://")
    #: Stripe takes an ``expires_at`` between 30 minutes and 24 hours after the session is made.
    link_expiry_minutes: int = Field(default=30, ge=30, le=24 * 60)
    #: Where the customer lands after paying or giving up; our own small page by default.
    success_url: str | None = Field(default=None, pattern=r"^https?://")
    cancel_url: str | None = Field(default=None, pattern=r"^https?://")
    #: Limit the methods Checkout offers (``["card", "upi"]``); empty lets the Dashboard decide.
    payment_method_types: list[str] = Field(default_factory=list)
    #: Pin the API version of our calls (``Stripe-Version``); empty uses the account's default.
    api_version: str | None = None
    #: How old a webhook signature's timestamp may be (Stripe's libraries use 300 s).
    webhook_tolerance_seconds: int = Field(default=300, ge=1)
    request_timeout_seconds: float = Field(default=15.0, gt=0)
    retry_delays_seconds: list[float] = Field(default_factory=lambda: [0.5, 2.0])
