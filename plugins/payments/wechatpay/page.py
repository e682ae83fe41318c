"""Our JSAPI payment page: opened inside WeChat, it asks WeChat Pay to take the payment.

The page calls ``getBrandWCPayRequest`` with parameters signed by the merchant key. What the page
hears back (``get_brand_wcpay_request:ok``) is not proof of payment: the notification is. But
WeChat Pay does not promise the notification ever arrives, so on "ok" the page asks the shop to
check (``POST .../{number}/check``), and the shop asks WeChat Pay: the receipt comes at once.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING

from aiohttp import web

from chatshop.digests import same_digest
from chatshop.orders import OrderStatus
from chatshop.payments import PaymentError, PaymentEventKind
from chatshop.plugins.payments.wechatpay.method import WeChatPay

if TYPE_CHECKING:
    from chatshop.api import Shop

_PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:sans-serif;text-align:center;padding:2em}}
button{{font-size:1.2em;padding:.6em 2em}}</style></head>
<body><h1>{amount}</h1><p>{title}</p>{content}</body></html>"""

_SCRIPT = """<p id="status"></p><button id="pay" type="button">微信支付 Pay</button>
<script>
var params = {params};
var check = {check};
function pay() {{
  WeixinJSBridge.invoke("getBrandWCPayRequest", params, function (res) {{
    var ok = res.err_msg === "get_brand_wcpay_request:ok";
    document.getElementById("status").textContent = ok
      ? "支付完成，请返回聊天。Paid: please go back to the chat."
      : "未完成支付。Not paid yet.";
    if (ok) {{
      var request = new XMLHttpRequest();
      request.open("POST", check);
      request.send();
    }}
  }});
}}
document.getElementById("pay").onclick = pay;
if (typeof WeixinJSBridge === "undefined") {{
  document.addEventListener("WeixinJSBridgeReady", pay, false);
}} else {{ pay(); }}
</script>"""


_UNAVAILABLE = (
    "<p>微信支付暂时无法使用，请稍后再试或返回聊天。WeChat Pay is unavailable right now: try again later.</p>"
)


def _html(title: str, amount: str, content: str) -> web.Response:
    page = _PAGE.format(title=html.escape(title), amount=html.escape(amount), content=content)
    return web.Response(text=page, content_type="text/html")


def _method(shop: Shop, request: web.Request) -> WeChatPay:
    """The shop's WeChat Pay, if the request carries the page's signature for its order number."""
    method = shop.payment_methods.get("wechatpay")
    number = request.match_info["number"]
    signature = request.query.get("sig", "")
    if not isinstance(method, WeChatPay) or not same_digest(method.page_token(number), signature):
        raise web.HTTPNotFound()
    return method


def _json(value: object) -> str:
    """``value`` as JavaScript that cannot end the script element."""
    return json.dumps(value).replace("</", "<\\/")


def payment_routes(shop: Shop) -> list[web.RouteDef]:
    """The page a WeChat customer pays on, and the check it makes when WeChat says "ok"."""
    path = str(shop.config.payments.get("wechatpay", {}).get("payment_page_path", "/pay/wechatpay"))

    async def handle(request: web.Request) -> web.Response:
        """``GET {payment_page_path}/{number}?sig=...``."""
        method = _method(shop, request)
        number = request.match_info["number"]
        order = await shop.store.get_order(number)
        if order is None:
            raise web.HTTPNotFound()
        title = f"{shop.config.shop.name} · {number}"
        amount = order.total.format("zh_CN")
        if order.status is not OrderStatus.PENDING_PAYMENT:
            return _html(title, amount, "<p>此订单无需支付。Nothing to pay for this order.</p>")
        try:
            params = await method.jsapi_parameters(order)
        except PaymentError:  # WeChat Pay is down, or the transaction can no longer be paid
            page = _html(title, amount, _UNAVAILABLE)
            page.set_status(503)
            return page
        script = _json(params)
        check = _json(f"{number}/check?sig={method.page_token(number)}")  # relative: behind any prefix
        return _html(title, amount, _SCRIPT.format(params=script, check=check))

    async def check(request: web.Request) -> web.Response:
        """``POST {payment_page_path}/{number}/check?sig=...``: is it paid? Ask WeChat Pay, apply it."""
        method = _method(shop, request)
        order = await shop.store.get_order(request.match_info["number"])
        if order is None:
            raise web.HTTPNotFound()
        if order.status is OrderStatus.PENDING_PAYMENT:
            try:
                event = await method.poll(order)
            except PaymentError:  # WeChat Pay is down: its notification still comes
                return web.json_response({"paid": False}, status=503)
            if event is not None and event.kind is PaymentEventKind.PAID:
                order = await shop.apply_payment_event(event) or order
        return web.json_response({"paid": order.paid_amount > 0})

    return [web.get(path + "/{number}", handle), web.post(path + "/{number}/check", check)]
