from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from chatshop.plugins.wechat.crypto import CryptoError, WeChatCrypto

from .wire import AES_KEY, APP_ID, ENVELOPE, decrypt, encrypt, encrypted_in


def test_key_and_iv_as_the_fixture_says() -> None:
    crypto = WeChatCrypto(AES_KEY, APP_ID)
    assert crypto._key.hex() == ENVELOPE["config"]["aes_key_hex"]
    assert crypto._iv.hex() == ENVELOPE["config"]["iv_hex"]


def test_decrypts_the_fixture_push() -> None:
    post = ENVELOPE["inbound_post"]
    plain = WeChatCrypto(AES_KEY, APP_ID).decrypt(encrypted_in(post["body"]))
    assert plain.decode() == post["decrypted_plaintext"]


def test_encrypts_the_fixture_reply_exactly() -> None:
    reply = ENVELOPE["encrypted_reply"]
    encrypted = WeChatCrypto(AES_KEY, APP_ID).encrypt(
        reply["plaintext"].encode(), random_prefix=reply["random16_used"].encode()
    )
    assert encrypted == encrypted_in(reply["response_body"])


def test_random_prefix_is_fresh_and_decryptable_by_the_other_side() -> None:
    crypto = WeChatCrypto(AES_KEY, APP_ID)
    one, two = crypto.encrypt(b"<xml/>"), crypto.encrypt(b"<xml/>")
    assert one != two
    assert decrypt(one) == ("<xml/>", APP_ID)


@pytest.mark.parametrize("size", [0, 1, 11, 12, 13, 44, 45, 1000])
def test_padding_to_32(size: int) -> None:
    message = "x" * size
    encrypted = encrypt(message)  # built by the test
    assert len(base64.b64decode(encrypted)) % 32 == 0
    assert WeChatCrypto(AES_KEY, APP_ID).decrypt(encrypted) == message.encode()


def test_other_appid_refused() -> None:
    encrypted = encrypt("<xml/>", app_id="wx0000000000000000")
    with pytest.raises(CryptoError, match="appid"):
        WeChatCrypto(AES_KEY, APP_ID).decrypt(encrypted)


def test_other_key_refused() -> None:
    other = "A" * 43
    with pytest.raises(CryptoError):
        WeChatCrypto(other, APP_ID).decrypt(encrypt("<xml>hello</xml>"))


def _raw_encrypt(plain: bytes) -> str:
    key = base64.b64decode(AES_KEY + "=")
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(plain) + enc.finalize()).decode()


def test_bad_padding_refused() -> None:
    # 32 bytes ending in 0x05 but not five 0x05 bytes
    plain = b"R" * 16 + b"\x00\x00\x00\x01" + b"<" + b"\x01" * 6 + b"\x02\x03\x04\x05\x05"
    assert len(plain) == 32
    with pytest.raises(CryptoError, match="padding"):
        WeChatCrypto(AES_KEY, APP_ID).decrypt(_raw_encrypt(plain))


def test_padding_to_16_only_refused() -> None:
    plain = b"R" * 16 + b"\x00\x00\x00\x02<x" + APP_ID.encode()  # 40 bytes
    plain += bytes([8]) * 8  # padded to 48: a multiple of 16, not of 32
    with pytest.raises(CryptoError):
        WeChatCrypto(AES_KEY, APP_ID).decrypt(_raw_encrypt(plain))


def test_length_beyond_the_plaintext_refused() -> None:
    plain = b"R" * 16 + b"\x00\x00\xff\xff" + b"<xml/>"
    pad = 32 - len(plain) % 32
    with pytest.raises(CryptoError):
        WeChatCrypto(AES_KEY, APP_ID).decrypt(_raw_encrypt(plain + bytes([pad]) * pad))


@pytest.mark.parametrize("value", ["", "not base64!", "QUJD", base64.b64encode(b"x" * 17).decode()])
def test_garbage_refused(value: str) -> None:
    with pytest.raises(CryptoError):
        WeChatCrypto(AES_KEY, APP_ID).decrypt(value)


@pytest.mark.parametrize("key", ["short", "!" * 43])
def test_bad_encoding_aes_key(key: str) -> None:
    with pytest.raises(CryptoError):
        WeChatCrypto(key, APP_ID)


def test_sealed_passive_reply_matches_the_fixture_byte_for_byte() -> None:
    from chatshop.plugins.wechat.reply import seal_reply

    from .wire import TOKEN

    reply = ENVELOPE["encrypted_reply"]
    sealed = seal_reply(
        WeChatCrypto(AES_KEY, APP_ID),
        TOKEN,
        reply["plaintext"],
        reply["timestamp"],
        reply["nonce"],
        random_prefix=reply["random16_used"].encode(),
    )
    assert sealed == reply["response_body"]
