"""The test-side builders reproduce the fixture vectors, so they can be trusted as WeChat."""

from __future__ import annotations

from .wire import ENVELOPE, TOKEN, decrypt, encrypt, encrypted_in, sha1_sorted


def test_official_url_verification_vectors() -> None:
    # research/wechat.md §1.1, token AAAAA
    assert sha1_sorted("AAAAA", "1714036504", "1514711492") == "f464b24fc39322e44b38aa78f5edd27bd1441696"
    assert sha1_sorted("AAAAA", "1714037059", "486452656") == "899cf89e464efb63f54ddac96b0a0a235f53aa78"


def test_fixture_envelope_round_trip() -> None:
    post = ENVELOPE["inbound_post"]
    encrypted = encrypted_in(post["body"])
    q = post["query"]
    assert sha1_sorted(TOKEN, q["timestamp"], q["nonce"], encrypted) == q["msg_signature"]
    assert decrypt(encrypted) == (post["decrypted_plaintext"], ENVELOPE["config"]["appid"])
    again = encrypt(post["decrypted_plaintext"], random16=post["random16_used"].encode())
    assert again == encrypted
