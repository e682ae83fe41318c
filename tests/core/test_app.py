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
