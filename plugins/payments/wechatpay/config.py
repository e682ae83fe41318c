"""The ``[payments.wechatpay]`` section: merchant ids, key files, the APIv3 key by variable."""

from __future__ import annotations

from pydantic import Field, ValidationInfo, model_validator

from chatshop.payments import PaymentConfig


class WeChatPayConfig(PaymentConfig):
    mchid: str = Field(pattern=r"^\d{6,20}$")
    #: The Official Account's AppID: JSAPI payers are OpenIDs under it.
    appid: str = Field(pattern=r"^wx\w{16}$")
    #: The serial number of the merchant API certificate whose private key signs our requests.
    serial_no: str = Field(min_length=8, pattern=r"^[0-9A-Fa-f]+$")
    private_key_file: str = "apiclient_key.pem"
    #: WeChat Pay's public key (``PUB_KEY_ID_...`` mode): verifies answers and notifications.
    platform_public_key_file: str = "pub_key.pem"
    platform_public_key_id: str | None = Field(default=None, min_length=1)
    #: More keys WeChat Pay may sign with, by the id it names in ``Wechatpay-Serial``: a public key
    #: (``PUB_KEY_ID_...``) or a platform certificate (its serial number), as a PEM file. While
    #: WeChat Pay moves a merchant from platform certificates to a public key, or rotates either,
    #: it signs with one or the other: list both.
    platform_keys: dict[str, str] = Field(default_factory=dict)
    apiv3_key_env: str = "WECHATPAY_APIV3_KEY"
    api_base_url: str = Field(default="https://api.mch.weixin.qq.com", pattern=r"^https?://")
    link_expiry_minutes: int = Field(default=30, ge=5, le=7 * 24 * 60)
    #: Channels whose customer id is an OpenID under ``appid``: they pay with JSAPI in WeChat;
    #: every other channel gets a Native-pay code to scan.
    jsapi_channels: list[str] = Field(default_factory=lambda: ["wechat"])
    #: Where our JSAPI payment page lives (register this folder as a JSAPI payment directory).
    payment_page_path: str = Field(default="/pay/wechatpay", pattern=r"^/[\w/-]*[\w-]$")
    #: How far a notification's timestamp may be from our clock.
    notification_tolerance_seconds: int = Field(default=300, ge=1)
    request_timeout_seconds: float = Field(default=10.0, gt=0)
    retry_delays_seconds: list[float] = Field(default_factory=lambda: [0.5, 2.0])

    @model_validator(mode="after")
    def _some_key(self) -> WeChatPayConfig:
        if self.platform_public_key_id is None and not self.platform_keys:
            raise ValueError(
                "set platform_public_key_id (with platform_public_key_file), or list the keys WeChat Pay "
                "signs with in platform_keys (id or certificate serial = PEM file)"
            )
        return self

    def signing_keys(self) -> dict[str, str]:
        """Every key WeChat Pay may sign with: its id (``Wechatpay-Serial``) and its file."""
        keys = dict(self.platform_keys)
        if self.platform_public_key_id is not None:
            keys.setdefault(self.platform_public_key_id, self.platform_public_key_file)
        return keys

    @model_validator(mode="after")
    def _cny_only(self, info: ValidationInfo) -> WeChatPayConfig:
        """WeChat Pay direct merchants take CNY only: in another shop it would never be offered."""
        currency = (info.context or {}).get("currency")
        if self.enabled and currency and currency != "CNY":
            raise ValueError(
                f"WeChat Pay takes only CNY, but shop.currency is {currency}: "
                "remove this section, set enabled = false, or sell in CNY"
            )
        return self
