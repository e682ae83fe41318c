"""Invoices: issued when an order is paid or delivered, numbered without gaps per year, sent as a
link on the terminal, downloadable in the dashboard and with `chatshop invoice`; every PDF is
parsed back and its fields and sums checked."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from chatshop.cli import cli
from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness, running_shop
from tests.legal.shops import german_shop, indian_shop, plain
from tests.web.admin_client import login

ADMIN_TOKEN = "hofladen-admin-token-0123"

PUBLIC = """
[server]
public_url = "https://hofladen.example"
"""

GERMAN = """
[tax]
prices = "inclusive"
rate = "19"

[[tax.rates]]
categories = ["Obst", "Vorrat"]
rate = "7"

[invoices]
prefix = "RE"

[[discounts]]
code = "SOMMER10"
percent = "10"

[admin]
token_env = "HOFLADEN_ADMIN_TOKEN"
"""

INDIAN = """
[tax]
prices = "exclusive"
rate = "18"
home_state = "MH"

[[tax.rates]]
categories = ["Staples"]
rate = "5"
hsn = "1101"

[[tax.rates]]
products = ["ghee-1l"]
rate = "12"
hsn = "0405"

[invoices]
year_starts_month = 4
"""


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return plain("\n".join(page.extract_text() for page in reader.pages))


async def order(h: ShopHarness, who: str, address: str, *choices: str, code: str | None = None) -> str:
    for choice in choices:
        await h.choose(who, choice)
    await h.choose(who, "checkout")
    await h.say(who, address)
    if code is not None:
        await h.say(who, code)
    elif "coupon" in h.shop.dialog.step_names and h.shop.config.discounts:
        await h.choose(who, "coupon:none")
    await h.choose(who, "confirm")
    placed = await h.shop.store.list_orders(customer_key=f"terminal:{who}", limit=1)
    return placed[0].number


@pytest.fixture(autouse=True)
def admin_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOFLADEN_ADMIN_TOKEN", ADMIN_TOKEN)


async def test_a_delivered_cash_order_gets_its_invoice_with_every_field(tmp_path: Path) -> None:
    async with running_shop(german_shop(GERMAN + PUBLIC), tmp_path) as h:
        number = await order(
            h, "anna", "Anna Schmidt, Hauptstraße 5, 10115 Berlin", "add:honig:1", "add:messer:1", code="sommer10"
        )
        assert await h.shop.store.get_invoice(order_number=number) is None  # not paid yet: no invoice
        for status in (OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            await h.shop.move_order(number, status)
        await h.shop.idle()
        invoice = await h.shop.store.get_invoice(order_number=number)
        assert invoice is not None and invoice.number.startswith("RE20") and invoice.number.endswith("-00001")
        link = next(t for t in h.texts_to("terminal:anna") if "Ihre Rechnung" in t)
        assert f"Ihre Rechnung {invoice.number} zur Bestellung {number}" in link
        url = link.split("\n")[-1]
        assert url.startswith("https://hofladen.example/invoices/") and url.endswith(".pdf") and number not in url
        resp = await h.client.get(urlsplit(url).path)
        assert resp.status == 200 and resp.content_type == "application/pdf"
        text = text_of(await resp.read())
        for field in (
            "Rechnung",
            f"Rechnungsnummer: {invoice.number}",
            "Hofladen Müller GmbH",
            "Dorfstraße 1, 12345 Beispielhausen",
            "USt-IdNr.: DE123456789",
            "Hauptstraße 5, 10115 Berlin",
            f"Bestellung: {number}",
            "Honig 500 g",
            "Obstmesser",
            "7,90 €",
            "12,99 €",
            "Gutschein SOMMER10",
            "-2,09 €",
            "Lieferung",
            "4,90 €",
            "23,70 €",  # the total
            "7 %",
            "19 %",
            "0,59 €",  # the VAT at 7 % (honey and its share of delivery, after the discount)
            "2,35 €",  # the VAT at 19 %
            "8,37 €",  # net at 7 %
            "12,39 €",  # net at 19 %
        ):
            assert field in text, field
        assert (await h.client.get("/invoices/" + "x" * 32 + ".pdf")).status == 404


async def test_numbers_follow_each_other_and_an_order_has_one_invoice(tmp_path: Path) -> None:
    async with running_shop(german_shop(GERMAN), tmp_path) as h:
        numbers = []
        for who in ("anna", "bert", "carl"):
            placed = await order(h, who, "Hauptstraße 5, 10115 Berlin", "add:apfel:2")
            for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
                await h.shop.move_order(placed, status)
            numbers.append(placed)
        issued = [await h.shop.store.get_invoice(order_number=n) for n in numbers]
        assert [i.seq for i in issued if i] == [1, 2, 3]
        again = await h.choose("anna", f"invoice:{numbers[0]}")
        assert issued[0] is not None and issued[0].number in again
        assert (await h.shop.store.get_invoice(order_number=numbers[0])) == issued[0]


async def test_an_unpaid_order_has_no_invoice_and_the_customer_is_told(tmp_path: Path) -> None:
    async with running_shop(german_shop(GERMAN), tmp_path) as h:
        number = await order(h, "anna", "Hauptstraße 5, 10115 Berlin", "add:apfel:1")
        told = plain(await h.choose("anna", f"invoice:{number}"))
        assert "sobald sie bezahlt oder geliefert ist" in told
        assert await h.shop.store.get_invoice(order_number=number) is None


async def test_the_dashboard_and_the_command_line_give_the_same_invoice(tmp_path: Path) -> None:
    async with running_shop(german_shop(GERMAN), tmp_path) as h:
        number = await order(h, "anna", "Hauptstraße 5, 10115 Berlin", "add:honig:2")
        assert await login(h, ADMIN_TOKEN) == 303
        assert (await h.client.get(f"/admin/orders/{number}/invoice.pdf")).status == 404  # not delivered yet
        for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            await h.shop.move_order(number, status)
        page = await (await h.client.get(f"/admin/orders/{number}")).text()
        assert f"/admin/orders/{number}/invoice.pdf" in page
        resp = await h.client.get(f"/admin/orders/{number}/invoice.pdf")
        assert resp.status == 200
        from_dashboard = text_of(await resp.read())
    out = tmp_path / "rechnung.pdf"
    invoke = CliRunner().invoke  # in a thread: the command runs its own event loop
    result = await asyncio.to_thread(
        invoke, cli, ["invoice", str(tmp_path / "shop.toml"), number.lower(), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "-00001 written to" in result.output
    assert text_of(out.read_bytes()) == from_dashboard and "20,70 €" in from_dashboard
    missing = await asyncio.to_thread(
        invoke, cli, ["invoice", str(tmp_path / "shop.toml"), "ZZZ-ZZZ", "--out", str(out)]
    )
    assert missing.exit_code == 1 and "no order ZZZ-ZZZ" in missing.output


async def test_an_indian_tax_invoice_across_states(tmp_path: Path) -> None:
    async with running_shop(indian_shop(INDIAN), tmp_path) as h:
        number = await order(h, "ravi", "Ravi Kumar, 22 MG Road, Bengaluru 560001", "add:atta-5kg:1", "add:ghee-1l:1")
        for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            await h.shop.move_order(number, status)
        invoice = await h.shop.store.get_invoice(order_number=number)
        assert invoice is not None
        year = invoice.year  # India's financial year: April to March
        assert len(year) == 7 and year[4] == "-" and len(invoice.number) <= 16
        resp = await h.client.get(f"/invoices/{invoice.token}.pdf")
        text = text_of(await resp.read())
        for field in (
            "Tax Invoice",
            "GSTIN: 27AAPFU0939F1ZV",
            "Place of supply: Karnataka (29)",
            "1101",
            "0405",
            "IGST",
            "₹12.25",
            "₹73.50",
            "₹857.50",  # taxable value
            "₹943.25",  # the total
            "Authorised signatory: Kirana Corner Pvt Ltd",
        ):
            assert field in text, field
        assert "CGST" not in text


async def test_a_hindi_shop_without_a_devanagari_font_gets_english_headings_not_empty_boxes(tmp_path: Path) -> None:
    """DejaVu Sans, the system font found here, has no Devanagari: the headings and the coupon's
    line fall back to English rather than print as glyphs the PDF cannot show. The chat stays Hindi."""
    coupon = '\n[[discounts]]\ncode = "DIWALI50"\namount = "50.00"\nmin_total = "100.00"\n'
    async with running_shop(indian_shop(INDIAN + coupon).replace('locale = "en"', 'locale = "hi"'), tmp_path) as h:
        await h.choose("ravi", "add:atta-5kg:1")
        await h.choose("ravi", "checkout")
        asked = plain(await h.say("ravi", "Ravi Kumar, 22 MG Road, Bengaluru 560001"))
        assert "कोई कूपन है?" in asked
        assert "कोड DIWALI50 लग गया" in plain(await h.say("ravi", "diwali50"))
        await h.choose("ravi", "confirm")
        (placed,) = await h.shop.store.list_orders()
        for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            await h.shop.move_order(placed.number, status)
        invoice = await h.shop.store.get_invoice(order_number=placed.number)
        assert invoice is not None
        labels = {line["code"]: line["label"] for line in invoice.data["adjustments"]}
        assert labels["coupon:DIWALI50"] == "कूपन DIWALI50"  # as issued, kept
        text = text_of(await (await h.client.get(f"/invoices/{invoice.token}.pdf")).read())
        for field in ("Tax Invoice", "Place of supply: Karnataka (29)", "Coupon DIWALI50", "Authorised signatory"):
            assert field in text, field
        assert "कूपन" not in text and "इनवॉइस" not in text


def test_the_invoice_section_needs_a_seller(tmp_path: Path) -> None:
    path = tmp_path / "shop.toml"
    path.write_text(german_shop("[invoices]\n", legal=""), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert "legal.seller_name: an invoice names its seller" in result.output


def test_a_gst_invoice_number_fits_sixteen_characters(tmp_path: Path) -> None:
    path = tmp_path / "shop.toml"
    path.write_text(indian_shop('[invoices]\nprefix = "KC/INV"\nyear_starts_month = 4\n'), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1 and "invoices.prefix: a GST invoice number has at most 16 characters" in result.output
