"""The HTTP application: health, readiness, body limits, graceful shutdown."""

from __future__ import annotations

from chatshop.testing import ShopHarness


async def test_health_and_readiness(harness: ShopHarness) -> None:
    assert (await (await harness.client.get("/healthz")).json()) == {"status": "ok"}
    ready = await harness.client.get("/readyz")
    assert ready.status == 200 and (await ready.json())["status"] == "ready"


async def test_oversized_bodies_are_refused_before_parsing(harness: ShopHarness) -> None:
    from aiohttp import web

    async def echo(request: web.Request) -> web.Response:
        return web.Response(text=str(len(await request.read())))

    # A route added for the test; the limit is the application's.
    harness.client.server.app.router._frozen = False  # type: ignore[attr-defined]
    harness.client.server.app.router.add_post("/echo", echo)
    response = await harness.client.post("/echo", data=b"x" * (2 * 1024 * 1024))
    assert response.status == 413


async def test_unfinished_work_is_resumed_after_a_restart(make_shop, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from chatshop.messages import Inbound, InboundKind

    folder = tmp_path / "resume"
    async with make_shop(directory=folder) as h:
        await h.shop.store.add_inbound(  # accepted but never handled: the process "died"
            Inbound(channel="terminal", customer_id="late", message_id="m1", kind=InboundKind.TEXT, text="hi")
        )
    async with make_shop(directory=folder) as h:
        await h.shop.idle()
        assert "Welcome to Test Kirana" in "\n".join(h.texts_to("terminal:late"))


async def test_a_new_message_releases_replies_held_for_a_retry(harness: ShopHarness) -> None:
    from datetime import timedelta

    from chatshop.messages import Text
    from chatshop.store.codec import utcnow

    store = harness.shop.store
    (held,) = await store.enqueue("terminal:win", [Text(body="your order shipped")])
    await store.mark_retry(held.id, utcnow() + timedelta(minutes=5), "45015: window closed")
    assert await store.pending_outbox("terminal:win", utcnow()) == []
    reply = await harness.say("win", "hi")  # the customer writes again: the window is open
    assert reply.startswith("your order shipped")


async def test_handled_messages_and_sent_replies_are_forgotten_after_the_retention(harness: ShopHarness) -> None:
    from datetime import timedelta

    from chatshop.store.codec import utcnow

    await harness.say("old", "Flat 9, Mount Mary Road 400050")
    assert await harness.shop.purge() == 0  # everything is younger than the retention
    await harness.shop.store.kv_set("token", "t", expires_at=utcnow() - timedelta(seconds=1))
    deleted = await harness.shop.store.purge(utcnow(), utcnow() + timedelta(seconds=1))
    assert deleted >= 3  # the message, its replies and the expired token
    assert await harness.shop.store.kv_get("token", utcnow()) is None
    assert await harness.shop.store.customers_with_pending_inbound() == []
