"""Log lines that do not come from our own calls: the standard library's (aiohttp, asyncio), tracebacks,
and ids hidden inside free text. tests/core/test_logs.py covers the masking of our own fields."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import structlog
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from chatshop.logs import configure_logging, mask_private, pseudonym

from .leaks import in_logs

OPENID = "oK7zR5vQ2nW9xT4bY1mH8cJ6dE3a"
TOKEN = "FAKE_x7Yq2pLmN0vB8cR4tW6zA1sD3fG5hJ9k"
WAMID = "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSMkY0RTZBOEMwRTJCNEQ2RjgxAA=="  # base64 of 919812345678…
ADDRESS = "Flat 9, Mount Mary Road, Bandra 400050"

log = structlog.get_logger(__name__)


def scrubbed(text: str) -> str:
    return str(mask_private(None, "info", {"event": text})["event"])


async def test_aiohttp_errors_and_access_lines_are_masked(logs: Callable[[], io.StringIO]) -> None:
    """aiohttp logs a failing handler's exception through the standard library, not structlog."""

    async def broken(request: web.Request) -> web.Response:
        url = f"https://api.weixin.qq.com/cgi-bin/message/custom/send?access_token={TOKEN}"
        raise RuntimeError(f"send to wechat:{OPENID} failed at {url} for +91 98123 45678")

    app = web.Application()
    app.router.add_get("/broken", broken)
    captured = logs()
    async with TestClient(TestServer(app)) as client:
        assert (await client.get(f"/broken?openid={OPENID}&signature=abc123def")).status == 500
    logged = captured.getvalue()
    assert "Error handling request" in logged and "RuntimeError" in logged  # the line is there, masked
    assert in_logs(logged, [OPENID, TOKEN, "98123", "abc123def"]) == []
    assert pseudonym(f"wechat:{OPENID}") in logged  # still traceable to one customer
    for line in logged.splitlines():
        json.loads(line)  # the same JSON lines as structlog's own


def _fail_with_an_address_in_a_local() -> None:
    address = ADDRESS  # noqa: F841 (a local a locals-showing traceback renderer would print)
    raise ValueError("the courier refused the parcel")


async def test_a_traceback_shows_code_not_the_values_of_locals(logs: Callable[[], io.StringIO]) -> None:
    for as_json in (True, False):
        captured = logs()
        configure_logging("debug", json=as_json)  # also the pretty renderer of a terminal
        try:
            _fail_with_an_address_in_a_local()
        except ValueError:
            log.exception("turn.failed", customer=f"whatsapp:{'919812345678'}")
        logged = captured.getvalue()
        assert "the courier refused the parcel" in logged and "_fail_with_an_address_in_a_local" in logged
        assert in_logs(logged, ["Mount Mary", "919812345678"]) == []


def test_ids_inside_free_text_are_masked() -> None:
    line = scrubbed(f"status for {WAMID} of wechat:{OPENID} ({OPENID}) and whatsapp:919812345678")
    assert in_logs(line, [WAMID[6:], OPENID, "919812345678"]) == []
    assert pseudonym(f"wechat:{OPENID}") in line and pseudonym("whatsapp:919812345678") in line
    body = scrubbed(f'{{"touser":"{OPENID}","access_token": "{TOKEN}", "openid":"{OPENID}"}}')
    assert in_logs(body, [OPENID, TOKEN]) == []
    url = scrubbed(f"GET /cgi-bin/user/info?access_token={TOKEN}&openid={OPENID}&lang=zh_CN")
    assert url == "GET /cgi-bin/user/info?access_token=***&openid=***&lang=zh_CN"


def test_a_customer_has_one_pseudonym_whether_the_channel_or_the_core_logged_them() -> None:
    by_channel = mask_private(None, "info", {"customer": "919812345678"})
    by_core = mask_private(None, "info", {"customer": "whatsapp:919812345678"})
    assert by_channel["customer"] == by_core["customer"] == pseudonym("919812345678")


def test_message_ids_are_hashed_because_a_wamid_spells_the_phone_number() -> None:
    line = mask_private(None, "info", {"event": "inbox.unreadable", "message_id": WAMID, "wamid": WAMID})
    assert WAMID not in json.dumps(line) and line["message_id"] == line["wamid"] == pseudonym(WAMID)


def test_order_numbers_amounts_and_product_words_stay_readable() -> None:
    text = "order K7M-4QX: 2 × Aashirvaad Atta 5 kg for 490.00 INR, confirmed"
    assert scrubbed(text) == text
