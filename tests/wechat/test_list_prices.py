"""A product's row in a WeChat list always shows its price; the title is what gets shortened.

The lowering gave the description's room to the repeated title when fewer than 12 characters were
left beside the price, so "Garam Masala Gewürzmischung… (Garam Masala…)" went out without a price.
"""

from __future__ import annotations

import pytest

from chatshop.lowering import lower
from chatshop.messages import Choice, ChoiceList, Section
from chatshop.plugins.wechat.channel import WeChatChannel
from chatshop.plugins.wechat.render import MAX_MENU_ITEM_BYTES, render

PRODUCTS = [
    ("Garam Masala Gewürzmischung Indische Art 100 g", "1.245,00 €"),
    ("Aashirvaad Shudh Chakki Atta Whole Wheat Flour 10 kg", "₹1,245.00"),
    ("特级西湖龙井明前茶叶礼盒装二百五十克家庭实惠装配精美茶具一套送礼佳品", "¥1,288.00"),
    ("🌶️🌶️🌶️ Extra Hot Chilli Sauce Family Bottle 🌶️🌶️🌶️", "$12.50"),
]


@pytest.mark.parametrize(("title", "price"), PRODUCTS)
def test_a_long_product_name_keeps_its_price_in_the_wechat_list(title: str, price: str) -> None:
    choices = (Choice(id="p:x", title=title, description=price), Choice(id="p:y", title="Tea", description="¥5.00"))
    message = ChoiceList(body="Products", button="Choose", sections=(Section(choices=choices),))
    (lowered,) = lower([message], WeChatChannel.capabilities, "Reply with a number", "Choose").messages
    assert isinstance(lowered, ChoiceList)
    row = lowered.sections[0].choices[0]
    assert row.description is not None and price in row.description
    assert len(row.title) <= WeChatChannel.capabilities.list_row_title_length
    [body] = render("oOPENID", lowered).bodies
    content = body["msgmenu"]["list"][0]["content"]
    assert content.endswith(f"({price})") or content.endswith(f"{price})"), content
    assert len(content.encode()) <= MAX_MENU_ITEM_BYTES
