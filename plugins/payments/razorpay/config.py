"""The ``[payments.razorpay]`` section: API keys by environment variable, link expiry, UPI."""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator

from chatshop.config import SecretNames
from chatshop.money import MoneyError, validate_currency
from chatshop.payments import PaymentConfig


class RazorpayConfig(PaymentConfig):
    key_id: str = Field(min_length=1, pattern=r"^rzp_(test|live)_\w+$")
    key_secret_env: str = "RAZORPAY_KEY_SECRET"  # noqa: S105 (a variable name)
    #: One variable, or a list: the current webhook secret first, then the one before a rotation
    #: (Razorpay signs its retries of older events with the secret it had when they happened).
    webhook_secret_env: SecretNames = Field(default_factory=lambda: ["RAZORPAY_WEBHOOK_SECRET"])
    api_base_url: str = Field(default="https://api.razorpay.com", pattern=r"^https?://")
    #: Razorpay refuses an ``expire_by`` less than 15 minutes ahead.
    link_expiry_minutes: int = Field(default=30, ge=16, le=60 * 24 * 180)
    #: A UPI-only link (``upi_link: true``): opens the customer's UPI app directly.
    upi_link: bool = False
    #: Currencies this account may take through links (international needs Razorpay's approval).
    currencies: list[str] = Field(default_factory=lambda: ["INR"], validate_default=True)
    refund_speed: str = Field(default="normal", pattern=r"^(normal|optimum)$")
    request_timeout_seconds: float = Field(default=15.0, gt=0)
    #: Pauses before retrying a create or refund call after an outage; the call is idempotent.
    retry_delays_seconds: list[float] = Field(default_factory=lambda: [0.5, 2.0])

    @field_validator("currencies")
    @classmethod
    def _currencies(cls, value: list[str], info: ValidationInfo) -> list[str]:
        try:
            currencies = [validate_currency(c) for c in value]
        except MoneyError as e:
            raise ValueError(str(e)) from None
        # A link is made in the shop's currency; without it listed Razorpay is silently never offered.
        shop = (info.context or {}).get("currency")
        if shop and shop not in currencies and info.data.get("enabled", True):
            raise ValueError(
                f"does not list the shop's currency {shop}: add it (Razorpay must have approved it for "
                "your account), or set enabled = false"
            )
        return currencies
