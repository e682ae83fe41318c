"""Staff ship with tracking from the command line and the dashboard; a mistake is named and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatshop.orders import OrderStatus
from tests.conftest import SHOP_TOML, ShopFactory
from tests.core.test_cli import chatshop, demo_copy
from tests.web.admin_client import login, page_csrf
from tests.web.conftest import ADMIN_ENV, ADMIN_TOKEN

URL = "https://www.delhivery.com/track/package/447122090"


def test_chatshop_order_ship_with_tracking_tells_the_customer(tmp_path: Path) -> None:
    shop = demo_copy(tmp_path)
    script = "hi\natta\n1\ncheckout\n12 Hill Road, Bandra West, Mumbai 400050\n1\n"
    assert chatshop("chat", str(shop), "--customer", "asha", stdin=script).returncode == 0
    (order,) = json.loads(chatshop("orders", str(shop), "--json").stdout)

    wrong = chatshop("order", str(shop), order["id"], "ship", "--carrier", "Delhivery", "--tracking-number", "4471",
                     "--tracking-url", "javascript:alert(1)")  # fmt: skip
    assert wrong.returncode == 1 and wrong.stderr.startswith("--tracking-url: expected a web address")
    misplaced = chatshop("order", str(shop), order["id"], "cancel", "--carrier", "Delhivery")
    assert misplaced.returncode == 1 and "go with 'ship' only" in misplaced.stderr
    (still,) = json.loads(chatshop("orders", str(shop), "--json").stdout)
    assert still["status"] == "cod_pending"

    shipped = chatshop("order", str(shop), order["id"], "ship", "--carrier", "Delhivery",
                       "--tracking-number", "DLV 4471 2209", "--tracking-url", URL)  # fmt: skip
    assert shipped.returncode == 0, shipped.stderr
    # The terminal has no buttons: the tracking page is written under the message.
    assert "on its way with Delhivery" in shipped.stdout and "DLV 4471 2209" in shipped.stdout
    assert URL in shipped.stdout
    again = chatshop("order", str(shop), order["id"], "ship", "--carrier", "Delhivery",
                     "--tracking-number", "DLV 4471 2209", "--tracking-url", URL)  # fmt: skip
    assert again.returncode == 0 and "on its way" not in again.stdout  # told once


ADMIN = f'\n[admin]\ntoken_env = "{ADMIN_ENV}"\n'


async def test_the_dashboards_ship_form_takes_carrier_and_tracking(
    make_shop: ShopFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ADMIN_ENV, ADMIN_TOKEN)
    async with make_shop(SHOP_TOML + ADMIN) as h:
        for text in ("atta", "1", "1", "12 Hill Road, Bandra West, Mumbai 400050", "1"):
            await h.say("asha", text)
        (order,) = await h.shop.store.list_orders()
        await login(h)
        page = f"/admin/orders/{order.number}"
        form = {"csrf": await page_csrf(h, page), "status": "shipped", "carrier": "Delhivery",
                "tracking_number": "DLV\u00004471", "tracking_url": ""}  # fmt: skip
        resp = await h.client.post(f"{page}/move", data=form)
        assert "tracking number: letters, digits" in await resp.text()
        stored = await h.shop.store.get_order(order.number)
        assert stored is not None and stored.status is OrderStatus.COD_PENDING

        form.update(tracking_number="DLV 4471 2209", tracking_url=URL)
        resp = await h.client.post(f"{page}/move", data=form)
        text = await resp.text()
        assert "now shipped" in text and "DLV 4471 2209" in text and URL in text
        told = h.texts_to("terminal:asha")[-1]
        assert "Delhivery" in told and "DLV 4471 2209" in told and URL in told

        fix = {"csrf": form["csrf"], "carrier": "Blue Dart", "tracking_number": "BD 99", "tracking_url": ""}
        resp = await h.client.post(f"{page}/tracking", data=fix)
        assert "Blue Dart" in await resp.text()
        assert "Blue Dart" in h.texts_to("terminal:asha")[-1]


async def test_a_tracking_correction_from_the_dashboard_is_in_the_audit_log(
    make_shop: ShopFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new carrier or tracking page is news the customer is sent: the audit log says who sent it."""
    monkeypatch.setenv(ADMIN_ENV, ADMIN_TOKEN)
    async with make_shop(SHOP_TOML + ADMIN) as h:
        for text in ("atta", "1", "1", "12 Hill Road, Bandra West, Mumbai 400050", "1"):
            await h.say("asha", text)
        (order,) = await h.shop.store.list_orders()
        await login(h)
        page = f"/admin/orders/{order.number}"
        csrf = await page_csrf(h, page)
        ship = {"csrf": csrf, "status": "shipped", "carrier": "Delhivery", "tracking_number": "DLV 1"}
        assert (await h.client.post(f"{page}/move", data=ship)).status == 200
        fix = {"csrf": csrf, "carrier": "Blue Dart", "tracking_number": "BD 99", "tracking_url": URL}
        assert (await h.client.post(f"{page}/tracking", data=fix)).status == 200
        (entry, *_) = await h.shop.store.audit_log()
        assert (entry.actor, entry.action, entry.subject) == ("owner (token)", "order.tracking", order.number)
        assert entry.detail == "Blue Dart BD 99"
