"""Every outbound form, rendered within the limits the fake Graph API enforces (research §2)."""

from __future__ import annotations

from typing import Any

import pytest

from chatshop.graphemes import clusters
from chatshop.messages import (
    Buttons,
    CatalogMessage,
    Choice,
    ChoiceList,
    Image,
    OrderLine,
    OrderStatusUpdate,
    OrderSummary,
    PaymentRequest,
    ProductCard,
    ProductList,
    Section,
    Text,
)
from chatshop.money import Money
from chatshop.plugins.whatsapp import limits as L
from chatshop.plugins.whatsapp import render
from chatshop.plugins.whatsapp.text import keep_ends, shorten, template_safe
from chatshop.testing.fakes.whatsapp import FakeGraph, Invalid

LONG = "Aashirvaad Shudh Chakki Whole Wheat Atta with Multigrain Goodness Family Pack 10 kg"


def accepted(rendered: render.Rendered, fake: FakeGraph | None = None) -> dict[str, Any]:
    """Ask the fake Graph API whether it would take this message."""
    body = render.envelope("919812345678", rendered)
    (fake or FakeGraph()).validate_message(body)
    return rendered.content


def test_shorten_cuts_at_word_boundaries() -> None:
    assert shorten("Basmati Rice", 24) == "Basmati Rice"
    short = shorten(LONG, 24)
    assert short == "Aashirvaad Shudh Chakki…" and len(short) <= 24
    assert shorten("Supercalifragilisticexpialidocious", 10) == "Supercali…"
    assert shorten("Rice, Dal & Atta combo", 12) == "Rice, Dal…"
    assert len(shorten("x" * 5000, L.TEXT_BODY)) == L.TEXT_BODY
    assert template_safe("Line one\n\nline\ttwo     three", 100) == "Line one line two three"


def test_text_within_4096() -> None:
    content = accepted(render.render(Text(body="word " * 2000)))
    assert len(content["body"]) <= 4096 and content["body"].endswith("…")


def test_buttons_cut_to_three_with_short_unique_titles() -> None:
    choices = tuple(Choice(id=f"add:{n}", title=f"Add the {LONG} to cart") for n in range(5))
    message = Buttons(body="b" * 2000, choices=choices, header="h" * 100, footer="f" * 100)
    content = accepted(render.render(message))
    buttons = content["action"]["buttons"]
    assert len(buttons) == 3
    titles = [b["reply"]["title"] for b in buttons]
    assert len(set(titles)) == 3 and all(len(t) <= 20 for t in titles)
    assert len(content["body"]["text"]) <= 1024
    assert len(content["header"]["text"]) <= 60 and len(content["footer"]["text"]) <= 60


def test_shortened_button_titles_are_readable_in_full_in_the_body() -> None:
    message = Buttons(body="Choose:", choices=(Choice(id="pay:cod", title="Cash on delivery (COD fee ₹20)"),))
    content = accepted(render.render(message))
    assert "Cash on delivery (COD fee ₹20)" in content["body"]["text"]


def test_buttons_with_an_image_header() -> None:
    message = Buttons(body="Atta", choices=(Choice(id="a", title="Add"),), image_url="https://x/a.jpg")
    content = accepted(render.render(message))
    assert content["header"] == {"type": "image", "image": {"link": "https://x/a.jpg"}}


def test_list_keeps_every_limit_and_full_names_in_descriptions() -> None:
    sections = (
        Section(
            title="Atta and flours of every kind",
            choices=tuple(Choice(id=f"p:{n}", title=f"{LONG} #{n}", description="₹289.00") for n in range(7)),
        ),
        Section(title="Rice", choices=tuple(Choice(id=f"r:{n}", title=f"Rice {n}") for n in range(7))),
    )
    message = ChoiceList(body="Pick one", button="See all the products we have", sections=sections)
    content = accepted(render.render(message))
    rows = [r for s in content["action"]["sections"] for r in s["rows"]]
    assert len(rows) == 10
    first = rows[0]
    assert first["title"] == "Aashirvaad Shudh Chakki…"
    assert first["description"].startswith("₹289.00 · Aashirvaad Shudh Chakki Whole")
    assert len(first["description"]) <= 72
    assert len(content["action"]["button"]) <= 20
    assert all(len(s["title"]) <= 24 for s in content["action"]["sections"])


def test_untitled_sections_are_merged_not_named() -> None:
    sections = (
        Section(choices=(Choice(id="a", title="A"),)),
        Section(choices=(Choice(id="b", title="B"),)),
    )
    content = accepted(render.render(ChoiceList(body="x", button="Open", sections=sections)))
    assert content["action"]["sections"] == [{"rows": [{"id": "a", "title": "A"}, {"id": "b", "title": "B"}]}]


def test_product_card_without_a_catalog_is_an_image_button_message() -> None:
    card = ProductCard(
        product_id="ATTA-10KG",
        title=LONG,
        body="Stone-ground whole wheat.",
        price=Money(54900, "INR"),
        image_url="https://shop.example/atta.jpg",
        choices=(Choice(id="add:ATTA-10KG", title="Add to cart"), Choice(id="back", title="Back")),
    )
    content = accepted(render.render(card))
    assert content["type"] == "button"
    assert LONG in content["body"]["text"] and "₹549.00" in content["body"]["text"]


def test_product_card_with_a_catalog_is_a_single_product_message() -> None:
    card = ProductCard(product_id="ATTA-10KG", title="Atta", body="Fresh", price=Money(100, "INR"))
    content = accepted(render.render(card, catalog_id="730514628893517"))
    assert content["type"] == "product" and "header" not in content
    assert content["action"] == {
        "catalog_id": "730514628893517",
        "product_retailer_id": "ATTA-10KG",
    }


def test_product_list_at_most_30_items_text_header() -> None:
    sections = tuple((f"Aisle {n} with a very long name", tuple(f"SKU-{n}-{i}" for i in range(8))) for n in range(12))
    message = ProductList(header=LONG, body="Our range", sections=sections)
    content = accepted(render.render(message, catalog_id="730514628893517"))
    items = [i for s in content["action"]["sections"] for i in s["product_items"]]
    assert len(items) == 30 and content["header"]["type"] == "text"
    assert render.render(message).type == "text"  # no catalog configured: words instead


def test_catalog_message_and_image() -> None:
    content = accepted(render.render(CatalogMessage(body="Browse", thumbnail_product_id="A"), "1"))
    assert content["action"] == {
        "name": "catalog_message",
        "parameters": {"thumbnail_product_retailer_id": "A"},
    }
    content = accepted(render.render(Image(url="https://x/y.png", caption="c" * 2000)))
    assert len(content["caption"]) <= 1024


def order_summary() -> OrderSummary:
    lines = (
        OrderLine(product_id="ATTA", title=LONG, quantity=2, unit_price=Money(28900, "INR")),
        OrderLine(product_id="RICE", title="Basmati", quantity=1, unit_price=Money(14950, "INR")),
    )
    adjustments = (
        ("Delivery", Money(4000, "INR")),
        ("GST", Money(1000, "INR")),
        ("Welcome discount", Money(-5000, "INR")),
    )
    subtotal = Money(72750, "INR")
    return OrderSummary(
        number="K7M-4QX",
        lines=lines,
        subtotal=subtotal,
        adjustments=adjustments,
        total=subtotal + Money(4000, "INR") + Money(1000, "INR") - Money(5000, "INR"),
    )


def test_order_details_money_invariants_hold() -> None:
    request = PaymentRequest(
        method="whatsapp_pay",
        body="Please pay",
        order=order_summary(),
        data={
            "reference_id": "K7M-4QX.ab12cd34",
            "gateway": "razorpay",
            "configuration_name": "shop-razorpay",
        },
    )
    fake = FakeGraph()
    content = accepted(render.render(request), fake)
    p = content["action"]["parameters"]
    assert p["total_amount"] == {"value": 72750, "offset": 100}
    assert p["order"]["subtotal"] == {"value": 72750, "offset": 100}
    assert p["order"]["shipping"]["value"] == 4000
    assert p["order"]["tax"]["value"] == 1000
    assert p["order"]["discount"]["value"] == 5000
    assert len(p["order"]["items"][0]["name"]) <= 60
    assert fake.bills == {"K7M-4QX.ab12cd34": "pending"}


def test_the_fake_refuses_what_breaks_a_limit() -> None:
    too_many = render.Rendered(
        "interactive",
        {
            "type": "button",
            "body": {"text": "x"},
            "action": {
                "buttons": [{"type": "reply", "reply": {"id": str(n), "title": "t" + str(n)}} for n in range(4)]
            },
        },
    )
    with pytest.raises(Invalid):
        accepted(too_many)
    long_row = render.Rendered(
        "interactive",
        {
            "type": "list",
            "body": {"text": "x"},
            "action": {"button": "b", "sections": [{"rows": [{"id": "1", "title": "t" * 25}]}]},
        },
    )
    with pytest.raises(Invalid):
        accepted(long_row)


def test_order_status_and_template() -> None:
    fake = FakeGraph()
    fake.bills["K7M-4QX.ab"] = "pending"
    accepted(render.order_status("K7M-4QX.ab", "shipped", "On its way"), fake)
    assert fake.bills["K7M-4QX.ab"] == "shipped"
    content = accepted(render.template("order_update", "en_US", ["K7M-4QX", "Shipped.\nSoon there."]))
    assert content["components"][0]["parameters"][1]["text"] == "Shipped. Soon there."
    status = OrderStatusUpdate(order_number="K7M-4QX", status="shipped", body="On its way")
    assert render.render(status).type == "text"


def test_the_recipient_is_a_phone_number_or_a_business_scoped_user_id() -> None:
    rendered = render.text("hi")
    assert render.envelope("919812345678", rendered)["to"] == "919812345678"
    bsuid = render.envelope("IN.4821907735106428193", rendered)
    assert bsuid["recipient"] == "IN.4821907735106428193" and "to" not in bsuid
    FakeGraph().validate_message(bsuid)


def test_a_long_summary_keeps_its_head_and_its_total() -> None:
    lines = ["Please check your order:", ""]
    lines += [f"{n} × Some grocery item with a long name number {n}: ₹{n}.00" for n in range(1, 60)]
    lines += ["", "Deliver to: Flat 12, Sea View, Mumbai 400050", "Payment: Cash on delivery", "Total: ₹9,999.00"]
    body = "\n".join(lines)
    choices = (Choice(id="confirm", title="Confirm order"), Choice(id="abort", title="Cancel"))
    content = accepted(render.render(Buttons(body=body, choices=choices)))
    text = content["body"]["text"]
    assert len(text) <= 1024
    assert text.startswith("Please check your order:") and text.endswith("Total: ₹9,999.00")
    assert "\n…\n" in text
    assert keep_ends("one very long line " * 100, 50).endswith("…")


def test_a_bill_too_late_for_its_expiry_goes_without_one() -> None:
    import time

    data = {"reference_id": "K7M-4QX.ab", "configuration_name": "c", "expires_at": int(time.time()) + 60}
    request = PaymentRequest(method="whatsapp_pay", body="Pay", order=order_summary(), data=data)
    content = accepted(render.render(request))
    assert "expiration" not in content["action"]["parameters"]["order"]
    data["expires_at"] = int(time.time()) + 3600
    request = PaymentRequest(method="whatsapp_pay", body="Pay", order=order_summary(), data=data)
    content = accepted(render.render(request))
    assert content["action"]["parameters"]["order"]["expiration"]["timestamp"] == str(data["expires_at"])


FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # one emoji of seven code points


def _whole(cut: str, original: str) -> bool:
    """``cut`` is a head of ``original`` made of whole characters as a reader sees them."""
    kept = clusters(cut.removesuffix("…"))
    return kept == clusters(original)[: len(kept)]


@pytest.mark.parametrize(
    "title",
    [
        "Familie" + FAMILY + FAMILY,  # 21 code points: the cut falls inside the second family
        "🇮🇳🇩🇪🇨🇳🇯🇵🇺🇸🇫🇷🇧🇷🇿🇦🇬🇧🇨🇦🇦🇺",  # flags: two code points each
        "Gift👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽",  # a thumb and its skin tone
        "प्रीमियमबासमतीचावलस्वादिष्ट",  # vowel signs and conjuncts
        "किकिकिकिकिकिकिकिकिकिकिकिकिकि",
    ],
)
def test_button_and_row_titles_are_cut_between_characters_a_reader_sees(title: str) -> None:
    """A title cut to 20 (a button) or 24 (a row) characters never ends in half a family, half a
    flag, a thumb without its skin tone or a consonant without its vowel sign."""
    buttons = Buttons(body="Pick one", choices=(Choice(id="a", title=title), Choice(id="b", title="Other")))
    button = accepted(render.render(buttons))["action"]["buttons"][0]["reply"]["title"]
    assert len(button) <= L.BUTTON_TITLE and _whole(button, title), button
    section = Section(choices=(Choice(id="a", title=title + title),))
    rows = ChoiceList(body="Pick one", button="Choose", sections=(section,))
    row = accepted(render.render(rows))["action"]["sections"][0]["rows"][0]["title"]
    assert len(row) <= L.ROW_TITLE and _whole(row, title + title), row
    assert _whole(shorten(title, 19), title) and _whole(shorten(title, 10), title)
