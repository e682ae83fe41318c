"""The team inbox at ``/admin/inbox``: the conversations waiting for a person, oldest first, and
one conversation with its transcript, the customer's cart and orders, and the reply box.

Staff replies go through the outbox like the bot's (durable, retried, in order), recorded with
the staff member's name. What changes the conversation (taking it, giving it back to the bot,
putting a product in the cart, asking for a payment) is queued in the customer's inbox and applied
in order with what they write (:mod:`chatshop.plugins.handover.events`). Outside a messenger's
reply window (WhatsApp's 24 hours) only its approved templates are offered, and the reason shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import structlog
from aiohttp import web

from chatshop.channels import Channel, ReplyWindow
from chatshop.messages import OrderStatusUpdate, ProductCard, Text
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus
from chatshop.plugins.handover import events, idle
from chatshop.store.people import Waiting

from .access import WHO
from .contact import messenger_name
from .forms import form_of
from .session import Session
from .transcript import lines_of

if TYPE_CHECKING:
    from .routes import Dashboard

__all__ = ["InboxPages"]

log = structlog.get_logger(__name__)

#: What a staff reply may hold (WhatsApp's text limit; longer ones are split by no messenger).
MAX_REPLY = 4096
#: A quantity put in a customer's cart from the inbox.
MAX_QUANTITY = 99
#: Transcript lines one conversation page shows (the newest).
TRANSCRIPT_LINES = 300


@dataclass(frozen=True, slots=True)
class Row:
    """One waiting conversation in the inbox's list."""

    waiting: Waiting
    messenger: str
    customer_id: str

    @property
    def url(self) -> str:
        return conversation_url(self.waiting.customer_key)


def conversation_url(customer_key: str, **notes: str) -> str:
    return "/admin/inbox/chat?" + urlencode({"customer": customer_key, **notes})


class InboxPages:
    def __init__(self, dashboard: Dashboard) -> None:
        self.d = dashboard
        self.shop = dashboard.shop

    # --- the list ------------------------------------------------------------------------------
    async def _rows(self) -> list[Row]:
        rows = []
        for waiting in await self.shop.store.waiting_conversations():
            channel, _, customer_id = waiting.customer_key.partition(":")
            rows.append(Row(waiting, messenger_name(channel), customer_id))
        return rows

    async def inbox(self, request: web.Request, session: Session) -> web.StreamResponse:
        return self.d.staff_page(request, "inbox.html", session, rows=await self._rows(), now=self.shop.now())

    async def inbox_rows(self, request: web.Request, session: Session) -> web.StreamResponse:
        """Only the list's rows, for the page's live refresh."""
        html = self.d.templates.render("_inbox_rows.html", rows=await self._rows(), now=self.shop.now())
        return web.Response(text=html, content_type="text/html", headers=self.d.headers)

    # --- one conversation ------------------------------------------------------------------------
    def _customer(self, value: str | None) -> str:
        key = (value or "").strip()
        channel, _, customer_id = key.partition(":")
        if not channel or not customer_id or len(key) > 300:
            raise web.HTTPBadRequest(text="expected a customer as CHANNEL:ID")
        return key

    async def conversation(self, request: web.Request, session: Session) -> web.StreamResponse:
        key = self._customer(request.query.get("customer"))
        record = await self.shop.store.load_conversation(key)
        if record.version == 0 and not record.state:
            raise web.HTTPNotFound(text="no conversation with this customer")
        channel_name, _, customer_id = key.partition(":")
        channel = self.shop.channels.get(channel_name)
        window = await channel.reply_window(customer_id) if channel else ReplyWindow(False, "not enabled")
        orders = await self.shop.store.list_orders(customer_key=key, limit=20)
        waiting = await self._waiting(key)
        state = record.state
        return self.d.staff_page(
            request,
            "conversation.html",
            session,
            key=key,
            messenger=messenger_name(channel_name),
            customer_id=customer_id,
            customer_name=state.get("name"),
            waiting=waiting,
            holder=waiting.assigned_to if waiting else None,
            window=window,
            channel_enabled=channel is not None,
            cart=_cart_lines(state, self.shop.config.shop.currency),
            step=state.get("step"),
            orders=orders,
            pending=[o for o in orders if o.status is OrderStatus.PENDING_PAYMENT],
            products=list(self.shop.catalog),
            items=list(self.shop.catalog.items()),  # what goes in a cart: a product, or one of its variants
            lines=lines_of(await self.shop.store.transcript(key, TRANSCRIPT_LINES), self._locale()),
            transcript_url="/admin/inbox/transcript?" + urlencode({"customer": key}),
            locale=self._locale(),
            done=self.d.sessions.note(request, "done"),
            error=self.d.sessions.note(request, "error"),
        )

    async def transcript(self, request: web.Request, session: Session) -> web.StreamResponse:
        """Only the transcript, for the conversation page's live refresh."""
        key = self._customer(request.query.get("customer"))
        lines = lines_of(await self.shop.store.transcript(key, TRANSCRIPT_LINES), self._locale())
        html = self.d.templates.render("_transcript.html", lines=lines, locale=self._locale())
        return web.Response(text=html, content_type="text/html", headers=self.d.headers)

    async def _waiting(self, key: str) -> Waiting | None:
        return await self.shop.store.waiting_conversation(key)

    async def _holder(self, key: str) -> str | None:
        waiting = await self._waiting(key)
        return waiting.assigned_to if waiting else None

    # --- actions ---------------------------------------------------------------------------------
    async def take(self, request: web.Request, session: Session) -> web.StreamResponse:
        """Take the conversation (an owner may take it over from whoever has it)."""
        key, form = await self._form(request)
        who = request[WHO]
        force = who.owner and form.get("over") == "1"
        holder = await self.shop.store.assign(key, who.name, self.shop.now(), force=force)
        if holder is None:
            raise self._back(key, error="There is no conversation with this customer.")
        if holder != who.name:
            raise self._back(key, error=f"{holder} has this conversation.")
        await self._pause_bot(key, who.name)
        await self.d.audit(request, "handover.take", key)
        raise self._back(key, done="You have this conversation: the assistant is silent until you give it back.")

    async def let_go(self, request: web.Request, session: Session) -> web.StreamResponse:
        """Stop being the one who answers (the conversation stays with a person, for another)."""
        key, _ = await self._form(request)
        if await self.shop.store.unassign(key, request[WHO].name):
            await self.d.audit(request, "handover.let_go", key)
        raise self._back(key, done="Someone else may take this conversation now.")

    async def back_to_bot(self, request: web.Request, session: Session) -> web.StreamResponse:
        """Give the conversation back to the shop's assistant."""
        key, _ = await self._form(request)
        who = request[WHO]
        holder = await self._holder(key)
        if holder is not None and holder != who.name and not who.owner:
            raise self._back(key, error=f"{holder} has this conversation: they give it back.")
        await events.queue(self.shop, key, events.RELEASE, who.name)
        await self.d.audit(request, "handover.release", key)
        raise self._back(key, done="The assistant answers this customer again.")

    async def reply(self, request: web.Request, session: Session) -> web.StreamResponse:
        key, form = await self._form(request)
        text = _text(form.get("text"))
        if not text:
            raise self._back(key, error="Write a reply first.")
        if len(text) > MAX_REPLY:
            raise self._back(key, error=f"A reply holds at most {MAX_REPLY} characters.")
        await self._ready_to_write(request, key)
        await self.shop.notify(key, Text(body=text), author=request[WHO].name)
        await self._replied(request, key, "reply")
        raise self._back(key, done="Sent.")

    async def template(self, request: web.Request, session: Session) -> web.StreamResponse:
        """Outside the reply window: an order update as the messenger's approved template."""
        key, form = await self._form(request)
        channel = self._channel(key)
        window = await channel.reply_window(key.partition(":")[2])
        if window.open:
            raise self._back(key, error="The customer can be written to freely: use the reply box.")
        if not window.templates:
            raise self._back(key, error="No approved template is set up for this messenger, so nothing can be sent.")
        order = await self._own_order(key, form.get("order"))
        text = _text(form.get("text"))
        if not text or len(text) > 1024:
            raise self._back(key, error="Write what the template says about the order (up to 1024 characters).")
        await self._take(request, key)
        update = OrderStatusUpdate(
            order_number=order.number,
            status=order.status.value,
            body=text,
            payment_method=order.payment_method,
            notification=True,
        )
        await self.shop.notify(key, update, author=request[WHO].name)
        await self._replied(request, key, "reply.template", order.number)
        raise self._back(key, done=f"Sent as the approved template, about order {order.number}.")

    async def card(self, request: web.Request, session: Session) -> web.StreamResponse:
        key, form = await self._form(request)
        product = self.shop.catalog.get(_text(form.get("product")))
        if product is None:
            raise self._back(key, error="No such product in the catalog.")
        await self._ready_to_write(request, key)
        (view,) = await self.shop.product_views([product])
        locale = await self.shop.customer_locale(key)
        body = self.shop.text(
            locale,
            "product_body",
            title=product.title,
            price=view.price.format(locale),
            stock="",
            description=product.description,
        ).strip()
        card = ProductCard(
            product_id=product.id,
            title=product.title,
            body=body,
            price=view.price,
            image_url=product.image_url,
            url=product.url,
        )
        await self.shop.notify(key, card, author=request[WHO].name)
        await self._replied(request, key, "card", product.id)
        raise self._back(key, done=f"Sent the card of {product.title}.")

    async def cart(self, request: web.Request, session: Session) -> web.StreamResponse:
        key, form = await self._form(request)
        product = self.shop.catalog.get(_text(form.get("product")))
        if product is None:
            raise self._back(key, error="No such product in the catalog.")
        if not product.buyable_as_is:
            raise self._back(key, error=f"{product.title} comes in variants: pick one (its own SKU).")
        quantity = _text(form.get("quantity")) or "1"
        # isdecimal, not isdigit: "²" is a digit that int() refuses; "٣" (Arabic-Indic) is a 3
        if not quantity.isdecimal() or not 1 <= int(quantity) <= MAX_QUANTITY:
            raise self._back(key, error=f"A quantity is a whole number from 1 to {MAX_QUANTITY}.")
        await self._ready_to_write(request, key)
        await events.queue(self.shop, key, events.CHOOSE, request[WHO].name, f"add:{product.id}:{int(quantity)}")
        await self._replied(request, key, "cart.add", product.id, quantity)
        raise self._back(key, done=f"{product.title} goes in the customer's cart; they are told.")

    async def pay_link(self, request: web.Request, session: Session) -> web.StreamResponse:
        key, form = await self._form(request)
        order = await self._own_order(key, form.get("order"))
        if order.status is not OrderStatus.PENDING_PAYMENT:
            raise self._back(key, error=f"Order {order.number} is not waiting for a payment.")
        await self._ready_to_write(request, key)
        await events.queue(self.shop, key, events.CHOOSE, request[WHO].name, f"paylink:{order.number}")
        await self._replied(request, key, "payment_link", order.number)
        raise self._back(key, done=f"A payment request for order {order.number} is on its way.")

    async def summary(self, request: web.Request, session: Session) -> web.StreamResponse:
        key, form = await self._form(request)
        order = await self._own_order(key, form.get("order"))
        await self._ready_to_write(request, key)
        locale = await self.shop.customer_locale(key)
        lines = "\n".join(
            self.shop.text(
                locale,
                "cart_line",
                quantity=line.quantity,
                title=line.title,
                total=(line.unit_price * line.quantity).format(locale),
            )
            for line in order.lines
        )
        body = self.shop.text(
            locale,
            "order_detail",
            number=order.number,
            status=self.shop.text(locale, f"state_{order.status.value}"),
            lines=lines,
            total=order.total.format(locale),
        )
        await self.shop.notify(key, Text(body=body), author=request[WHO].name)
        await self._replied(request, key, "summary", order.number)
        raise self._back(key, done=f"Sent the summary of order {order.number}.")

    # --- helpers ---------------------------------------------------------------------------------
    async def _form(self, request: web.Request) -> tuple[str, Any]:
        form = await form_of(request)
        return self._customer(_text(form.get("customer"))), form

    def _channel(self, key: str) -> Channel:
        channel = self.shop.channels.get(key.partition(":")[0])
        if channel is None:
            raise self._back(key, error="This customer's messenger is not enabled in shop.toml.")
        return channel

    async def _ready_to_write(self, request: web.Request, key: str) -> None:
        """The customer can be written to (the window is open), and the writer has the conversation."""
        window = await self._channel(key).reply_window(key.partition(":")[2])
        if not window.open:
            raise self._back(key, error=window.reason)
        await self._take(request, key)

    async def _take(self, request: web.Request, key: str) -> None:
        who = request[WHO]
        holder = await self.shop.store.assign(key, who.name, self.shop.now())
        if holder is None:
            raise self._back(key, error="There is no conversation with this customer.")
        if holder != who.name:
            raise self._back(key, error=f"{holder} has this conversation: they answer it.")

    async def _replied(self, request: web.Request, key: str, action: str, subject: str = "", detail: str = "") -> None:
        """After writing to the customer: the bot stays silent, the idle time counts from now."""
        who = request[WHO]
        record = await self.shop.store.load_conversation(key)
        since = record.state.get("handover_since")
        if since:
            await idle.staff_replied(self.shop, key, str(since))
        else:
            await self._pause_bot(key, who.name)
        log.info("inbox.replied", customer=key, action=action)
        await self.d.audit(request, action, key, " ".join(p for p in (subject, detail) if p))

    async def _pause_bot(self, key: str, name: str) -> None:
        record = await self.shop.store.load_conversation(key)
        if not record.state.get("handover_since"):
            await events.queue(self.shop, key, events.TAKE, name)

    async def _own_order(self, key: str, number: Any) -> Order:
        order = await self.shop.store.get_order(_text(number).upper())
        if order is None or order.customer_key != key:
            raise self._back(key, error="That is not one of this customer's orders.")
        return order

    def _back(self, key: str, **notes: str) -> web.HTTPSeeOther:
        return self.d._back(conversation_url(key), **notes)

    def _locale(self) -> str:
        return self.shop.config.shop.locale

    def add_to(self, router: web.UrlDispatcher) -> None:
        g = self.d.guarded
        router.add_get("/admin/inbox", g(self.inbox))
        router.add_get("/admin/inbox/rows", g(self.inbox_rows, refresh=True))
        router.add_get("/admin/inbox/chat", g(self.conversation))
        router.add_get("/admin/inbox/transcript", g(self.transcript, refresh=True))
        for path, handler in (
            ("take", self.take),
            ("let-go", self.let_go),
            ("back-to-bot", self.back_to_bot),
            ("reply", self.reply),
            ("template", self.template),
            ("card", self.card),
            ("cart", self.cart),
            ("pay-link", self.pay_link),
            ("summary", self.summary),
        ):
            router.add_post(f"/admin/inbox/{path}", g(handler, post=True))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _cart_lines(state: dict[str, Any], currency: str) -> list[tuple[int, str, Money]]:
    """(quantity, title, line total) of the cart a conversation holds."""
    cart = state.get("cart") if isinstance(state.get("cart"), dict) else {}
    lines = []
    for line in (cart or {}).get("lines") or []:
        try:
            quantity, unit = int(line["quantity"]), int(line["unit_minor"])
            lines.append((quantity, str(line.get("title") or line.get("product_id")), Money(unit * quantity, currency)))
        except (KeyError, TypeError, ValueError):
            continue
    return lines
