"""The app secret is a list while it rotates: a webhook signed with the previous one is accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.testing import running_shop

from .meta import envelope, signed, text_message
from .test_e2e import catalog_csv, shop_toml
from .test_endpoint import PATH, fresh, in_inbox

OLD = "the-app-secret-before-the-reset"


async def test_a_webhook_signed_with_the_previous_app_secret_is_accepted(
    graph: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WHATSAPP_APP_SECRET_OLD", OLD)
    toml = shop_toml(str(graph.make_url("")).rstrip("/")).replace(
        'app_secret_env = "WHATSAPP_APP_SECRET"', 'app_secret_env = ["WHATSAPP_APP_SECRET", "WHATSAPP_APP_SECRET_OLD"]'
    )
    async with running_shop(toml, tmp_path / "shop", files={"catalog.csv": catalog_csv()}, terminal=False) as h:
        payload = fresh(envelope(messages=[text_message("919812345678", "hi", "wamid.OLD")]))
        body, headers = signed(payload, secret="not-any-of-ours")
        assert (await h.client.post(PATH, data=body, headers=headers)).status == 401
        body, headers = signed(payload, secret=OLD)
        assert (await h.client.post(PATH, data=body, headers=headers)).status == 200
        assert await in_inbox(h, "919812345678", "wamid.OLD")
