"""Every built-in translation is complete: the same keys and placeholders as English."""

from __future__ import annotations

import string

import pytest

from chatshop.money import Money
from chatshop.plugin_manager import Plugins
from chatshop.texts import Texts, _builtin, available_locales


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_shipped_languages() -> None:
    assert {"en", "de", "hi", "zh"} <= set(available_locales())


@pytest.mark.parametrize("locale", [loc for loc in available_locales() if loc != "en"])
def test_a_translation_has_every_key_with_the_same_placeholders(locale: str) -> None:
    english, translated = _builtin("en"), _builtin(locale)
    assert set(translated) == set(english)
    for key, text in english.items():
        assert fields(translated[key]) == fields(text), key


def test_a_missing_key_falls_back_to_the_shop_language_then_english() -> None:
    texts = Texts("de", plugin_texts={"en": {"x_only_english": "English {n}"}})
    assert texts.get("fr", "menu_help") == "Hilfe"
    assert texts.get("hi", "x_only_english", n=1) == "English 1"


def test_money_reads_naturally_in_each_language() -> None:
    price = Money.parse("1234.50", "INR")
    assert price.format("hi") == "₹1,234.50"
    assert price.format("de") == "1.234,50\xa0₹"
    assert Money.parse("29.00", "CNY").format("zh") == "¥29.00"


#: The headings of the invoice PDF: printed with the shop's font, which may lack other scripts'
#: letters (DejaVu Sans has no Devanagari or Chinese), so they stay in the shop's European languages.
PDF_HEADINGS = frozenset(
    key for key in Plugins(entry_points=False).texts()["en"] if key.startswith("invoice_")
) - {"invoice_caption", "invoice_button", "invoice_not_yet"}


@pytest.mark.parametrize("locale", [loc for loc in available_locales() if loc != "en"])
def test_every_text_a_built_in_plugin_says_in_the_chat_is_in_every_shipped_language(locale: str) -> None:
    tables = Plugins(entry_points=False).texts()
    english, translated = tables["en"], tables.get(locale, {})
    assert sorted(set(english) - set(translated) - PDF_HEADINGS) == []
    for key, text in translated.items():
        assert fields(text) == fields(english[key]), key
