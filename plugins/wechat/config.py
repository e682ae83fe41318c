"""The ``[channels.wechat]`` section: the account, its secrets (by env var name) and its menu."""

from __future__ import annotations

from typing import ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chatshop.channels import ChannelConfig

__all__ = ["MENU_ACTIONS", "MenuButton", "OrderTemplate", "TemplateValues", "TopMenuButton", "WeChatConfig"]

#: Shop actions a menu button can trigger; each becomes a CLICK key ``CHATSHOP_<ACTION>``.
MENU_ACTIONS = ("catalog", "cart", "orders", "help")
MenuAction = Literal["catalog", "cart", "orders", "help"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MenuButton(_Strict):
    """One button of the custom menu: a shop action, a web page, or a group of sub-buttons."""

    #: WeChat's limit for a sub-button's name; a top button's is tighter (``TopMenuButton``).
    max_name_bytes: ClassVar[int] = 60

    name: str = Field(min_length=1)
    action: MenuAction | None = None
    url: str | None = None
    sub_buttons: list[MenuButton] = Field(default_factory=list, max_length=5)

    @field_validator("name")
    @classmethod
    def _name_bytes(cls, name: str) -> str:
        if len(name.encode()) > cls.max_name_bytes:
            raise ValueError(f"longer than {cls.max_name_bytes} bytes")
        return name

    @field_validator("sub_buttons")
    @classmethod
    def _flat(cls, subs: list[MenuButton]) -> list[MenuButton]:
        for j, sub in enumerate(subs):
            if sub.sub_buttons:
                raise ValueError(f"sub_buttons[{j}] cannot have sub_buttons")
        return subs

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        kinds = [self.action is not None, self.url is not None, bool(self.sub_buttons)]
        if sum(kinds) != 1:
            raise ValueError("a menu button needs exactly one of action, url or sub_buttons")
        if self.url is not None and not self.url.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        if self.url is not None and len(self.url.encode()) > 1024:
            raise ValueError("url longer than 1024 bytes (WeChat counts bytes: a Chinese letter is 3)")
        return self


class TopMenuButton(MenuButton):
    """A button of the menu bar itself: its name fits in 16 bytes (about 5 Chinese characters)."""

    max_name_bytes: ClassVar[int] = 16


class OrderTemplate(_Strict):
    """A template message for order news when the 48-hour customer-service window is closed.

    ``fields`` maps the template's keys to texts with ``{order_number}``, ``{status}``, ``{body}``.
    """

    template_id: str = Field(min_length=1)
    fields: dict[str, str] = Field(min_length=1)
    url: str | None = None

    @field_validator("fields")
    @classmethod
    def _fillable(cls, fields: dict[str, str]) -> dict[str, str]:
        """A field the channel cannot fill would fail at the first shipped order, not here."""
        for key, text in fields.items():
            try:
                text.format_map(TemplateValues(order_number="A1", status="shipped", body="…"))
            except (ValueError, KeyError, IndexError, AttributeError) as e:
                hint = "use {order_number}, {status} and {body}"
                raise ValueError(f"{key}: cannot fill {text!r} ({e}); {hint}") from None
        return fields


class TemplateValues(dict[str, str]):
    """What a template field can say; an unknown ``{name}`` stays as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class WeChatConfig(ChannelConfig):
    """``[channels.wechat]``: a verified Service Account (msgmenu needs verification)."""

    #: "wx" and 16 letters or digits (Settings and Development, Basic Configuration).
    app_id: str = Field(pattern=r"^wx[0-9A-Za-z]{16}$")
    app_secret_env: str = Field(min_length=1)
    token_env: str = Field(min_length=1)
    #: Set: safe mode (every push encrypted, replies encrypted). Absent: plain mode.
    encoding_aes_key_env: str | None = None
    #: The EncodingAESKey in use before the last rotation; tried when the current one fails.
    previous_encoding_aes_key_env: str | None = None
    api_base_url: str = Field(default="https://api.weixin.qq.com", pattern=r"^https?://[^/]")
    #: The account's ``gh_...`` id; when set, pushes addressed to another account are refused.
    original_id: str | None = Field(default=None, pattern=r"^gh_[0-9A-Za-z]+$")
    #: Pushes whose timestamp is further than this from now are refused as replays.
    max_clock_skew_seconds: int = Field(default=300, ge=1)
    #: How long a POST may wait for the inbox before WeChat gets ``success`` anyway (WeChat: 5 s).
    answer_within_seconds: float = Field(default=4.0, gt=0, lt=5)
    menu: list[TopMenuButton] = Field(default_factory=list, max_length=3)
    order_template: OrderTemplate | None = None

    @property
    def safe_mode(self) -> bool:
        return self.encoding_aes_key_env is not None
