"""What the shop remembers about one customer's conversation between messages.

Only what shopping needs: language, cart, where in the dialog they are, the checkout in progress.
It is saved as JSON with every turn, so a restart (or another worker) picks up where it left off.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from chatshop.cart import Cart
from chatshop.checkout import Checkout


@dataclass(slots=True)
class ConversationState:
    locale: str
    cart: Cart
    step: str = "idle"  # what free text means next: idle, quantity, search, address, postal_code
    product_id: str | None = None  # the product a quantity answer is for
    query: str | None = None  # the last search, for its result pages
    checkout: Checkout | None = None
    menu: list[str] = field(default_factory=list)  # numbered choice ids of the last reply
    labels: list[str] = field(default_factory=list)  # their titles, folded, for a typed answer
    name: str | None = None  # the messenger's profile name, for greetings
    welcomed: bool = False
    last_order: str | None = None
    seen_at: str | None = None  # when the customer last wrote (ISO), to tell a return from a reply
    summary: str | None = None  # what the last order summary showed (a digest), so Confirm places that
    #: Since when (ISO) a person has the conversation and the bot is silent; None while the bot has
    #: it. Set by the feature that hands over; the store keeps it in a column of its own, by which
    #: the team inbox lists the conversations waiting for a person.
    handover_since: str | None = None
    #: Each dialog feature's own state by its name: stored ``{"v": version, "data": {...}}``, or its
    #: model once a turn has read it (``Turn.state_of``).
    features: dict[str, BaseModel | dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)  # the version of each model read this turn

    def to_json(self) -> dict[str, Any]:
        return {
            "locale": self.locale,
            "cart": self.cart.to_json(),
            "step": self.step,
            "product_id": self.product_id,
            "query": self.query,
            "checkout": self.checkout.to_json() if self.checkout else None,
            "menu": self.menu,
            "labels": self.labels,
            "name": self.name,
            "welcomed": self.welcomed,
            "last_order": self.last_order,
            "seen_at": self.seen_at,
            "summary": self.summary,
            **({"handover_since": self.handover_since} if self.handover_since else {}),
            **({"features": self._features_json()} if self.features else {}),
        }

    def _features_json(self) -> dict[str, Any]:
        return {
            name: {"v": self.versions.get(name, 1), "data": value.model_dump(mode="json")}
            if isinstance(value, BaseModel)
            else value
            for name, value in self.features.items()
        }

    def keep_features(self, names: Collection[str]) -> None:
        """Forget the state of features the shop no longer has (a plugin removed from ``shop.toml``)."""
        for name in [n for n in self.features if n not in names]:
            del self.features[name]

    @classmethod
    def from_json(cls, data: dict[str, Any], *, locale: str, currency: str) -> ConversationState:
        if not data:
            return cls(locale=locale, cart=Cart(currency))
        checkout = data.get("checkout")
        return cls(
            locale=data.get("locale") or locale,
            cart=Cart.from_json(data["cart"]) if data.get("cart") else Cart(currency),
            step=data.get("step", "idle"),
            product_id=data.get("product_id"),
            query=data.get("query"),
            checkout=Checkout.from_json(checkout) if checkout else None,
            menu=list(data.get("menu") or []),
            labels=list(data.get("labels") or []),
            name=data.get("name"),
            welcomed=bool(data.get("welcomed")),
            last_order=data.get("last_order"),
            seen_at=data.get("seen_at"),
            summary=data.get("summary"),
            handover_since=data.get("handover_since"),
            features=dict(data.get("features") or {}),
        )
