"""Built-in invoices: with ``[invoices]`` in ``shop.toml``, a tax invoice (PDF) for every paid or
delivered order, sent to the customer as a document (WhatsApp) or a link (WeChat, the web chat,
the terminal), and kept for the dashboard and ``chatshop invoice``.

The invoice is issued when the order is paid (online) or delivered (cash on delivery); issuing is
idempotent, so a later move or a second worker never issues a second one. Its link carries an
unguessable token of its own, not the order number.

An order with an invoice that is refunded (in full or in part) or comes back undelivered gets a
credit note (:func:`chatshop.invoices.credit`), sent the same way: once per refund, however often
it is told.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import structlog
from aiohttp import web

from chatshop.dialog.feature import Action, DialogFeature
from chatshop.dialog.turn import Turn
from chatshop.hookspecs import hookimpl
from chatshop.invoice_pdf import render_invoice
from chatshop.invoices import credit, issue
from chatshop.messages import Document
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus
from chatshop.payments import PaymentEvent, PaymentEventKind
from chatshop.runtime import Shop
from chatshop.store.base import InvoiceRecord

log = structlog.get_logger(__name__)

NAME = "invoices"


def invoice_pdf(shop: Shop, invoice: InvoiceRecord) -> bytes:
    """The invoice's PDF, its headings in the language the invoice was issued in (in English
    where the font cannot draw that language's letters)."""
    section = shop.config.invoices
    font = shop.config.resolve(section.font_file) if section is not None and section.font_file else None
    locale = str(invoice.data.get("locale") or shop.config.shop.locale)
    return render_invoice(
        invoice, lambda key: shop.texts.get(locale, key), font, fallback=lambda key: shop.texts.get("en", key)
    )


def invoice_url(shop: Shop, invoice: InvoiceRecord) -> str:
    return shop.public_url(f"/invoices/{invoice.token}.pdf")


def credit_note_url(shop: Shop, note: InvoiceRecord) -> str:
    return shop.public_url(f"/credit-notes/{note.token}.pdf")


def _is_credit_note(invoice: InvoiceRecord) -> bool:
    return invoice.data.get("kind") == "credit_note"


def filename(invoice: InvoiceRecord) -> str:
    kind = "credit-note-" if _is_credit_note(invoice) else "invoice-"
    return kind + "".join(c if c.isalnum() or c in "-_" else "-" for c in invoice.number) + ".pdf"


async def document_for(shop: Shop, invoice: InvoiceRecord, locale: str) -> Document:
    if _is_credit_note(invoice):
        amended, number = invoice.data["invoice"], invoice.order_number
        caption = shop.text(locale, "credit_note_caption", note=invoice.number, invoice=amended, number=number)
        return Document(url=credit_note_url(shop, invoice), filename=filename(invoice), caption=caption)
    caption = shop.text(locale, "invoice_caption", invoice=invoice.number, number=invoice.order_number)
    return Document(url=invoice_url(shop, invoice), filename=filename(invoice), caption=caption)


async def send_credit_note(shop: Shop, number: str) -> InvoiceRecord | None:
    """The credit note order ``number`` is due now (refunded, or back undelivered), issued and sent
    to the customer; None when none is due (no invoice, or credited already: told twice)."""
    if shop.config.invoices is None:
        return None
    order = await shop.store.get_order(number)
    if order is None:
        return None
    note = await credit(shop, order)
    if note is None:
        return None
    log.info("credit_note.issued", order=number, credit_note=note.number, invoice=note.data["invoice"])
    locale = await shop.customer_locale(order.customer_key)
    await shop.notify(order.customer_key, await document_for(shop, note, locale))
    return note


@hookimpl
async def order_refunded(shop: Shop, order: Order, amount: Money) -> None:
    """A refund of the shop's own, or one it recorded: the invoice is credited for it."""
    await send_credit_note(shop, order.number)


@hookimpl
async def payment_updated(shop: Shop, order: Order, event: PaymentEvent) -> None:
    """A refund the provider reports (one made in its dashboard): the invoice is credited for it."""
    if event.kind is PaymentEventKind.REFUNDED:
        await send_credit_note(shop, order.number)


@hookimpl
async def order_status_changed(shop: Shop, order: Order, old: OrderStatus, new: OrderStatus) -> None:
    """Paid or delivered: the invoice is issued (once) and sent to the customer. Cancelled after
    payment, back undelivered or refunded: a credit note for it (once)."""
    if shop.config.invoices is None:
        return
    if new in (OrderStatus.CANCELLED, OrderStatus.RETURNED, OrderStatus.REFUNDED):
        await send_credit_note(shop, order.number)
        return
    if new not in (OrderStatus.PAID, OrderStatus.DELIVERED):
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

    async def download_credit_note(request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        note = await shop.store.get_credit_note(token) if 20 <= len(token) <= 64 else None
        if note is None:
            raise web.HTTPNotFound(text="no such credit note")
        return pdf_response(shop, note)

    router.add_get("/invoices/{token}.pdf", download)
    router.add_get("/credit-notes/{token}.pdf", download_credit_note)


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
            "credit_note_caption": "Your credit note {note} for invoice {invoice} (order {number})",
            "credit_note_title": "Credit note",
            "credit_note_number": "Credit note number",
            "credit_note_date": "Credit note date",
            "credit_note_invoice": "Amends invoice",
            "credit_note_reason_refunded": "Issued for a refund of the invoiced supply.",
            "credit_note_reason_returned": "Issued because the goods came back undelivered.",
            "credit_note_line": "Refund against invoice {invoice}",
            "credit_note_total": "Total credited",
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
            "credit_note_caption": "Ihre Gutschrift {note} zur Rechnung {invoice} (Bestellung {number})",
            "credit_note_title": "Rechnungskorrektur (Gutschrift)",
            "credit_note_number": "Nummer",
            "credit_note_date": "Datum",
            "credit_note_invoice": "Berichtigt Rechnung",
            "credit_note_reason_refunded": "Ausgestellt für eine Erstattung der berechneten Lieferung.",
            "credit_note_reason_returned": "Ausgestellt, weil die Ware unzugestellt zurückkam.",
            "credit_note_line": "Erstattung zur Rechnung {invoice}",
            "credit_note_total": "Gutgeschrieben",
        },
    )
    register(
        "hi",
        {
            "invoice_caption": "ऑर्डर {number} का आपका इनवॉइस {invoice}",
            "invoice_button": "इनवॉइस",
            "invoice_not_yet": "ऑर्डर {number} का इनवॉइस भुगतान या डिलीवरी के बाद मिलेगा।",
            "invoice_title": "बिल",
            "invoice_title_gst": "टैक्स इनवॉइस",
            "invoice_gstin": "GSTIN",
            "invoice_vat_id": "VAT ID",
            "invoice_tax_number": "कर संख्या",
            "invoice_buyer": "बिल पाने वाला",
            "invoice_number": "इनवॉइस संख्या",
            "invoice_date": "इनवॉइस की तारीख़",
            "invoice_order": "ऑर्डर",
            "invoice_supply_date": "आपूर्ति की तारीख़",
            "invoice_place_of_supply": "आपूर्ति का स्थान",
            "invoice_qty": "मात्रा",
            "invoice_item": "विवरण",
            "invoice_hsn": "HSN",
            "invoice_rate": "दर",
            "invoice_unit_price": "इकाई मूल्य",
            "invoice_amount": "राशि",
            "invoice_subtotal": "उप-योग",
            "invoice_total": "कुल",
            "invoice_tax_summary": "कर",
            "invoice_taxable": "कर योग्य मूल्य",
            "invoice_vat": "VAT",
            "invoice_vat_included": "कीमतों में VAT शामिल है; कर योग्य मूल्य शुद्ध राशि है।",
            "invoice_paid": "भुगतान किया",
            "invoice_signatory": "अधिकृत हस्ताक्षरकर्ता",
            "credit_note_caption": "इनवॉइस {invoice} (ऑर्डर {number}) का आपका क्रेडिट नोट {note}",
            "credit_note_title": "क्रेडिट नोट",
            "credit_note_number": "क्रेडिट नोट संख्या",
            "credit_note_date": "क्रेडिट नोट की तारीख़",
            "credit_note_invoice": "संबंधित इनवॉइस",
            "credit_note_reason_refunded": "बिल की गई आपूर्ति के रिफ़ंड के लिए जारी।",
            "credit_note_reason_returned": "सामान डिलीवर न होकर वापस आने के कारण जारी।",
            "credit_note_line": "इनवॉइस {invoice} पर रिफ़ंड",
            "credit_note_total": "कुल क्रेडिट",
        },
    )
    register(
        "zh",
        {
            "invoice_caption": "订单 {number} 的发票 {invoice}",
            "invoice_button": "发票",
            "invoice_not_yet": "订单 {number} 付款或送达后即可开具发票。",
            "invoice_title": "发票",
            "invoice_title_gst": "税务发票",
            "invoice_gstin": "GSTIN",
            "invoice_vat_id": "增值税号",
            "invoice_tax_number": "税号",
            "invoice_buyer": "购买方",
            "invoice_number": "发票号码",
            "invoice_date": "开票日期",
            "invoice_order": "订单",
            "invoice_supply_date": "供货日期",
            "invoice_place_of_supply": "供货地",
            "invoice_qty": "数量",
            "invoice_item": "商品名称",
            "invoice_hsn": "HSN",
            "invoice_rate": "税率",
            "invoice_unit_price": "单价",
            "invoice_amount": "金额",
            "invoice_subtotal": "小计",
            "invoice_total": "合计",
            "invoice_tax_summary": "税额",
            "invoice_taxable": "计税金额",
            "invoice_vat": "增值税",
            "invoice_vat_included": "价格已含增值税；计税金额为不含税金额。",
            "invoice_paid": "已付",
            "invoice_signatory": "授权签字人",
            "credit_note_caption": "发票 {invoice}（订单 {number}）的红字凭证 {note}",
            "credit_note_title": "贷项通知单",
            "credit_note_number": "通知单号码",
            "credit_note_date": "开具日期",
            "credit_note_invoice": "对应发票",
            "credit_note_reason_refunded": "因所开票供货退款而开具。",
            "credit_note_reason_returned": "因货物未送达退回而开具。",
            "credit_note_line": "发票 {invoice} 的退款",
            "credit_note_total": "贷记合计",
        },
    )
