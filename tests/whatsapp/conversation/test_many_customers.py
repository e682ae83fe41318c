"""Four customers shopping at once, each in their own language, their messages mixed in the same
webhooks and in webhooks arriving together: each is answered in their language, about their cart."""

from __future__ import annotations

import asyncio
import itertools

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer, text_of
from tests.whatsapp.meta import batch, contact, envelope, wire

from .hooks import post_bytes

ADDED = {
    "en": "Added {n} × {title}.",
    "hi": "{n} × {title} जोड़ दिया।",
    "de": "{n} × {title} hinzugefügt.",
    "zh": "已加入 {n} × {title}。",
}
PRODUCTS = {"en": "milk-1l", "hi": "paneer-200g", "de": "basmati-1kg", "zh": "toor-dal-1kg"}
TITLES = {
    "milk-1l": "Amul Taaza Milk 1 l",
    "paneer-200g": "Amul Malai Paneer 200 g",
    "basmati-1kg": "India Gate Basmati Rice 1 kg",
    "toor-dal-1kg": "Tata Sampann Toor Dal 1 kg",
}


def tap(customer: Customer, choice_id: str) -> dict[str, object]:
    reply = {"type": "button_reply", "button_reply": {"id": choice_id, "title": "x"}}
    return customer.message("interactive", interactive=reply)


async def test_four_languages_at_once_each_answered_in_their_own(shop: ShopHarness, fake: FakeGraph) -> None:
    people = {
        locale: Customer(shop, fake, f"9198000000{n:02d}", name)
        for n, (locale, name) in enumerate(
            [("en", "Asha"), ("hi", "Ramesh"), ("de", "Jonas"), ("zh", "Li Wei")], start=1
        )
    }
    # One webhook: every customer's language choice, then every customer's first product.
    messages = [tap(c, f"lang:{locale}") for locale, c in people.items()]
    messages += [tap(c, f"add:{PRODUCTS[locale]}:1") for locale, c in people.items()]
    contacts = [contact(c.wa_id, c.name) for c in people.values()]
    assert await post_bytes(shop, wire(envelope(messages=messages, contacts=contacts))) == 200
    # Then all at once, one webhook each, two more of the same product each, mixed into two batches.
    second = [envelope(messages=[tap(c, f"add:{PRODUCTS[locale]}:2")]) for locale, c in people.items()]
    posts = [batch(*second[:2]), batch(*second[2:])]
    statuses = await asyncio.gather(*(post_bytes(shop, wire(payload)) for payload in posts))
    assert statuses == [200, 200]
    for locale, customer in people.items():
        texts = [text_of(sent) for sent in customer.inbox()]
        title = TITLES[PRODUCTS[locale]]
        assert any(ADDED[locale].format(n=1, title=title) in t for t in texts), (locale, texts)
        assert any(ADDED[locale].format(n=2, title=title) in t for t in texts), (locale, texts)
        others = [TITLES[PRODUCTS[other]] for other in people if other != locale]
        assert not any(other in t for t, other in itertools.product(texts, others))
    assert fake.refused == []
