"""A postal code is read from an address by the shop's country (its currency says where it
sells): an Indian PIN has six digits, a German PLZ five; a flat or house number never is one."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chatshop.checkout import find_postal_code
from chatshop.orders import Order
from chatshop.testing import ShopHarness
from tests.conftest import ShopFactory


@pytest.mark.parametrize(
    ("currency", "address", "code"),
    [
        ("INR", "Flat 1204, Hill Road, Bandra West, Mumbai", None),
        ("INR", "Mumbai 400050, Flat 1204, Sea View", "400050"),
        ("INR", "B-1204, Sunrise Heights, Andheri East, Mumbai-400069", "400069"),
        ("INR", "House No 12, Sector 5, Gurgaon 122 001", "122001"),
        ("INR", "Plot 5678, MIDC, Pune", None),
        ("INR", "Sea View, Bandra West, Mumbai, PIN no 400050", "400050"),
        ("EUR", "Wohnung 1204, Hauptstraße 12, 10115 Berlin", "10115"),
        ("EUR", "Hauptstraße 1234, Berlin", None),
        ("CNY", "北京市朝阳区建国路88号1204室 100022", "100022"),
        ("CNY", "上海市黄浦区人民大道200号1204室", None),
        ("GBP", "Flat 12, 221B Baker Street, London NW1 6XE", "NW16XE"),
        ("USD", "1600 Pennsylvania Ave NW, Washington, DC 20500", "20500"),
        ("JPY", "1-2-3 Shibuya, Tokyo 150-0002", "150-0002"),
        ("CHF", "8001 Zürich, Bahnhofstrasse 12, Wohnung 1204", "8001"),
    ],
)
def test_the_postal_code_of_an_address_by_country(currency: str, address: str, code: str | None) -> None:
    assert find_postal_code(address, currency) == code


async def placed(h: ShopHarness) -> Order:
    (order,) = await h.shop.store.list_orders(customer_key="terminal:ravi")
    return order


async def at_the_address_question(h: ShopHarness) -> None:
    await h.choose("ravi", "add:rice-5kg:1")
    await h.choose("ravi", "checkout")


async def test_a_flat_number_is_not_taken_for_the_pin_code(grocery: Callable[..., str], make_shop: ShopFactory) -> None:
    async with make_shop(grocery()) as h:
        await at_the_address_question(h)
        reply = await h.say("ravi", "Flat 1204, Hill Road, Bandra West, Mumbai")
        assert "What is the postal code" in reply, reply
        assert "Please check your order" in await h.say("ravi", "400050")
        await h.choose("ravi", "confirm")
        order = await placed(h)
        assert order.postal_code == "400050" and order.address == "Flat 1204, Hill Road, Bandra West, Mumbai"


async def test_cancel_picked_by_its_number_at_the_address_question_is_not_an_address(
    grocery: Callable[..., str], make_shop: ShopFactory
) -> None:
    """"1. Cancel" under "Where should we deliver?": a "1" is that choice, not an address "1"
    (which went on to an order to be delivered to "1")."""
    async with make_shop(grocery()) as h:
        await at_the_address_question(h)
        reply = await h.say("ravi", "1")
        assert "What is the postal code" not in reply and "Please check your order" not in reply, reply
        assert "Please check your order" not in await h.say("ravi", "Flat 4, Sea View, Bandra West, Mumbai 400050")


async def test_a_number_that_is_no_address_is_asked_again(grocery: Callable[..., str], make_shop: ShopFactory) -> None:
    async with make_shop(grocery()) as h:
        await at_the_address_question(h)
        reply = await h.say("ravi", "17")
        assert "Where should we deliver" in reply and "What is the postal code" not in reply, reply
        assert "Please check your order" in await h.say("ravi", "Flat 4, Sea View, Bandra West, Mumbai 400050")
        await h.choose("ravi", "confirm")
        assert (await placed(h)).address == "Flat 4, Sea View, Bandra West, Mumbai 400050"


async def test_a_pin_code_in_the_wrong_form_is_asked_again(grocery: Callable[..., str], make_shop: ShopFactory) -> None:
    """An Indian shop's PIN has six digits: a "1" typed at the postal code question is not one."""
    async with make_shop(grocery()) as h:
        await at_the_address_question(h)
        await h.say("ravi", "Flat 1204, Hill Road, Bandra West, Mumbai")
        reply = await h.say("ravi", "1")
        assert "What is the postal code" in reply and "Please check your order" not in reply, reply
        assert "Please check your order" in await h.say("ravi", "400 050")
        await h.choose("ravi", "confirm")
        assert (await placed(h)).postal_code == "400050"


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("Stephansplatz 1, Wien", "1010"),  # Austria: four digits
        ("Rue de la Loi 16, Bruxelles", "1040"),  # Belgium: four digits
        ("Odos Ermou 5, Athina", "105 63"),  # Greece: "123 45"
        ("Main Street 3, Dublin", "D02 X285"),  # Ireland: an Eircode
    ],
)
async def test_a_euro_shop_takes_the_postal_codes_of_every_euro_country(
    grocery: Callable[..., str], make_shop: ShopFactory, address: str, code: str
) -> None:
    """The euro is the money of countries with different forms: a code of any of them, typed at the
    postal code question of a shop selling in euros, is taken (not asked for again and again)."""
    async with make_shop(grocery("EUR")) as h:
        await h.choose("ravi", "add:rice-5kg:1")
        await h.choose("ravi", "checkout")
        assert "What is the postal code" in await h.say("ravi", address)
        reply = await h.say("ravi", code)
        assert "Please check your order" in reply, reply
        await h.choose("ravi", "confirm")
        assert (await placed(h)).postal_code == code.replace(" ", "")


async def test_a_postal_code_alone_is_no_delivery_address(grocery: Callable[..., str], make_shop: ShopFactory) -> None:
    """"Where should we deliver?" answered with the PIN code alone: no street, no house, so the
    question is asked again (it was the address, and an order went to be delivered to "400050")."""
    async with make_shop(grocery()) as h:
        await h.choose("ravi", "add:rice-5kg:1")
        await h.choose("ravi", "checkout")
        reply = await h.say("ravi", "४०००५०")
        assert "Where should we deliver" in reply and "Please check your order" not in reply, reply
        assert "Please check your order" in await h.say("ravi", "Flat 4, Sea View, Bandra West, Mumbai 400050")
        await h.choose("ravi", "confirm")
        assert (await placed(h)).address == "Flat 4, Sea View, Bandra West, Mumbai 400050"


@pytest.mark.parametrize("typed", ["1500002", "150-0002", "〒150-0002"])
async def test_a_japanese_postal_code_is_taken_with_or_without_its_hyphen(
    grocery: Callable[..., str], make_shop: ShopFactory, typed: str
) -> None:
    """Japan's codes are written "150-0002" and typed as often "1500002": both are the one code."""
    async with make_shop(grocery("JPY")) as h:
        await h.choose("ravi", "add:rice-5kg:1")
        await h.choose("ravi", "checkout")
        assert "What is the postal code" in await h.say("ravi", "Shibuya 1-2-3, Tokyo")
        reply = await h.say("ravi", typed)
        assert "Please check your order" in reply, reply
        await h.choose("ravi", "confirm")
        assert (await placed(h)).postal_code == "150-0002"
