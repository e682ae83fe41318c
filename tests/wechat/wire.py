"""Signed and encrypted WeChat pushes, built by the test from the protocol description.

Deliberately independent of ``chatshop.plugins.wechat``: the signature and the AES envelope are
re-implemented here from research/wechat.md §1-2, and checked against the fixture vectors in
``test_wire.py``, so a bug in the plugin cannot hide behind the same bug in its tests.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

FIXTURES = Path("/work/shared/fixtures/wechat")
ENVELOPE = json.loads((FIXTURES / "encrypted_envelope.json").read_text())
TOKEN = ENVELOPE["config"]["token"]
AES_KEY = ENVELOPE["config"]["encoding_aes_key"]
APP_ID = ENVELOPE["config"]["appid"]
ORIGINAL_ID = "gh_3c8e1a5b7d90"
OPENID = "oK7zR5vQ2nW9xT4bY1mH8cJ6dE3a"


def encrypted_in(body: str) -> str:
    """The ``Encrypt`` value of an envelope."""
    found = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]>", body)
    assert found is not None, body
    return found.group(1)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def sha1_sorted(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _cipher(encoding_aes_key: str) -> Cipher[modes.CBC]:
    key = base64.b64decode(encoding_aes_key + "=")
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def encrypt(xml: str, *, key: str = AES_KEY, app_id: str = APP_ID, random16: bytes = b"0" * 16) -> str:
    message = xml.encode()
    plain = random16 + struct.pack(">I", len(message)) + message + app_id.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    encryptor = _cipher(key).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(encrypted: str, *, key: str = AES_KEY) -> tuple[str, str]:
    """(message, appid) from an ``Encrypt`` value."""
    decryptor = _cipher(key).decryptor()
    plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    plain = plain[: -plain[-1]]
    (length,) = struct.unpack(">I", plain[16:20])
    return plain[20 : 20 + length].decode(), plain[20 + length :].decode()


def text_xml(content: str, msg_id: int, created: int, *, openid: str = OPENID, extra: str = "") -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId>{extra}</xml>"
    )


def plain_push(body: str, timestamp: int, nonce: str = "1357924680", token: str = TOKEN) -> dict[str, Any]:
    """Query and body of a plain-mode push."""
    ts = str(timestamp)
    query = {
        "signature": sha1_sorted(token, ts, nonce),
        "timestamp": ts,
        "nonce": nonce,
        "openid": OPENID,
    }
    return {"params": query, "data": body.encode()}


def safe_push(
    inner_xml: str, timestamp: int, nonce: str = "1357924680", *, token: str = TOKEN, **crypt: Any
) -> dict[str, Any]:
    """Query and body of a safe-mode push (``encrypt_type=aes``)."""
    ts = str(timestamp)
    encrypted = encrypt(inner_xml, **crypt)
    body = f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    query = {
        "signature": sha1_sorted(token, ts, nonce),
        "timestamp": ts,
        "nonce": nonce,
        "openid": OPENID,
        "encrypt_type": "aes",
        "msg_signature": sha1_sorted(token, ts, nonce, encrypted),
    }
    return {"params": query, "data": body.encode()}


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]><xml><ToUserName>gh</ToUserName><FromUserName>x</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&lol9;</Content><MsgId>1</MsgId></xml>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>x</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>"
)
