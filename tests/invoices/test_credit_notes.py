"""Credit notes: an invoiced order refunded in full or in part, or back undelivered, gets a
document that amends its invoice (CGST Act s.34; VAT Directive art. 219), with a number of its own
gapless series, the invoice it refers to, the amount and the tax it reverses; sent to the customer
in chat, once however often it is told. Every PDF is parsed back."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from chatshop.invoices import credit
from chatshop.messages import OrderLine
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus, new_order_number
from chatshop.payments import PaymentConfig, PaymentEvent, PaymentEventKind
from chatshop.plugins.invoices import send_credit_note
from chatshop.testing import ShopHarness, running_shop
from tests.invoices.test_invoices import ADMIN_TOKEN, INDIAN, admin_token, order, text_of
from tests.legal.shops import indian_shop
from tests.web.admin_client import login
from tests.web.test_dashboard_refund import FakeCard

__all__ = ["admin_token"]  # the dashboard's token in the environment, for every test here

PUBLIC = '\n[server]\npublic_url = "https://kirana.example"\n'
ADMIN = '\n[admin]\ntoken_env = "HOFLADEN_ADMIN_TOKEN"\n'


async def delivered_cash_order(h: ShopHarness) -> str:
    number = await order(h, "ravi", "Ravi Kumar, 22 MG Road, Bengaluru 560001", "add:atta-5kg:1", "add:ghee-1l:1")
    for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        await h.shop.move_order(number, status)
    await h.shop.idle()
    return number


async def pdf_text(h: ShopHarness, url: str) -> str:
    resp = await h.client.get(urlsplit(url).path)
    assert resp.status == 200 and resp.content_type == "application/pdf"
    return text_of(await resp.read())


async def test_each_refund_of_an_invoiced_cash_order_gets_one_credit_note(tmp_path: Path) -> None:
    async with running_shop(indian_shop(INDIAN + PUBLIC), tmp_path) as h:
        number = await delivered_cash_order(h)
        invoice = await h.shop.store.get_invoice(order_number=number)
        assert invoice is not None and invoice.data["total_minor"] == 94325
        told = len(h.texts_to("terminal:ravi"))
        await h.shop.ordering.record_refund(number, Money(9432, "INR"), "UTR-1")  # a tenth, by bank
        await h.shop.idle()
        (note,) = await h.shop.store.credit_notes(number)
        assert note.number == f"CN{invoice.year}-00001" and len(note.number) <= 16
        assert (note.data["invoice"], note.data["total_minor"]) == (invoice.number, 9432)
        # told twice (a retried hook, the dashboard clicked again): nothing more is issued or sent
        assert await send_credit_note(h.shop, number) is None
        current = await h.shop.store.get_order(number)
        assert current is not None and await credit(h.shop, current) is None
        await h.shop.idle()
        news = h.texts_to("terminal:ravi")[told:]
        assert len(news) == 2 and "UTR-1" in news[0]
        assert f"Your credit note {note.number} for invoice {invoice.number} (order {number})" in news[1]
        url = news[1].split("\n")[-1]
        assert url.startswith("https://kirana.example/credit-notes/") and number not in url
        text = await pdf_text(h, url)
        for field in (
            "Credit note",
            f"Credit note number: {note.number}",
            f"Amends invoice: {invoice.number} ({invoice.data['date']})",
            "Issued for a refund of the invoiced supply.",
            f"Refund against invoice {invoice.number}",
            "GSTIN: 27AAPFU0939F1ZV",
            "Place of supply: Karnataka (29)",
            "₹94.32",  # the amount credited
            "₹85.75",  # a tenth of the taxable value (857.50)
            "₹8.57",  # its share of the IGST: 85.75 × 9432 / 94325, per rate (1.22 + 7.35)
        ):
            assert field in text, field
        await h.shop.ordering.record_refund(number, Money(94325 - 9432, "INR"), "UTR-2")  # the rest
        notes = await h.shop.store.credit_notes(number)
        assert [(n.seq, n.data["total_minor"]) for n in notes] == [(1, 9432), (2, 84893)]
        current = await h.shop.store.get_order(number)
        assert current is not None and current.status is OrderStatus.REFUNDED
        assert (await h.client.get("/credit-notes/" + "x" * 32 + ".pdf")).status == 404


async def paid_by_card(h: ShopHarness, customer: str) -> tuple[FakeCard, str]:
    """Two bags of atta paid online (₹490.00) by a card method whose refunds always go through."""
    method = FakeCard(h.shop, PaymentConfig())
    h.shop.payment_methods[method.name] = method
    number = new_order_number()
    atta = Money(24500, "INR")
    line = OrderLine(product_id="atta-5kg", title="Aashirvaad Atta 5 kg", quantity=2, unit_price=atta)
    draft = Order(number, customer, OrderStatus.PENDING_PAYMENT, (line,), (), "INR", method.name, f"k-{number}")
    await h.shop.store.place_order(draft)
    paid = PaymentEvent(method.name, f"evt-{number}", PaymentEventKind.PAID, number, Money(49000, "INR"))
    await h.shop.apply_payment_event(paid)
    return method, number


async def test_refunds_through_the_provider_are_credited_each_for_its_amount(tmp_path: Path) -> None:
    async with running_shop(indian_shop(INDIAN), tmp_path) as h:
        _, number = await paid_by_card(h, "terminal:meera")
        await h.shop.refund_order(number, Money(10000, "INR"))
        await h.shop.refund_order(number)  # the rest
        notes = await h.shop.store.credit_notes(number)
        assert [(n.data["reason"], n.data["total_minor"], n.seq) for n in notes] == [
            ("refunded", 10000, 1),
            ("refunded", 39000, 2),
        ]


async def test_a_paid_parcel_back_undelivered_is_credited_in_full_once(tmp_path: Path) -> None:
    async with running_shop(indian_shop(INDIAN + ADMIN), tmp_path) as h:
        customer = "terminal:meera"
        method, number = await paid_by_card(h, customer)
        invoice = await h.shop.store.get_invoice(order_number=number)
        assert invoice is not None
        await h.shop.move_order(number, OrderStatus.SHIPPED)
        back = await h.shop.move_order(number, OrderStatus.RETURNED)
        await h.shop.idle()
        assert back.status is OrderStatus.REFUNDED and method.refunds == [Money(49000, "INR")]
        (note,) = await h.shop.store.credit_notes(number)  # the return's, not a second for the refund
        assert note.data["reason"] == "returned" and note.data["total_minor"] == 49000
        assert note.data["lines"] == invoice.data["lines"] and note.data["tax"] == invoice.data["tax"]
        link = next(t for t in h.texts_to(customer) if "credit note" in t)
        text = await pdf_text(h, link.split("\n")[-1])
        assert "Issued because the goods came back undelivered." in text and "Aashirvaad Atta 5 kg" in text
        assert "Total credited ₹490.00" in text
        assert await login(h, ADMIN_TOKEN) == 303  # the order's page links it beside the invoice
        page = await (await h.client.get(f"/admin/orders/{number}")).text()
        assert f"/credit-notes/{note.token}.pdf" in page and f"Credit note {note.number}" in page
