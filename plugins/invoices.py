"""Built-in invoices: with ``[invoices]`` in ``shop.toml``, a tax invoice (PDF) for every paid or
delivered order, sent to the customer as a document (WhatsApp) or a link (WeChat, the web chat,
the terminal), and kept for the dashboard and ``chatshop invoice``.

The invoice is issued when the order is paid (online) or delivered (cash on delivery); issuing is
idempotent, so a later move or a second worker never issues a second one. Its link carries an
unguessable token of its own, not the order number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import structlog
from aiohttp import web

from chatshop.dialog.feature import Action, DialogFeature
from chatshop.dialog.turn import Turn
from chatshop.hookspecs import hookimpl
from chatshop.invoice_pdf import render_invoice
from chatshop.invoices import issue
from chatshop.messages import Document
from chatshop.orders import Order, OrderStatus
from chatshop.runtime import Shop
from chatshop.store.base import InvoiceRecord

log = structlog.get_logger(__name__)

NAME = "invoices"


def invoice_pdf(shop: Shop, invoice: InvoiceRecord) -> bytes:
    """The invoice's PDF, its headings in the language the invoice was issued in."""
    section = shop.config.invoices
    font = shop.config.resolve(section.font_file) if section is not None and section.font_file else None
    locale = str(invoice.data.get("locale") or shop.config.shop.locale)
    return render_invoice(invoice, lambda key: shop.texts.get(locale, key), font)


def invoice_url(shop: Shop, invoice: InvoiceRecord) -> str:
    return shop.public_url(f"/invoices/{invoice.token}.pdf")


def filename(invoice: InvoiceRecord) -> str:
    return "invoice-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in invoice.number) + ".pdf"


async def document_for(shop: Shop, invoice: InvoiceRecord, locale: str) -> Document:
    caption = shop.text(locale, "invoice_caption", invoice=invoice.number, number=invoice.order_number)
    return Document(url=invoice_url(shop, invoice), filename=filename(invoice), caption=caption)


@hookimpl
async def order_status_changed(shop: Shop, order: Order, old: OrderStatus, new: OrderStatus) -> None:
    """Paid or delivered: the invoice is issued (once) and sent to the customer."""
    if shop.config.invoices is None or new not in (OrderStatus.PAID, OrderStatus.DELIVERED):
        return
    current = await shop.store.get_order(order.number) or order
    issued = await issue(shop, current)
    if issued is None:
        return
    invoice, created = issued
    if not created:
        return
    log.info("invoice.issued", order=order.number, invoice=invoice.number)
    locale = await shop.customer_locale(order.customer_key)
    await shop.notify(order.customer_key, await document_for(shop, invoice, locale))


def pdf_response(shop: Shop, invoice: InvoiceRecord) -> web.Response:
    return web.Response(
        body=invoice_pdf(shop, invoice),
        content_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{filename(invoice)}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


@hookimpl
def register_routes(shop: Shop, router: web.UrlDispatcher) -> None:
    """``/invoices/<token>.pdf``: the customer's link to their invoice."""
    if shop.config.invoices is None:
        return

    async def download(request: web.Request) -> web.StreamResponse:
        return await _serve(shop, request)

    router.add_get("/invoices/{token}.pdf", download)


async def _serve(shop: Shop, request: web.Request) -> web.StreamResponse:
    token = request.match_info["token"]
    invoice = await shop.store.get_invoice(token=token) if 20 <= len(token) <= 64 else None
    if invoice is None:
        raise web.HTTPNotFound(text="no such invoice")
    return pdf_response(shop, invoice)


async def send_invoice(turn: Turn, number: str) -> None:
    """The customer's "Invoice" on one of their orders: the document again (issued now if due)."""
    order = await turn.shop.store.get_order(number)
    if order is None or order.customer_key != turn.customer_key:
        turn.say(turn.t("order_unknown"))
        return
    issued = await issue(turn.shop, order)
    if issued is None:
        turn.say(turn.t("invoice_not_yet", number=order.number))
        return
    turn.out.append(await document_for(turn.shop, issued[0], turn.locale))


@hookimpl
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    register(DialogFeature(name=NAME, actions={"invoice": Action(send_invoice)}))


@hookimpl
def register_texts(register: Callable[[str, Mapping[str, str]], None]) -> None:
    register(
        "en",
        {
            "invoice_caption": "Your invoice {invoice} for order {number}",
            "invoice_button": "Invoice",
            "invoice_not_yet": "Order {number} gets its invoice once it is paid or delivered.",
            "invoice_title": "Invoice",
            "invoice_title_gst": "Tax Invoice",
            "invoice_gstin": "GSTIN",
            "invoice_vat_id": "VAT ID",
            "invoice_tax_number": "Tax number",
            "invoice_buyer": "Bill to",
            "invoice_number": "Invoice number",
            "invoice_date": "Invoice date",
            "invoice_order": "Order",
            "invoice_supply_date": "Date of supply",
            "invoice_place_of_supply": "Place of supply",
            "invoice_qty": "Qty",
            "invoice_item": "Description",
            "invoice_hsn": "HSN",
            "invoice_rate": "Rate",
            "invoice_unit_price": "Unit price",
            "invoice_amount": "Amount",
            "invoice_subtotal": "Subtotal",
            "invoice_total": "Total",
            "invoice_tax_summary": "Tax",
            "invoice_taxable": "Taxable value",
            "invoice_vat": "VAT",
            "invoice_vat_included": "Prices include VAT; the taxable value is the net amount.",
            "invoice_paid": "Paid",
            "invoice_signatory": "Authorised signatory",
        },
    )
    register(
        "de",
        {
            "invoice_caption": "Ihre Rechnung {invoice} zur Bestellung {number}",
            "invoice_button": "Rechnung",
            "invoice_not_yet": "Die Rechnung zu Bestellung {number} kommt, sobald sie bezahlt oder geliefert ist.",
            "invoice_title": "Rechnung",
            "invoice_title_gst": "Rechnung",
            "invoice_gstin": "GSTIN",
            "invoice_vat_id": "USt-IdNr.",
            "invoice_tax_number": "Steuernummer",
            "invoice_buyer": "Rechnungsempfänger",
            "invoice_number": "Rechnungsnummer",
            "invoice_date": "Rechnungsdatum",
            "invoice_order": "Bestellung",
            "invoice_supply_date": "Lieferdatum",
            "invoice_place_of_supply": "Ort der Lieferung",
            "invoice_qty": "Menge",
            "invoice_item": "Bezeichnung",
            "invoice_hsn": "HSN",
            "invoice_rate": "Satz",
            "invoice_unit_price": "Einzelpreis",
            "invoice_amount": "Betrag",
            "invoice_subtotal": "Zwischensumme",
            "invoice_total": "Gesamt",
            "invoice_tax_summary": "Umsatzsteuer",
            "invoice_taxable": "Netto",
            "invoice_vat": "USt.",
            "invoice_vat_included": "Alle Preise inklusive Umsatzsteuer; Netto ist der Betrag ohne Steuer.",
            "invoice_paid": "Bezahlt",
            "invoice_signatory": "Unterschrift des Verkäufers",
        },
    )
    register(
        "hi",
        {
            "invoice_caption": "ऑर्डर {number} का आपका बिल {invoice}",
            "invoice_button": "बिल",
            "invoice_not_yet": "ऑर्डर {number} का बिल भुगतान या डिलीवरी होने पर मिलेगा।",
        },
    )
    register(
        "zh",
        {
            "invoice_caption": "订单 {number} 的发票 {invoice}",
            "invoice_button": "发票",
            "invoice_not_yet": "订单 {number} 付款或送达后即可获得发票。",
        },
    )
