"""Shops under the law of their country, for every test of what the law asks at checkout (the
confirm button, tax, invoices, coupons, slots, saved addresses): a German farm shop selling in euros
with VAT included, and an Indian grocery with GST added; each test adds its own sections."""

from __future__ import annotations

GERMAN_LEGAL = """
[legal]
seller_name = "Hofladen Müller GmbH"
seller_address = "Dorfstraße 1, 12345 Beispielhausen"
vat_id = "DE123456789"
terms_url = "https://hofladen.example/agb"
withdrawal_url = "https://hofladen.example/widerruf"
imprint_url = "https://hofladen.example/impressum"
"""


def german_shop(more: str = "", *, legal: str = GERMAN_LEGAL) -> str:
    """Hofladen: apples (fruit, 7% VAT), honey (7%), a knife (19%); delivery 4.90 €, free from 50 €."""
    return f"""
[shop]
name = "Hofladen"
currency = "EUR"
locale = "de"
locales = ["de", "en"]
timezone = "Europe/Berlin"

[storage]
url = "sqlite:///shop.db"

[[catalog.products]]
id = "apfel"
title = "Äpfel 1 kg"
price = "3.49"
category = "Obst"

[[catalog.products]]
id = "honig"
title = "Honig 500 g"
price = "7.90"
category = "Vorrat"

[[catalog.products]]
id = "messer"
title = "Obstmesser"
price = "12.99"
category = "Küche"

[delivery]
fee = "4.90"
free_above = "50.00"

[payments.cod]
max_order_total = "500.00"
{legal}
{more}
"""


INDIAN_LEGAL = """
[legal]
seller_name = "Kirana Corner Pvt Ltd"
seller_address = "12 Hill Road, Bandra West, Mumbai, Maharashtra 400050"
gstin = "27AAPFU0939F1ZV"
grievance_officer_name = "R. Sharma"
grievance_officer_contact = "grievance@kirana.example, +91 22 5555 0100"
"""


def indian_shop(more: str = "", *, legal: str = INDIAN_LEGAL) -> str:
    """Kirana Corner in Mumbai: atta (5% GST, HSN 1101), ghee (12%, HSN 0405), soap (18%, HSN 3401)."""
    return f"""
[shop]
name = "Kirana Corner"
currency = "INR"
locale = "en"
locales = ["en", "hi"]
timezone = "Asia/Kolkata"

[storage]
url = "sqlite:///shop.db"

[[catalog.products]]
id = "atta-5kg"
title = "Aashirvaad Atta 5 kg"
price = "245.00"
category = "Staples"

[[catalog.products]]
id = "ghee-1l"
title = "Amul Pure Ghee 1 l"
price = "612.50"
category = "Dairy"

[[catalog.products]]
id = "soap"
title = "Mysore Sandal Soap"
price = "55.00"
category = "Home"

[delivery]
fee = "30.00"
free_above = "499.00"

[payments.cod]
max_order_total = "50000.00"
{legal}
{more}
"""


def plain(text: str) -> str:
    """Replies with the no-break spaces of formatted money ("1,14\\xa0€") as plain spaces."""
    return text.replace("\xa0", " ").replace("\u202f", " ")
