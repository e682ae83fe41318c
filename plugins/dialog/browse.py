"""Finding things: the main menu, categories in pages, product details, and search."""

from __future__ import annotations

from collections.abc import Callable

from chatshop.dialog.engine import SEARCH, bounded_int
from chatshop.dialog.feature import Action, DialogFeature
from chatshop.dialog.turn import ProductView, Turn, clamp_page, page_of
from chatshop.hookspecs import hookimpl
from chatshop.messages import Choice, ProductCard, ProductList
from chatshop.plugins.dialog.menu import menu_button, show_menu

MAX_NATIVE_PRODUCTS = 30  # WhatsApp product_list: at most 30 items per message


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
