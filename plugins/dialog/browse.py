"""Finding things: the main menu, categories in pages, product details, and search."""

from __future__ import annotations

from collections.abc import Callable

from chatshop.catalog import Product
from chatshop.categories import name_of, parent_of
from chatshop.dialog.engine import SEARCH, bounded_int
from chatshop.dialog.feature import Action, DialogFeature
from chatshop.dialog.turn import ProductView, Turn, clamp_page, page_of
from chatshop.hookspecs import hookimpl
from chatshop.messages import Choice, ProductCard, ProductList
from chatshop.plugins.dialog.menu import menu_button, show_menu

MAX_NATIVE_PRODUCTS = 30  # WhatsApp product_list: at most 30 items per message


async def show_categories(turn: Turn, page: int = 0) -> None:
    """The top-level categories, a page at a time (one category alone is opened at once)."""
    tree = turn.shop.catalog.tree
    top = tree.children()
    if len(top) == 1:
        await show_category(turn, tree.index(top[0]), 0)
        return
    page = clamp_page(len(top), page, turn.page_size)
    shown, more = page_of(top, page, turn.page_size)
    choices = [_category_choice(turn, name) for name in shown]
    if more:
        choices.append(Choice(id=f"cats:{page + 1}", title=turn.t("more")))
    choices.append(menu_button(turn))
    turn.ask(turn.t("categories"), choices, button=turn.t("menu_browse"))


def _category_choice(turn: Turn, category: str) -> Choice:
    tree = turn.shop.catalog.tree
    count = str(tree.count_under(category))
    return Choice(id=f"cat:{tree.index(category)}:0", title=name_of(category), description=count)


def _back_from(turn: Turn, category: str) -> Choice:
    """Up one level: to the parent category, or to the top-level list."""
    parent = parent_of(category)
    target = f"cat:{turn.shop.catalog.tree.index(parent)}:0" if parent is not None else "browse"
    return Choice(id=target, title=turn.t("back"))


async def show_category(turn: Turn, index: int, page: int) -> None:
    tree = turn.shop.catalog.tree
    if not 0 <= index < len(tree.paths):
        await show_categories(turn)
        return
    name = tree.paths[index]
    products = turn.shop.catalog.in_category(name)
    if tree.children(name):
        await _show_subcategories(turn, index, name, products, page)
        return
    if turn.caps.native_catalog:
        page = clamp_page(len(products), page, MAX_NATIVE_PRODUCTS)
        chunk, more = page_of(products, page, MAX_NATIVE_PRODUCTS)
        if chunk:
            start = page * MAX_NATIVE_PRODUCTS + 1
            page_label = turn.t(
                "category_page", category=name, start=start, end=start + len(chunk) - 1, count=len(products)
            )
            turn.out.append(
                ProductList(header=name, body=page_label, sections=((name_of(name), tuple(p.id for p in chunk)),))
            )
            # A product list holds 30 items and has no button of its own: the rest are a "More…"
            # tap away, and every page, the last too, has a way back.
            choices = [Choice(id=f"cat:{index}:{page + 1}", title=turn.t("more"))] if more else []
            turn.ask(page_label, [*choices, _back_from(turn, name)])
            return
    page = clamp_page(len(products), page, turn.page_size)
    shown, more = page_of(products, page, turn.page_size)
    views = await turn.views(shown)
    start = page * turn.page_size + 1
    choices = [_product_choice(turn, view) for view in views]
    if more:
        choices.append(Choice(id=f"cat:{index}:{page + 1}", title=turn.t("more")))
    choices.append(_back_from(turn, name))
    body = turn.t("category_page", category=name, start=start, end=start + len(shown) - 1, count=len(products))
    turn.ask(body, choices, button=turn.t("choose"))


async def _show_subcategories(turn: Turn, index: int, name: str, products: list[Product], page: int) -> None:
    """A category with subcategories: those first, then the products filed in it directly, a page
    at a time, never more rows than the channel's list holds."""
    tree = turn.shop.catalog.tree
    entries: list[str | Product] = [*tree.children(name), *products]
    page = clamp_page(len(entries), page, turn.page_size)
    shown, more = page_of(entries, page, turn.page_size)
    on_page = [entry for entry in shown if isinstance(entry, Product)]
    views = {view.product.id: view for view in await turn.views(on_page)}
    choices = [
        _category_choice(turn, entry) if isinstance(entry, str) else _product_choice(turn, views[entry.id])
        for entry in shown
    ]
    if more:
        choices.append(Choice(id=f"cat:{index}:{page + 1}", title=turn.t("more")))
    choices.append(_back_from(turn, name))
    start = page * turn.page_size + 1
    body = turn.t("category_page", category=name, start=start, end=start + len(shown) - 1, count=len(entries))
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
    category = turn.shop.catalog.tree.index(product.category)
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
    hits = turn.shop.catalog.search(query, filler, synonyms=_synonyms(turn))
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
    turn.ask(turn.t("search_results", count=hits.total, query=query), choices, button=turn.t("choose"))
    return True


def _synonyms(turn: Turn) -> dict[str, list[str]]:
    """The customer's words for what the catalog calls otherwise (``search_synonyms``: चावल = rice,
    Zwiebeln = onion), in English and the customer's language; the search finds both."""
    synonyms: dict[str, list[str]] = {}
    for locale in dict.fromkeys(("en", turn.locale)):
        for pair in turn.shop.texts.raw(locale, "search_synonyms").split(","):
            word, _, meaning = pair.partition("=")
            if word.strip() and meaning.strip():
                synonyms.setdefault(word.strip(), []).append(meaning.strip())
    return synonyms


async def _category(turn: Turn, arg: str) -> None:
    index, _, page = arg.partition(":")
    await show_category(turn, bounded_int(index), bounded_int(page))


async def _search_page(turn: Turn, page: str) -> None:
    if not turn.state.query or not await search(turn, turn.state.query, bounded_int(page)):
        ask_search(turn)


async def _find(turn: Turn, text: str) -> None:
    """Free text the dialog read as nothing else: a search, or (new customer) the greeting."""
    greet = not turn.state.welcomed
    if not text or not await search(turn, text[:100]):
        if greet:
            show_menu(turn, greet=True)
            return
        turn.say(turn.t("search_none", query=text[:100]) if text else turn.t("unknown"))
        show_menu(turn)
        return
    turn.state.welcomed = True


async def _browse(turn: Turn, _: str) -> None:
    await show_categories(turn)


async def _categories_page(turn: Turn, page: str) -> None:
    await show_categories(turn, bounded_int(page))


def _ask_search(turn: Turn, _: str) -> None:
    ask_search(turn)


FEATURE = DialogFeature(
    name="browse",
    actions={
        "browse": Action(_browse),
        "cats": Action(_categories_page),
        "cat": Action(_category),
        "p": Action(show_product),
        "search": Action(_ask_search),
        "sr": Action(_search_page),
        SEARCH: Action(_find),
    },
    labels={"menu_browse": "browse"},
)


@hookimpl
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    register(FEATURE)
