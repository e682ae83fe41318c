"""The customer's own orders: a list with status, details, cancelling, paying again, re-ordering."""

from __future__ import annotations

from collections.abc import Callable

from chatshop.cart import MAX_QUANTITY
from chatshop.dialog.engine import bounded_int
from chatshop.dialog.feature import Action, DialogFeature
from chatshop.dialog.turn import Turn, clamp_page, page_of
from chatshop.hookspecs import hookimpl
from chatshop.invoices import eligible
from chatshop.messages import Choice, OrderStatusUpdate
from chatshop.orders import IllegalTransition, Order, OrderStatus
from chatshop.payments import PaymentError
from chatshop.plugins.dialog.cart import show_cart
from chatshop.plugins.dialog.checkout import charged_lines, request_payment
from chatshop.plugins.dialog.checkout import start as start_checkout
from chatshop.plugins.dialog.cod_confirm import waiting_choices
from chatshop.plugins.dialog.menu import menu_button, show_menu


def state_label(turn: Turn, status: OrderStatus) -> str:
    return turn.t(f"state_{status.value}")


async def list_orders(turn: Turn, page: int = 0) -> None:
    """The customer's orders, newest first, in pages: a regular customer's first order stays reachable."""
    size = max(turn.page_size, 1)
    orders = await turn.shop.store.list_orders(customer_key=turn.customer_key, limit=(max(page, 0) + 1) * size + 1)
    if not orders:
        turn.ask(turn.t("orders_none"), [turn.choice("browse", "menu_browse"), menu_button(turn)])
        return
    page = clamp_page(len(orders), page, size)
    shown, more = page_of(orders, page, size)
    choices = [
        Choice(
            id=f"o:{order.number}",
            title=order.number,
            description=f"{state_label(turn, order.status)} · {turn.money(order.total)}",
        )
        for order in shown
    ]
    if more:
        choices.append(Choice(id=f"orders:{page + 1}", title=turn.t("more")))
    turn.ask(turn.t("orders_header"), [*choices, menu_button(turn)], button=turn.t("menu_orders"))


async def _own(turn: Turn, number: str) -> Order | None:
    order = await turn.shop.store.get_order(number)
    if order is None or order.customer_key != turn.customer_key:
        turn.say(turn.t("order_unknown"))
        show_menu(turn)
        return None
    return order


async def show_order(turn: Turn, number: str) -> None:
    order = await _own(turn, number)
    if order is None:
        return
    lines = "\n".join(charged_lines(turn, order))
    body = turn.t(
        "order_detail",
        number=order.number,
        status=state_label(turn, order.status),
        lines=lines,
        total=turn.money(order.total),
    )
    if order.shipment is not None:
        shipment = order.shipment
        tracking = turn.t("order_tracking", carrier=shipment.carrier, tracking_number=shipment.tracking_number)
        body = "\n".join(part for part in (body, tracking, shipment.tracking_url) if part)
    choices = waiting_choices(turn.shop, order, turn.locale)  # a cash order the customer has yet to confirm
    if order.status == OrderStatus.PENDING_PAYMENT:
        choices.append(Choice(id=f"paylink:{order.number}", title=turn.t("payment_online")))
    if order.cancellable:
        choices.append(Choice(id=f"cancel:{order.number}", title=turn.t("cancel_order")))
    choices.append(Choice(id=f"again:{order.number}", title=turn.t("buy_again")))
    if turn.shop.config.invoices is not None and eligible(order):
        choices.append(Choice(id=f"invoice:{order.number}", title=turn.t("invoice_button")))
    choices.append(turn.choice("orders", "menu_orders"))
    turn.ask(body, choices)


async def ask_cancel(turn: Turn, number: str) -> None:
    order = await _own(turn, number)
    if order is None:
        return
    if not order.cancellable:
        turn.say(turn.t("cannot_cancel", number=order.number, status=state_label(turn, order.status)))
        return
    turn.ask(
        turn.t("cancel_confirm", number=order.number),
        [
            Choice(id=f"cancelyes:{order.number}", title=turn.t("yes_cancel")),
            Choice(id=f"o:{order.number}", title=turn.t("keep_order")),
        ],
    )


async def cancel(turn: Turn, number: str) -> None:
    order = await _own(turn, number)
    if order is None:
        return
    if order.status == OrderStatus.CANCELLED:
        turn.say(turn.t("order_cancelled", number=order.number))
        return
    try:
        await turn.shop.ordering.move(order.number, OrderStatus.CANCELLED, "cancelled by customer", notify=False)
    except IllegalTransition as e:  # moved meanwhile (the owner shipped it): say where it is now
        turn.say(turn.t("cannot_cancel", number=order.number, status=state_label(turn, e.old)))
        return
    except PaymentError:  # the refund did not go through: the order stays as it was
        turn.ask(
            turn.t("cancel_failed", number=order.number),
            [Choice(id=f"cancel:{order.number}", title=turn.t("try_again")), turn.choice("orders", "menu_orders")],
        )
        return
    # A status update, not plain text: a channel with an in-chat bill (WhatsApp Pay) cancels the bill too.
    turn.out.append(
        OrderStatusUpdate(
            order_number=order.number,
            status=OrderStatus.CANCELLED.value,
            body=turn.t("order_cancelled", number=order.number),
            payment_method=order.payment_method,
            notification=False,
        )
    )
    turn.ask(turn.t("menu_body"), [turn.choice("orders", "menu_orders"), menu_button(turn)])


async def pay_again(turn: Turn, number: str) -> None:
    if await _own(turn, number) is not None:
        await request_payment(turn, number)


async def reorder(turn: Turn, number: str) -> None:
    """Put an expired or cancelled order's items back in the cart and go to checkout."""
    order = await _own(turn, number)
    if order is None:
        return
    products = [p for p in (turn.shop.catalog.get(ln.product_id) for ln in order.lines) if p is not None]
    views = {v.product.id: v for v in await turn.views(products)}
    for line in order.lines:
        view = views.get(line.product_id)
        if view is not None and view.buyable and turn.state.cart.line(line.product_id) is None:
            turn.state.cart.add(line.product_id, line.title, view.price, line.quantity)
    await start_checkout(turn)


async def buy_again(turn: Turn, number: str) -> None:
    """Any past order's lines into the cart, at today's prices and stock, with what changed said."""
    order = await _own(turn, number)
    if order is None:
        return
    products = {p.id: p for p in (turn.shop.catalog.get(ln.product_id) for ln in order.lines) if p is not None}
    views = {v.product.id: v for v in await turn.views(list(products.values()))}
    changes, added = [], 0
    for line in order.lines:
        view = views.get(line.product_id)
        if view is None or not view.active:
            changes.append(turn.t("again_gone", title=line.title))
            continue
        if not view.buyable:
            changes.append(turn.t("again_sold_out", title=view.product.title))
            continue
        in_cart = turn.state.cart.line(line.product_id)
        room = MAX_QUANTITY if view.stock is None else min(view.stock, MAX_QUANTITY)
        quantity = min(line.quantity, room - (in_cart.quantity if in_cart else 0))
        if quantity <= 0:
            continue
        if quantity < line.quantity:
            changes.append(turn.t("again_fewer", title=view.product.title, count=quantity, wanted=line.quantity))
        if view.price != line.unit_price:
            changes.append(
                turn.t(
                    "again_price",
                    title=view.product.title,
                    price=turn.money(view.price),
                    was=turn.money(line.unit_price),
                )
            )
        turn.state.cart.add(line.product_id, view.product.title, view.price, quantity)
        added += quantity
    if changes:
        turn.say("\n".join([turn.t("again_changed", number=order.number), *changes]))
    if not added:
        turn.ask(
            turn.t("again_nothing", number=order.number), [turn.choice("browse", "menu_browse"), menu_button(turn)]
        )
        return
    show_cart(turn)


async def _orders(turn: Turn, page: str) -> None:
    await list_orders(turn, bounded_int(page))


FEATURE = DialogFeature(
    name="orders",
    actions={
        "orders": Action(_orders),
        "o": Action(show_order),
        "cancel": Action(ask_cancel),
        "cancelyes": Action(cancel),
        "paylink": Action(pay_again),
        "reorder": Action(reorder),
        "again": Action(buy_again),
    },
    commands={"words_orders": "orders"},
    labels={"menu_orders": "orders", "cancel_order": "orders"},  # which order is not said: the list
)


@hookimpl
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    register(FEATURE)
