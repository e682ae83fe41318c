"""Cash-on-delivery confirmation, and paying online instead (``[payments.cod] confirm``, ``prepaid_offer``).

A quarter to a third of Indian cash orders come back undelivered. So, when the shop asks for it, a
cash order is placed waiting for the customer's confirmation: the "placed" reply asks for it
(**Yes, confirm**, **Pay online**, **Cancel order**), a reminder follows after
``confirm_remind_minutes``, and after ``confirm_cancel_minutes`` an order still unconfirmed is
cancelled (stock back, customer told) or left for the shop (``confirm_unanswered = "keep"``).
Confirming moves the order to ``confirmed``. "Pay online" makes it an online order from then on
(:meth:`chatshop.ordering.Ordering.switch_to_online`), with the COD fee gone and, if the shop
offers one, a discount as its own line.

The reminder and the time-out are durable jobs keyed by the order number: they survive restarts, run
once across workers, are cancelled when the order moves, and check the order before acting. The
reminder keeps the shop's quiet hours (``[reminders]``) like every message the shop sends on its
own: one due in them goes when they end, or not at all if the time-out comes first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, cast

import structlog

from chatshop.dialog.feature import Action, DialogFeature
from chatshop.dialog.turn import Turn
from chatshop.hookspecs import hookimpl
from chatshop.jobs import Job, JobHandler
from chatshop.messages import Buttons, Choice, Outbound, lead_with
from chatshop.money import Money
from chatshop.orders import IllegalTransition, Order, OrderStatus
from chatshop.payments import PaymentContext, PaymentError, PaymentMethod
from chatshop.plugins.dialog.marketing import offer
from chatshop.plugins.dialog.menu import menu_button
from chatshop.plugins.dialog.reminders import quiet_until
from chatshop.plugins.tax import retax
from chatshop.pricing import Adjustment

if TYPE_CHECKING:
    from chatshop.api import Shop as PluginShop
    from chatshop.plugins.payments.cod import CashOnDeliveryConfig
    from chatshop.runtime import Shop

__all__ = ["confirmation", "confirmation_state", "settings", "waiting_choices"]

log = structlog.get_logger(__name__)

NAME = "cod_confirm"
CONFIRM, PAY_ONLINE = "codok", "codpay"
REMIND, TIME_OUT = "cod.remind", "cod.timeout"
#: What the order's history says when the customer confirmed, and when nobody did in time.
CONFIRMED_NOTE, UNCONFIRMED_NOTE = "confirmed by the customer", "not confirmed in time"
SWITCHED_NOTE = "to be paid online by the customer"
DISCOUNT = "prepaid_discount"


def settings(shop: PluginShop) -> CashOnDeliveryConfig | None:
    """``[payments.cod]`` when cash on delivery is enabled with ``confirm``; else None."""
    method = shop.payment_methods.get("cod")
    config = getattr(method, "config", None)
    if config is None or not getattr(config, "confirm", False):
        return None
    return cast("CashOnDeliveryConfig", config)


# --- the question ---------------------------------------------------------------------------
async def confirmation(shop: PluginShop, order: Order, *, reminder: bool = False) -> Outbound:
    """The question for a cash order waiting to be confirmed, in the customer's language: its
    number and total, the saving of paying online where the shop offers it, and the buttons."""
    locale = await shop.customer_locale(order.customer_key)
    total = order.total.format(locale)
    body = shop.text(locale, "cod_confirm_remind" if reminder else "cod_confirm_ask", number=order.number, total=total)
    choices = waiting_choices(shop, order, locale)
    if any(choice.id.startswith(f"{PAY_ONLINE}:") for choice in choices):
        saving = _saving(shop, order)
        if saving.minor > 0:
            body += "\n" + shop.text(locale, "cod_prepaid_offer_save", amount=saving.format(locale))
        else:
            body += "\n" + shop.text(locale, "cod_prepaid_offer")
    # The orders feature's own cancel: it asks "Cancel order K7M?" before it cancels.
    choices.append(Choice(id=f"cancel:{order.number}", title=shop.text(locale, "cancel_order")))
    return Buttons(body=body, choices=tuple(choices))


def waiting_choices(shop: PluginShop, order: Order, locale: str) -> list[Choice]:
    """What a cash order waiting for its customer's confirmation offers wherever it is shown (the
    question, its reminder, the order under "My orders"): **Yes, confirm**, and **Pay online**
    where the shop offers it. None for any other order, nor where the shop asks no confirmation."""
    if settings(shop) is None or order.payment_method != "cod" or order.status != OrderStatus.COD_PENDING:
        return []
    choices = [Choice(id=f"{CONFIRM}:{order.number}", title=shop.text(locale, "cod_confirm_button"))]
    if _online_methods(shop, order):
        choices.append(Choice(id=f"{PAY_ONLINE}:{order.number}", title=shop.text(locale, "cod_pay_online")))
    return choices


#: The cash method's own fee line (``[payments.cod] fee``): an order paid online does not pay it.
CASH_FEE = "cod_fee"


def _switched_total(shop: PluginShop, order: Order) -> tuple[Money, list[Adjustment]]:
    """What the order would cost paid online (its lines and fees as charged, the cash fee gone,
    the discount taken off, its tax anew: what :meth:`Ordering.switch_to_online` will charge) and
    the discount line; the discount never leaves less than one minor unit to pay."""
    kept = tuple((code, amount) for code, amount in order.adjustments if code != CASH_FEE)
    without_fee = _charged(shop, order, kept)
    config = settings(shop)
    offered = config.prepaid_discount if config is not None else None
    if offered is None or offered.minor <= 0:
        return without_fee, []
    amount = Money(min(offered.minor, max(without_fee.minor - 1, 0)), order.currency)
    if not amount.minor:
        return without_fee, []
    line = Adjustment(DISCOUNT, -amount, "Discount for paying online")
    return _charged(shop, order, (*kept, (line.code, line.amount))), [line]


def _charged(shop: PluginShop, order: Order, adjustments: tuple[tuple[str, Money], ...]) -> Money:
    """The order's total with these lines besides its goods, taxed as the order would be."""
    taxed, _ = retax(shop, order, adjustments)
    return order.subtotal + Money.sum((amount for _, amount in taxed), order.currency)


def _online_methods(shop: PluginShop, order: Order) -> list[PaymentMethod]:
    """The online methods this order could switch to (none unless the shop offers it)."""
    config = settings(shop)
    if config is None or not config.prepaid_offer or order.status != OrderStatus.COD_PENDING:
        return []
    total, _ = _switched_total(shop, order)
    context = PaymentContext(total=total, postal_code=order.postal_code, channel=order.channel)
    return [m for m in shop.payment_methods.values() if m.online and m.available(context)]


def _saving(shop: PluginShop, order: Order) -> Money:
    """How much less the order costs paid online: the cash fee gone, the discount given."""
    total, _ = _switched_total(shop, order)
    return Money(max(order.total.minor - total.minor, 0), order.currency)


def confirmation_state(order: Order) -> str | None:
    """What became of the confirmation asked for ``order``, for staff (None: none was asked)."""
    notes = [str(entry.get("note", "")) for entry in order.history]
    if CONFIRMED_NOTE in notes:
        return "confirmed by the customer"
    if any(note.startswith(SWITCHED_NOTE) for note in notes):
        return "the customer chose to pay online"
    if UNCONFIRMED_NOTE in notes:
        return "not confirmed in time"
    if order.status == OrderStatus.COD_PENDING:
        return "waiting for the customer's confirmation"
    return None


# --- the customer's answers -----------------------------------------------------------------
async def _own(turn: Turn, number: str) -> Order | None:
    order = await turn.shop.store.get_order(number.strip().upper()) if number else None
    if order is None or order.customer_key != turn.customer_key:
        turn.say(turn.t("order_unknown"))
        return None
    return order


def _elsewhere(turn: Turn, order: Order) -> None:
    """The order moved on before the answer (confirmed, shipped, cancelled, paid): say where it is."""
    if order.status == OrderStatus.CONFIRMED:
        turn.ask(turn.t("cod_already_confirmed", number=order.number), [turn.choice("orders", "menu_orders")])
    elif order.status == OrderStatus.CANCELLED:
        turn.ask(
            turn.t("order_cancelled", number=order.number),
            [Choice(id=f"reorder:{order.number}", title=turn.t("try_again")), turn.choice("orders", "menu_orders")],
        )
    else:
        status = turn.t(f"state_{order.status.value}")
        turn.ask(turn.t("cod_not_pending", number=order.number, status=status), [turn.choice("orders", "menu_orders")])


async def confirm(turn: Turn, number: str) -> None:
    order = await _own(turn, number)
    if order is None:
        return
    if order.status != OrderStatus.COD_PENDING or order.payment_method != "cod":
        _elsewhere(turn, order)
        return
    try:
        order = await turn.shop.ordering.move(order.number, OrderStatus.CONFIRMED, CONFIRMED_NOTE, notify=False)
    except IllegalTransition as e:  # the time-out or the owner got there first
        current = await turn.shop.store.get_order(order.number)
        _elsewhere(turn, current or order)
        log.info("cod.confirm_raced", order=order.number, status=e.old.value)
        return
    log.info("cod.confirmed", order=order.number)
    body = turn.t("cod_confirmed", number=order.number, total=turn.money(order.total))
    body, choices = await offer(turn, body, [turn.choice("orders", "menu_orders"), menu_button(turn)])
    turn.ask(body, choices)


async def pay_online(turn: Turn, arg: str) -> None:
    """``codpay:K7M`` (the only online method, or a choice of them) or ``codpay:K7M:razorpay``."""
    number, _, name = arg.partition(":")
    order = await _own(turn, number)
    if order is None:
        return
    if order.status != OrderStatus.COD_PENDING:
        _elsewhere(turn, order)
        return
    methods = _online_methods(turn.shop, order)
    if not methods:
        turn.ask(
            turn.t("no_payment_method"), [Choice(id=f"{CONFIRM}:{order.number}", title=turn.t("cod_confirm_button"))]
        )
        return
    if not name and len(methods) > 1:
        choices = [Choice(id=f"{PAY_ONLINE}:{order.number}:{m.name}", title=_label(turn, m)) for m in methods]
        turn.ask(turn.t("cod_choose_online", total=turn.money(order.total)), choices[:10])
        return
    method = next((m for m in methods if m.name == name), None) if name else methods[0]
    if method is None:
        turn.say(turn.t("unknown"))
        return
    before = order.total
    try:
        _, extra = _switched_total(turn.shop, order)
        order = await turn.shop.ordering.switch_to_online(
            order.number, method.name, drop=(CASH_FEE,), extra=extra, note=f"{SWITCHED_NOTE} ({method.name})"
        )
    except IllegalTransition:
        current = await turn.shop.store.get_order(order.number)
        _elsewhere(turn, current or order)
        return
    except PaymentError:
        log.warning("cod.switch_refused", order=order.number, method=method.name)
        turn.ask(
            turn.t("no_payment_method"), [Choice(id=f"{CONFIRM}:{order.number}", title=turn.t("cod_confirm_button"))]
        )
        return
    saved = Money(max(before.minor - order.total.minor, 0), order.currency)
    total = turn.money(order.total)
    if saved.minor:
        said = turn.t("cod_switched_save", number=order.number, total=total, amount=turn.money(saved))
    else:
        said = turn.t("cod_switched", number=order.number, total=total)
    try:
        messages = await turn.shop.ordering.start_payment(order)
    except PaymentError:
        turn.say(said)
        turn.ask(
            turn.t("payment_unavailable", number=order.number),
            [Choice(id=f"paylink:{order.number}", title=turn.t("try_again")), turn.choice("orders", "menu_orders")],
        )
        return
    turn.out.extend(lead_with(said, messages))


def _label(turn: Turn, method: PaymentMethod) -> str:
    for key in (method.label_key, f"payment_{method.name}", "payment_online"):
        if key:
            try:
                return turn.t(key)
            except KeyError:
                continue
    return method.name


# --- the reminder and the time-out ------------------------------------------------------------
@hookimpl
async def order_placed(shop: Shop, order: Order) -> None:
    """A cash order waiting for confirmation: its reminder and its time-out, as durable jobs."""
    config = settings(shop)
    if config is None or order.payment_method != "cod" or order.status != OrderStatus.COD_PENDING:
        return
    now = shop.now()
    timeout = now + timedelta(minutes=config.confirm_cancel_minutes)
    if config.confirm_remind_minutes:
        due = now + timedelta(minutes=config.confirm_remind_minutes)
        due = quiet_until(shop, due) or due
        if due < timeout:  # else the time-out decides before the customer could be reminded
            await shop.jobs.schedule(REMIND, order.number, due, customer_key=order.customer_key)
    # Not tied to the customer: a forgotten customer's order is still the shop's to release.
    await shop.jobs.schedule(TIME_OUT, order.number, timeout)


@hookimpl
async def order_status_changed(shop: Shop, order: Order, old: OrderStatus, new: OrderStatus) -> None:
    """Confirmed, cancelled, switched to online or shipped: the reminder and time-out are moot."""
    if old == OrderStatus.COD_PENDING and new != OrderStatus.COD_PENDING:
        await shop.jobs.cancel(REMIND, order.number)
        await shop.jobs.cancel(TIME_OUT, order.number)


async def remind(shop: Shop, job: Job) -> None:
    order = await shop.store.get_order(str(job.payload.get("order") or job.key))
    if order is None or order.status != OrderStatus.COD_PENDING or settings(shop) is None:
        return  # confirmed, cancelled or switched meanwhile
    quiet = quiet_until(shop, shop.now())
    if quiet is not None:  # run late, into the night (the shop was down): wait for the morning
        timeout = await shop.store.get_job(TIME_OUT, order.number)
        if timeout is not None and timeout.status == "pending" and quiet < timeout.due_at:
            # A job of its own (this one is done when it returns), checked like this one when due.
            key = f"{order.number}@{int(quiet.timestamp())}"
            await shop.jobs.schedule(REMIND, key, quiet, {"order": order.number}, customer_key=order.customer_key)
        log.info("cod.reminder_postponed", order=order.number, reason="quiet hours")
        return
    channel = shop.channels.get(order.channel)
    if channel is None or not await channel.window_open(order.customer_id):
        # A free-form question cannot reach them now; the time-out still decides.
        log.info("cod.reminder_skipped", order=order.number, reason="window closed")
        return
    await shop.notify(order.customer_key, await confirmation(shop, order, reminder=True))
    log.info("cod.reminded", order=order.number)


async def time_out(shop: Shop, job: Job) -> None:
    order = await shop.store.get_order(job.key)
    config = settings(shop)
    if order is None or order.status != OrderStatus.COD_PENDING or config is None:
        return
    if config.confirm_unanswered == "keep":
        await shop.store.record_amounts(order.number, note=UNCONFIRMED_NOTE)  # for the shop to decide
        log.info("cod.unconfirmed_kept", order=order.number)
        return
    try:
        order = await shop.ordering.move(order.number, OrderStatus.CANCELLED, UNCONFIRMED_NOTE, notify=False)
    except IllegalTransition:
        return  # confirmed or cancelled at the same moment: nothing left to do
    log.info("cod.unconfirmed_cancelled", order=order.number)
    await shop.ordering.tell(order, "cod_cancelled_unconfirmed", notification=True)


FEATURE = DialogFeature(
    name=NAME,
    actions={CONFIRM: Action(confirm), PAY_ONLINE: Action(pay_online)},
)


@hookimpl
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    register(FEATURE)


@hookimpl
def register_jobs(register: Callable[[str, JobHandler], None]) -> None:
    register(REMIND, remind)
    register(TIME_OUT, time_out)
