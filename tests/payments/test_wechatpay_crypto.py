"""WeChat Pay v3 cryptography, checked against the recorded notification in shared/fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from chatshop.plugins.payments.wechatpay import crypto
from chatshop.plugins.payments.wechatpay.webhook import open_notification, verify_notification
from chatshop.testing.fakes.wechatpay import new_key

FIXTURE = Path("/work/shared/fixtures/wechat/pay_notify_transaction_success.json")


@pytest.fixture(scope="module")
def recorded() -> dict[str, Any]:
    if not FIXTURE.exists():
        pytest.skip("the shared WeChat Pay fixture is not on this machine")
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def test_the_recorded_notification_verifies_and_decrypts(recorded: dict[str, Any]) -> None:
    request = recorded["request"]
    body = request["body_raw"].encode()
    key = serialization.load_pem_public_key(recorded["verification"]["wechatpay_public_key_pem"].encode())
    headers = request["headers"]
    signed_at = int(headers["Wechatpay-Timestamp"])
    assert crypto.answer_message(headers["Wechatpay-Timestamp"], headers["Wechatpay-Nonce"], body) == (
        recorded["verification"]["signing_string"].encode()
    )
    common = {"keys": {headers["Wechatpay-Serial"]: key}, "tolerance": 300}
    assert verify_notification(headers, body, now=signed_at + 60, **common)  # type: ignore[arg-type]
    assert not verify_notification(headers, body, now=signed_at + 301, **common)  # type: ignore[arg-type]
    assert not verify_notification(headers, body + b" ", now=signed_at, **common)  # type: ignore[arg-type]
    other = {**common, "keys": {"PUB_KEY_ID_SOMEONE_ELSE": key}}
    assert not verify_notification(headers, body, now=signed_at, **other)  # type: ignore[arg-type]

    envelope, transaction = open_notification(body, recorded["test_apiv3_key"].encode())
    assert envelope["id"] == "EV-2026010116051200012345"
    assert transaction == recorded["after_decryption_resource"]


def test_a_wrong_apiv3_key_does_not_decrypt(recorded: dict[str, Any]) -> None:
    body = recorded["request"]["body_raw"].encode()
    with pytest.raises(crypto.DecryptionError):
        open_notification(body, b"0" * 32)


def test_authorization_header_has_the_five_fields_and_verifies() -> None:
    key = new_key()
    header = crypto.authorization(
        key,
        mchid="1900009191",
        serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
        method="POST",
        url="/v3/pay/transactions/native",
        body='{"a":1}',
        timestamp=1554208460,
        nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",
    )
    scheme, _, rest = header.partition(" ")
    assert scheme == "WECHATPAY2-SHA256-RSA2048"
    fields = dict(part.split("=", 1) for part in rest.split(","))
    assert set(fields) == {"mchid", "nonce_str", "signature", "timestamp", "serial_no"}
    signed = b'POST\n/v3/pay/transactions/native\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{"a":1}\n'
    assert crypto.verify(key.public_key(), signed, fields["signature"].strip('"'))


def test_pay_sign_covers_the_four_lines() -> None:
    key = new_key()
    sign = crypto.pay_sign(key, appid="wx1", timestamp="1414561699", nonce_str="5K8264", package="prepay_id=wx2")
    assert crypto.verify(key.public_key(), b"wx1\n1414561699\n5K8264\nprepay_id=wx2\n", sign)
    assert not crypto.verify(key.public_key(), b"wx1\n1414561699\n5K8264\nprepay_id=wx3\n", sign)
    assert not crypto.verify(key.public_key(), b"x", "not base64!")
