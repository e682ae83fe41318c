"""Document messages (an invoice PDF) as Meta documents them ([M: Document messages]): the fake
Graph API accepts exactly that shape, and the renderer sends nothing else."""

from __future__ import annotations

import pytest

from chatshop.messages import Document
from chatshop.plugins.whatsapp.render import envelope, render
from chatshop.testing.fakes.whatsapp import FakeGraph, Invalid


def test_an_invoice_goes_as_a_document_with_its_file_name_and_caption() -> None:
    rendered = render(
        Document(
            url="https://shop.example/invoices/abc.pdf", filename="invoice-RE2026-00001.pdf", caption="Ihre Rechnung"
        )
    )
    assert rendered.type == "document"
    assert rendered.content == {
        "link": "https://shop.example/invoices/abc.pdf",
        "filename": "invoice-RE2026-00001.pdf",
        "caption": "Ihre Rechnung",
    }
    FakeGraph().validate_message(envelope("4915112345678", rendered))


def test_a_link_meta_cannot_fetch_goes_as_text() -> None:
    rendered = render(Document(url="/invoices/abc.pdf", filename="invoice.pdf", caption="Invoice"))
    assert rendered.type == "text" and "/invoices/abc.pdf" in rendered.content["body"]


@pytest.mark.parametrize(
    "document",
    [
        {"filename": "invoice.pdf"},  # neither link nor id
        {"link": "ftp://shop.example/a.pdf"},
        {"link": "https://shop.example/a.pdf", "id": "123"},
        {"link": "https://shop.example/a.pdf", "filename": "invoice.exe"},
        {"link": "https://shop.example/a.pdf", "caption": "x" * 1025},
        {"link": "https://shop.example/a.pdf", "title": "Invoice"},
    ],
)
def test_the_fake_refuses_what_meta_refuses(document: dict[str, str]) -> None:
    body = {"messaging_product": "whatsapp", "to": "4915112345678", "type": "document", "document": document}
    with pytest.raises(Invalid):
        FakeGraph().validate_message(body)
