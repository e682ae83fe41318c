"""WhatsApp Pay is India's: the bill's line reads in every language the shop offers, Hindi first of all."""

from __future__ import annotations

import pytest

from chatshop.plugins.whatsapp import TEXTS
from chatshop.texts import Texts


@pytest.mark.parametrize("locale", ["hi", "de", "zh"])
def test_the_in_chat_bill_line_is_in_the_customers_language(locale: str) -> None:
    texts = Texts("en", plugin_texts=TEXTS)
    english = texts.get("en", "whatsapp_pay_request", number="K7M-4QX", total="₹275.00", shop="Kirana")
    line = texts.get(locale, "whatsapp_pay_request", number="K7M-4QX", total="₹275.00", shop="Kirana")
    assert line != english and "K7M-4QX" in line and "₹275.00" in line
    assert "*Review and pay*" in line  # the button's label, which WhatsApp shows in English
