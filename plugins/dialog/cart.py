"""Filling and editing the cart, including a cart built in the messenger's own catalog."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from chatshop.cart import MAX_QUANTITY
from chatshop.dialog.engine import bounded_int, choose
from chatshop.dialog.feature import Action, DialogFeature, Question
from chatshop.dialog.quantities import quantity
from chatshop.dialog.turn import ProductView, Turn, clamp_page, page_of
from chatshop.hookspecs import hookimpl
from chatshop.lowering import shorten
from chatshop.messages import CartItem, Choice, Inbound, InboundKind
from chatshop.plugins.dialog.menu import menu_button, show_menu


async def add(turn: Turn, product_id: str, quantity: int) -> None:
    product = turn.shop.catalog.get(product_id)
    if product is None:  # a button from before the product left the catalog
        turn.say(turn.t("product_gone"))
        show_menu(turn)
        return
    if product.variants:  # what is bought is one of its variants: the customer picks it first
        from chatshop.plugins.dialog.browse import pick_variant

        await pick_variant(turn, product, ())
        return
    (view,) = await turn.views([product])
    in_cart = turn.state.cart.line(product_id)
    turn.state.step = "idle"
    if not view.buyable:
        turn.ask(
            turn.t("out_of_stock", title=product.title),
            [turn.choice("browse", "keep_shopping"), turn.choice("cart", "view_cart")],
        )
        return
    quantity = room(turn, view, in_cart.quantity if in_cart else 0, quantity)
    if quantity <= 0:  # told why; the cart with its buttons is the way on
        show_cart(turn)
        return
    line = turn.state.cart.add(product.id, product.title, view.price, quantity)
    turn.ask(
        turn.t(
            "added",
            quantity=quantity,
            title=line.title,
            count=len(turn.state.cart),
            subtotal=turn.money(turn.state.cart.subtotal),
        ),
        [
            turn.choice("checkout", "checkout"),
            turn.choice("cart", "view_cart"),
            turn.choice("browse", "keep_shopping"),
        ],
    )


def room(turn: Turn, view: ProductView, in_cart: int, wanted: int) -> int:
    """How many of ``wanted`` fit next to ``in_cart``: the stock and the ceiling per line both
    count, and the customer is told when it is fewer than they asked for (never silently cut)."""
    ceiling = MAX_QUANTITY if view.stock is None else min(view.stock, MAX_QUANTITY)
    if in_cart + wanted <= ceiling:
        return wanted
    title = view.product.title
    if view.stock is not None and view.stock <= MAX_QUANTITY:
        turn.say(turn.t("only_left", count=view.stock, title=title))
    else:
        turn.say(turn.t("at_most", max=MAX_QUANTITY, title=title))
    return max(ceiling - in_cart, 0)


def ask_quantity(turn: Turn, product_id: str) -> None:
    product = turn.shop.catalog.get(product_id)
    if product is None or product.variants:
        if product is None:
            turn.say(turn.t("product_gone"))
        show_menu(turn)
        return
    turn.state.step = "quantity"
    turn.state.product_id = product_id
    turn.ask(
        turn.t("quantity_prompt", title=product.title, max=MAX_QUANTITY),
        [Choice(id=f"add:{product_id}:{n}", title=str(n)) for n in (1, 2, 3)],
    )


async def quantity_answer(turn: Turn, number: int) -> None:
    product_id = turn.state.product_id
    if product_id is None or not 1 <= number <= MAX_QUANTITY:
        turn.say(turn.t("quantity_invalid", max=MAX_QUANTITY))
        return
    await add(turn, product_id, number)


def show_cart(turn: Turn) -> None:
    cart = turn.state.cart
    turn.state.step = "idle"
    if not cart:
        turn.ask(turn.t("cart_empty"), [turn.choice("browse", "menu_browse"), menu_button(turn)])
        return
    lines = [turn.t("cart_line", quantity=ln.quantity, title=ln.title, total=turn.money(ln.total)) for ln in cart.lines]
    body = "\n".join([turn.t("cart_header"), *lines, "", turn.t("cart_subtotal", amount=turn.money(cart.subtotal))])
    turn.ask(
        body,
        [turn.choice("checkout", "checkout"), turn.choice("edit", "edit_cart"), turn.choice("browse", "keep_shopping")],
    )


def edit_cart(turn: Turn, page: int = 0) -> None:
    """The cart's lines to pick one to change, in pages: a big grocery cart has more lines than a
    WhatsApp list has rows, and every line must be reachable."""
    cart = turn.state.cart
    if not cart:
        show_cart(turn)
        return
    size = max(turn.page_size - 1, 1)  # room for "More…", "Empty cart" and "Back"
    page = clamp_page(len(cart.lines), page, size)
    lines, more = page_of(cart.lines, page, size)
    choices = [
        Choice(id=f"line:{ln.product_id}", title=ln.title, description=f"{ln.quantity} × {turn.money(ln.unit_price)}")
        for ln in lines
    ]
    if more:
        choices.append(Choice(id=f"edit:{page + 1}", title=turn.t("more")))
    choices += [turn.choice("clear", "clear_cart"), turn.choice("cart", "back")]
    turn.ask(turn.t("edit_pick"), choices, button=turn.t("edit_cart"))


def line_options(turn: Turn, product_id: str) -> None:
    line = turn.state.cart.line(product_id)
    if line is None:
        show_cart(turn)
        return
    turn.ask(
        turn.t("line_options", quantity=line.quantity, title=line.title),
        [
            turn.choice(f"inc:{product_id}", "line_more"),
            turn.choice(f"dec:{product_id}", "line_less"),
            turn.choice(f"rm:{product_id}", "line_remove"),
        ],
    )


async def change_line(turn: Turn, product_id: str, delta: int) -> None:
    line = turn.state.cart.line(product_id)
    if line is None:
        show_cart(turn)
        return
    if delta > 0:
        await add(turn, product_id, delta)
        return
    changed = turn.state.cart.set_quantity(product_id, line.quantity + delta)
    if changed.quantity == 0:
        turn.say(turn.t("line_removed", title=line.title))
    else:
        turn.say(turn.t("line_changed", title=line.title, quantity=changed.quantity))
    show_cart(turn)


def remove_line(turn: Turn, product_id: str) -> None:
    line = turn.state.cart.line(product_id)
    if line is not None:
        turn.state.cart.remove(product_id)
        turn.say(turn.t("line_removed", title=line.title))
    show_cart(turn)


def clear(turn: Turn) -> None:
    turn.state.cart.clear()
    turn.state.checkout = None
    turn.say(turn.t("cart_cleared"))
    show_menu(turn)


async def native_cart(turn: Turn, items: Sequence[CartItem]) -> None:
    """A cart from the messenger's catalog replaces ours; our catalog's price always wins.

    Whatever cannot be had as sent is said: a product we do not sell (by its id, shortened), one
    sold out or withdrawn (by its name), a quantity past the stock or the ceiling per line.
    """
    if not items:  # an order with no line to read (none, no product, quantity 0): the cart stays
        turn.say(turn.t("native_cart_empty"))
        show_cart(turn)
        return
    unknown: list[str] = []
    cart = turn.state.cart
    cart.clear()
    turn.state.checkout = None
    catalog = turn.shop.catalog
    bought = (catalog.get(item.product_id) for item in items)  # a product with variants is not: a variant is
    known = {p.id: p for p in bought if p is not None and p.buyable_as_is}
    views = {v.product.id: v for v in await turn.views(list(known.values()))}
    told: set[str] = set()
    for item in items:
        view = views.get(item.product_id)
        if view is None:
            if item.product_id not in unknown:
                unknown.append(item.product_id)
            continue
        if item.product_id in told:
            continue
        if not view.buyable:
            turn.say(turn.t("out_of_stock", title=view.product.title))
            told.add(item.product_id)
            continue
        line = cart.line(view.product.id)
        quantity = room(turn, view, line.quantity if line else 0, item.quantity)
        if quantity < item.quantity:
            told.add(item.product_id)  # said once; more of it in the same order cannot fit either
        if quantity > 0:
            cart.add(view.product.id, view.product.title, view.price, quantity)
        if item.unit_price is not None and item.unit_price != view.price and line is None:
            turn.say(turn.t("price_changed", title=view.product.title, price=turn.money(view.price)))
    if unknown:
        shown = [shorten(product_id, 40) for product_id in unknown[:5]]
        turn.say(turn.t("native_cart_unknown", items=", ".join(shown) + (", …" if len(unknown) > 5 else "")))
    if cart:
        turn.say(turn.t("native_cart_received"))
    show_cart(turn)


async def _add(turn: Turn, arg: str) -> None:
    product_id, _, quantity = arg.rpartition(":")
    await add(turn, product_id, max(bounded_int(quantity), 1))


def _show_cart(turn: Turn, _: str) -> None:
    show_cart(turn)


def _edit(turn: Turn, page: str) -> None:
    edit_cart(turn, bounded_int(page))


async def _inc(turn: Turn, product_id: str) -> None:
    await change_line(turn, product_id, 1)


async def _dec(turn: Turn, product_id: str) -> None:
    await change_line(turn, product_id, -1)


def _clear(turn: Turn, _: str) -> None:
    clear(turn)


async def _remove(turn: Turn, _: str) -> None:
    """A typed "remove": the line offered in the last reply, else the cart's lines to pick one."""
    line = next((cid for cid in turn.state.menu if cid.startswith("rm:")), None)
    await choose(turn, line or "edit")


async def _quantity_answer(turn: Turn, text: str) -> bool:
    typed = quantity(text)  # 3, 3个, 两盒, 3 pcs
    if typed is None:
        return False
    await quantity_answer(turn, typed)
    return True


def _ask_quantity_again(turn: Turn) -> None:
    if turn.state.product_id:
        ask_quantity(turn, turn.state.product_id)
    else:
        show_menu(turn)


async def _native_cart(turn: Turn, inbound: Inbound) -> None:
    await native_cart(turn, inbound.items)


FEATURE = DialogFeature(
    name="cart",
    actions={
        "add": Action(_add),
        "qty": Action(ask_quantity),
        "cart": Action(_show_cart),
        "edit": Action(_edit),
        "line": Action(line_options),
        "inc": Action(_inc),
        "dec": Action(_dec),
        "rm": Action(remove_line),
        "clear": Action(_clear, said_alone=True),  # "please don't empty my cart" keeps it
        "remove": Action(_remove),
    },
    commands={"words_cart": "cart", "words_remove": "remove", "words_clear": "clear"},
    labels={"menu_cart": "cart", "view_cart": "cart"},
    questions=(Question("quantity", _quantity_answer, _ask_quantity_again),),
    inbound={InboundKind.CART: _native_cart},
)


@hookimpl
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    register(FEATURE)
