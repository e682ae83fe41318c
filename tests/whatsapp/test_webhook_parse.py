"""Meta's webhook bodies, parsed into the core's Inbound and DeliveryReport (research §1)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from chatshop.messages import DeliveryState, InboundKind
from chatshop.money import Money
from chatshop.plugins.whatsapp.webhook import load_body, parse_webhook

from .meta import PHONE_NUMBER_ID, batch, contact, envelope, fixture, text_message, wire

WA_ID = "919812345678"


def parse(payload: Any) -> Any:
    """Parse the bytes Meta would send, as the endpoint does."""
    return parse_webhook(load_body(wire(payload)), "whatsapp", PHONE_NUMBER_ID)


def test_text_with_profile_name_and_time() -> None:
    result = parse(fixture("webhook_text.json"))
    [inbound] = result.inbound
    assert inbound.kind is InboundKind.TEXT
    assert inbound.customer_id == WA_ID
    assert inbound.text == "Hi, do you deliver atta and rice to Andheri East?"
    assert inbound.profile_name == "Priya Sharma"
    assert inbound.message_id.startswith("wamid.")
    assert inbound.received_at == datetime.fromtimestamp(1764038400, UTC)


def test_button_and_list_replies_become_choices() -> None:
    [button] = parse(fixture("webhook_interactive_button_reply.json")).inbound
    assert (button.kind, button.choice_id, button.text) == (
        InboundKind.CHOICE,
        "checkout:cod",
        "Cash on delivery",
    )
    [row] = parse(fixture("webhook_interactive_list_reply.json")).inbound
    assert row.kind is InboundKind.CHOICE and row.choice_id == "slot:2026-11-26:0900-1200"


def test_address_form_becomes_an_address() -> None:
    [inbound] = parse(fixture("webhook_interactive_nfm_reply_address.json")).inbound
    assert inbound.kind is InboundKind.ADDRESS
    address = inbound.address
    assert address is not None
    assert address.postal_code == "400069"
    assert address.name == "Priya Sharma"
    assert address.line.startswith("B-1204, Sunrise Heights, Sahar Road, Chakala")
    assert address.city == "Mumbai, Maharashtra"
    assert "400069" in address.one_line()


def test_location() -> None:
    [inbound] = parse(fixture("webhook_location.json")).inbound
    assert inbound.kind is InboundKind.LOCATION
    assert inbound.location is not None
    assert (inbound.location.latitude, inbound.location.longitude) == (19.111845, 72.860963)
    assert inbound.location.name == "Sunrise Heights"


def test_native_catalog_order_keeps_exact_prices() -> None:
    [inbound] = parse(fixture("webhook_order.json")).inbound
    assert inbound.kind is InboundKind.CART
    assert [(i.product_id, i.quantity, i.unit_price) for i in inbound.items] == [
        ("ATTA-AASH-5KG", 2, Money(28900, "INR")),
        ("RICE-BASM-1KG", 1, Money(14950, "INR")),
        ("TOOR-DAL-1KG", 3, Money(17200, "INR")),
    ]
    total = sum((i.unit_price.minor * i.quantity for i in inbound.items if i.unit_price), 0)
    assert total == 124350  # the research's 1243.50
    assert inbound.text == "Please send the 5kg pack if available"


def test_template_quick_reply_button_is_a_choice_with_its_payload() -> None:
    message = {
        "context": {"from": "919800012345", "id": "wamid.TEMPLATE"},
        "from": WA_ID,
        "id": "wamid.BUTTON1",
        "timestamp": "1764038465",
        "type": "button",
        "button": {"payload": "track:K7M-4QX", "text": "Track order"},
    }
    [inbound] = parse(envelope(messages=[message])).inbound
    assert (inbound.kind, inbound.choice_id, inbound.text) == (
        InboundKind.CHOICE,
        "track:K7M-4QX",
        "Track order",
    )


def test_media_unsupported_and_odd_messages() -> None:
    image = {
        "from": WA_ID,
        "id": "wamid.IMG",
        "timestamp": "1764038465",
        "type": "image",
        "image": {"id": "1234", "mime_type": "image/jpeg", "sha256": "x", "caption": "this one?"},
    }
    unsupported = {
        "from": WA_ID,
        "id": "wamid.UNS",
        "timestamp": "1764038466",
        "type": "unsupported",
        "errors": [{"code": 131051, "title": "Message type unknown"}],
    }
    stale = {"from": WA_ID, "id": "wamid.OLD", "timestamp": "1764038467", "type": "interactive"}
    reaction = {
        "from": WA_ID,
        "id": "wamid.REACT",
        "timestamp": "1764038468",
        "type": "reaction",
        "reaction": {"message_id": "wamid.X", "emoji": "👍"},
    }
    result = parse(envelope(messages=[image, unsupported, stale, reaction]))
    kinds = [(i.message_id, i.kind) for i in result.inbound]
    assert kinds == [
        ("wamid.IMG", InboundKind.MEDIA),
        ("wamid.UNS", InboundKind.UNSUPPORTED),
        ("wamid.OLD", InboundKind.UNSUPPORTED),
    ]
    assert result.inbound[0].text == "this one?"
    assert result.ignored == 1  # a reaction is not a message to answer


def test_customers_keyed_by_user_id_where_the_phone_is_absent() -> None:
    message = text_message(WA_ID, "hello", "wamid.BSUID")
    del message["from"]
    message["from_user_id"] = "IN.4821907735106428193"
    contacts = [{"profile": {"name": "Asha"}, "user_id": "IN.4821907735106428193"}]
    [inbound] = parse(envelope(messages=[message], contacts=contacts)).inbound
    assert inbound.customer_id == "IN.4821907735106428193"
    assert inbound.profile_name == "Asha"


def test_escaped_unicode_bodies_parse_to_the_real_text() -> None:
    payload = envelope(
        messages=[text_message(WA_ID, "Grüße! आटा चाहिए 🛒", "wamid.U")],
        contacts=[contact(WA_ID, "Jürgen Müller")],
    )
    body = wire(payload)
    assert body.isascii() and b"\\u00fc" in body
    [inbound] = parse_webhook(load_body(body), "whatsapp", PHONE_NUMBER_ID).inbound
    assert inbound.text == "Grüße! आटा चाहिए 🛒"
    assert inbound.profile_name == "Jürgen Müller"


def test_every_entry_change_message_and_status_of_a_batch() -> None:
    two_messages = envelope(
        messages=[
            text_message("491701111", "eins", "wamid.A1"),
            text_message("491702222", "zwei", "wamid.A2"),
        ],
        contacts=[contact("491701111", "Anna"), contact("491702222", "Ben")],
    )
    second_change = copy.deepcopy(two_messages)
    value = second_change["entry"][0]["changes"][0]["value"]
    value["messages"] = [text_message("491703333", "drei", "wamid.A3")]
    value["contacts"] = [contact("491703333", "Cem")]
    two_messages["entry"][0]["changes"].append(second_change["entry"][0]["changes"][0])
    payload = batch(
        two_messages,
        fixture("webhook_order.json"),
        fixture("webhook_status_failed.json"),
        fixture("webhook_status_payment_captured.json"),
    )
    result = parse(payload)
    assert [i.message_id for i in result.inbound] == [
        "wamid.A1",
        "wamid.A2",
        "wamid.A3",
        fixture("webhook_order.json")["entry"][0]["changes"][0]["value"]["messages"][0]["id"],
    ]
    assert [i.profile_name for i in result.inbound[:3]] == ["Anna", "Ben", "Cem"]
    assert len(result.statuses) == 1 and len(result.payments) == 1


def test_statuses_become_delivery_reports() -> None:
    [update] = parse(fixture("webhook_status_failed.json")).statuses
    report = update.report
    assert report.state is DeliveryState.FAILED
    assert report.error_code == "131047"
    assert report.customer_id == WA_ID
    assert update.error_codes == (131047,)
    sent = {
        "id": "wamid.S",
        "status": "sent",
        "timestamp": "1764038401",
        "recipient_id": WA_ID,
        "pricing": {"billable": False, "pricing_model": "PMP", "type": "free_customer_service"},
    }
    read = {**sent, "status": "read"}
    played = {**sent, "status": "played"}
    states = [u.report.state for u in parse(envelope(statuses=[sent, read, played])).statuses]
    assert states == [DeliveryState.SENT, DeliveryState.READ, DeliveryState.READ]


def test_payment_status() -> None:
    [payment] = parse(fixture("webhook_status_payment_captured.json")).payments
    assert payment.reference_id == "ORD-20261125-0042"
    assert payment.status == "captured"
    assert payment.amount == Money(124350, "INR")
    assert payment.transaction_status == "success"
    assert payment.transaction_id == "order_Pq7XkZ2mLw9aBc"


def test_updates_for_another_number_are_skipped() -> None:
    payload = envelope(messages=[text_message(WA_ID, "hi", "wamid.X")], phone_number_id="999")
    result = parse(payload)
    assert result.inbound == [] and result.ignored == 1


def test_garbage_is_not_a_crash() -> None:
    assert parse_webhook([], "whatsapp").inbound == []
    assert parse_webhook({"entry": [{"changes": [{"value": "x"}]}]}, "whatsapp").inbound == []
    broken = {"entry": [{"changes": [{"field": "messages", "value": {"messages": [{"type": "text"}]}}]}]}
    assert parse_webhook(broken, "whatsapp").inbound == []
