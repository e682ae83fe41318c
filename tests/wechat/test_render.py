from __future__ import annotations

from typing import Any

from chatshop.messages import (
    Buttons,
    Choice,
    ChoiceList,
    OrderSummary,
    PaymentRequest,
    ProductCard,
    Section,
    Text,
)
from chatshop.money import Money
from chatshop.plugins.wechat.render import MAX_MENU_ITEMS, MAX_TEXT_BYTES, render, split_bytes, truncate_bytes
from chatshop.testing.fakes.wechat import _check_custom

U = "oK7zR5vQ2nW9xT4bY1mH8cJ6dE3a"
CNY = "CNY"


def _valid(bodies: list[dict[str, Any]]) -> None:
    for body in bodies:
        assert _check_custom(body) is None, body


def test_text() -> None:
    out = render(U, Text(body="Your cart: 2 x Oolong 250g = ¥58.00"))
    assert out.bodies == [{"touser": U, "msgtype": "text", "text": {"content": "Your cart: 2 x Oolong 250g = ¥58.00"}}]


def test_long_chinese_text_split_within_2048_bytes_at_a_character() -> None:
    """9000 bytes: at most 4 messages (WeChat allows 5 per customer message); the middle goes, the end shows."""
    out = render(U, Text(body="乌龙茶" * 999 + "合计"))
    contents = [body["text"]["content"] for body in out.bodies]
    assert len(contents) == 4 and all(len(c.encode()) <= MAX_TEXT_BYTES for c in contents)
    assert contents[0].startswith("乌龙茶") and contents[-1].startswith("…") and contents[-1].endswith("合计")
    _valid(out.bodies)


def test_cut_at_a_word_boundary() -> None:
    text = ("tea " * 600).strip()
    cut = truncate_bytes(text, 2048)
    assert cut.endswith("tea…") and len(cut.encode()) <= 2048


def test_choice_list_becomes_a_msgmenu() -> None:
    message = ChoiceList(
        body="How would you like to pay?",
        button="Pay",
        header="Order #A1001 total ¥58.00.",
        footer="Reply 0 to cancel",
        sections=(
            Section(
                choices=(
                    Choice(id="pay_online_A1001", title="Pay now with WeChat Pay"),
                    Choice(id="cod_A1001", title="Cash on delivery"),
                )
            ),
        ),
    )
    out = render(U, message)
    assert out.bodies == [
        {
            "touser": U,
            "msgtype": "msgmenu",
            "msgmenu": {
                "head_content": "Order #A1001 total ¥58.00.\nHow would you like to pay?",
                "list": [
                    {"id": "pay_online_A1001", "content": "Pay now with WeChat Pay"},
                    {"id": "cod_A1001", "content": "Cash on delivery"},
                ],
                "tail_content": "Reply 0 to cancel",
            },
        }
    ]
    assert out.choice_ids == ["pay_online_A1001", "cod_A1001"]


def test_too_many_choices_are_cut_to_the_limit() -> None:
    choices = tuple(Choice(id=f"p{i}", title=f"Tea {i}") for i in range(25))
    out = render(U, Buttons(body="Pick", choices=choices))
    assert len(out.bodies[0]["msgmenu"]["list"]) == MAX_MENU_ITEMS
    _valid(out.bodies)


def test_product_card_is_news_plus_actions() -> None:
    card = ProductCard(
        product_id="oolong",
        title="Oolong 250g",
        body="Roasted, from Anxi.",
        price=Money(2900, CNY),
        image_url="https://shop.example.com/oolong.jpg",
        url="https://shop.example.com/p/oolong",
        choices=(Choice(id="add:oolong", title="Add to cart"),),
    )
    out = render(U, card)
    news, menu = out.bodies
    article = news["news"]["articles"][0]
    assert article["title"] == "Oolong 250g" and article["picurl"].endswith("oolong.jpg")
    assert "¥29.00" in article["description"] or "CN¥29.00" in article["description"]
    assert menu["msgmenu"]["list"] == [{"id": "add:oolong", "content": "Add to cart"}]
    _valid(out.bodies)


def test_product_card_without_url_is_text() -> None:
    card = ProductCard(product_id="o", title="Oolong", body="Nice", price=Money(2900, CNY))
    out = render(U, card)
    assert out.bodies[0]["msgtype"] == "text" and "Oolong" in out.bodies[0]["text"]["content"]


def test_payment_request_is_text_with_link() -> None:
    total = Money(5800, CNY)
    order = OrderSummary(number="A1001", lines=(), subtotal=total, total=total)
    request = PaymentRequest(method="razorpay", body="Pay ¥58.00", order=order, url="https://pay.example/x?a=1&b=2")
    out = render(U, request)
    assert out.bodies[0]["text"]["content"] == (
        'Pay ¥58.00\n<a href="https://pay.example/x?a=1&amp;b=2">https://pay.example/x?a=1&amp;b=2</a>'
    )
    _valid(out.bodies)


def test_a_summary_too_long_for_the_menu_head_goes_first_as_text() -> None:
    summary = "\n".join(f"{i} x 乌龙茶 250g = ¥29.00" for i in range(1, 60)) + "\nTotal ¥1,711.00"
    message = ChoiceList(
        body=summary,
        button="Choose",
        sections=(Section(choices=(Choice(id="confirm", title="Confirm"),)),),
    )
    out = render(U, message)
    text, menu = out.bodies
    assert text["text"]["content"].endswith("Total ¥1,711.00")
    assert menu["msgmenu"]["head_content"] == "Choose"
    _valid(out.bodies)


def test_a_row_description_joins_its_title() -> None:
    row = Choice(id="line:oolong", title="Oolong 250g", description="2 × ¥29.00")
    out = render(U, ChoiceList(body="Your cart", button="Edit", sections=(Section(choices=(row,)),)))
    assert out.bodies[0]["msgmenu"]["list"] == [{"id": "line:oolong", "content": "Oolong 250g (2 × ¥29.00)"}]


def test_a_byte_cut_never_splits_an_emoji_or_a_vowel_sign() -> None:
    """WeChat counts bytes: the cut falls between characters a reader sees, not between a thumb
    and its skin tone (8 bytes together) or क and its ि (6 bytes together)."""
    thumbs = "👍🏽" * 50
    cut = truncate_bytes(thumbs, 103)  # 100 bytes before the "…": 12 thumbs and half of the 13th
    assert len(cut.encode()) <= 103 and cut == "👍🏽" * 12 + "…"
    syllables = "कि" * 40
    cut = truncate_bytes(syllables, 66)
    assert len(cut.encode()) <= 66 and cut == "कि" * 10 + "…"


def test_a_long_hindi_text_is_split_between_syllables() -> None:
    text = "abc" + "कि" * 1000  # 6003 bytes, no space or line break to cut at
    pieces = split_bytes(text, MAX_TEXT_BYTES)
    assert all(len(p.encode()) <= MAX_TEXT_BYTES for p in pieces)
    assert "".join(pieces) == text and not any(p.startswith("ि") for p in pieces), [p[:3] for p in pieces]
