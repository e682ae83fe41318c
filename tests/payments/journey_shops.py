"""Shop files for the end-to-end payment journeys: a real shop whose provider is a fake server."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chatshop.testing.fakes.wechatpay import FakeWeChatPay, pem_private, pem_public

CATALOG = """
[[catalog.products]]
id = "atta-5kg"
title = "Aashirvaad Atta 5 kg"
price = "245.00"
category = "Staples"
stock = 40

[[catalog.products]]
id = "ghee-1l"
title = "Amul Pure Ghee 1 l"
price = "612.50"
category = "Dairy"
stock = 1
"""

INDIA = """
[shop]
name = "Test Kirana"
currency = "INR"
locale = "en"

[storage]
url = "sqlite:///shop.db"

[server]
public_url = "https://shop.example.com"
retry_base_seconds = 0.01
sweep_seconds = 3600

[delivery]
fee = "30.00"
free_above = "499.00"
areas = ["400050"]

[payments.cod]
max_order_total = "2000.00"
"""

RAZORPAY = """
[payments.razorpay]
key_id = "{key_id}"
api_base_url = "{api}"
retry_delays_seconds = [0, 0]
"""

STRIPE = """
[payments.stripe]
api_base_url = "{api}"
retry_delays_seconds = [0, 0]
"""

CHINA = """
[shop]
name = "Test Tea House"
currency = "CNY"
locale = "en"

[storage]
url = "sqlite:///shop.db"

[server]
public_url = "https://shop.example.cn"
retry_base_seconds = 0.01
sweep_seconds = 3600

[payments.wechatpay]
mchid = "{mchid}"
appid = "{appid}"
serial_no = "{serial_no}"
private_key_file = "keys/apiclient_key.pem"
platform_public_key_file = "keys/pub_key.pem"
platform_public_key_id = "{key_id}"
api_base_url = "{api}"
retry_delays_seconds = [0, 0]

[[catalog.products]]
id = "longjing"
title = "Longjing green tea 100 g"
price = "58.00"
category = "Tea"
stock = 5
"""


def wechatpay_merchant(
    api: FakeWeChatPay, api_url: object, merchant_key: rsa.RSAPrivateKey, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """A WeChat Pay merchant for a shop in ``folder``: its key files written, its APIv3 key in the
    environment; returns the shop's TOML with the ``[payments.wechatpay]`` section."""
    monkeypatch.setenv("WECHATPAY_APIV3_KEY", api.apiv3_key.decode())
    keys = folder / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    (keys / "apiclient_key.pem").write_bytes(pem_private(merchant_key))
    (keys / "pub_key.pem").write_bytes(pem_public(api.platform_key))
    return CHINA.format(
        mchid=api.mchid, appid=api.appid, serial_no=api.serial_no, key_id=api.platform_key_id, api=api_url
    )
