"""The web chat channel: customers shop in a browser tab, over a WebSocket.

``send`` stores the message in the customer's history first and then pushes it to every tab the
customer has open. A customer who is offline gets it when a tab reconnects: the tab says which
entry it saw last and receives everything after it, so nothing is lost or shown twice.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import structlog
from aiohttp import web
from pydantic import BaseModel

from chatshop.channels import Capabilities, Channel, SendResult
from chatshop.config import ConfigError, ConfigProblem, read_secret
from chatshop.messages import Inbound, InboundKind, Outbound, safe_text

from .config import WebChatConfig
from .history import Entry, History
from .limits import Window
from .signing import Signer, random_secret
from .view import entry_view, shop_texts

if TYPE_CHECKING:
    from chatshop.api import Shop

__all__ = ["Connection", "WebChatChannel"]

log = structlog.get_logger(__name__)

#: The client's id for a message it sends (a UUID or similar); resent after a reconnect.
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: Control characters no keyboard types (all but tab and newline): a NUL breaks PostgreSQL's jsonb, an
#: ESC sequence would paint the terminal of whoever lists the orders.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_TEXT = 2000
#: The shortest cookie-signing secret taken from the environment.
MIN_SECRET_LENGTH = 16
#: Messages are counted per customer and per client address over this many seconds.
RATE_WINDOW = 10.0
#: Frames of any kind an address may send per message it may send (reconnects, pings, retries).
FRAMES_PER_MESSAGE = 5
#: How long a tab may take to accept a frame. A tab that reads nothing (a dead mobile connection, or
#: on purpose) would otherwise hold the shop's send to this customer, and a slot of its outbox,
#: for ever: past this it is dropped, and it catches up from the history when it reconnects.
SEND_SECONDS = 10.0


@dataclass(eq=False)
class Connection:
    """One open tab of one customer (from one client address), and the last history entry it has."""

    customer_id: str
    ws: web.WebSocketResponse
    address: str = "?"
    last_seq: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: The tab's connection, to drop it when it stops reading (a close frame could not get through).
    transport: asyncio.Transport | None = None

    async def send(self, frame: dict[str, Any]) -> bool:
        """Hand the tab ``frame``; False if the tab is gone, or stalled (and dropped now)."""
        try:
            await asyncio.wait_for(self.ws.send_json(frame), SEND_SECONDS)
        except TimeoutError:
            log.warning("webchat.tab_stalled", customer=self.customer_id)
            if self.transport is not None:
                self.transport.abort()  # the socket's own loop ends; the page reconnects and catches up
            return False
        except (ConnectionError, RuntimeError):
            return False  # the tab went away; it catches up when it reconnects
        return True

    async def close(self, code: int, message: bytes) -> None:
        """Say goodbye, or drop a tab that cannot even take that."""
        try:
            await asyncio.wait_for(self.ws.close(code=code, message=message), SEND_SECONDS)
        except TimeoutError:
            if self.transport is not None:
                self.transport.abort()


class WebChatChannel(Channel):
    name = "webchat"
    Config = WebChatConfig
    docs = "chatshop's docs/web.md"
    capabilities = Capabilities(
        max_text_length=4096,
        max_buttons=5,
        button_title_length=40,
        max_list_rows=12,  # ten products a page, plus "more" and "back"
        max_list_sections=10,
        list_row_title_length=60,
        list_row_description_length=120,
        list_button_length=30,
        images=True,
        product_cards=True,
        in_chat_payment=False,  # payment links open the provider's page
    )

    def __init__(self, shop: Shop, config: BaseModel) -> None:
        super().__init__(shop, config)
        self.settings = cast(WebChatConfig, config)
        var = self.settings.session_secret_env
        secret: str | bytes = read_secret(var) if var else random_secret()
        if isinstance(secret, str) and len(secret) < MIN_SECRET_LENGTH:
            # Anyone holding one cookie could try short secrets offline and then sign any customer's id.
            raise ConfigError(
                [
                    ConfigProblem(
                        path=f"channels.{self.name}.session_secret_env",
                        message=f"the secret in {var} must be at least {MIN_SECRET_LENGTH} characters",
                    )
                ]
            )
        self.signer = Signer(secret, "webchat-customer")
        # The history repeats addresses and order details: kept no longer than the shop keeps messages.
        keep_days = min(self.settings.cookie_days, shop.config.storage.retention_days)
        self.history = History(shop.kv(self.name), limit=self.settings.history_limit, keep_days=keep_days)
        self.connections: defaultdict[str, set[Connection]] = defaultdict(set)
        #: Per customer over all their tabs, and per address over all its customers: more tabs or a
        #: fresh cookie for every tab never buy more messages.
        self.per_customer = Window(self.settings.messages_per_customer, RATE_WINDOW)
        self.per_address = Window(self.settings.messages_per_address, RATE_WINDOW)
        #: Every frame (hello, ping, garbage) counts here: a hello reads the whole history, so a flood
        #: of them would keep the database busy; past this the socket is closed (the page reconnects).
        self.frames_per_address = Window(self.settings.messages_per_address * FRAMES_PER_MESSAGE, RATE_WINDOW)
        self.sockets_per_address: Counter[str] = Counter()

    # --- the core's side ------------------------------------------------------------------
    async def send(self, customer_id: str, message: Outbound) -> SendResult:
        entry = await self.history.add_shop(customer_id, message)
        await self.push(customer_id)
        return SendResult(provider_message_id=f"webchat-{customer_id[:8]}-{entry.seq}")

    async def disconnect(self) -> None:
        for connections in list(self.connections.values()):
            for connection in list(connections):
                if connection.ws.prepared:
                    await connection.close(1001, b"shop stopping")
        self.connections.clear()

    # --- tabs -----------------------------------------------------------------------------
    def may_open(self, address: str) -> bool:
        return self.sockets_per_address[address] < self.settings.sockets_per_address

    def open(self, connection: Connection) -> None:
        self.connections[connection.customer_id].add(connection)
        self.sockets_per_address[connection.address] += 1

    def close(self, connection: Connection) -> None:
        tabs = self.connections.get(connection.customer_id)
        if tabs is not None and connection in tabs:
            tabs.discard(connection)
            if not tabs:
                del self.connections[connection.customer_id]
            self.sockets_per_address[connection.address] -= 1
            if self.sockets_per_address[connection.address] <= 0:
                del self.sockets_per_address[connection.address]

    def take_frame(self, connection: Connection) -> bool:
        """Room for one more frame of any kind from this address; counts it if so."""
        if self.frames_per_address.full(connection.address):
            return False
        self.frames_per_address.add(connection.address)
        return True

    def allow(self, connection: Connection) -> bool:
        """Room for one more message from this customer and this address; counts it if so."""
        if self.per_customer.full(connection.customer_id) or self.per_address.full(connection.address):
            return False
        self.per_customer.add(connection.customer_id)
        self.per_address.add(connection.address)
        return True

    async def push(self, customer_id: str) -> None:
        for connection in list(self.connections.get(customer_id, ())):
            await self.catch_up(connection)

    async def catch_up(self, connection: Connection) -> None:
        """Send the tab every history entry it has not seen yet, in order."""
        async with connection.lock:
            entries = await self.history.entries(connection.customer_id)
            if not entries or connection.ws.closed:
                return
            if entries[-1].seq < connection.last_seq:
                # The history was erased (`chatshop forget`, its retention over) and counts from 1
                # again: the tab starts over with it, or it would wait for entries past its old count.
                await self._send_entries(connection, entries, reset=True)
                return
            missed = [e for e in entries if e.seq > connection.last_seq]
            if missed:
                await self._send_entries(connection, missed)

    async def _send_entries(self, connection: Connection, entries: list[Entry], **extra: Any) -> None:
        locale = await self.shop.customer_locale(self.customer_key(connection.customer_id))
        frame = {"type": "entries", "entries": [entry_view(e, locale, shop_texts(self.shop)) for e in entries], **extra}
        if await connection.send(frame) and entries:
            connection.last_seq = entries[-1].seq

    def customer_key(self, customer_id: str) -> str:
        return f"{self.name}:{customer_id}"

    # --- what a tab says ---------------------------------------------------------------------
    async def handle_frame(self, connection: Connection, raw: str) -> None:
        try:
            frame = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
            await self._error(connection, "not JSON")
            return
        if not isinstance(frame, dict):
            await self._error(connection, "expected an object")
            return
        kind = frame.get("type")
        if kind == "hello":
            await self._hello(connection, frame.get("after"))
        elif kind in ("text", "choice"):
            await self._customer_message(connection, frame)
        elif kind == "ping":
            await connection.send({"type": "pong"})
        else:
            await self._error(connection, "unknown frame type")

    async def _hello(self, connection: Connection, after: Any) -> None:
        """A tab (re)connected: send what it missed; everything if it knows nothing (or too much)."""
        seen = after if isinstance(after, int) and after >= 0 else 0
        async with connection.lock:
            entries = await self.history.entries(connection.customer_id)
            reset = seen == 0 or not entries or seen > entries[-1].seq
            missed = entries if reset else [e for e in entries if e.seq > seen]
            connection.last_seq = 0 if reset else seen
            await self._send_entries(connection, missed, reset=reset)

    async def _customer_message(self, connection: Connection, frame: dict[str, Any]) -> None:
        client_id = frame.get("id")
        if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
            await self._error(connection, "a message needs an id")
            return
        if not self.allow(connection):
            await self._error(connection, "slow down", id=client_id, code="slow_down")  # the page says it in words
            return
        if frame["type"] == "text":
            text = frame.get("text")
            text = _CONTROLS.sub("", text) if isinstance(text, str) else None
            if text is None or not text.strip() or len(text) > MAX_TEXT:
                await self._error(connection, f"a text of 1 to {MAX_TEXT} characters", id=client_id)
                return
            shown, choice_id, kind = text.strip(), None, InboundKind.TEXT
        else:
            choice_id = frame.get("choice_id")
            title = frame.get("title")
            if not isinstance(choice_id, str) or not 0 < len(choice_id) <= 200:
                await self._error(connection, "a choice needs its id", id=client_id)
                return
            title = _CONTROLS.sub("", title) if isinstance(title, str) else ""
            shown = title.strip()[:200] if title.strip() else choice_id
            kind = InboundKind.CHOICE
        message_id = f"{connection.customer_id}:{client_id}"
        inbound = Inbound(
            channel=self.name,
            customer_id=connection.customer_id,
            message_id=message_id,
            kind=kind,
            text=shown if kind == InboundKind.TEXT else None,
            choice_id=choice_id,
            received_at=self.shop.now(),
        )
        # Echo first, so the customer's words sit above the shop's answer in every tab: as the
        # message reads once made safe (half an emoji would never reach the history's store).
        shown = inbound.text if inbound.text is not None else safe_text(shown)
        entry = await self.history.add_customer(connection.customer_id, shown, message_id)
        await self.shop.receive(inbound)
        await connection.send({"type": "ack", "id": client_id})
        if entry is not None:
            await self.push(connection.customer_id)

    async def _error(self, connection: Connection, error: str, **extra: Any) -> None:
        await connection.send({"type": "error", "error": error, **extra})
