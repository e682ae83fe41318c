"""Shop files for the end-to-end payment journeys: a real shop whose provider is a fake server. A
WeChat Pay merchant's key files and secret come with the ``wechatpay_merchant`` fixture (conftest.py)."""

from __future__ import annotations

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
