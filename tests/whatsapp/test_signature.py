"""X-Hub-Signature-256 against known-good vectors (research §1.5)."""

from __future__ import annotations

import json

from chatshop.plugins.whatsapp.signature import sign, verify

from .meta import fixture, wire

# pywa tests/test_server.py: a real signed body (its app secret has since been revoked).
PYWA_SECRET = "1222e786b144d0e85b9f365372d93676"
PYWA_BODY = (
    b'{"object":"whatsapp_business_account","entry":[{"id":"264937493375603","changes":[{"value":'
    b'{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550953877",'
    b'"phone_number_id":"277321005464405"},"contacts":[{"profile":{"name":"PyWa Tests"},'
    b'"wa_id":"972544401243"}],"messages":[{"from":"972544401243","id":"wamid.HBgMOTcyNTQ0NDAxMjQz'
    b'FQIAEhggM0RFQTNCMEEwRTY3QzUwODYzMDc4NjQ4QzM4ODAxM0YA","timestamp":"1730231903","text":'
    b'{"body":"Hey there! I am using PyWa."},"type":"text"}]},"field":"messages"}]}]}'
)
PYWA_SIGNATURE = "sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441"


def test_real_meta_vector() -> None:
    assert len(PYWA_BODY) == 511
    assert sign(PYWA_BODY, PYWA_SECRET) == PYWA_SIGNATURE
    assert verify(PYWA_BODY, PYWA_SIGNATURE, PYWA_SECRET)


def test_fixture_vector_from_research() -> None:
    body = wire(fixture("webhook_text.json"))
    assert len(body) == 555
    expected = "sha256=0f0884a20fb2b890a6c2d46a05a25fd2fac9c66c50777ac0ce9a164b3359cbdf"
    assert verify(body, expected, "test-app-secret")


def test_wrong_or_missing_signatures_fail() -> None:
    assert not verify(PYWA_BODY, None, PYWA_SECRET)
    assert not verify(PYWA_BODY, "", PYWA_SECRET)
    assert not verify(PYWA_BODY, PYWA_SIGNATURE.removeprefix("sha256="), PYWA_SECRET)
    assert not verify(PYWA_BODY, "sha1=" + PYWA_SIGNATURE[7:], PYWA_SECRET)
    assert not verify(PYWA_BODY, PYWA_SIGNATURE, "another-secret")
    assert not verify(PYWA_BODY + b" ", PYWA_SIGNATURE, PYWA_SECRET)
    assert not verify(PYWA_BODY, PYWA_SIGNATURE[:-1] + "0", PYWA_SECRET)
    assert not verify(PYWA_BODY, "sha256=ÄÖÅ", PYWA_SECRET)


def test_escaped_unicode_body_is_verified_as_received() -> None:
    """Meta signs ``\\u00e4`` escapes; re-serialising as UTF-8 would change the bytes."""
    payload = {"text": {"body": "äöå नमस्ते 你好 @ 🛒"}}
    body = wire(payload)
    assert b"\\u00e4\\u00f6\\u00e5" in body and body.isascii()
    signature = sign(body, "s3cret")
    assert verify(body, signature, "s3cret")
    utf8 = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    assert not verify(utf8, signature, "s3cret")


def test_a_header_with_bytes_that_are_not_utf8_is_a_bad_signature() -> None:
    """aiohttp keeps such bytes as lone surrogates; the check compares the bytes that were sent."""
    assert not verify(PYWA_BODY, "sha256=\udce9\udc80" + "0" * 62, PYWA_SECRET)
    assert not verify(PYWA_BODY, "sha256=\ud83d", PYWA_SECRET)
    assert not verify(PYWA_BODY, "sha256=é" + "0" * 63, PYWA_SECRET)
