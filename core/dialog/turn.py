"""One turn of the conversation: the customer's state, the channel's limits, and the replies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from chatshop.catalog import Product
from chatshop.channels import Capabilities
from chatshop.dialog.state import ConversationState
from chatshop.messages import Buttons, Choice, ChoiceList, Outbound, Section, Text
from chatshop.money import Money
from chatshop.plugin_manager import is_awaitable

if TYPE_CHECKING:
    from chatshop.dialog.registry import DialogRegistry
    from chatshop.runtime import Shop

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class FeatureFailed(Exception):
    """A dialog feature's handler raised; names the plugin for the log (the customer hears "sorry")."""

    def __init__(self, feature: str) -> None:
        super().__init__(f"dialog feature {feature!r} failed")
        self.feature = feature


#: Rows a page of products gets on a channel that numbers its menus (no native list).
NUMBERED_PAGE_SIZE = 8


@dataclass(frozen=True, slots=True)
class ProductView:
    """A product as a customer sees it now: the catalog plus the shop's live inventory."""

    product: Product
    price: Money
    stock: int | None
    active: bool

    @property
    def buyable(self) -> bool:
        return self.active and (self.stock is None or self.stock > 0)


@dataclass(slots=True)
class Turn:
    shop: Shop
    caps: Capabilities
    channel: str
    customer_key: str
    state: ConversationState
    out: list[Outbound] = field(default_factory=list)
    #: How long since the customer last wrote before this message (None: their first message).
    away: timedelta | None = None
    #: The dialog could not make sense of the message (a search that found nothing, a photo, a
    #: number no menu had): features that answer "sorry" set it; ``after`` features read it.
    misunderstood: bool = False

    @property
    def locale(self) -> str:
        return self.state.locale

    @property
    def dialog(self) -> DialogRegistry:
        """Every dialog feature of the shop, indexed (see :mod:`chatshop.dialog.registry`)."""
        return self.shop.dialog

    async def run_as(self, feature: str, handler: Callable[..., Any], *args: Any) -> Any:
        """Call a feature's handler (plain or async); its failure is reported in the feature's name.

        A database fault passes through unchanged: the turn is tried again, not answered "sorry".
        """
        try:
            result = handler(*args)
            return await result if is_awaitable(result) else result
        except FeatureFailed:
            raise
        except self.shop.store.faults:
            raise
        except Exception as error:
            raise FeatureFailed(feature) from error

    def state_of(self, feature: str, model: type[M]) -> M:
        """The feature's own part of this customer's state, as its model; changes are saved with the turn.

        Stored under the feature's name with its ``state_version``: a state of another version, or one
        that no longer validates, starts afresh from the model's defaults rather than break the turn.
        """
        loaded = self.state.features.get(feature)
        if isinstance(loaded, model):
            return loaded
        registered = self.shop.dialog.features.get(feature)
        version = registered.state_version if registered is not None else 1
        value: M | None = None
        if isinstance(loaded, dict) and loaded.get("v") == version:
            try:
                value = model.model_validate(loaded.get("data") or {})
            except ValidationError:
                value = None
        if value is None:
            value = model()
        self.state.features[feature] = value
        self.state.versions[feature] = version
        return value

    def t(self, key: str, **values: Any) -> str:
        return self.shop.texts.get(self.state.locale, key, shop=self.shop.config.shop.name, **values)

    def money(self, amount: Money) -> str:
        return amount.format(self.state.locale)

    def say(self, body: str) -> None:
        self.out.append(Text(body=body))

    def ask(
        self,
        body: str,
        choices: Sequence[Choice],
        *,
        header: str | None = None,
        footer: str | None = None,
        button: str | None = None,
        image_url: str | None = None,
    ) -> None:
        """Offer choices; three or fewer become buttons where the channel has them."""
        if len(choices) <= 3:
            self.out.append(
                Buttons(body=body, choices=tuple(choices), header=header, footer=footer, image_url=image_url)
            )
        else:
            self.out.append(
                ChoiceList(
                    body=body,
                    button=button or self.t("choose"),
                    sections=(Section(choices=tuple(choices)),),
                    header=header,
                    footer=footer,
                )
            )

    def choice(self, choice_id: str, key: str, description: str | None = None, **values: Any) -> Choice:
        return Choice(id=choice_id, title=self.t(key, **values), description=description)

    @property
    def page_size(self) -> int:
        """Items per page, leaving two rows of the channel's list for "more" and "back"."""
        rows = self.caps.max_list_rows
        return rows - 2 if rows >= 4 else NUMBERED_PAGE_SIZE

    async def views(self, products: Sequence[Product]) -> list[ProductView]:
        return await self.shop.product_views(products)


def clamp_page(count: int, page: int, size: int) -> int:
    """``page`` within the pages ``count`` items make: a "More…" tapped on a list that has since
    shrunk (or a made-up page number) shows the last page, never an empty one or page -3."""
    last = max((count - 1) // size, 0) if size > 0 else 0
    return min(max(page, 0), last)


def page_of(items: Sequence[T], page: int, size: int) -> tuple[list[T], bool]:
    """The items of page ``page`` (from 0) and whether more pages follow."""
    start = max(page, 0) * size
    return list(items[start : start + size]), start + size < len(items)
