"""How the catalog and the customer's words are compared: folded, split, sounded out, sizes read.

One place decides what a word is, so the search index (built from titles) and a customer's query
(typed in a chat) are cut the same way: "Café" and "cafe" meet, "200g" and "200 g" and "0.2 kg"
are one size, पनीर, panir and paneer sound alike.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import lru_cache

__all__ = [
    "SIZE_PATTERN",
    "TOKEN_PATTERN",
    "distance",
    "fold",
    "is_cjk",
    "is_word",
    "romanize",
    "size_token",
    "sizes_and_words",
    "sound",
]


def fold(text: str) -> str:
    """Lower-case and strip accents, so "Café" and "cafe" and "CAFÉ" meet."""
    if text.isascii():
        return text.lower()  # the same for ASCII, and most of what customers type and menus say
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


#: A word: letters and digits, with the vowel signs of Indian scripts (``\w`` alone would cut
#: चावल into च and वल at its vowel sign).
_WORD = re.compile(r"[\w\u0900-\u0dff]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\u3400-\u9fff\uf900-\ufaff]+")

#: Units a size is written in, and what one of them is in grams, millilitres or pieces.
_UNITS: dict[str, tuple[str, Decimal]] = {}
for _names, _base, _factor in (
    ("g gm gms gr grm gram grams gramm gramme grammes", "g", "1"),
    ("kg kgs kilo kilos kilogram kilograms kilogramm किलो", "g", "1000"),
    ("mg", "g", "0.001"),
    ("ml mls millilitre millilitres milliliter milliliters milliliter", "ml", "1"),
    ("cl", "ml", "10"),
    ("l lt ltr ltrs litre litres liter liters", "ml", "1000"),
    ("pc pcs piece pieces stk stück stueck", "pc", "1"),
):
    for _name in _names.split():
        _UNITS[_name] = (_base, Decimal(_factor))
#: A number and its unit: "200g", "200 g", "1,5 l" (a German decimal comma), "0.5kg".
_UNIT_NAMES = "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))


@lru_cache(maxsize=4096)
def size_token(number: str, unit: str) -> str:
    """``("1,5", "kg")`` as ``"1500g"``: one token per size, however it was written."""
    base, factor = _UNITS[unit]
    amount = Decimal(number.replace(",", ".")) * factor
    return f"{amount.normalize():f}{base}"


_DIGIT = re.compile(r"\d")
#: A size or a word, in one pass: the unit must end where the word ends ("5 kgs", not "5 kgsx").
_NUMBER, _WORD_END = r"\d+(?:[.,]\d+)?", r"(?![\w\u0900-\u0dff])"
#: A size, its number and unit in two groups.
SIZE_PATTERN = rf"({_NUMBER})\s*({_UNIT_NAMES}){_WORD_END}"
#: A size or a word, without groups (``findall`` gives the tokens as written): the index's cut.
TOKEN_PATTERN = rf"{_NUMBER}\s*(?:{_UNIT_NAMES}){_WORD_END}|[\w\u0900-\u0dff]+"
_TOKEN = re.compile(rf"{SIZE_PATTERN}|([\w\u0900-\u0dff]+)")


def sizes_and_words(folded: str) -> tuple[list[str], list[str]]:
    """The sizes (as one token each: "200g", "1000ml") and the words of folded text; Chinese, which
    has no spaces, is one word per character."""
    sizes: list[str] = []
    if _DIGIT.search(folded) is None:  # most descriptions: words only, found in one C call
        words = _WORD.findall(folded)
    else:
        words = []
        for number, unit, word in _TOKEN.findall(folded):
            if word:
                words.append(word)
            else:
                sizes.append(size_token(number, unit))
    if folded.isascii():
        return sizes, words
    out: list[str] = []
    for word in words:
        if _CJK.search(word):
            for run in _CJK_RUN.findall(word):
                out.extend(run if _CJK.match(run) else (run,))
        else:
            out.append(word)
    return sizes, out


def is_cjk(word: str) -> bool:
    return bool(_CJK.match(word))


def is_word(part: str) -> bool:
    """Letters only (vowel signs of Indian scripts count), and not Chinese: a word that can name a product."""
    return not _CJK.match(part) and all(c.isalpha() or unicodedata.category(c).startswith("M") for c in part)


_VOWELS = dict(zip("अआइईउऊऋएऐओऔ", ["a", "a", "i", "i", "u", "u", "ri", "e", "ai", "o", "au"], strict=True))
_SIGNS = dict(zip("ािीुूृेैोौॅॉ्", ["a", "i", "i", "u", "u", "ri", "e", "ai", "o", "au", "e", "o", ""], strict=True))
_MARKS = {"ं": "n", "ँ": "n", "ः": "h"}  # ् above is the virama: no vowel after the consonant
_LATIN = "k kh g gh n ch chh j jh n t th d dh n t th d dh n p ph b bh m y r l v sh sh s h"
_CONSONANTS = dict(zip("कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसह", _LATIN.split(" "), strict=True))
#: Spellings of one sound in Hinglish, longest first: paneer/panir, doodh/dudh, chawal/chaval.
_SPELLINGS = (("ee", "i"), ("oo", "u"), ("aa", "a"), ("ph", "f"), ("w", "v"), ("q", "k"), ("z", "j"))
_DOUBLES = re.compile(r"(.)\1+")
#: An aspirated consonant is often written without its h: ghee/gee, bhujia/bujia, dhania/dania.
_ASPIRATED = re.compile(r"([kgjtdb])h")


def romanize(word: str) -> str:
    """Devanagari in Latin letters, as Hindi speakers write it (दाल → dal, पनीर → panir); the
    last consonant's inherent "a" is not spoken (schwa deletion), so it is left out."""
    out: list[str] = []
    pending = False  # a consonant waits for its vowel sign, else takes the inherent "a"
    for char in word:
        if char in _SIGNS:
            out.append(_SIGNS[char])
            pending = False
            continue
        if char == "़":  # nukta: ज़ is near enough to ज
            continue
        if pending:
            out.append("a")
        pending = char in _CONSONANTS
        out.append(_CONSONANTS.get(char) or _VOWELS.get(char) or _MARKS.get(char) or char)
    return "".join(out)


def sound(word: str) -> str:
    """How a word sounds, roughly: Devanagari romanized, one spelling per sound, no double letters,
    no h after a consonant that takes one."""
    if not word.isascii() and any("\u0900" <= c <= "\u097f" for c in word):
        word = romanize(word)
    for spelling, same in _SPELLINGS:
        if spelling in word:
            word = word.replace(spelling, same)
    if "h" in word:
        word = _ASPIRATED.sub(r"\1", word)
    return _DOUBLES.sub(r"\1", word)


def distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, change, swap two letters) from ``a`` to ``b``; stops past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            row.append(cost)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return previous[-1]
