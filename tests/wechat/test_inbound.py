from __future__ import annotations

import json

import pytest

from chatshop.messages import DeliveryReport, DeliveryState, Inbound, InboundKind
from chatshop.plugins.wechat.inbound import InboundRejected, parse_push
from chatshop.plugins.wechat.xml import parse_fields

from .wire import FIXTURES, OPENID, fixture


def _parse(name: str) -> Inbound:
    item = parse_push(parse_fields(fixture(name).encode()))
    assert isinstance(item, Inbound)
    assert item.channel == "wechat" and item.customer_id == OPENID
    return item


def test_text() -> None:
    item = _parse("msg_text.xml")
    assert (item.kind, item.text, item.message_id) == (
        InboundKind.TEXT,
        "menu",
        "msg:25013462771288417",
    )
    assert item.received_at is not None and int(item.received_at.timestamp()) == 1767254400


def test_msgmenu_tap_is_a_choice() -> None:
    echo = json.loads((FIXTURES / "cs_send_msgmenu.json").read_text())["inbound_click_echo_example"]
    item = parse_push(parse_fields(echo.encode()))
    assert isinstance(item, Inbound)
    assert (item.kind, item.choice_id, item.text) == (
        InboundKind.CHOICE,
        "cod_A1001",
        "Cash on delivery",
    )


def test_image_is_media() -> None:
    item = _parse("msg_image.xml")
    assert (item.kind, item.event, item.message_id) == (
        InboundKind.MEDIA,
        "image",
        "msg:25013462771288418",
    )


def test_location_is_the_delivery_location() -> None:
    item = _parse("msg_location.xml")
    assert item.kind is InboundKind.LOCATION and item.location is not None
    assert (item.location.latitude, item.location.longitude) == (31.230416, 121.473701)
    assert item.location.address == "上海市黄浦区人民大道200号"


def test_subscribe_with_qr_scene() -> None:
    item = _parse("event_subscribe_qrscene.xml")
    assert (item.kind, item.event, item.event_key) == (InboundKind.EVENT, "subscribe", "shop_1001")
    assert item.message_id == f"evt:{OPENID}:1767254000:subscribe:qrscene_shop_1001"


@pytest.mark.parametrize(
    ("name", "event", "key"),
    [
        ("event_unsubscribe.xml", "unsubscribe", None),
        ("event_scan.xml", "scan", "shop_1001"),
        ("event_view.xml", "view", "https://shop.example.com/cart?src=menu"),
    ],
)
def test_lifecycle_events(name: str, event: str, key: str | None) -> None:
    item = _parse(name)
    assert (item.kind, item.event, item.event_key) == (InboundKind.EVENT, event, key)


def test_click_with_a_foreign_key_passes_the_key_through() -> None:
    item = _parse("event_click.xml")
    assert (item.kind, item.choice_id, item.event) == (
        InboundKind.CHOICE,
        "CATALOG_BROWSE",
        "click",
    )
    assert item.message_id == f"evt:{OPENID}:1767254500:CLICK:CATALOG_BROWSE"


def test_click_on_our_menu_maps_to_the_action() -> None:
    xml = fixture("event_click.xml").replace("CATALOG_BROWSE", "CHATSHOP_CART")
    item = parse_push(parse_fields(xml.encode()))
    assert isinstance(item, Inbound) and item.choice_id == "cart"


def test_retry_has_the_same_dedup_key() -> None:
    assert _parse("event_scan.xml").message_id == _parse("event_scan.xml").message_id


def test_template_delivery_event_is_a_report() -> None:
    xml = (
        "<xml><ToUserName>gh_3c8e1a5b7d90</ToUserName><FromUserName>u1</FromUserName>"
        "<CreateTime>1767254999</CreateTime><MsgType>event</MsgType>"
        "<Event>TEMPLATESENDJOBFINISH</Event><MsgID>200163836</MsgID>"
        "<Status>failed:user block</Status></xml>"
    )
    report = parse_push(parse_fields(xml.encode()))
    assert isinstance(report, DeliveryReport)
    assert (report.provider_message_id, report.state) == ("tpl:200163836", DeliveryState.FAILED)


def test_unknown_type_is_unsupported_not_an_error() -> None:
    xml = fixture("msg_text.xml").replace("[text]", "[miniprogrampage]")
    item = parse_push(parse_fields(xml.encode()))
    assert isinstance(item, Inbound) and item.kind is InboundKind.UNSUPPORTED


@pytest.mark.parametrize(
    "xml",
    [
        "<xml><MsgType>text</MsgType></xml>",
        "<xml><FromUserName>u</FromUserName><CreateTime>x</CreateTime><MsgType>text</MsgType></xml>",
        "<xml><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>",
        "<xml><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>location</MsgType>"
        "<MsgId>1</MsgId><Location_X>95</Location_X><Location_Y>1</Location_Y></xml>",
    ],
)
def test_incomplete_pushes_refused(xml: str) -> None:
    with pytest.raises(InboundRejected):
        parse_push(parse_fields(xml.encode()))
