"""The ``[channels.whatsapp]`` and ``[payments.whatsapp_pay]`` sections of ``shop.toml``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from chatshop.channels import ChannelConfig
from chatshop.config import SecretNames
from chatshop.costs import Billing, Rates
from chatshop.money import MoneyError, validate_currency
from chatshop.orders import OrderStatus
from chatshop.payments import PaymentConfig

__all__ = ["ButtonAction", "RatesConfig", "TemplatesConfig", "WhatsAppConfig", "WhatsAppPayConfig"]

#: What a template's quick-reply button does when tapped: show the order the template is about
#: (``order``), ask to cancel it (``cancel``), or open the customer's orders, the main menu, the
#: cart, the catalog or help. ``none`` is a button that takes no payload (a URL or phone button).
ButtonAction = Literal["order", "cancel", "orders", "menu", "cart", "checkout", "product", "browse", "help", "none"]

#: Meta's limit on buttons in one template.
MAX_TEMPLATE_BUTTONS = 10


class TemplatesConfig(BaseModel):
    """Approved message templates, the only messages WhatsApp lets through outside the 24h window.

    ``order_update`` is a UTILITY template whose body takes two text parameters: ``{{1}}`` the order
    number and ``{{2}}`` what happened ("Your order was shipped."). ``statuses`` names a different
    template for particular order statuses (``shipped = "order_shipped"``), same parameters.
    ``buttons`` gives a template's buttons, in their order in WhatsApp Manager, what they do: each
    quick reply is sent with that action as its payload, which is what a tap brings back (without
    one, WhatsApp sends only the button's label).

    A template is approved per language: ``language`` is the code of the shop's first language,
    ``languages`` the code of each other language the shop offers (``hi = "hi"``), and
    ``translated`` the languages a template is approved in where that is not all of them; a customer
    whose language has no approved translation gets the template in ``language``.
    """

    model_config = ConfigDict(extra="forbid")

    language: str = Field(default="en_US", min_length=2, max_length=15)
    languages: dict[str, Annotated[str, Field(min_length=2, max_length=15)]] = Field(default_factory=dict)
    translated: dict[str, list[str]] = Field(default_factory=dict)
    order_update: str | None = Field(default=None, min_length=1, max_length=512)
    statuses: dict[str, str] = Field(default_factory=dict)
    #: MARKETING templates, sent outside the window only to customers who opted in: a cart left
    #: behind (``{{1}}`` what is in it, ``{{2}}`` its subtotal) and a product back in stock
    #: (``{{1}}`` its name, ``{{2}}`` its price).
    cart_reminder: str | None = Field(default=None, min_length=1, max_length=512)
    back_in_stock: str | None = Field(default=None, min_length=1, max_length=512)
    buttons: dict[str, list[ButtonAction]] = Field(default_factory=dict)

    @field_validator("translated")
    @classmethod
    def _translated_into_configured_languages(
        cls, value: dict[str, list[str]], info: ValidationInfo
    ) -> dict[str, list[str]]:
        """A language without a code in ``languages``: the template could never be sent in it."""
        codes = info.data.get("languages", {})
        for name, locales in value.items():
            missing = [locale for locale in locales if locale not in codes]
            if missing:
                raise ValueError(f"{name}: {', '.join(missing)} has no code in [channels.whatsapp.templates.languages]")
        return value

    @field_validator("buttons")
    @classmethod
    def _at_most_ten(cls, value: dict[str, list[ButtonAction]]) -> dict[str, list[ButtonAction]]:
        for name, actions in value.items():
            if len(actions) > MAX_TEMPLATE_BUTTONS:
                raise ValueError(f"{name}: a template has at most {MAX_TEMPLATE_BUTTONS} buttons")
        return value

    @model_validator(mode="after")
    def _buttons_of_used_templates(self) -> TemplatesConfig:
        used = {self.order_update, self.cart_reminder, self.back_in_stock, *self.statuses.values()} - {None}
        names = ", ".join(sorted(n for n in used if n)) or "none"
        unknown = sorted(set(self.buttons) - used)
        if unknown:
            raise ValueError(f"buttons for {', '.join(unknown)}, a template not used here (used: {names})")
        unknown = sorted(set(self.translated) - used)
        if unknown:
            raise ValueError(f"translated lists {', '.join(unknown)}, a template not used here (used: {names})")
        return self

    def language_for(self, name: str, locale: str) -> str:
        """The language code to send template ``name`` in to a customer who reads ``locale``: theirs
        where the template is approved in it, else the shop's first language's."""
        code = self.languages.get(locale)
        if code is None or (name in self.translated and locale not in self.translated[name]):
            return self.language
        return code

    def payloads(self, name: str, order_number: str | None = None, product_id: str | None = None) -> list[str | None]:
        """The payload of each of template ``name``'s buttons for an update on ``order_number`` (or
        a note about ``product_id``): the dialog's own choice ids, so a tap is read like any button
        (None: no payload)."""
        by_action: dict[str, str | None] = {"none": None}
        if order_number:
            by_action.update(order=f"o:{order_number}", cancel=f"cancel:{order_number}")
        if product_id:
            by_action.update(product=f"p:{product_id}")
        return [by_action.get(action, action) for action in self.buttons.get(name, [])]

    def for_topic(self, topic: str) -> str | None:
        """The marketing template for ``cart_reminder`` or ``back_in_stock`` (None: not set)."""
        return {"cart_reminder": self.cart_reminder, "back_in_stock": self.back_in_stock}.get(topic)

    @field_validator("statuses")
    @classmethod
    def _known_statuses(cls, value: dict[str, str]) -> dict[str, str]:
        known = [status.value for status in OrderStatus]
        unknown = sorted(set(value) - set(known))
        if unknown:
            raise ValueError(f"unknown order status {', '.join(unknown)}: use one of {', '.join(known)}")
        return value

    def for_status(self, status: str) -> str | None:
        return self.statuses.get(status) or self.order_update


class RatesConfig(BaseModel):
    """``[channels.whatsapp.rates]``: what Meta charges per message in each category, to estimate
    the cost of what the shop sends (Meta's rate card for the customers' country, in the currency
    Meta bills the shop in). Rates keep their decimals (INR 0.8631)."""

    model_config = ConfigDict(extra="forbid")

    currency: str
    marketing: Decimal = Decimal(0)
    utility: Decimal = Decimal(0)
    #: Free-form messages inside the customer service window (billed since 1 October 2026).
    service: Decimal = Decimal(0)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        try:
            return validate_currency(value)
        except MoneyError as e:
            raise ValueError(str(e)) from None

    @field_validator("marketing", "utility", "service", mode="before")
    @classmethod
    def _rate(cls, value: object) -> Decimal:
        try:
            rate = Decimal(str(value)) if not isinstance(value, Decimal) else value
        except (InvalidOperation, ValueError):
            raise ValueError(f"{value!r} is not a rate: expected a number such as 0.8631") from None
        if isinstance(value, bool) or not rate.is_finite() or rate < 0:
            raise ValueError(f"{value!r} is not a rate: expected a number, 0 or more")
        if rate > 1000 or rate.as_tuple().exponent < -8:  # type: ignore[operator]
            raise ValueError(f"{value!r}: at most 1000 per message, with at most 8 decimals")
        return rate

    def as_rates(self) -> Rates:
        return Rates(
            self.currency,
            {Billing.MARKETING: self.marketing, Billing.UTILITY: self.utility, Billing.SERVICE: self.service},
        )


class WhatsAppConfig(ChannelConfig):
    """One WhatsApp Business number on the Cloud API."""

    phone_number_id: str = Field(min_length=1, pattern=r"^[0-9]+$")
    access_token_env: str = Field(min_length=1)
    #: One variable, or a list: the current app secret first, then the one before a reset.
    app_secret_env: SecretNames
    verify_token_env: str = Field(min_length=1)
    api_base_url: str = "https://graph.facebook.com"
    api_version: str = Field(default="v23.0", pattern=r"^v[0-9]+\.[0-9]+$")
    catalog_id: str | None = Field(default=None, min_length=1)
    #: Keep Meta's catalog in step as stock and prices change (after orders, cancellations and
    #: restarts): changes are gathered for this long, then synced in one batch. 0: only by command.
    catalog_sync_seconds: float = Field(default=0, ge=0, le=86_400)
    #: With ``catalog_id``: 2 to 10 products go out as a product carousel (a card each, scrolled
    #: sideways) rather than a product list; false keeps the list.
    product_carousel: bool = True
    messages_per_second: int = Field(default=80, ge=1, le=10_000)
    #: Meta's pair rate: one message to a customer every ``pair_seconds``, bursts of up to
    #: ``pair_burst`` within that time, paid back afterwards (131056 otherwise). When set (Meta
    #: documents 6), every worker paces its sends to one customer by it through the store. Off by
    #: default: paced by the documented rule, a customer who chats briskly waits 18 s after a burst
    #: of 3 replies; unpaced, Meta's refusals are retried with its suggested 4^n backoff.
    pair_seconds: float = Field(default=0.0, ge=0, le=3600)
    pair_burst: int = Field(default=45, ge=1, le=1000)
    templates: TemplatesConfig = Field(default_factory=TemplatesConfig)
    #: India: ask for the delivery address with WhatsApp's own form (``address_message``), with the
    #: customer's saved addresses to pick from and the PIN code checked against the delivery areas.
    address_message: bool = False
    rates: RatesConfig | None = None

    @field_validator("api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("expected an http(s) URL such as https://graph.facebook.com")
        return value.rstrip("/")


class WhatsAppPayConfig(PaymentConfig):
    """India in-chat payment through a gateway configured in WhatsApp Manager."""

    configuration_name: str = Field(min_length=1, max_length=60)
    gateway: Literal["razorpay", "payu", "billdesk", "zaakpay"] = "razorpay"
    goods_type: Literal["physical-goods", "digital-goods"] = "physical-goods"
    expires_after_minutes: int = Field(default=60, ge=5, le=7 * 24 * 60)
    #: Ask Meta whether a "captured" webhook is real before marking the order paid (Meta's advice).
    confirm_with_lookup: bool = True
