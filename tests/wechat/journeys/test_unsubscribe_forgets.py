"""A customer who unfollows the account is forgotten, as WeChat requires: "为保护用户数据隐私，开发者收到
用户取消关注事件时需要删除该用户的所有信息" (research/wechat.md §1.2, [OA-evt]). Their orders stay whole:
they are the shop's record of a sale (docs/privacy.md)."""

from __future__ import annotations

from pathlib import Path

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from tests.privacy.leaks import in_database, outside_orders
from tests.wechat.journeys.conftest import WeChatCustomer

from .shops import OTHER, item, read, to_confirmed

ADDRESS = "Room 301, 88 Nanjing Road, Shanghai 200001"


async def test_unfollowing_erases_the_customer_but_keeps_their_orders(
    tea_shop: ShopHarness,
    tmp_path: Path,
    wechat_customer: WeChatCustomer,
) -> None:
    shop = tea_shop.shop
    li = wechat_customer()
    wang = wechat_customer(OTHER, first_id=45013462771290000)
    await to_confirmed(li)
    (order,) = await shop.store.list_orders()
    await wang.say("longjing")  # someone else, who stays
    await li.say("longjing")  # a second cart, and an address half given
    await li.tap(item(li.new_messages(), "add:longjing"))
    await li.tap(item(li.new_messages(), "checkout"))
    await li.say("Flat 9, 12 Huaihai Road")
    li.new_messages()
    database = tmp_path / "shop" / "shop.db"
    private = [li.openid, "Huaihai"]
    assert outside_orders(in_database(database, private))  # the conversation, the inbox, the outbox

    for _ in range(3):  # WeChat retries the push when the answer is slow: the same event
        await li.event("unsubscribe")
    await shop.idle()

    key = f"wechat:{li.openid}"
    record = await shop.store.load_conversation(key)
    assert record.state == {} and record.version == 0
    assert await shop.store.next_inbound(key) is None
    kept = await shop.store.get_order(order.number)
    assert kept is not None and kept.address == ADDRESS and kept.status is OrderStatus.PENDING_PAYMENT
    assert (await shop.store.load_conversation(f"wechat:{OTHER}")).state != {}
    assert outside_orders(in_database(database, private)) == set()

    # following again, they start afresh: no cart, no half-given address
    await li.event("subscribe")
    await li.say("cart")
    words = read(li.new_messages())
    assert "Longjing" not in words and "Huaihai" not in words
