from __future__ import annotations

import pytest

from chatshop.plugins.wechat.signature import SignatureError, check_fresh, sha1_signature, verify

from .wire import ENVELOPE, TOKEN


def test_official_vector() -> None:
    assert sha1_signature("AAAAA", "1714036504", "1514711492") == "f464b24fc39322e44b38aa78f5edd27bd1441696"


def test_fixture_get_signature_verifies() -> None:
    q = ENVELOPE["url_verification_get"]["query"]
    verify(q["signature"], TOKEN, q["timestamp"], q["nonce"])
    verify(q["signature"].upper(), TOKEN, q["timestamp"], q["nonce"])


@pytest.mark.parametrize("signature", ["", None, "0" * 40, "8d98a3ea63315c944eee4ccd9c07c68bfc2d168c"])
def test_wrong_or_missing_signature_refused(signature: str | None) -> None:
    q = ENVELOPE["url_verification_get"]["query"]
    with pytest.raises(SignatureError):
        verify(signature, TOKEN, q["timestamp"], q["nonce"])


def test_msg_signature_covers_the_ciphertext() -> None:
    q = ENVELOPE["inbound_post"]["query"]
    encrypted = ENVELOPE["inbound_post"]["body"].split("CDATA[")[2].split("]]")[0]
    verify(q["msg_signature"], TOKEN, q["timestamp"], q["nonce"], encrypted)
    with pytest.raises(SignatureError):
        verify(q["msg_signature"], TOKEN, q["timestamp"], q["nonce"], encrypted[:-4] + "AAA=")


@pytest.mark.parametrize("timestamp", ["", "abc", "-5", "1767254400.5", "99999999999999", "²", "１７６７２５４４００"])
def test_malformed_timestamps_refused(timestamp: str) -> None:
    with pytest.raises(SignatureError):
        check_fresh(timestamp, 1767254400, 300)


def test_replay_window() -> None:
    check_fresh("1767254400", 1767254400 + 300, 300)
    check_fresh("1767254400", 1767254400 - 300, 300)
    with pytest.raises(SignatureError):
        check_fresh("1767254400", 1767254400 + 301, 300)
    with pytest.raises(SignatureError):
        check_fresh("1767254400", 1767254400 - 301, 300)


@pytest.mark.parametrize("signature", ["\udce9" * 40, "é" * 40, "\ud83d"])
def test_a_signature_that_is_not_ascii_is_refused_not_an_error(signature: str) -> None:
    with pytest.raises(SignatureError):
        verify(signature, "token", "1767254400", "nonce")
    with pytest.raises(SignatureError):
        verify(sha1_signature("token", "1767254400", "n"), "token", "1767254400", "\udce9\ud83d")
