"""A German shop's order and an Indian shop's interstate order, end to end on WhatsApp (the fake
Graph API): coupon, VAT included, a delivery slot, the binding button within 20 characters, and the
invoice received as a document message whose PDF is parsed back; IGST across Indian states."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp.test_utils import TestServer
from pypdf import PdfReader

from chatshop.orders import OrderStatus
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.legal.shops import GERMAN_LEGAL, INDIAN_LEGAL, plain

from .customer import Customer, choices_of, text_of
from .shops import COD, graph_url, whatsapp_shop, whatsapp_shop_toml

HOFLADEN = """name = "Hofladen"
currency = "EUR"
locale = "de"
locales = ["de", "en"]
timezone = "Europe/Berlin\""""

GERMAN_CATALOG = """
[[catalog.products]]
id = "honig"
title = "Honig 500 g"
price = "7.90"
category = "Vorrat"

[[catalog.products]]
id = "messer"
title = "Obstmesser"
price = "12.99"
category = "Küche"
"""

GERMAN_RULES = f"""
[delivery]
fee = "4.90"
free_above = "50.00"

[delivery.slots]
windows = ["09:00-12:00", "14:00-18:00"]
capacity = 5
cutoff_minutes = 60
days_ahead = 2

[payments.cod]
max_order_total = "500.00"

[tax]
prices = "inclusive"
rate = "19"

[[tax.rates]]
categories = ["Vorrat"]
rate = "7"

[[discounts]]
code = "SOMMER10"
percent = "10"

[invoices]
prefix = "RE"
{GERMAN_LEGAL}
"""


async def test_a_german_order_with_coupon_vat_slot_binding_button_and_pdf_invoice(
    tmp_path: Path, fake: FakeGraph, graph: TestServer
) -> None:
    toml = whatsapp_shop_toml(graph_url(graph), shop=HOFLADEN, catalog=GERMAN_CATALOG, more=GERMAN_RULES)
    async with whatsapp_shop(toml, tmp_path) as h:
        h.shop.clock = lambda: datetime(2026, 6, 1, 5, 30, tzinfo=UTC)
        anna = Customer(h, fake, "4915112345678", "Anna")
        await anna.say("hallo")
        await anna.say("honig")
        await anna.tap(lambda found: found.startswith("add:honig"))
        await anna.say("messer")
        await anna.tap(lambda found: found.startswith("add:messer"))
        await anna.tap("checkout")
        slots = await anna.say("Hauptstraße 5, 10115 Berlin")
        assert "Wann sollen wir liefern?" in text_of(slots[-1])
        assert ("slot:2026-06-01T09:00", "Mo., 1. Juni 09:00–12:00") in choices_of(slots[-1])
        coupon = await anna.tap("slot:2026-06-01T09:00")
        assert "Gutschein" in text_of(coupon[-1])
        summary = await anna.say(" sommer 10 ")
        body = plain(text_of(summary[-1]))
        for shown in (
            "Gutschein SOMMER10: -2,09 €",
            "Lieferung: 4,90 €",
            "inkl. 7 % MwSt.: 0,59 €",
            "inkl. 19 % MwSt.: 2,35 €",
            "Lieferzeit: Mo., 1. Juni 09:00–12:00",
            "Summe: 23,70 €",
            "Mit „Jetzt kaufen“ geben Sie eine zahlungspflichtige Bestellung auf.",
            "AGB: https://hofladen.example/agb",
            "Widerrufsbelehrung: https://hofladen.example/widerruf",
            "Impressum: https://hofladen.example/impressum",
        ):
            assert shown in body, shown
        buttons = choices_of(summary[-1])
        assert buttons[0] == ("confirm", "Jetzt kaufen")  # the binding label, whole, within 20 letters
        assert all(len(title) <= 20 for _, title in buttons)
        placed = await anna.tap("confirm")
        record = plain("\n".join(text_of(s) for s in placed))
        assert "Widerrufsbelehrung: https://hofladen.example/widerruf" in record and "Summe: 23,70 €" in record
        (order,) = await h.shop.store.list_orders()
        assert order.total.minor == 2370 and order.extras["slots"]["key"] == "2026-06-01T09:00"
        for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            await h.shop.move_order(order.number, status)
        await h.shop.idle()
        (document,) = [s for s in anna.inbox() if s.type == "document"]
        invoice = await h.shop.store.get_invoice(order_number=order.number)
        assert invoice is not None
        assert document.content["filename"] == f"invoice-{invoice.number}.pdf"
        assert document.content["caption"] == f"Ihre Rechnung {invoice.number} zur Bestellung {order.number}"
        pdf = await h.client.get(urlsplit(document.content["link"]).path)
        assert pdf.status == 200
        text = plain(PdfReader(io.BytesIO(await pdf.read())).pages[0].extract_text())
        for field in (
            f"Rechnungsnummer: {invoice.number}",
            "USt-IdNr.: DE123456789",
            "Gutschein SOMMER10",
            "23,70 €",
            "0,59 €",
            "2,35 €",
        ):
            assert field in text, field


KIRANA = """name = "Kirana Corner"
currency = "INR"
locale = "en"
locales = ["en"]"""

INDIAN_CATALOG = """
[[catalog.products]]
id = "atta-5kg"
title = "Aashirvaad Atta 5 kg"
price = "245.00"
category = "Staples"

[[catalog.products]]
id = "ghee-1l"
title = "Amul Pure Ghee 1 l"
price = "612.50"
category = "Dairy"
"""

INDIAN_RULES = f"""
{COD}
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
{INDIAN_LEGAL}
"""


async def test_an_indian_interstate_order_carries_igst(tmp_path: Path, fake: FakeGraph, graph: TestServer) -> None:
    toml = whatsapp_shop_toml(graph_url(graph), shop=KIRANA, catalog=INDIAN_CATALOG, more=INDIAN_RULES)
    async with whatsapp_shop(toml, tmp_path) as h:
        ravi = Customer(h, fake, "919845012345", "Ravi")
        await ravi.say("hi")
        await ravi.say("atta")
        await ravi.tap(lambda found: found.startswith("add:atta-5kg"))
        await ravi.say("ghee")
        await ravi.tap(lambda found: found.startswith("add:ghee-1l"))
        await ravi.tap("checkout")
        summary = await ravi.say("22 MG Road, Bengaluru, Karnataka 560001")
        body = text_of(summary[-1])
        for shown in ("IGST 5%: ₹12.25", "IGST 12%: ₹73.50", "Total: ₹943.25", "Grievance officer: R. Sharma"):
            assert shown in body, shown
        assert "CGST" not in body
        await ravi.tap("confirm")
        (order,) = await h.shop.store.list_orders()
        assert order.total.minor == 94325 and order.extras["tax"]["place_of_supply"] == ["29", "Karnataka"]
