"""The WhatsApp channel: what it can show, how it sends, and what it does with Meta's statuses."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar, cast

import structlog
from aiohttp import web

from chatshop.channels import (
    Capabilities,
    Channel,
    PermanentSendError,
    ReplyWindow,
    RetryableSendError,
    SendingHalted,
    SendResult,
)
from chatshop.config import read_secret, read_secrets
from chatshop.costs import Billing, Rates
from chatshop.messages import (
    Inbound,
    InboundKind,
    Marketing,
    OrderStatusUpdate,
    Outbound,
    ProductCard,
    ProductList,
    outbound_from_json,
    outbound_to_json,
)

from . import render
from .bill import BillMove, Bills
from .budget import HORIZON, SLACK_SLOTS, SendBudget, SharedBudgets
from .catalog_sync import refused_items
from .client import GraphClient, RetryPolicy
from .config import WhatsAppConfig
from .errors import BAD_PARAMETER_CODES, MARKETING_OPTED_OUT, REENGAGEMENT, GraphError
from .pairs import PairPacer
from .routes import webhook_routes
from .webhook import Preference, StatusUpdate
from .window import ConversationWindow

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chatshop.api import Shop

__all__ = ["WhatsAppChannel"]

log = structlog.get_logger(__name__)

WHATSAPP_PAY = "whatsapp_pay"

_NOTIFICATION_KEEP = timedelta(days=3)


class WhatsAppChannel(Channel):
    """WhatsApp Business Cloud API: one business number, its webhooks and its sends."""

    #: The plugin API's shop; only the send budget shared across workers reaches past it
    #: (:class:`~chatshop.plugins.whatsapp.budget.SharedBudgets`).
    shop: Shop

    name: ClassVar[str] = "whatsapp"
    Config: ClassVar[type[WhatsAppConfig]] = WhatsAppConfig
    docs = "chatshop's docs/whatsapp.md"
    capabilities = Capabilities(
        max_text_length=4096,
        max_body_length=1024,
        max_caption_length=1024,  # an image's caption (Meta's limit)
        max_buttons=3,
        button_title_length=20,
        max_list_rows=10,
        max_list_sections=10,
        list_row_title_length=24,
        list_row_description_length=72,
        list_button_length=20,
        images=True,
        url_buttons=True,
        marketing_templates=True,
        product_cards=True,
        native_catalog=False,
        in_chat_payment=True,
        shares_location=True,
        documents=True,
    )
    #: Also show "typing…" with the read receipt. Off by default: the core acknowledges while the
    #: dialog works, so on a quick turn the indicator can land after the reply, and then it lingers
    #: for WhatsApp's 25 seconds instead of being dismissed by the reply.
    typing_indicator: ClassVar[bool] = False
    #: Backoff between Graph retries inside one send; the outbox retries beyond that.
    retry_policy: ClassVar[RetryPolicy] = RetryPolicy()

    def __init__(self, shop: Shop, config: BaseModel) -> None:
        super().__init__(shop, config)
        assert isinstance(config, WhatsAppConfig)
        self.settings = config
        if config.catalog_id:
            # Native catalog messages only where the shop named its WhatsApp catalog.
            self.capabilities = dataclasses.replace(self.capabilities, native_catalog=True)
        if config.address_message:
            self.capabilities = dataclasses.replace(self.capabilities, address_form=True)
        self.app_secrets = read_secrets(config.app_secret_env)
        self.app_secret = self.app_secrets[0]
        self.verify_token = read_secret(config.verify_token_env)
        # On the shop's clock, so a test (or a replayed day) that moves the clock moves the window too.
        self.window = ConversationWindow(
            lambda: self.shop.kv(self.name), self.shop.last_message_at, self.name, clock=lambda: self.shop.now()
        )
        self.bills = Bills(lambda: self.shop.kv("whatsapp_pay"))
        self.client = GraphClient(
            lambda: self.shop.http,
            base_url=config.api_base_url,
            version=config.api_version,
            phone_number_id=config.phone_number_id,
            token=read_secret(config.access_token_env),
            limiter=SendBudget(self._reserve_sends, config.messages_per_second, shared=lambda: self._budgets().shared),
            retry=self.retry_policy,
        )
        self.pairs = PairPacer(
            self._budgets,
            config.phone_number_id,
            seconds=config.pair_seconds,
            burst=config.pair_burst,
            lease_seconds=lambda: self.shop.config.server.lease_seconds,
        )

    def _budgets(self) -> SharedBudgets:
        return cast("SharedBudgets", self.shop.store)  # not in the plugin API yet: see SharedBudgets

    async def _reserve_sends(self, wanted: int, observed: int) -> tuple[float, int]:
        """Slots of the number's throughput, shared with every worker through the store."""
        budget = self.client.limiter
        name = f"whatsapp:{self.settings.phone_number_id}"
        assert isinstance(budget, SendBudget)
        interval = budget.interval
        return await self._budgets().reserve_send_slots(
            name, interval, HORIZON, wanted, observed, slack=SLACK_SLOTS * interval
        )

    def routes(self) -> Sequence[web.RouteDef]:
        return webhook_routes(self)

    # --- outbound ----------------------------------------------------------------------------
    async def send(self, customer_id: str, message: Outbound) -> SendResult:
        move: BillMove | None = None
        if isinstance(message, OrderStatusUpdate):
            rendered, move = await self._order_update(customer_id, message)
        elif isinstance(message, Marketing):
            rendered = await self._marketing(customer_id, message)
        else:
            if not await self.window.is_open(customer_id):
                log.warning("whatsapp.window_closed", customer=customer_id, kind=message.kind)
                raise PermanentSendError("the 24-hour window is closed", code=str(REENGAGEMENT))
            shown, catalog_id = await self._in_meta_catalog(message)
            rendered = render.render(shown, catalog_id, carousel=self.settings.product_carousel)
        try:
            wamid = await self._post(customer_id, rendered)
        except PermanentSendError as error:
            if _native_product(rendered) and error.code in {str(code) for code in BAD_PARAMETER_CODES}:
                # Meta's catalog lacks a product we show (not synced, or refused): our own card instead.
                log.warning("whatsapp.product_not_in_catalog", message_type=rendered.shape())
                wamid = await self._post(customer_id, render.render(message, None))
                return SendResult(provider_message_id=wamid)
            if error.code != str(REENGAGEMENT) or rendered.type == "template":
                raise
            # Meta said at once what it usually says by a later ``failed`` status: the same outcome.
            await self.window.closed(customer_id)
            if not isinstance(message, OrderStatusUpdate):
                raise
            rendered, move = await self._order_update(customer_id, message)  # the template, or refused
            wamid = await self._post(customer_id, rendered)
            log.info("whatsapp.notification_sent_as_template", customer=customer_id)
        if move is not None:
            await self.bills.moved(move)
        if isinstance(message, OrderStatusUpdate) and rendered.type != "template":
            await self._remember_notification(wamid, customer_id, message)
        return SendResult(provider_message_id=wamid, billing=self._billing(customer_id, message, rendered))

    def _billing(self, customer_id: str, message: Outbound, rendered: render.Rendered) -> str:
        """How Meta bills what was sent: everything is free in an entry-point window; a template by
        its category (marketing for the shop's marketing ones, utility for order updates); anything
        else is a service message, which only the customer service window allows."""
        if self.window.free(customer_id):
            return Billing.FREE_ENTRY_POINT
        if rendered.type == "template":
            return Billing.MARKETING if isinstance(message, Marketing) else Billing.UTILITY
        return Billing.SERVICE

    def message_rates(self) -> Rates | None:
        return self.settings.rates.as_rates() if self.settings.rates is not None else None

    async def _in_meta_catalog(self, message: Outbound) -> tuple[Outbound, str | None]:
        """``message`` as it can be sent with the shop's catalog: products Meta refused at the last
        sync (``chatshop whatsapp catalog sync``) are left out of a product list, and a product
        card for one is our own card rather than a product message."""
        catalog_id = self.settings.catalog_id
        if not catalog_id or not isinstance(message, ProductCard | ProductList):
            return message, catalog_id
        refused = await refused_items(self.shop)
        if not refused:
            return message, catalog_id
        if isinstance(message, ProductCard):
            return message, None if message.product_id in refused else catalog_id
        sections = tuple(
            (title, kept) for title, ids in message.sections if (kept := tuple(i for i in ids if i not in refused))
        )
        return (message.model_copy(update={"sections": sections}), catalog_id) if sections else (message, None)

    async def _post(self, customer_id: str, rendered: render.Rendered) -> str:
        await self.pairs.pace(customer_id)
        try:
            return await self.client.send_message(render.envelope(customer_id, rendered))
        except GraphError as error:
            if 400 <= error.status < 500:  # refused: Meta did not count it against the pair
                await self.pairs.give_back(customer_id)
            raise self._send_error(error, rendered) from None

    def _send_error(self, error: GraphError, rendered: render.Rendered) -> Exception:
        code = str(error.code)
        if error.auth:
            log.error("whatsapp.token_rejected", code=error.code, alert=True)
            return SendingHalted("WhatsApp refused the access token", code=code)
        if error.retryable:
            delay = self.client.retry.delay(self.client.retry.attempts, error)
            return RetryableSendError(f"WhatsApp throttled: {error}", code=code, retry_after=delay)
        if error.bad_parameter:
            log.error(
                "whatsapp.bad_parameter",
                code=error.code,
                shape=shape_of(rendered.content),
                message_type=rendered.shape(),
            )
        else:
            log.error("whatsapp.send_refused", code=error.code, message_type=rendered.shape())
        return PermanentSendError(f"WhatsApp refused the message: {error}", code=code)

    async def _order_update(
        self, customer_id: str, update: OrderStatusUpdate
    ) -> tuple[render.Rendered, BillMove | None]:
        """In the window: the in-chat bill's status or a text. Outside: the template or nothing."""
        if not await self.window.is_open(customer_id):
            name = self.settings.templates.for_status(update.status)
            if not update.notification or name is None:
                log.warning("whatsapp.window_closed_no_template", customer=customer_id, status=update.status)
                raise PermanentSendError("the 24-hour window is closed and no template is set", code=str(REENGAGEMENT))
            templates = self.settings.templates
            payloads = templates.payloads(name, update.order_number)
            said = f"{update.body} {update.url}" if update.url else update.body  # a template has no button for it
            language = templates.language_for(name, await self._locale(customer_id))
            return render.template(name, language, [update.order_number, said], payloads), None
        move = None
        if update.payment_method == WHATSAPP_PAY:
            move = await self.bills.next_move(update.order_number, update.status)
        if move is not None:
            said = f"{update.body}\n{update.url}" if update.url else update.body
            return render.order_status(move.reference, move.status, said), move
        return render.render(update), None

    def sends_marketing(self, topic: str) -> bool:
        return self.settings.templates.for_topic(topic) is not None

    async def _locale(self, customer_id: str) -> str:
        return await self.shop.customer_locale(f"{self.name}:{customer_id}")

    async def _marketing(self, customer_id: str, message: Marketing) -> render.Rendered:
        """The shop's approved marketing template for the message's topic (the core sends one only
        to a customer who opted in, and only for a topic with a template)."""
        templates = self.settings.templates
        name = templates.for_topic(message.topic)
        if name is None:
            raise PermanentSendError(f"no template for {message.topic}", code="no_template")
        payloads = templates.payloads(name, product_id=message.subject)
        language = templates.language_for(name, await self._locale(customer_id))
        return render.template(name, language, message.parameters, payloads)

    async def _remember_notification(self, wamid: str, customer_id: str, update: OrderStatusUpdate) -> None:
        """Keep a free-form status update so a late 131047 can resend it as the template."""
        if not update.notification or not wamid:
            return
        value = json.dumps({"customer": customer_id, "message": outbound_to_json(update)})
        await self.shop.kv(self.name).set(f"notification:{wamid}", value, ttl=_NOTIFICATION_KEEP)

    async def reply_window(self, customer_id: str) -> ReplyWindow:
        if await self.window.is_open(customer_id):
            return ReplyWindow()
        templates = self.settings.templates
        names = tuple(dict.fromkeys(n for n in (templates.order_update, *templates.statuses.values()) if n))
        return ReplyWindow(
            open=False,
            reason="The customer last wrote more than 24 hours ago: until they write again, WhatsApp delivers "
            "only the shop's approved templates (a free-form message would be refused).",
            templates=names,
        )

    # --- inbound side effects ------------------------------------------------------------------
    async def acknowledge(self, inbound: Inbound) -> None:
        """Blue ticks (and "typing…") for a handled message; a failure here never fails the turn."""
        if inbound.kind is InboundKind.EVENT:
            return  # a notice (the chat was opened), not a message in the chat to tick
        try:
            await self.client.mark_read(inbound.message_id, typing=self.typing_indicator)
        except GraphError as error:
            log.warning("whatsapp.mark_read_failed", code=error.code, status=error.status)

    async def on_status(self, update: StatusUpdate) -> None:
        """Meta's word on a message we sent: the outbox record, and the window when it closed."""
        report = update.report
        await self.shop.report_delivery(report)
        if report.error_code:
            log.warning("whatsapp.delivery_failed", code=report.error_code, customer=report.customer_id)
        if MARKETING_OPTED_OUT in update.error_codes and report.customer_id is not None:
            # Meta refused a marketing template: the customer stopped marketing in WhatsApp itself.
            await self.on_preference(Preference(report.customer_id, False, update.timestamp))
        if REENGAGEMENT not in update.error_codes or report.customer_id is None:
            return
        await self.window.closed(report.customer_id, update.timestamp)
        await self._resend_as_template(report.provider_message_id)

    async def on_preference(self, preference: Preference) -> None:
        """The customer stopped (or resumed) marketing in WhatsApp: kept as their word, as a typed
        STOP would be. WhatsApp shows them its own confirmation, so the shop sends none (and outside
        the reply window it could not). A redelivered older word never undoes a newer one."""
        applied = await self.shop.record_consent(
            f"{self.name}:{preference.customer_id}",
            preference.opted_in,
            at=preference.timestamp or self.shop.now(),
        )
        log.info(
            "whatsapp.marketing_preference",
            customer=preference.customer_id,
            opted_in=preference.opted_in,
            applied=applied,
        )

    async def _resend_as_template(self, wamid: str) -> None:
        space = self.shop.kv(self.name)
        key = f"notification:{wamid}"
        raw = await space.get(key)
        if not raw or not await space.claim(key):  # one worker resends it, once
            return
        await space.delete(key)
        saved = json.loads(raw)
        message = outbound_from_json(saved["message"])
        await self.shop.notify(f"{self.name}:{saved['customer']}", message)
        log.info("whatsapp.notification_requeued_as_template", customer=saved["customer"])


def shape_of(value: object) -> object:
    """The structure of a payload with every text replaced by its length: safe to log."""
    if isinstance(value, dict):
        return {k: shape_of(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape_of(v) for v in value]
    if isinstance(value, str):
        return f"str[{len(value)}]"
    return type(value).__name__


def _native_product(rendered: render.Rendered) -> bool:
    """A single- or multi-product message or a product carousel: one that names products in Meta's catalog."""
    return rendered.type == "interactive" and rendered.content.get("type") in ("product", "product_list", "carousel")
