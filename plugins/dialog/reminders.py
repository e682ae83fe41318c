"""What the shop tells a customer on its own initiative: a cart left behind, a product back in stock.

- **Cart reminders** (``[reminders] cart_after_minutes``): when a cart begins, a durable job is
  scheduled for the time the cart would be left that long. When it falls due and the cart is still
  that cart, untouched for that long, its customer hears once: inside the messenger's reply window
  a message with the cart and a Checkout button, outside it only the shop's approved marketing
  template and only for a customer who opted in. Never to one who said no, never twice for one cart
  (the reminder is recorded before it is sent, so even a job run twice sends one), never during
  the shop's quiet hours (it waits for them to end).
- **Back in stock**: "Notify me" on a product that cannot be bought records an alert. While alerts
  wait, a check runs every few minutes (and at once after a restock the dashboard makes, and at
  start-up for one written in shop.toml): each alert whose product can be bought again, whichever
  way it came back (shop.toml, the dashboard, a catalog sync), is taken by exactly one worker and
  tells its customer once; then it ends. One whose product left the catalog ends quietly.

Every job checks what it acts on when it runs: a cart since ordered, a product since deleted, a
customer since gone (``chatshop forget``) end it quietly, with a log line that names no one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

import structlog
from pydantic import BaseModel

from chatshop.catalog import Product
from chatshop.consent import read_consent
from chatshop.dialog.feature import Action, DialogFeature
from chatshop.dialog.state import ConversationState
from chatshop.dialog.turn import Turn
from chatshop.hookspecs import hookimpl
from chatshop.jobs import Job, JobHandler
from chatshop.messages import Buttons, Choice, Marketing, Outbound
from chatshop.plugins.dialog.menu import menu_button, show_menu
from chatshop.runtime import Shop

__all__ = ["CART", "STOCK_CHECK", "check_stock_now", "quiet_until"]

log = structlog.get_logger(__name__)

NAME = "reminders"
CART, STOCK_CHECK = "cart.remind", "stock.check"
#: How often the back-in-stock check runs by itself (a known restock schedules one at once).
STOCK_CHECK_EVERY = timedelta(minutes=5)
NOTIFY = "notify"


class RemindersState(BaseModel):
    """The cart whose reminder is scheduled, so a turn schedules it once, not at every message."""

    cart: str | None = None


# --- cart reminders ---------------------------------------------------------------------------
async def after_turn(turn: Turn) -> None:
    """A cart that just began: its reminder is scheduled for when it would be left behind."""
    after = turn.shop.config.reminders.cart_after_minutes
    cart = turn.state.cart
    if after is None or not cart:
        return
    cart_id = cart.identify()
    mine = turn.state_of(NAME, RemindersState)
    if mine.cart == cart_id:
        return
    mine.cart = cart_id
    due = turn.shop.now() + timedelta(minutes=after)
    key = f"{turn.customer_key}|{cart_id}"
    await turn.shop.jobs.schedule(CART, key, due, {"cart": cart_id}, customer_key=turn.customer_key)


async def remind_cart(shop: Shop, job: Job) -> None:
    after = shop.config.reminders.cart_after_minutes
    customer_key, cart_id = job.customer_key, str(job.payload.get("cart") or "")
    if after is None or customer_key is None or not cart_id:
        return
    record = await shop.store.load_conversation(customer_key)
    state = ConversationState.from_json(
        record.state, locale=shop.config.shop.locale, currency=shop.config.shop.currency
    )
    if not state.cart or state.cart.id != cart_id:
        log.info("reminder.cart_gone", kind="cart")  # ordered, emptied, or the customer was forgotten
        return
    now = shop.now()
    last = _last_seen(state, record.last_inbound_at)
    if last is not None and now - last < timedelta(minutes=after):
        # Still shopping when the first reminder fell due: wait until the cart is really left.
        await _later(shop, customer_key, cart_id, last + timedelta(minutes=after), "active")
        return
    quiet = quiet_until(shop, now)
    if quiet is not None:
        await _later(shop, customer_key, cart_id, quiet, "quiet")
        return
    message = await _cart_message(shop, customer_key, state)
    if message is None:
        return
    if not await shop.store.add_reminder("cart", customer_key, cart_id, now):
        log.info("reminder.already_sent", kind="cart")
        return
    await shop.notify(customer_key, message)
    log.info("reminder.sent", kind="cart", form=message.kind)


async def _later(shop: Shop, customer_key: str, cart_id: str, due: datetime, why: str) -> None:
    """The same cart's reminder, due later (a new job: this one is done when it returns)."""
    key = f"{customer_key}|{cart_id}|{int(due.timestamp())}"
    await shop.jobs.schedule(CART, key, due, {"cart": cart_id}, customer_key=customer_key)
    log.info("reminder.postponed", kind="cart", reason=why)


def _last_seen(state: ConversationState, last_inbound_at: datetime | None) -> datetime | None:
    """When the customer last wrote, as their last turn saw it (the messenger's time, else the
    shop's clock); the store's time of the last message only for a conversation without one."""
    if state.seen_at:
        try:
            seen = datetime.fromisoformat(state.seen_at)
        except ValueError:
            return last_inbound_at
        return seen if seen.tzinfo else seen.replace(tzinfo=UTC)
    return last_inbound_at


def quiet_until(shop: Shop, now: datetime) -> datetime | None:
    """When the shop's quiet hours (``[reminders] quiet_from``/``quiet_until``) that hold ``now``
    end; None when ``now`` is not in them. Nothing the shop sends on its own goes in them."""
    config = shop.config.reminders
    return shop.time.quiet_until(now, time.fromisoformat(config.quiet_from), time.fromisoformat(config.quiet_until))


async def _cart_message(shop: Shop, customer_key: str, state: ConversationState) -> Outbound | None:
    """The reminder as this customer may get it now; None (and why, in the log) when not at all."""
    locale = state.locale
    lines = [shop.text(locale, "cart_line", quantity=ln.quantity, title=ln.title, total=ln.total.format(locale))
             for ln in state.cart.lines]  # fmt: skip
    subtotal = state.cart.subtotal.format(locale)
    body = shop.text(locale, "cart_reminder", lines="\n".join(lines), subtotal=subtotal)
    choices = (Choice(id="checkout", title=shop.text(locale, "checkout")),
               Choice(id="cart", title=shop.text(locale, "view_cart")))  # fmt: skip
    summary = ", ".join(f"{ln.quantity} × {ln.title}" for ln in state.cart.lines)
    return await _reachable(
        shop, customer_key, "cart_reminder", Buttons(body=body, choices=choices), (summary, subtotal)
    )


async def _reachable(
    shop: Shop,
    customer_key: str,
    topic: str,
    free_form: Outbound,
    parameters: tuple[str, ...],
    subject: str | None = None,
) -> Outbound | None:
    """``free_form`` inside the reply window; outside it the marketing template, only for a customer
    who opted in; None for a customer who said no, or who cannot be reached now."""
    channel_name, _, customer_id = customer_key.partition(":")
    channel = shop.channels.get(channel_name)
    if channel is None:
        log.info("reminder.skipped", topic=topic, reason="channel gone")
        return None
    consent = await read_consent(shop.store, customer_key, shop.now())
    if not consent.allows_reminders:
        log.info("reminder.skipped", topic=topic, reason="opted out")
        return None
    if await channel.window_open(customer_id):
        return free_form
    if not consent.allows_marketing:
        log.info("reminder.skipped", topic=topic, reason="window closed, no opt-in")
        return None
    if not channel.sends_marketing(topic):
        log.info("reminder.skipped", topic=topic, reason="window closed, no template")
        return None
    body = getattr(free_form, "body", "")
    return Marketing(topic=topic, body=body, parameters=parameters, subject=subject)


# --- back in stock ------------------------------------------------------------------------------
async def notify_me(turn: Turn, product_id: str) -> None:
    product = turn.shop.catalog.get(product_id)
    if product is None or not turn.shop.config.reminders.back_in_stock:
        turn.say(turn.t("product_gone" if product is None else "unknown"))
        show_menu(turn)
        return
    (view,) = await turn.views([product])
    if view.buyable:
        turn.ask(turn.t("notify_me_in_stock", title=product.title), _product_choices(turn, product))
        return
    if await turn.shop.store.add_stock_alert(product.id, turn.customer_key, turn.shop.now()):
        await _next_check(turn.shop, turn.shop.now())  # the checks begin (one chain for every alert)
    turn.ask(turn.t("notify_me_set", title=product.title), [turn.choice("browse", "menu_browse"), menu_button(turn)])


def _product_choices(turn: Turn, product: Product) -> list[Choice]:
    return [Choice(id=f"add:{product.id}:1", title=turn.t("add_to_cart")), menu_button(turn)]


async def check_stock(shop: Shop, job: Job) -> None:
    """Tell every customer whose product can be bought again; while alerts wait, the next check a
    few minutes on (a shop nobody asked anything of runs no checks at all)."""
    try:
        if shop.config.reminders.back_in_stock and quiet_until(shop, shop.now()) is None:
            await _tell_restocked(shop)
    finally:
        if await shop.store.has_stock_alerts():
            await _next_check(shop, job.due_at)


async def _tell_restocked(shop: Shop) -> None:
    """Each alert whose product can be bought again tells its customer once; one whose product left
    the catalog ends quietly."""
    alerts = await shop.store.stock_alerts()
    products = {pid: p for pid in {pid for pid, _ in alerts} if (p := shop.catalog.get(pid)) is not None}
    views = {view.product.id: view for view in await shop.product_views(list(products.values()))}
    for product_id, customer_key in alerts:
        view = views.get(product_id)
        if view is not None and not view.buyable:
            continue  # still waiting
        if not await shop.store.take_stock_alert(product_id, customer_key):
            continue  # another worker took it
        if view is None:
            log.info("reminder.skipped", topic="back_in_stock", reason="product gone")
            continue
        product = view.product
        locale = await shop.customer_locale(customer_key)
        price = view.price.format(locale)
        body = shop.text(locale, "back_in_stock", title=product.title, price=price)
        free_form = Buttons(body=body, choices=(
            Choice(id=f"add:{product.id}:1", title=shop.text(locale, "add_to_cart")),
            Choice(id=f"p:{product.id}", title=shop.text(locale, "back_in_stock_view")),
        ))  # fmt: skip
        message = await _reachable(shop, customer_key, "back_in_stock", free_form, (product.title, price), product.id)
        if message is None:
            continue
        await shop.notify(customer_key, message)
        log.info("reminder.sent", kind="back_in_stock", form=message.kind)


async def _next_check(shop: Shop, after: datetime) -> None:
    due = max(after, shop.now()) + STOCK_CHECK_EVERY
    await shop.jobs.schedule(STOCK_CHECK, _bucket(due), due)


def _bucket(moment: datetime) -> str:
    """One key per check period: every worker schedules the same one, and it runs once."""
    period = int(STOCK_CHECK_EVERY.total_seconds())
    return str(int(moment.timestamp()) // period * period)


async def check_stock_now(shop: Shop) -> None:
    """A restock the shop made itself (the dashboard): check at the next sweep, if anyone waits."""
    if shop.config.reminders.back_in_stock and await shop.store.has_stock_alerts():
        now = shop.now()
        await shop.jobs.schedule(STOCK_CHECK, f"now:{now.timestamp()}", now)


@hookimpl
async def startup(shop: Shop) -> None:
    """A check at once when alerts wait: a restock written in shop.toml since the last start, and
    the chain begun again should it have broken (one key per period: once across workers)."""
    if shop.config.reminders.back_in_stock and await shop.store.has_stock_alerts():
        now = shop.now()
        await shop.jobs.schedule(STOCK_CHECK, _bucket(now), now)


# --- registration -------------------------------------------------------------------------------
FEATURE = DialogFeature(
    name=NAME,
    actions={NOTIFY: Action(notify_me)},
    after_turn=after_turn,
    state=RemindersState,
)


@hookimpl
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    register(FEATURE)


@hookimpl
def register_jobs(register: Callable[[str, JobHandler], None]) -> None:
    register(CART, remind_cart)
    register(STOCK_CHECK, check_stock)
