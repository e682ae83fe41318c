"""Who to hand an order to: the name, phone, messenger and place an order recorded, for the shop's eyes.

The dashboard is the shop's own page behind its token, so nothing here is masked: the shop needs the
real number and address to deliver. None of it is ever logged (the dashboard logs order numbers only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from chatshop.orders import Order

__all__ = ["Contact", "contact_of", "messenger_name"]

#: Messengers whose customer id is the customer's phone number in international form (digits only).
PHONE_IDS = {"whatsapp"}
LABELS = {"whatsapp": "WhatsApp", "wechat": "WeChat", "webchat": "Web chat", "terminal": "Terminal"}
_DIGITS = re.compile(r"^\+?(\d{6,15})$")


@dataclass(frozen=True, slots=True)
class Contact:
    name: str | None
    phone: str | None  # "+919812345678"
    messenger: str
    customer_id: str
    address: str | None
    postal_code: str | None
    map_url: str | None

    @property
    def tel_url(self) -> str | None:
        return f"tel:{self.phone}" if self.phone else None

    @property
    def chat_url(self) -> str | None:
        """Opens a WhatsApp chat with the customer (wa.me takes the number without the plus)."""
        return f"https://wa.me/{self.phone.lstrip('+')}" if self.phone and self.messenger == "WhatsApp" else None


def messenger_name(channel: str) -> str:
    """How the dashboard names a channel ("WhatsApp", "Web chat")."""
    return LABELS.get(channel, channel)


def contact_of(order: Order) -> Contact:
    channel = order.channel
    digits = _DIGITS.match(order.customer_id) if channel in PHONE_IDS else None
    return Contact(
        name=order.contact_name,
        phone=f"+{digits.group(1)}" if digits else None,
        messenger=LABELS.get(channel, channel),
        customer_id=order.customer_id,
        address=order.address,
        postal_code=order.postal_code,
        map_url=_map_url(order.latitude, order.longitude),
    )


def _map_url(latitude: str | None, longitude: str | None) -> str | None:
    """A pin the customer shared, on OpenStreetMap (no account, no key)."""
    try:
        lat, lon = float(latitude or ""), float(longitude or "")
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return (
        "https://www.openstreetmap.org/?"
        + urlencode({"mlat": f"{lat:.6f}", "mlon": f"{lon:.6f}"})
        + (f"#map=17/{lat:.6f}/{lon:.6f}")
    )
