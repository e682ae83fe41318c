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
    platform_public_key_id: str = Field(min_length=1)
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
    def _cny_only(self, info: ValidationInfo) -> WeChatPayConfig:
        """WeChat Pay direct merchants take CNY only: in another shop it would never be offered."""
        currency = (info.context or {}).get("currency")
        if self.enabled and currency and currency != "CNY":
            raise ValueError(
                f"WeChat Pay takes only CNY, but shop.currency is {currency}: "
                "remove this section, set enabled = false, or sell in CNY"
            )
        return self
