"""Prices typed into the dashboard's catalog: a slip of the keyboard is refused, never a 100× price or a 500."""

from __future__ import annotations

import pytest

from chatshop.testing import ShopHarness
from tests.web.admin_client import login, page_csrf


async def save_price(web: ShopHarness, price: str) -> str:
    csrf = await page_csrf(web, "/admin/catalog")
    resp = await web.client.post("/admin/catalog/ghee-1l", data={"csrf": csrf, "action": "save", "price": price})
    assert resp.status == 200, price
    return await resp.text()


async def price_minor(web: ShopHarness) -> int | None:
    return (await web.shop.store.inventory(["ghee-1l"]))["ghee-1l"].price_minor


@pytest.mark.parametrize("typed", ["612,50", "5,5", "1,2345.00", "1e99999"])
async def test_a_price_with_a_decimal_comma_or_an_absurd_exponent_is_refused(web: ShopHarness, typed: str) -> None:
    await login(web)
    before = await price_minor(web)
    assert "ghee-1l:" in await save_price(web, typed)  # the error shown next to the product
    assert await price_minor(web) == before


@pytest.mark.parametrize(("typed", "minor"), [("1,250.00", 125000), ("1,00,000", 10000000), ("599.5", 59950)])
async def test_thousands_separators_as_written_in_india_and_elsewhere_still_work(
    web: ShopHarness, typed: str, minor: int
) -> None:
    await login(web)
    await save_price(web, typed)
    assert await price_minor(web) == minor
