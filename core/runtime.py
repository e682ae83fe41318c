"""The running shop: plugins, catalog, storage, channels and payment methods, and the message path.

``receive`` puts a customer's message in the durable inbox and returns; a per-customer worker then
runs the dialog and commits the new state, the replies (to the outbox) and the inbox's "handled"
mark in one transaction; the outbox sender delivers the replies. A crash at any point leaves work
that the next start (or another worker) picks up: nothing accepted is lost.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import structlog

from chatshop import consent, order_effects, referrals
from chatshop.catalog import BACKGROUND_INDEX_FROM, Catalog, Product, fold, load_catalog_file
from chatshop.catalog_gc import collector_paused
from chatshop.catalog_swap import changed_items
from chatshop.channels import Capabilities, Channel, SendContext
from chatshop.choice_ids import ChoiceIds
from chatshop.config import ConfigError, ConfigProblem, ProductEntry, ShopConfig, read_secret, validate_section
from chatshop.dialog import engine
from chatshop.dialog.registry import DialogRegistry
from chatshop.dialog.state import ConversationState
from chatshop.dialog.turn import FeatureFailed, ProductView, Turn
from chatshop.jobs import Jobs
from chatshop.kv import KeyValueSpace
from chatshop.lease import Lease
from chatshop.locales_offered import offered_locale
from chatshop.logs import configure_logging
from chatshop.lowering import lower
from chatshop.messages import DeliveryReport, Inbound, InboundKind, Outbound, Text
from chatshop.metrics import Metrics
from chatshop.money import Money
from chatshop.ordering import Ordering
from chatshop.orders import Order, OrderStatus, Shipment
from chatshop.outbox import OutboxSender
from chatshop.payments import PaymentEvent, PaymentMethod
from chatshop.plugin_manager import Plugins
from chatshop.reply_context import Replies
from chatshop.restock import seed_inventory
from chatshop.serial import SerialRunner
from chatshop.shoptime import ShopTime
from chatshop.store.base import ConversationRecord, InboxItem, InventoryItem, StaleConversation, Store, TurnClaim
from chatshop.store.codec import utcnow
from chatshop.texts import Texts
from chatshop.tracing import Tracing

__all__ = ["Shop", "open_store"]

log = structlog.get_logger(__name__)

PURGE_INTERVAL_SECONDS = 3600.0
MIN_ADMIN_TOKEN_LENGTH = 12
#: The dashboard's cookies are signed with it: short secrets can be guessed offline from one cookie.
MIN_SESSION_SECRET_LENGTH = 16
#: Attempts at a message whose turn keeps failing before it is answered with an apology and passed.
MAX_TURN_FAILURES = 5
USER_AGENT = "chatshop/0.1 (+https://github.com/chatshop/chatshop)"


def open_store(config: ShopConfig) -> Store:
    """The store ``[storage] url`` names: SQLite (embedded) or PostgreSQL."""
    url = config.storage.url
    if url.startswith(("postgresql://", "postgres://")):
        from chatshop.store.postgres import PostgresStore  # optional: only shops that use it import asyncpg

        return PostgresStore(url)
    from chatshop.store.sqlite import SQLiteStore

    return SQLiteStore.from_url(url, config.base_dir)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _refuse_clashes(inline: list[ProductEntry], from_file: Iterable[Product], file: str) -> None:
    """An id in ``shop.toml`` that the catalog file has too, named at its key path (both places
    are the owner's: the catalog alone could only say which id it saw twice)."""
    if not inline:
        return  # a file alone: its own reader named any id it holds twice
    taken = {sku for product in from_file for sku in (product.id, *(v.id for v in product.variants))}
    problems = [
        ConfigProblem(path=path, message=f"{sku!r} is already in {file}")
        for i, entry in enumerate(inline)
        for path, sku in (
            (f"catalog.products[{i}].id", entry.id),
            *((f"catalog.products[{i}].variants[{j}].id", v.id) for j, v in enumerate(entry.variants)),
        )
        if sku in taken
    ]
    if problems:
        raise ConfigError(problems)


class Shop:
    """One shop, built from its configuration; ``start``/``stop`` bracket its working life."""

    def __init__(self, config: ShopConfig, *, plugins: Plugins | None = None, store: Store | None = None) -> None:
        if not structlog.is_configured():
            configure_logging()  # never log a shopper's data in clear, even when embedded
        self.config = config
        self.plugins = plugins or Plugins(config.plugins.modules)
        self.texts = Texts(config.shop.locale, config.texts, self.plugins.texts())
        self.locales = self.texts.supported(config.shop.locales) or [config.shop.locale]
        #: The shop's wall clock (``[shop] timezone``): times shown, days counted, quiet hours.
        self.time = ShopTime(config.shop.timezone)
        self.dialog = DialogRegistry.collect(self.plugins.dialog_features(), self.texts, self.locales)
        self.catalog = self._load_catalog()
        self.store = store or open_store(config)
        self.ordering = Ordering(self)
        self.jobs = Jobs(self, {**self.plugins.job_handlers(), order_effects.KIND: order_effects.carry_out_owed})
        #: The shop's clock (UTC): what ``now()`` reads. Tests move it instead of sleeping.
        self.clock: Callable[[], datetime] = _utc_now
        self.channels: dict[str, Channel] = {}
        self.payment_methods: dict[str, PaymentMethod] = {}
        self._build_plugins()
        self._http: aiohttp.ClientSession | None = None
        self._owns_http = False
        self._turns = SerialRunner(self._drain_inbox, name="turns", concurrency=config.server.workers_per_process)
        self.outbox = OutboxSender(
            self, retry_base=config.server.retry_base_seconds, concurrency=config.server.workers_per_process
        )
        self._timers: set[asyncio.TimerHandle] = set()
        self._retries: dict[asyncio.TimerHandle, tuple[datetime, str]] = {}
        self._tasks: set[asyncio.Future[None]] = set()
        self._turn_failures: dict[int, int] = {}
        #: Each customer's newest message this process accepted; an older one is not acknowledged on
        #: its own, as a read receipt for the newer one also covers everything before it (WhatsApp).
        self._newest_inbound: dict[str, str] = {}
        #: Turns claimed while their message was recorded, waiting for their runner to start.
        self._claims: dict[str, TurnClaim] = {}
        self._sweeper: asyncio.Task[None] | None = None
        #: Long choice ids go out short where a channel needs it, and come back whole (any worker).
        self.choice_ids = ChoiceIds(self.kv("chatshop"))
        self.started = False
        #: Names this process in the leases it holds (several workers may share one database).
        self.worker_id = f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"
        self.metrics = Metrics(lambda: self.store, self.worker_id, lambda: self.now())
        self.tracing = Tracing(config.tracing)

    # --- building ---------------------------------------------------------------------------
    def _load_catalog(self) -> Catalog:
        with collector_paused(freeze_from=BACKGROUND_INDEX_FROM) as loaded:
            catalog = self._read_catalog()
            loaded.append(len(catalog))
            return catalog

    def _read_catalog(self) -> Catalog:
        currency = self.config.shop.currency
        products = [Product.from_entry(entry) for entry in self.config.catalog.products]
        source = self.config.catalog.file
        if source:
            # A plugin's format first: a Shopify or WooCommerce export is a .csv too.
            loaded = self.plugins.load_catalog(self, source)
            if loaded is not None and not products:
                return loaded  # indexed once already
            from_file: Iterable[Product]
            if loaded is not None:
                from_file = loaded
            elif self.config.resolve(source).suffix.lower() in (".csv", ".json"):
                from_file = load_catalog_file(self.config.resolve(source), currency)
            else:
                raise ConfigError([ConfigProblem(path="catalog.file", message=f"no plugin reads {source!r}")])
            _refuse_clashes(self.config.catalog.products, from_file, Path(source).name)
            products = [*from_file, *products]
        try:
            return Catalog(products)
        except ValueError as e:
            raise ConfigError([ConfigProblem(path="catalog", message=str(e))]) from None

    def _build_plugins(self) -> None:
        problems: list[ConfigProblem] = []
        currency = self.config.shop.currency
        channel_classes = self.plugins.channel_classes()
        for name, raw in self.config.channels.items():
            cls = channel_classes.get(name)
            if cls is None:
                installed = ", ".join(sorted(channel_classes)) or "none"
                problems.append(
                    ConfigProblem(
                        path=f"channels.{name}", message=f"no plugin provides this channel (installed: {installed})"
                    )
                )
                continue
            try:
                section = validate_section(cls.Config, raw or {}, f"channels.{name}", currency, docs=cls.docs)
                self.channels[name] = cls(self, section)
            except ConfigError as e:
                problems.extend(e.problems)
        method_classes = self.plugins.payment_method_classes()
        for name, raw in self.config.payments.items():
            method_cls = method_classes.get(name)
            if method_cls is None:
                installed = ", ".join(sorted(method_classes)) or "none"
                problems.append(
                    ConfigProblem(
                        path=f"payments.{name}",
                        message=f"no plugin provides this payment method (installed: {installed})",
                    )
                )
                continue
            try:
                section = validate_section(
                    method_cls.Config, raw or {}, f"payments.{name}", currency, docs=method_cls.docs
                )
                if getattr(section, "enabled", True):
                    self.payment_methods[name] = method_cls(self, section)  # may read key files
            except ConfigError as e:
                problems.extend(e.problems)
        problems.extend(self._admin_problems())
        problems.extend(self.plugins.check_config(self.config))
        if problems:
            raise ConfigError(problems)

    def _admin_problems(self) -> list[ConfigProblem]:
        """``[admin]`` turns the dashboard on, ``[metrics] token_env`` guards /metrics: each token
        must exist and be hard to guess."""
        admin = self.config.admin
        problems = []
        metrics = self.config.metrics
        if metrics.enabled and metrics.token_env:
            token = os.environ.get(metrics.token_env, "")
            if len(token) < MIN_ADMIN_TOKEN_LENGTH:
                problems.append(
                    ConfigProblem(
                        path="metrics.token_env",
                        message=f"environment variable {metrics.token_env} is not set"
                        if not token
                        else f"the metrics token must be at least {MIN_ADMIN_TOKEN_LENGTH} characters",
                    )
                )
        if admin.token_env:
            token = os.environ.get(admin.token_env, "")
            if not token:
                problems.append(
                    ConfigProblem(path="admin.token_env", message=f"environment variable {admin.token_env} is not set")
                )
            elif len(token) < MIN_ADMIN_TOKEN_LENGTH:
                problems.append(
                    ConfigProblem(
                        path="admin.token_env",
                        message=f"the admin token must be at least {MIN_ADMIN_TOKEN_LENGTH} characters",
                    )
                )
        if admin.session_secret_env:
            secret = os.environ.get(admin.session_secret_env, "")
            if not secret:
                problems.append(
                    ConfigProblem(
                        path="admin.session_secret_env",
                        message=f"environment variable {admin.session_secret_env} is not set",
                    )
                )
            elif len(secret) < MIN_SESSION_SECRET_LENGTH:
                problems.append(
                    ConfigProblem(
                        path="admin.session_secret_env",
                        message=f"the session secret must be at least {MIN_SESSION_SECRET_LENGTH} characters",
                    )
                )
        return problems

    # --- life -------------------------------------------------------------------------------
    @property
    def http(self) -> aiohttp.ClientSession:
        if self._http is None:
            raise RuntimeError("the shop is not started: no HTTP session yet")
        return self._http

    async def start(self, http: aiohttp.ClientSession | None = None, *, background: bool = True) -> None:
        """Open storage and the HTTP session, start channels; ``background`` also resumes unfinished
        work and runs the sweeper (a one-off command line action runs without them)."""
        await self.store.open()
        await seed_inventory(self.store, self.catalog)
        if http is None:
            http = aiohttp.ClientSession(
                headers={"User-Agent": USER_AGENT},
                timeout=aiohttp.ClientTimeout(total=30, connect=10),
                cookie_jar=aiohttp.DummyCookieJar(),  # the APIs we call authenticate every request
            )
            self._owns_http = True
        self._http = http
        try:
            for name, channel in self.channels.items():
                for advice in channel.warnings():
                    log.warning("channel.advice", channel=name, advice=advice)
                await channel.start()
            await self.plugins.startup(self)
        except BaseException:  # a channel or a startup hook refused: leave nothing open behind
            await self.stop()
            raise
        self.started = True
        if background:
            await self.recover()
            self._sweeper = asyncio.create_task(self._sweep_forever(), name="chatshop-sweeper")
        log.info(
            "shop.started",
            shop=self.config.shop.name,
            channels=sorted(self.channels),
            payments=sorted(self.payment_methods),
        )

    async def stop(self) -> None:
        if not self.started:  # never started, or a start that failed half-way (a startup hook refused)
            if self._owns_http and self._http is not None:
                await self._http.close()
            self._http = None
            await self.store.close()
            return
        self.started = False
        if self._sweeper:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        for timer in self._timers:
            timer.cancel()
        await self._turns.close()
        for key, (held, _, _) in list(self._claims.items()):  # claimed, never started: let others have them
            if held:
                await self._turn_lease(key).release()
        self._claims.clear()
        await self.outbox.runner.close()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        for channel in self.channels.values():
            await channel.stop()
        await self.plugins.shutdown(self)
        if self._owns_http and self._http is not None:
            await self._http.close()
        self._http = None
        await self.store.close()
        self.tracing.shutdown()
        log.info("shop.stopped")

    async def recover(self) -> None:
        """Pick up messages accepted but not handled, and replies not yet sent (after a crash)."""
        for key in await self.store.customers_with_pending_inbound():
            self._turns.kick(key)
        for key in await self.store.customers_with_due_outbox(self.now()):
            self.outbox.kick(key)

    async def _sweep_forever(self) -> None:
        interval = self.config.server.sweep_seconds
        next_purge = 0.0
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(interval)
            try:
                await self.recover()
                await self.ordering.expire_due()
                await self.jobs.run_due()
                if loop.time() >= next_purge:
                    await self.purge()
                    next_purge = loop.time() + PURGE_INTERVAL_SECONDS
            except Exception:
                log.exception("sweeper.failed")

    async def purge(self) -> int:
        """Forget what is older than ``[storage] retention_days``: handled messages, sent replies,
        and what idle conversations held for a checkout never finished (see ``Store.purge``); and
        anonymise orders older than ``order_retention_years`` when the shop sets it."""
        # Newest messages whose turns ran on another worker would otherwise be remembered forever.
        self._newest_inbound.clear()
        now = utcnow()
        deleted = await self.store.purge(now, now - timedelta(days=self.config.storage.retention_days))
        if deleted:
            log.info("store.purged", rows=deleted)
        years = self.config.storage.order_retention_years
        if years is not None:
            anonymised = await self.store.anonymise_orders(now - timedelta(days=round(365.2425 * years)))
            if anonymised:
                log.info("orders.anonymised", orders=anonymised, older_than_years=years)
            deleted += anonymised
        return deleted

    def schedule_outbox(self, customer_key: str, delay: float) -> None:
        loop = asyncio.get_running_loop()
        timer: asyncio.TimerHandle

        def fire() -> None:
            self._timers.discard(timer)
            self._retries.pop(timer, None)
            self.outbox.kick(customer_key)

        timer = loop.call_later(delay, fire)
        self._timers.add(timer)
        self._retries[timer] = (self.now() + timedelta(seconds=delay), customer_key)

    def retries_waiting(self) -> list[tuple[datetime, str]]:
        """Replies waiting for a retry in this process: (when, by the shop's clock; the customer)."""
        return sorted(self._retries.values())

    def retry_now(self) -> None:
        """Fire every retry timer at once (tests, once they moved the clock past the retries)."""
        for timer, (_, customer_key) in list(self._retries.items()):
            timer.cancel()
            self._timers.discard(timer)
            del self._retries[timer]
            self.outbox.kick(customer_key)

    async def idle(self) -> None:
        """Wait until every accepted message is handled and every due reply sent (for tests)."""
        while self._turns.busy or self.outbox.runner.busy or self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._turns.idle()
            await self.outbox.runner.idle()

    # --- the message path ---------------------------------------------------------------------
    async def receive(self, inbound: Inbound) -> bool:
        """Record a customer's message durably and schedule it; False if it was a duplicate.

        With no turn of the customer's running here, recording the message also claims the turn it
        starts (the lease, the message, the conversation) in the same step to the store, and the
        turn starts from that claim.
        """
        if self.tracing.on:
            inbound = self.tracing.stamp(inbound)  # the webhook's span, for the turn and the replies
        key = inbound.customer_key
        if inbound.referral is not None:  # kept before the message, so its turn can place with it
            await referrals.remember(self.store, inbound)
        if self._turns.running(key) or key in self._claims or not self.started:
            added, claim = await self.store.add_inbound(inbound), None
        else:
            lease = self._turn_lease(key)
            added, claim = await self.store.receive(inbound, lease.name, lease.owner, lease.seconds)
        if not added:
            log.info("inbound.duplicate", channel=inbound.channel, customer=key)
            return False
        if inbound.from_customer:  # the shop's own messages get no read receipt
            self._newest_inbound[key] = inbound.message_id
        if claim is not None and not self._turns.running(key) and key not in self._claims:
            self._claims[key] = claim  # a claim made while a turn started meanwhile is left: that turn sees the message
        self._turns.kick(key)
        return True

    def _turn_lease(self, customer_key: str) -> Lease:
        return Lease(self.store, f"turns:{customer_key}", self.worker_id, self.config.server.lease_seconds)

    async def _drain_inbox(self, customer_key: str) -> None:
        """Handle a customer's messages in order, holding their lease so no other worker does too.

        A worker that finds the lease taken just leaves: the holder learns on release that new
        work came and looks again, and if the holder died, the sweeper retries once it lapsed.
        """
        lease = self._turn_lease(customer_key)
        claim = self._claims.pop(customer_key, None)
        if claim is None:
            claim = await self.store.claim_inbound(customer_key, lease.name, lease.owner, lease.seconds)
        held, item, record = claim
        if not held:
            return
        lease.taken()
        released = wanted = False
        stale = 0
        try:
            while item is not None and self.started:
                if not await lease.keep():
                    return  # we stalled past the lease and another worker took over
                current = item
                try:
                    # commits the turn and reads the next message in one step; with none left,
                    # the lease goes back
                    with self.tracing.turn(current.inbound):
                        item, record, wanted = await self._turn(current, record, lease)
                    released = item is None
                    stale = 0
                    continue
                except StaleConversation:
                    # Another worker committed this customer's turn first (it held the lease after
                    # ours lapsed): read the inbox again rather than run a handled message twice.
                    stale += 1
                    if stale >= 3:
                        return
                except Exception:
                    if not await self._give_up_on(current):
                        return  # the sweeper tries again later: a passing fault (the database) heals
                item, record, wanted = await self.store.next_inbound_or_release(customer_key, lease.name, lease.owner)
                released = item is None
        finally:
            if not released:
                wanted = await asyncio.shield(lease.release())
            if wanted:
                self._turns.kick(customer_key)

    async def _give_up_on(self, item: InboxItem) -> bool:
        """Count a failed turn; after ``MAX_TURN_FAILURES`` answer with an apology and move on.

        The turn itself is always tried first, so a message whose trouble was passing (the database
        was away) is handled normally; only one that fails every time stops holding up the
        customer's later messages.
        """
        key = item.inbound.customer_key
        failures = self._turn_failures.get(item.id, 0) + 1
        self._turn_failures[item.id] = failures
        log.exception("turn.failed", channel=item.inbound.channel, customer=key, attempt=failures)
        if failures < MAX_TURN_FAILURES:
            return False
        record = await self.store.load_conversation(key)
        locale = str(record.state.get("locale") or self.config.shop.locale)
        apology = Text(body=self.text(locale, "unknown"))
        answering = SendContext(customer_key=key, locale=locale, answers=item.inbound.reference())
        await self.store.commit_turn(key, item.id, record.state, record.version, Replies([apology], answering))
        del self._turn_failures[item.id]
        log.error("turn.dead_letter", alert=True, channel=item.inbound.channel, customer=key)
        self.outbox.kick(key)
        return True

    async def _turn(
        self, item: InboxItem, record: ConversationRecord | None, lease: Lease
    ) -> tuple[InboxItem | None, ConversationRecord | None, bool]:
        """Run the dialog on one message and commit its outcome; the customer's next message, the
        conversation it continues, and (with none left, the lease released) whether it was wanted."""
        inbound = item.inbound
        key = inbound.customer_key
        if record is None:
            record = await self.store.load_conversation(key)
        state = ConversationState.from_json(
            record.state, locale=self._first_locale(inbound) if not record.state else self.config.shop.locale,
            currency=self.config.shop.currency,
        )
        channel = self.channels.get(inbound.channel)
        if channel is None:
            log.warning("inbound.no_channel", channel=inbound.channel)
            return await self.store.commit_turn_then_next(
                key, item.id, record.state, record.version, [], lease.name, lease.owner
            )
        self._acknowledge(channel, inbound)
        if inbound.kind is InboundKind.CHOICE and inbound.choice_id:
            choice_id = await self.choice_ids.resolve(inbound.choice_id)
            if choice_id != inbound.choice_id:
                inbound = inbound.model_copy(update={"choice_id": choice_id})
        started = time.perf_counter()
        turn = Turn(self, channel.capabilities, inbound.channel, key, state)
        try:
            await engine.handle(turn, inbound)
        except self.store.faults:
            raise  # the database failed, not the dialog: the turn is tried again (see _drain_inbox)
        except Exception as error:
            plugin = error.feature if isinstance(error, FeatureFailed) else None
            log.exception(
                "dialog.failed", plugin=plugin, channel=inbound.channel, customer=key, kind=inbound.kind.value
            )
            # What the failed turn changed is not kept: the conversation stays as it was before it.
            state = turn.state = ConversationState.from_json(
                record.state, locale=self.config.shop.locale, currency=self.config.shop.currency
            )
            turn.out = [Text(body=turn.t("unknown"))]
        lowered = lower(turn.out, channel.capabilities, turn.t("reply_with_number"), turn.t("choose"))
        if lowered.menu:
            state.menu = lowered.menu
            state.labels = [fold(label) for label in lowered.labels]
        sending = self.outbox.lease(key, handover=True)
        # The context goes into the replies' rows: whichever worker sends them, now or after a
        # restart, tells the channel the language and the message they answer.
        replies = Replies(
            lowered.messages, SendContext(customer_key=key, locale=state.locale, answers=inbound.reference())
        )
        try:
            finished = await self.store.finish_turn(
                key,
                item.id,
                state.to_json(),
                record.version,
                replies,
                lease.name,
                lease.owner,
                sending.name,
                sending.owner,
                sending.seconds,
            )
        except BaseException as error:
            # The step may have committed and taken the send lease before its answer was lost (a
            # dropped connection): give that lease back, so the replies are not held until it lapses.
            if isinstance(error, Exception) and not isinstance(error, StaleConversation):
                self._background(self._give_back(sending, key), "outbox.release_failed", customer=key)
            self.outbox.kick(key)  # a sender refused while the turn held the send lease looks again
            raise
        self.metrics.turn_seconds.observe(time.perf_counter() - started)
        if finished.sends is not None:
            self.outbox.hand_over(key, sending, finished.sends)
        elif finished.send_wanted:
            self.outbox.kick(key)
        return finished.item, finished.record, finished.wanted

    async def _give_back(self, sending: Lease, customer_key: str) -> None:
        if await sending.release():
            self.outbox.kick(customer_key)  # a sender asked meanwhile and was refused

    def _acknowledge(self, channel: Channel, inbound: Inbound) -> None:
        """The read receipt, sent while the dialog works rather than after the reply. In a burst
        ("hi", "milk", "and eggs") only the newest message is acknowledged: its receipt covers the rest."""
        if not inbound.from_customer:
            return  # the shop's own message (an echo, a staff action): nothing of the customer's to tick
        key = inbound.customer_key
        newest = self._newest_inbound.get(key)
        if not channel.acknowledge_every_message and newest is not None and newest != inbound.message_id:
            return  # a newer message is waiting; its turn acknowledges both
        if newest == inbound.message_id:
            self._newest_inbound.pop(key, None)
        self._background(channel.acknowledge(inbound), "inbound.acknowledge_failed", channel=inbound.channel)

    def _first_locale(self, inbound: Inbound) -> str:
        """A new conversation starts in the messenger's language when the shop offers it."""
        return offered_locale(inbound.locale, self.locales) or self.config.shop.locale

    def _background(self, work: Awaitable[None], failure: str, **context: Any) -> None:
        """Run best-effort work (a read receipt) without holding up the turn; drained on stop."""

        def done(task: asyncio.Future[None]) -> None:
            self._tasks.discard(task)
            if not task.cancelled() and (error := task.exception()) is not None:
                log.warning(failure, exc_info=error, **context)

        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(done)

    async def notify(self, customer_key: str, *messages: Outbound, author: str | None = None) -> None:
        """Queue messages for a customer outside a conversation turn (status changes, receipts, a
        staff member's reply: ``author`` names them in the transcript)."""
        channel = self.channels.get(customer_key.split(":", 1)[0])
        if channel is None:
            log.warning("notify.no_channel", customer=customer_key)
            return
        locale = await self.customer_locale(customer_key)
        lowered = lower(
            list(messages),
            channel.capabilities,
            self.texts.get(locale, "reply_with_number"),
            self.texts.get(locale, "choose"),
        )
        context = SendContext(customer_key=customer_key, locale=locale)
        await self.store.enqueue(customer_key, Replies(lowered.messages, context), author=author)
        if self.started:
            self.outbox.kick(customer_key)

    async def report_delivery(self, report: DeliveryReport) -> None:
        await self.store.record_delivery(report)

    # --- orders and payments ------------------------------------------------------------------
    async def apply_payment_event(self, event: PaymentEvent) -> Order | None:
        return await self.ordering.apply_payment_event(event)

    async def move_order(self, number: str, new: OrderStatus, note: str = "") -> Order:
        return await self.ordering.move(number, new, note)

    async def ship_order(self, number: str, shipment: Shipment | None = None, note: str = "") -> Order:
        """Ship an order (with its carrier and tracking, if given) and tell the customer; an order
        already shipped gets the tracking given (new or corrected) instead."""
        order = await self.store.get_order(number)
        if order is not None and order.status == OrderStatus.SHIPPED and shipment is not None:
            return await self.ordering.track(number, shipment, note)
        return await self.ordering.move(number, OrderStatus.SHIPPED, note, shipment=shipment)

    async def refund_order(self, number: str, amount: Money | None = None) -> Order:
        return await self.ordering.refund(number, amount)

    async def replace_catalog(self, catalog: Catalog) -> list[str]:
        """Sell ``catalog`` from now on (a live source refreshed): swapped in one assignment, the
        inventory seeded (new products counted, stock figures changed since applied once), and
        ``catalog_changed`` told of the SKUs that changed, which are returned."""
        old, self.catalog = self.catalog, catalog
        await seed_inventory(self.store, catalog)
        changed = changed_items(old, catalog)
        if changed:
            await self.plugins.catalog_changed(self, changed)
        return changed

    # --- helpers for plugins and the dialog -----------------------------------------------------
    async def product_views(self, products: Sequence[Product], *, fresh: bool = False) -> list[ProductView]:
        """Each product as a customer sees it now (live price, stock, on sale); a product with
        variants: from its lowest price, buyable while any variant is, its stock their sum.
        ``fresh``: read from the database itself, not from what this worker kept (see Store.inventory)."""
        items = [item for product in products for item in (product.variants or (product,))]
        inventory = await self.store.inventory((item.id for item in items), fresh=fresh)
        views = []
        for product in products:
            parts = [self._item_view(item, inventory.get(item.id)) for item in product.variants or (product,)]
            if not product.variants:
                views.append(parts[0])
                continue
            buyable = [view for view in parts if view.buyable] or parts
            stocks = [view.stock for view in parts if view.active]
            stock = None if any(s is None for s in stocks) else sum(s for s in stocks if s is not None)
            price = min((view.price for view in buyable), key=lambda money: money.minor)
            views.append(ProductView(product, price, stock, any(view.active for view in parts)))
        return views

    @staticmethod
    def _item_view(item: Product, stocked: InventoryItem | None) -> ProductView:
        if stocked is None:
            return ProductView(item, item.price, item.stock, True)
        price = Money(stocked.price_minor, item.price.currency) if stocked.price_minor is not None else item.price
        return ProductView(item, price, stocked.stock, stocked.active)

    async def customer_locale(self, customer_key: str) -> str:
        record = await self.store.load_conversation(customer_key)
        return str(record.state.get("locale") or self.config.shop.locale)

    def channel_capabilities(self, name: str) -> Capabilities | None:
        channel = self.plugins.channel_classes().get(name)
        return channel.capabilities if channel is not None else None

    def lowered(self, messages: Sequence[Outbound], capabilities: Capabilities, locale: str) -> list[Outbound]:
        hint, choose = self.texts.get(locale, "reply_with_number"), self.texts.get(locale, "choose")
        return lower(list(messages), capabilities, hint, choose).messages

    async def record_consent(self, customer_key: str, opted_in: bool, *, at: datetime) -> bool:
        kept = await consent.record_consent(
            self.store, customer_key, opted_in=opted_in, via="messenger", at=at, now=self.now()
        )
        return kept is not None

    async def last_message_at(self, customer_key: str) -> datetime | None:
        return (await self.store.load_conversation(customer_key)).last_inbound_at

    def kv(self, namespace: str) -> KeyValueSpace:
        """A plugin's own durable key-value space, shared by every worker (:mod:`chatshop.kv`)."""
        return KeyValueSpace(self.store, namespace, self.now)

    def text(self, locale: str, key: str, **values: Any) -> str:
        return self.texts.get(locale, key, shop=self.config.shop.name, **values)

    def public_url(self, path: str) -> str:
        base = self.config.server.public_url or f"http://{self.config.server.host}:{self.config.server.port}"
        return base.rstrip("/") + "/" + path.lstrip("/")

    def secret(self, variable: str) -> str:
        return read_secret(variable)

    def now(self) -> datetime:
        """The shop's time (UTC), from ``clock``."""
        return self.clock()
