"""Finding things: the main menu, categories in pages, product details, and search."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping

from chatshop.cart import MAX_QUANTITY
from chatshop.catalog import Product
from chatshop.categories import name_of, parent_of
from chatshop.dialog.engine import SEARCH, bounded_int, choose, command_in_sentence, spoken
from chatshop.dialog.feature import Action, DialogFeature, Question
from chatshop.dialog.quantities import counted
from chatshop.dialog.turn import ProductView, Turn, clamp_page, page_of
from chatshop.hookspecs import hookimpl
from chatshop.messages import Choice, ProductCard, ProductList
from chatshop.plugins.dialog.menu import menu_button, show_menu
from chatshop.plugins.dialog.variant_answer import NAME, STEP, VariantPick, read_value, register_option_texts
from chatshop.words import fold, is_cjk

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
            views = await turn.views(chunk)
            lines = tuple(f"{view.product.title} ({turn.money(view.price)})" for view in views)
            section = (name_of(name), tuple(_native_id(p) for p in chunk))
            turn.out.append(ProductList(header=name, body=page_label, sections=(section,), lines=lines))
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


def _native_id(product: Product) -> str:
    """The messenger's catalog holds what is bought: a product with variants shows as its first
    variant, and the customer picks among its group there."""
    return product.variants[0].id if product.variants else product.id


def _product_choice(turn: Turn, view: ProductView, count: int | None = None) -> Choice:
    """A product's row; ``count``: how many the search said, for its card's Add to cart."""
    description = turn.money(view.price)
    if not view.buyable:
        description += " · " + turn.t("sold_out")
    shown = f"pn:{count}:{view.product.id}" if count else f"p:{view.product.id}"
    return Choice(id=shown, title=view.product.title, description=description)


async def _counted_product(turn: Turn, arg: str) -> None:
    """``pn:3:onion-1kg``: a row of a search that said how many."""
    count, _, product_id = arg.partition(":")
    await show_product(turn, product_id, min(bounded_int(count), MAX_QUANTITY) or None)


def _says(product: Product, text: str) -> bool:
    """Whether the product's name begins to say ``text`` somewhere: its first two words together
    ("5 star" in "Cadbury 5 Star Bar"), or in Chinese its first four characters ("三只松鼠", the
    Three Squirrels brand, in "三只松鼠 每日坚果")."""
    folded = fold(text)
    if is_cjk(folded.lstrip()[:1] or "a") or any(is_cjk(c) for c in folded[:4]):
        return "".join(folded.split())[:4] in "".join(fold(product.title).split())
    name, words = f" {' '.join(fold(product.title).split())} ", folded.split()[:2]
    return f" {' '.join(words)} " in name


def _named_by(product: Product, number: int) -> bool:
    """Whether ``number`` is a word of the product's name ("Cadbury 5 Star Bar"): no count there."""
    return str(number) in fold(product.title).split()


async def show_product(turn: Turn, product_id: str, count: int | None = None) -> None:
    """A product's card, or its first option's question; ``count``: how many the customer's search
    said ("3 onions"), which its Add to cart adds, unless the number is in the product's name."""
    product = turn.shop.catalog.get(product_id)
    if product is None:  # a row or card from before the product left the catalog
        turn.say(turn.t("product_gone"))
        show_menu(turn)
        return
    if product.variants:  # the customer picks its option values first
        await pick_variant(turn, product, (), count)
        return
    (view,) = await turn.views([product])
    stock = ""
    if view.stock is not None and 0 < view.stock <= 10:
        stock = turn.t("stock_left", count=view.stock)
    body = turn.t(
        "product_body", title=product.title, price=turn.money(view.price), stock=stock, description=product.description
    ).strip()
    back = _back_from_product(turn, product)
    choices: tuple[Choice, ...]
    if view.buyable:
        count = count if count and not _named_by(product, count) else None
        add = turn.t("add_count_to_cart", count=count) if count else turn.t("add_to_cart")
        choices = (
            Choice(id=f"add:{product.id}:{count or 1}", title=add),
            Choice(id=f"qty:{product.id}", title=turn.t("choose_quantity")),
            back,
        )
    else:
        body += "\n\n" + turn.t("out_of_stock", title=product.title)
        if turn.shop.config.reminders.back_in_stock:  # "Notify me" (the reminders feature) when it is back
            choices = (Choice(id=f"notify:{product.id}", title=turn.t("notify_me")), back, menu_button(turn))
        else:
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


def _back_from_product(turn: Turn, product: Product) -> Choice:
    """Back to the product's option choice (a variant), or to its category."""
    if product.parent is not None:
        return Choice(id=f"p:{product.parent}", title=turn.t("back"))
    return Choice(id=f"cat:{turn.shop.catalog.tree.index(product.category)}:0", title=turn.t("back"))


def _values(product: Product, option: int) -> list[str]:
    """The values of one option of ``product``, in the order its variants first name them."""
    return list(dict.fromkeys(variant.values[option] for variant in product.variants))


async def pick_variant(turn: Turn, product: Product, chosen: tuple[int, ...], count: int | None = None) -> None:
    """Ask the next option of ``product`` ("Weight": 1 kg, 5 kg, 10 kg); once every option has a
    value, show that variant. ``chosen``: the picked values so far, by their place in ``_values``;
    ``count``: how many the search said, for the variant's Add to cart once every value is named.

    Each value shows the lowest price it comes at, and "out of stock" when every variant with it
    is; a variant out of stock can be looked at but not added. Buttons, a list or numbers: the
    channel decides, as for every choice.
    """
    picked = [_values(product, j)[k] for j, k in enumerate(chosen)]
    matching = [v for v in product.variants if list(v.values[: len(picked)]) == picked]
    if not matching:  # an old tap on a value since taken out of the catalog
        chosen, picked, matching = (), [], list(product.variants)
    pick = turn.state_of(NAME, VariantPick)
    if len(chosen) == len(product.options):
        pick.count = None
        await show_product(turn, matching[0].id, count)
        return
    option = len(chosen)
    views = await turn.views(matching)
    choices = []
    for k, value in enumerate(_values(product, option)):
        with_value = [view for view in views if view.product.values[option] == value]
        if not with_value:
            continue
        buyable = [view for view in with_value if view.buyable]
        description = turn.money(min((view.price for view in buyable or with_value), key=lambda m: m.minor))
        if not buyable:
            description += " · " + turn.t("sold_out")
        path = ".".join(str(i) for i in (*chosen, k))
        choices.append(Choice(id=f"opt:{product.id}:{path}", title=value, description=description))
    (view,) = await turn.views([product])
    if chosen:
        back = Choice(id=f"opt:{product.id}:{'.'.join(str(i) for i in chosen[:-1])}", title=turn.t("back"))
        body = f"{product.title} ({', '.join(picked)})"
    else:
        back = _back_from_product(turn, product)
        price = turn.t("price_from", price=turn.money(view.price))
        body = turn.t("product_body", title=product.title, price=price, stock="", description=product.description)
    body = body.strip() + "\n\n" + turn.t("choose_option", option=product.options[option])
    turn.ask(body, [*choices, back], button=turn.t("choose"), image_url=product.image_url if not chosen else None)
    # A value may be typed too ("5kg", "xl"): the question waits for it (variant_answer.py).
    turn.state.step = STEP
    pick.product, pick.chosen, pick.count = product.id, list(chosen), count


async def _variant_answer(turn: Turn, text: str) -> bool:
    """A value typed at the option's prompt; False when the text is no answer to it (a search)."""
    pick = turn.state_of(NAME, VariantPick)
    product = turn.shop.catalog.get(pick.product)
    if product is None or not product.variants:
        return False
    values = [_values(product, j) for j in range(len(product.options))]
    chosen = tuple(pick.chosen)
    if len(chosen) >= len(values) or any(not 0 <= k < len(values[j]) for j, k in enumerate(chosen)):
        return False
    await turn.shop.catalog.ready()
    found = read_value(turn, product, chosen, text)
    if found is None:
        return False
    named = [values[j][k] for j, k in enumerate(found.chosen)]
    if found.unknown:
        option = len(named)
        offered = [
            v for v in values[option] if any(list(x.values[: option + 1]) == [*named, v] for x in product.variants)
        ]
        title = f"{product.title} ({', '.join(named)})" if named else product.title
        values_text = ", ".join(offered)
        turn.say(
            turn.t(
                "option_unknown", title=title, value=found.unknown, option=product.options[option], values=values_text
            )
        )
        turn.state.step = "idle"
        await pick_variant(turn, product, found.chosen, pick.count)
        return True
    matching = [v for v in product.variants if list(v.values[: len(named)]) == named]
    if not any(view.buyable for view in await turn.views(matching)):  # never a dead end: the question again
        turn.say(turn.t("out_of_stock", title=f"{product.title} ({', '.join(named)})"))
        await pick_variant(turn, product, chosen, pick.count)
        return True
    turn.state.step = "idle"
    await pick_variant(turn, product, found.chosen, pick.count)
    return True


async def _ask_variant_again(turn: Turn) -> None:
    pick = turn.state_of(NAME, VariantPick)
    if turn.shop.catalog.get(pick.product) is None:
        turn.state.step = "idle"
        show_menu(turn)
        return
    await _pick(turn, f"{pick.product}:{'.'.join(str(k) for k in pick.chosen)}")


async def _pick(turn: Turn, arg: str) -> None:
    product_id, _, path = arg.partition(":")
    product = turn.shop.catalog.get(product_id)
    if product is None or not product.variants:
        await show_product(turn, product_id)
        return
    chosen = tuple(bounded_int(part) for part in path.split(".") if part)[: len(product.options)]
    sizes = [len(_values(product, j)) for j in range(len(chosen))]
    if any(k >= size for k, size in zip(chosen, sizes, strict=True)):
        chosen = ()
    pick = turn.state_of(NAME, VariantPick)  # a tap on the question open: the count it waits with
    await pick_variant(turn, product, chosen, pick.count if pick.product == product.id else None)


def ask_search(turn: Turn) -> None:
    example = next(iter(turn.shop.catalog), None)
    turn.say(turn.t("search_prompt", example=example.title.split()[0] if example else "..."))
    turn.state.step = "search"


async def search(turn: Turn, query: str, page: int = 0) -> bool:
    """Show the products matching ``query``; False (and nothing said) when none match."""
    filler = turn.shop.texts.words(turn.locale, "search_filler")
    await turn.shop.catalog.ready()  # a big catalog's index, in the first seconds after start-up
    synonyms = _synonyms(turn)
    # "3 onions": the onions are looked for, and three of them offered; "7 up" finds itself.
    split, count, hits = counted(query), None, None
    whole = turn.shop.catalog.search(query, filler, synonyms=synonyms)
    # "5 star", "15 pro max", "三只松鼠": a number a found product's name says as the search begins is
    # that product's, no count ("2 vegetable" still is one beside "Vegetable number 2").
    leading = split is not None and query.strip().endswith(split[1])
    if split is not None and not (leading and any(_says(product, query) for product in whole)):
        hits = turn.shop.catalog.search(split[1], filler, synonyms=synonyms)
        count = split[0] if hits else None
    hits = hits or whole
    turn.state.step = "idle"
    if not hits:
        return False
    turn.state.query = query
    if len(hits) == 1:
        product = hits[0]
        # "tee red M": the values the search names are picked, as typed at the option's prompt.
        said = split[1] if split and count else query
        named = read_value(turn, product, (), said) if product.variants else None
        if named is not None and not named.unknown:
            await pick_variant(turn, product, named.chosen, count)
        else:
            await show_product(turn, product.id, count)
        return True
    page = clamp_page(len(hits), page, turn.page_size)
    shown, more = page_of(hits, page, turn.page_size)
    views = await turn.views(shown)
    choices = [_product_choice(turn, view, count) for view in views]
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
        if text and (command := command_in_sentence(turn, text)) is not None:  # "hi, where is my order?"
            turn.state.welcomed = True
            await choose(turn, command)
            return
        if greet:
            show_menu(turn, greet=True)
            return
        if _acknowledged(turn, text):
            turn.say(turn.t("you_are_welcome"))
            show_menu(turn)
            return
        turn.misunderstood = True  # a search for nothing the shop has: the customer meant something else
        turn.say(turn.t("search_none", query=text[:100]) if text else turn.t("unknown"))
        show_menu(turn)
        return
    turn.state.welcomed = True


def _acknowledged(turn: Turn, text: str) -> bool:
    """A "thanks", an "ok" or an emoji alone (👍, 🙏): said to be polite, not a search. Read only
    here, where nothing else took the text: "ok" at an open question is that question's answer.
    A thanks in another of the shop's languages is answered in that one, from then on."""
    if _emoji_alone(text):
        return True
    word, own = spoken(text), turn.state.locale
    for code in (own, *(c for c in turn.shop.locales if c != own)):
        if word in turn.shop.texts.words(code, "words_thanks"):
            turn.state.locale = code
            return True
    return False


def _emoji_alone(text: str) -> bool:
    """Symbols alone (👍, 🙏🏽, ❤️), not punctuation: a "?" or "..." is a customer who is lost."""
    chars = [char for char in text if not char.isspace()]
    return any(unicodedata.category(char) == "So" for char in chars) and all(
        unicodedata.category(char) in _EMOJI_PARTS for char in chars
    )


#: An emoji's parts: the symbol, a skin tone (Sk), the joiner and variation selector (Cf, Mn), a keycap (Me).
_EMOJI_PARTS = frozenset({"So", "Sk", "Cf", "Mn", "Me"})


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
        "pn": Action(_counted_product),
        "opt": Action(_pick),
        "search": Action(_ask_search),
        "sr": Action(_search_page),
        SEARCH: Action(_find),
    },
    labels={"menu_browse": "browse"},
    questions=(Question(STEP, _variant_answer, _ask_variant_again, numbers=False),),
    state=VariantPick,
)


@hookimpl
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    register(FEATURE)


@hookimpl
def register_texts(register: Callable[[str, Mapping[str, str]], None]) -> None:
    register_option_texts(register)
