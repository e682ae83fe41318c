"""A variant's option value typed at its prompt: "5kg", "5 KG", "xl", "rot", "लाल", "L blue".

Where a channel has no buttons (WeChat, a terminal) or the customer simply writes, the value is
read the way the search reads sizes and words: folded, "5kg" = "5 kg" = "5000 g", words by how
they sound, and the shop's words for a value in each of its languages (``option_synonyms``: rot =
red). A value typed for this option (and for the next ones too: "L blue") picks it as a tap would;
one out of stock gets that said and the question again; a value the product does not come in gets
the values it does. Anything else the customer writes ("milk", "cart") is read as usual.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel

from chatshop.catalog import Product
from chatshop.dialog.turn import Turn
from chatshop.search import synonym_table
from chatshop.words import fold, is_cjk, sizes_and_words, sound

__all__ = ["STEP", "Reading", "VariantPick", "read_value", "register_option_texts"]

#: The conversation step while an option of a product is asked.
STEP = "variant"
NAME = "browse"

_WORD = re.compile(r"[\w\u0900-\u0dff]+")


@dataclass(frozen=True, slots=True)
class Typed:
    """A word as the customer typed it ("" for a size), and what it may mean: a size ("5000g"), or
    words by their sound ("lal", and "red" through the shop's synonyms)."""

    typed: str
    means: frozenset[str]


class VariantPick(BaseModel):
    """The product whose option is asked, the values picked so far (by their place), and how many
    the customer's search said ("tee size L x3"), for the variant's Add to cart once it is picked."""

    product: str = ""
    chosen: list[int] = []
    count: int | None = None


def _tokens(text: str, synonyms: Mapping[str, list[str]]) -> list[Typed]:
    """Each size and word of ``text`` with what it may mean (itself, and the shop's synonyms)."""
    folded = fold(text)
    if not folded.isascii():  # 红色 is red: Chinese synonyms are found inside the text
        for word in sorted((w for w in synonyms if is_cjk(w)), key=len, reverse=True):
            if word in folded:
                folded = folded.replace(word, f" {' '.join(synonyms[word])} ")
    as_typed = {fold(word): word for word in _WORD.findall(text)}
    sizes, words = sizes_and_words(folded)
    out = [Typed("", frozenset((size,))) for size in sizes]
    for word in words:
        key = sound(word)
        meanings = {sound(part) for meaning in synonyms.get(key, ()) for part in fold(meaning).split()}
        out.append(Typed(as_typed.get(word, word), frozenset({key, *meanings})))
    return out


def _value_tokens(value: str) -> frozenset[str]:
    sizes, words = sizes_and_words(fold(value))
    return frozenset((*sizes, *(sound(word) for word in words)))


def _synonyms(turn: Turn) -> dict[str, list[str]]:
    """``option_synonyms`` of English, the customer's language and the shop's others (a customer who
    reads English may still type 红色), by sound (see :func:`synonym_table`)."""
    pairs: dict[str, list[str]] = {}
    for locale in dict.fromkeys(("en", turn.locale, *turn.shop.locales)):
        for pair in turn.shop.texts.raw(locale, "option_synonyms").split(","):
            word, _, meaning = pair.partition("=")
            if word.strip() and meaning.strip():
                pairs.setdefault(word.strip(), []).append(meaning.strip())
    return synonym_table(pairs)  # by sound; Chinese as written


@dataclass(frozen=True, slots=True)
class Reading:
    """What a typed answer names: the values picked (those before it included, by their place) and,
    when it also names a value the product lacks for the option after them, that value as typed."""

    chosen: tuple[int, ...]
    unknown: str = ""


def read_value(turn: Turn, product: Product, chosen: tuple[int, ...], text: str) -> Reading | None:
    """What ``text`` says at the prompt for option ``len(chosen)`` of ``product``: the values it
    names (this option's, and the next options' where it names those too), consistent with a
    variant of the product, and a value it names that the product lacks; None when it is not an
    answer to this question at all ("milk", a search)."""
    synonyms = _synonyms(turn)
    filler = {sound(fold(w)) for w in turn.shop.texts.words(turn.locale, "search_filler")}
    typed = _tokens(text, synonyms)
    if all(word.means & filler for word in typed):
        return None
    options = len(product.options)
    values = [list(dict.fromkeys(v.values[j] for v in product.variants)) for j in range(options)]
    # What the customer may write around the values: the product's name ("atta 5 kg"), the options'
    # names ("size L"), the values already picked ("L blue" at the colour), filler ("5 kg please").
    around = {sound(word) for name in (product.title, *product.options) for word in sizes_and_words(fold(name))[1]}
    around |= filler
    for j, k in enumerate(chosen):
        around |= _value_tokens(values[j][k])
    best: tuple[list[int], list[Typed]] | None = None  # the most values picked, and the words left
    for variant in product.variants:
        if any(values[j][k] != variant.values[j] for j, k in enumerate(chosen)):
            continue
        picked: list[int] = []
        used: set[str] = set()
        for j in range(len(chosen), options):
            wanted = _value_tokens(variant.values[j])
            if not wanted or not all(any(token in word.means for word in typed) for token in wanted):
                break
            picked.append(values[j].index(variant.values[j]))
            used |= wanted
        left = [word for word in typed if not word.means & (used | around)]
        if best is None or (not left, len(picked)) > (not best[1], len(best[0])):
            best = picked, left
    if best is None:
        return None
    picked, left = best
    if not left:
        return Reading((*chosen, *picked)) if picked else None
    # Words left that name a value of the next option the product lacks ("M green": no green M).
    option = len(chosen) + len(picked)
    if option < options and _a_value_of_this_kind(turn, product, option, left):
        shown = text.strip() if any(not word.typed for word in left) else " ".join(word.typed for word in left)
        return Reading((*chosen, *picked), unknown=" ".join(shown.split())[:40])
    return None


def _a_value_of_this_kind(turn: Turn, product: Product, option: int, words: list[Typed]) -> bool:
    """Whether ``words`` read as a value the product lacks rather than something else: a size where
    the option's values are sizes, a value another product has for an option of this name (XXL, a
    Size elsewhere), or one word that finds nothing in the catalog."""
    if all(not word.typed for word in words):  # sizes only
        return any(sizes_and_words(fold(v.values[option]))[0] for v in product.variants)
    if len(words) != 1:
        return False
    known = turn.shop.catalog.option_values(product.options[option])
    filler = turn.shop.texts.words(turn.locale, "search_filler")
    return bool(words[0].means & known) or not turn.shop.catalog.search(words[0].typed[:100], filler, limit=1)


def register_option_texts(register: Callable[[str, Mapping[str, str]], None]) -> None:
    """The texts of a typed value: registered by the browse feature, whose question this is."""
    register(
        "en",
        {
            "option_unknown": "Sorry, {title} does not come in {value}. {option}: {values}.",
            "option_synonyms": "gray=grey, grey=gray, small=s, medium=m, large=l, extra large=xl",
        },
    )
    register(
        "de",
        {
            "option_unknown": "{title} gibt es leider nicht in {value}. {option}: {values}.",
            "option_synonyms": (
                "rot=red, blau=blue, grün=green, gruen=green, schwarz=black, weiß=white, weiss=white, gelb=yellow,"
                " grau=grey, rosa=pink, braun=brown, orange=orange, lila=purple, klein=s, mittel=m, groß=l, gross=l"
            ),
        },
    )
    register(
        "hi",
        {
            "option_unknown": "माफ़ कीजिए, {title} {value} में नहीं आता। {option}: {values}।",
            "option_synonyms": (
                "लाल=red, नीला=blue, हरा=green, काला=black, सफ़ेद=white, सफेद=white, पीला=yellow, गुलाबी=pink,"
                " lal=red, neela=blue, hara=green, kala=black, safed=white, peela=yellow, gulabi=pink,"
                " chhota=s, bada=l"
            ),
        },
    )
    register(
        "zh",
        {
            "option_unknown": "抱歉，{title}没有{value}。{option}：{values}。",
            "option_synonyms": (
                "红色=red, 红=red, 蓝色=blue, 蓝=blue, 绿色=green, 绿=green, 黑色=black, 黑=black,"
                " 白色=white, 白=white, 黄色=yellow, 黄=yellow, 粉色=pink, 灰色=grey, 小号=s, 中号=m, 大号=l"
            ),
        },
    )
