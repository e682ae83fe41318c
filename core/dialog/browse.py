"""Finding things: the main menu, categories in pages, product details, and search."""

from __future__ import annotations

import re

from chatshop.catalog import fold
from chatshop.dialog.turn import ProductView, Turn, clamp_page, page_of
from chatshop.messages import Choice, ProductCard, ProductList

_CJK = re.compile(r"[\u3400-\u9fff]")

MAX_NATIVE_PRODUCTS = 30  # WhatsApp product_list: at most 30 items per message


def show_menu(turn: Turn, *, greet: bool = False) -> None:
    if greet:
        name = (turn.state.name or "").split(" ")[0].strip()
        body = turn.t("welcome_named", name=name) if name else turn.t("welcome")
    else:
        body = turn.t("menu_body")
    count = len(turn.state.cart)
    cart_title = turn.t("menu_cart") + (f" ({count})" if count else "")
    choices = [
        turn.choice("browse", "menu_browse"),
        turn.choice("search", "menu_search"),
        Choice(id="cart", title=cart_title),
        turn.choice("orders", "menu_orders"),
        turn.choice("help", "menu_help"),
    ]
    if len(turn.shop.locales) > 1:
        choices.append(turn.choice("lang", "menu_language"))
    turn.ask(body, choices, button=turn.t("menu_button"))
    turn.state.step = "idle"
    turn.state.welcomed = True


def menu_button(turn: Turn) -> Choice:
    return turn.choice("menu", "back_to_menu")


async def show_categories(turn: Turn, page: int = 0) -> None:
    categories = turn.shop.catalog.categories
    if len(categories) == 1:
        await show_category(turn, 0, 0)
        return
    indexed = list(enumerate(categories))
    page = clamp_page(len(indexed), page, turn.page_size)
    shown, more = page_of(indexed, page, turn.page_size)
    choices = [
        Choice(id=f"cat:{i}:0", title=name, description=str(len(turn.shop.catalog.in_category(name))))
        for i, name in shown
    ]
    if more:
        choices.append(Choice(id=f"cats:{page + 1}", title=turn.t("more")))
    choices.append(menu_button(turn))
    turn.ask(turn.t("categories"), choices, button=turn.t("menu_browse"))


async def show_category(turn: Turn, index: int, page: int) -> None:
    categories = turn.shop.catalog.categories
    if not 0 <= index < len(categories):
        await show_categories(turn)
        return
    name = categories[index]
    products = turn.shop.catalog.in_category(name)
    if turn.caps.native_catalog:
        page = clamp_page(len(products), page, MAX_NATIVE_PRODUCTS)
        chunk, more = page_of(products, page, MAX_NATIVE_PRODUCTS)
        if chunk:
            start = page * MAX_NATIVE_PRODUCTS + 1
            page_label = turn.t(
                "category_page", category=name, start=start, end=start + len(chunk) - 1, count=len(products)
            )
            turn.out.append(ProductList(header=name, body=page_label, sections=((name, tuple(p.id for p in chunk)),)))
            # A product list holds 30 items and has no button of its own: the rest are a "More…"
            # tap away, and every page, the last too, has a way back.
            choices = [Choice(id=f"cat:{index}:{page + 1}", title=turn.t("more"))] if more else []
            turn.ask(page_label, [*choices, Choice(id="browse", title=turn.t("back"))])
            return
    page = clamp_page(len(products), page, turn.page_size)
    shown, more = page_of(products, page, turn.page_size)
    views = await turn.views(shown)
    start = page * turn.page_size + 1
    choices = [_product_choice(turn, view) for view in views]
    if more:
        choices.append(Choice(id=f"cat:{index}:{page + 1}", title=turn.t("more")))
    choices.append(Choice(id="browse", title=turn.t("back")))
    body = turn.t("category_page", category=name, start=start, end=start + len(shown) - 1, count=len(products))
    turn.ask(body, choices, button=turn.t("choose"))


def _product_choice(turn: Turn, view: ProductView) -> Choice:
    description = turn.money(view.price)
    if not view.buyable:
        description += " · " + turn.t("out_of_stock", title="").strip(" .")
    return Choice(id=f"p:{view.product.id}", title=view.product.title, description=description)


async def show_product(turn: Turn, product_id: str) -> None:
    product = turn.shop.catalog.get(product_id)
    if product is None:
        turn.say(turn.t("unknown"))
        show_menu(turn)
        return
    (view,) = await turn.views([product])
    stock = ""
    if view.stock is not None and 0 < view.stock <= 10:
        stock = turn.t("stock_left", count=view.stock)
    body = turn.t(
        "product_body", title=product.title, price=turn.money(view.price), stock=stock, description=product.description
    ).strip()
    category = turn.shop.catalog.categories.index(product.category)
    back = Choice(id=f"cat:{category}:0", title=turn.t("back"))
    choices: tuple[Choice, ...]
    if view.buyable:
        choices = (
            Choice(id=f"add:{product.id}:1", title=turn.t("add_to_cart")),
            Choice(id=f"qty:{product.id}", title=turn.t("choose_quantity")),
            back,
        )
    else:
        body += "\n\n" + turn.t("out_of_stock", title=product.title)
        choices = (back, menu_button(turn))
    turn.out.append(
        ProductCard(
            product_id=product.id,
            title=product.title,
            body=body,
            price=view.price,
            image_url=product.image_url,
            url=product.url,
            choices=choices,
        )
    )


def ask_search(turn: Turn) -> None:
    example = next(iter(turn.shop.catalog), None)
    turn.say(turn.t("search_prompt", example=example.title.split()[0] if example else "..."))
    turn.state.step = "search"


async def search(turn: Turn, query: str, page: int = 0) -> bool:
    """Show the products matching ``query``; False (and nothing said) when none match."""
    filler = turn.shop.texts.words(turn.locale, "search_filler")
    hits = turn.shop.catalog.search(query, filler)
    translated = _in_catalog_words(turn, query)
    if translated != query:  # दूध is milk: both what the words say and what they mean are shown
        hits += [p for p in turn.shop.catalog.search(translated, filler) if p not in hits]
    turn.state.step = "idle"
    if not hits:
        return False
    turn.state.query = query
    if len(hits) == 1:
        await show_product(turn, hits[0].id)
        return True
    page = clamp_page(len(hits), page, turn.page_size)
    shown, more = page_of(hits, page, turn.page_size)
    views = await turn.views(shown)
    choices = [_product_choice(turn, view) for view in views]
    if more:
        choices.append(Choice(id=f"sr:{page + 1}", title=turn.t("more")))
    choices.append(menu_button(turn))
    turn.ask(turn.t("search_results", count=len(hits), query=query), choices, button=turn.t("choose"))
    return True


def _in_catalog_words(turn: Turn, query: str) -> str:
    """``query`` with the customer's words for products in the catalog's (``search_synonyms``:
    चावल → rice, Zwiebeln → onion); Chinese ones are found inside the query, others as words."""
    synonyms: dict[str, str] = {}
    for locale in ("en", turn.locale):
        for pair in turn.shop.texts.raw(locale, "search_synonyms").split(","):
            word, _, meaning = pair.partition("=")
            if word.strip() and meaning.strip():
                synonyms[fold(word.strip())] = meaning.strip()
    folded = fold(query)
    for word, meaning in synonyms.items():
        if _CJK.match(word):
            folded = folded.replace(word, f" {meaning} ")
    return " ".join(synonyms.get(w, w) for w in folded.split())
