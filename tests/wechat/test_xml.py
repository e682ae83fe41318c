from __future__ import annotations

import pytest

from chatshop.plugins.wechat.xml import MAX_BODY_BYTES, XmlRejected, parse_fields, render_fields

from .wire import BILLION_LAUGHS, XXE, fixture


def test_reads_a_fixture() -> None:
    fields = parse_fields(fixture("msg_location.xml").encode())
    assert fields["Label"] == "上海市黄浦区人民大道200号"
    assert fields["Location_X"] == "31.230416"


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS,
        XXE,
        "<!DOCTYPE xml><xml><MsgType>text</MsgType></xml>",
        '<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:1/evil.dtd"><xml/>',
        '<xml><MsgType>text</MsgType></xml><!DOCTYPE late [<!ENTITY a "b">]>',
        "<xml><Content>&amp;</Content><Content>&#60;",
        "<notxml><MsgType>text</MsgType></notxml>",
        "",
        "success",
        "<xml>" + "<a>" * 50 + "</a>" * 50 + "</xml>",
        "<xml><a><b><c><d><e><f>deep</f></e></d></c></b></a></xml>",
    ],
)
def test_hostile_or_broken_bodies_refused(body: str) -> None:
    with pytest.raises(XmlRejected):
        parse_fields(body.encode())


def test_huge_body_refused_before_parsing() -> None:
    body = b"<xml><Content><![CDATA[" + b"x" * MAX_BODY_BYTES + b"]]></Content></xml>"
    with pytest.raises(XmlRejected, match="large"):
        parse_fields(body)


def test_deepest_wechat_shape_allowed() -> None:
    body = (
        b"<xml><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[pic_sysphoto]]></Event>"
        b"<SendPicsInfo><Count>1</Count><PicList><item><PicMd5Sum><![CDATA[1b5f7c23b5bf75682a53e7b6d163e185]]>"
        b"</PicMd5Sum></item></PicList></SendPicsInfo></xml>"
    )
    assert parse_fields(body)["Event"] == "pic_sysphoto"


def test_render_survives_cdata_terminator_in_text() -> None:
    xml = render_fields({"Content": "a]]>b<c>", "CreateTime": 5})
    assert parse_fields(xml.encode()) == {"Content": "a]]>b<c>", "CreateTime": "5"}


def test_customer_text_may_contain_markup_in_cdata() -> None:
    body = "<xml><Content><![CDATA[<!DOCTYPE x> <!ENTITY y> <!-- z --> &lol;]]></Content></xml>"
    assert parse_fields(body.encode())["Content"] == "<!DOCTYPE x> <!ENTITY y> <!-- z --> &lol;"
