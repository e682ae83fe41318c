"""An invoice as a PDF, drawn with fpdf2 from the invoice's snapshot.

fpdf2 is pure Python and well kept; it embeds a TrueType font, so the rupee sign, umlauts and the
customer's own script print as typed where the font has them. The font is ``[invoices] font_file``,
else DejaVu Sans where the system has it (no Devanagari, no Chinese: a heading it cannot draw is
printed in English); without either, the PDF falls back to a built-in font and writes amounts with
the currency's code ("15.80 EUR") and any letter it cannot draw as "?".
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import TTFFont

from chatshop.money import Money
from chatshop.store.base import InvoiceRecord

__all__ = ["SYSTEM_FONTS", "render_invoice"]

#: Where Debian, Ubuntu, Fedora and Arch keep DejaVu Sans (regular, bold).
SYSTEM_FONTS: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
)

Label = Callable[[str], str]


def _font(pdf: FPDF, font_file: Path | None) -> bool:
    """Load a Unicode font; False when only the built-in (Latin-1) fonts are left."""
    candidates = [(str(font_file), str(font_file))] if font_file is not None else list(SYSTEM_FONTS)
    for regular, bold in candidates:
        if Path(regular).is_file():
            pdf.add_font("Body", "", regular)
            pdf.add_font("Body", "B", bold if Path(bold).is_file() else regular)
            return True
    return False


class _Page:
    def __init__(self, font_file: Path | None, locale: str, currency: str) -> None:
        self.pdf = FPDF(format="A4", unit="mm")
        self.pdf.set_auto_page_break(auto=True, margin=18)
        self.unicode = _font(self.pdf, font_file)
        self.family = "Body" if self.unicode else "helvetica"
        self.locale, self.currency = locale, currency
        self.pdf.add_page()

    def text(self, value: str) -> str:
        if self.unicode:
            return value
        return value.encode("latin-1", "replace").decode("latin-1")

    def drawable(self, value: str) -> bool:
        """Whether the font has a glyph for every letter of ``value`` (DejaVu Sans has no
        Devanagari or Chinese; the built-in fonts only Latin-1)."""
        font = self.pdf.fonts.get(self.family.lower())
        if not isinstance(font, TTFFont):
            return all(ord(char) < 256 for char in value)
        return all(char.isspace() or ord(char) in font.cmap for char in value)

    def money(self, minor: int) -> str:
        amount = Money(minor, self.currency)
        return amount.format(self.locale) if self.unicode else f"{amount.decimal} {self.currency}"

    def font(self, size: float, bold: bool = False) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)

    def line(self, value: str, size: float = 9, bold: bool = False, height: float = 4.6) -> None:
        self.font(size, bold)
        self.pdf.multi_cell(0, height, self.text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def row(self, cells: list[tuple[str, float, str]], bold: bool = False, border: str = "") -> None:
        """One table row: (text, width in mm, align L/R/C) per cell."""
        self.font(8.5, bold)
        for value, width, align in cells:
            self.pdf.cell(width, 5.5, self.text(value), border=border, align=align)
        self.pdf.ln(5.5)

    def gap(self, height: float = 3) -> None:
        self.pdf.ln(height)


def _rate(value: Any) -> str:
    return f"{Decimal(str(value)).normalize():f} %"


def render_invoice(
    invoice: InvoiceRecord, label: Label, font_file: Path | None = None, *, fallback: Label | None = None
) -> bytes:
    """The invoice's PDF; ``label(key)`` gives each heading in the invoice's language, and
    ``fallback(key)`` in English, for a heading whose letters the font cannot draw (a Hindi or
    Chinese shop without ``[invoices] font_file``): a heading in English, not in empty boxes.

    A credit note (``kind`` "credit_note") is drawn the same way, titled as one, with the invoice
    it amends and the amount and tax it credits."""
    data = invoice.data
    credit = data.get("kind") == "credit_note"
    page = _Page(font_file, data.get("locale") or "en", data["currency"])
    if fallback is not None:
        label = _drawable_label(page, label, fallback)
    pdf = page.pdf
    pdf.set_title(f"{label('credit_note_title' if credit else 'invoice_title')} {invoice.number}")
    pdf.set_author(str(data["seller"]["name"]))
    pdf.set_creation_date(invoice.issued_at)
    seller, buyer = data["seller"], data["buyer"]
    gst = data.get("system") == "gst"

    title = "credit_note_title" if credit else "invoice_title_gst" if gst else "invoice_title"
    page.line(label(title), size=16, bold=True, height=8)
    page.gap(1)
    page.line(str(seller["name"]), bold=True)
    for value in (seller.get("address"), seller.get("contact")):
        if value:
            page.line(str(value))
    if seller.get("gstin"):
        page.line(f"{label('invoice_gstin')}: {seller['gstin']}")
    if seller.get("vat_id"):
        page.line(f"{label('invoice_vat_id')}: {seller['vat_id']}")
    if seller.get("tax_number"):
        page.line(f"{label('invoice_tax_number')}: {seller['tax_number']}")
    page.gap()
    page.line(label("invoice_buyer"), bold=True)
    page.line(str(buyer.get("name") or "—"))
    if buyer.get("address"):
        page.line(str(buyer["address"]))
    page.gap()
    if credit:
        page.line(f"{label('credit_note_number')}: {invoice.number}", bold=True)
        page.line(f"{label('credit_note_date')}: {data['date']}")
        page.line(f"{label('credit_note_invoice')}: {data['invoice']} ({data['invoice_date']})", bold=True)
        page.line(label(f"credit_note_reason_{data.get('reason') or 'refunded'}"))
    else:
        page.line(f"{label('invoice_number')}: {invoice.number}", bold=True)
        page.line(f"{label('invoice_date')}: {data['date']}")
    page.line(f"{label('invoice_order')}: {data['order']} ({data.get('order_date') or data['date']})")
    page.line(f"{label('invoice_supply_date')}: {data.get('order_date') or data['date']}")
    tax = data.get("tax") or {}
    if gst and tax.get("place_of_supply"):
        code, name = tax["place_of_supply"]
        page.line(f"{label('invoice_place_of_supply')}: {name} ({code})")
    page.gap()

    rates = {item["key"]: item for item in tax.get("items", [])}
    widths = [12.0, 86.0, 20.0, 16.0, 23.0, 23.0]
    page.row(
        [
            (label("invoice_qty"), widths[0], "R"),
            (label("invoice_item"), widths[1], "L"),
            (label("invoice_hsn") if gst else "", widths[2], "L"),
            (label("invoice_rate") if tax else "", widths[3], "R"),
            (label("invoice_unit_price"), widths[4], "R"),
            (label("invoice_amount"), widths[5], "R"),
        ],
        bold=True,
        border="B",
    )
    for line in data["lines"]:
        taxed = rates.get(line["product_id"], {})
        page.row(
            [
                (str(line["quantity"]), widths[0], "R"),
                (str(line["title"])[:60], widths[1], "L"),
                (str(taxed.get("hsn") or "") if gst else "", widths[2], "L"),
                (_rate(taxed["rate"]) if taxed else "", widths[3], "R"),
                (page.money(line["unit_minor"]), widths[4], "R"),
                (page.money(line["total_minor"]), widths[5], "R"),
            ]
        )
    page.row(
        [
            ("", sum(widths[:4]), "L"),
            (label("invoice_subtotal"), widths[4], "R"),
            (page.money(data["subtotal_minor"]), widths[5], "R"),
        ],
        border="T",
    )
    for adjustment in data["adjustments"]:
        page.row(
            [
                ("", widths[0], "L"),
                (_adjustment_label(page, adjustment), sum(widths[1:5]), "L"),
                (page.money(adjustment["amount_minor"]), widths[5], "R"),
            ]
        )
    page.row(
        [
            ("", widths[0], "L"),
            (label("credit_note_total" if credit else "invoice_total"), sum(widths[1:5]), "L"),
            (page.money(data["total_minor"]), widths[5], "R"),
        ],
        bold=True,
        border="T",
    )
    if tax.get("groups"):
        _tax_table(page, tax, label, gst)
    page.gap(4)
    if data.get("paid_minor"):
        page.line(f"{label('invoice_paid')}: {page.money(data['paid_minor'])} ({data['payment_method']})")
    if gst:
        page.gap(6)
        page.line(f"{label('invoice_signatory')}: {seller['name']}")
    return bytes(pdf.output())


def _drawable_label(page: _Page, label: Label, fallback: Label) -> Label:
    def drawn(key: str) -> str:
        text = label(key)
        return text if page.drawable(text) else fallback(key)

    return drawn


def _adjustment_label(page: _Page, adjustment: dict[str, Any]) -> str:
    """The line's label as issued, or in English (kept beside it since) where the font cannot draw it."""
    issued = str(adjustment["label"])
    english = adjustment.get("label_en")
    return issued if english is None or page.drawable(issued) else str(english)


def _tax_table(page: _Page, tax: dict[str, Any], label: Label, gst: bool) -> None:
    """Per rate: the taxable value and the tax (VAT included: the net and the VAT in the total)."""
    page.gap(4)
    page.line(label("invoice_tax_summary"), bold=True)
    kinds = sorted(
        {kind for g in tax["groups"] for kind, _, _ in g["components"]},
        key=["cgst", "sgst", "igst", "vat", "sales_tax"].index,
    )
    width = 180.0 / (3 + len(kinds))
    page.row(
        [
            (label("invoice_hsn") if gst else "", width, "L"),
            (label("invoice_rate"), width, "R"),
            (label("invoice_taxable"), width, "R"),
        ]
        + [(kind.upper().replace("_", " ") if kind != "vat" else label("invoice_vat"), width, "R") for kind in kinds],
        bold=True,
        border="B",
    )
    totals = dict.fromkeys(kinds, 0)
    base = 0
    for group in tax["groups"]:
        amounts = {kind: amount for kind, _, amount in group["components"]}
        rates = {kind: rate for kind, rate, _ in group["components"]}
        base += group["base"]
        cells = [
            (str(group.get("hsn") or ""), width, "L"),
            (_rate(group["rate"]), width, "R"),
            (page.money(group["base"]), width, "R"),
        ]
        for kind in kinds:
            totals[kind] += amounts.get(kind, 0)
            shown = (
                f"{page.money(amounts[kind])} ({_rate(rates[kind])})"
                if kind in amounts and len(kinds) > 1
                else page.money(amounts.get(kind, 0))
            )
            cells.append((shown, width, "R"))
        page.row(cells)
    page.row(
        [("", width, "L"), (label("invoice_total"), width, "R"), (page.money(base), width, "R")]
        + [(page.money(totals[kind]), width, "R") for kind in kinds],
        bold=True,
        border="T",
    )
    if tax.get("inclusive"):
        page.line(label("invoice_vat_included"), size=8)
