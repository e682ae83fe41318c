"""A messenger channel written as a third party would: only chatshop's public plugin API."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiohttp import web

from chatshop.channels import Capabilities, Channel, ChannelConfig, RetryableSendError, SendResult
from chatshop.hookspecs import hookimpl
from chatshop.messages import Inbound, InboundKind, Outbound
from chatshop.plaintext import plain_text


class SmokeConfig(ChannelConfig):
    api_base_url: str = "https://api.smoke.example"
    token_env: str = "SMOKE_TOKEN"  # noqa: S105 (the name of a variable, not a secret)


class SmokeSignals(Channel):
    name = "smoke"
    Config = SmokeConfig
    capabilities = Capabilities(max_text_length=1000, max_buttons=3, button_title_length=20)
    config: SmokeConfig

    def routes(self) -> Sequence[web.RouteDef]:
        return [web.post("", self.webhook)]

    async def webhook(self, request: web.Request) -> web.Response:
        data = await request.json()
        inbound = Inbound(
            channel=self.name,
            customer_id=str(data["from"]),
            message_id=str(data["id"]),
            kind=InboundKind.TEXT,
            text=str(data["text"]),
        )
        await self.shop.receive(inbound)
        return web.Response(text="ok")

    async def send(self, customer_id: str, message: Outbound) -> SendResult:
        token = self.shop.secret(self.config.token_env)
        async with self.shop.http.post(
            f"{self.config.api_base_url}/send",
            json={"to": customer_id, "text": plain_text(message)},
            headers={"Authorization": f"Bearer {token}"},
        ) as response:
            if response.status == 429 or response.status >= 500:
                raise RetryableSendError("busy", code=str(response.status))
            body = await response.json()
        return SendResult(provider_message_id=str(body["id"]))


@hookimpl
def register_channels(register: Callable[[type[Channel]], None]) -> None:
    register(SmokeSignals)
