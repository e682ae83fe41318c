"""The four-language shop of the conversation journeys on WhatsApp (its ``shop.toml`` and catalog);
conftest.py runs it against the fake Graph API as the ``shop`` fixture.

Its catalog is what trips a renderer: product names far past WhatsApp's 20/24-character titles (in
Latin, Devanagari and Chinese), a category of 45 products, a sold-out product and one with little
stock, and an unlimited one.
"""

from __future__ import annotations

from tests.whatsapp.shops import COD, ORDER_TEMPLATES, whatsapp_shop_toml

#: A description longer than any WhatsApp interactive body (1024).
SAFFRON = "Hand-picked Mongra saffron from Pampore in Kashmir. " + "Deep red threads with a strong aroma. " * 60
LONG = "Extra Long Premium Stone-Ground Whole Wheat Chakki Atta Family Pack Number"
DELIVERY = """[delivery]
fee = "30.00"
free_above = "499.00"
"""


def catalog_csv() -> str:
    rows = ["id,title,price,category,stock,description"]
    for n in range(1, 46):
        rows.append(f"atta-{n},{LONG} {n},{200 + n}.00,Atta and Flours,50,Batch {n}")
    rows += [
        "basmati-1kg,India Gate Basmati Rice 1 kg,149.50,Rice and Dal,30,Long grain basmati",
        "toor-dal-1kg,Tata Sampann Toor Dal 1 kg,180.00,Rice and Dal,50,Unpolished toor dal",
        "ghee-1l,आशीर्वाद शुद्ध देसी घी एक लीटर का बड़ा पैक परिवार के लिए,612.50,Rice and Dal,2,देसी घी",
        "tea-500g,特级西湖龙井绿茶五百克装家庭实惠装礼盒,320.00,Rice and Dal,,Green tea",
        "cafe-250g,Café Crème Kaffeebohnen 250 g,399.00,Rice and Dal,0,Kaffee",
        "milk-1l,Amul Taaza Milk 1 l,68.00,Dairy,100,Toned milk",
        "paneer-200g,Amul Malai Paneer 200 g,95.00,Dairy,,Fresh paneer",
        f"saffron-1g,Kashmiri Mongra Saffron 1 g,450.00,Spices,0,{SAFFRON}",
    ]
    return "\n".join(rows) + "\n"


def shop_toml(graph_url: str, *, locale: str = "en", channel_extra: str = "", extra: str = "") -> str:
    """Kirana Corner in four languages with delivery and cash on delivery; ``extra`` follows the
    templates table."""
    return whatsapp_shop_toml(
        graph_url,
        shop=f'name = "Kirana Corner"\ncurrency = "INR"\nlocale = "{locale}"\nlocales = ["en", "hi", "de", "zh"]',
        more=DELIVERY + "\n" + COD,
        channel_extra=channel_extra,
        templates=ORDER_TEMPLATES + extra,
    )
