"""WeChat Pay API v3 (direct merchant): JSAPI in WeChat, Native codes elsewhere, signed notices."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chatshop.hookspecs import hookimpl
from chatshop.orders import Order, OrderStatus
from chatshop.payments import PaymentMethod
from chatshop.plugins.payments.closing import close_when_cancelled
from chatshop.plugins.payments.wechatpay.method import WeChatPay
from chatshop.plugins.payments.wechatpay.page import payment_routes

if TYPE_CHECKING:
    from aiohttp import web

    from chatshop.api import Shop

__all__ = ["WeChatPay"]


@hookimpl
def register_payment_methods(register: Callable[[type[PaymentMethod]], None]) -> None:
    register(WeChatPay)


@hookimpl
def register_routes(shop: Shop, router: web.UrlDispatcher) -> None:
    section = shop.config.payments.get("wechatpay")
    if section is None or section.get("enabled") is False:
        return
    for route in payment_routes(shop):
        router.add_route(route.method, route.path, route.handler)


@hookimpl
async def order_status_changed(shop: Shop, order: Order, old: OrderStatus, new: OrderStatus) -> None:
    """An unpaid WeChatPay order the customer cancelled: close its payment so it cannot be paid."""
    await close_when_cancelled(shop, order, old, new, WeChatPay.name)
