"""``[channels.webchat]``: the browser chat's settings."""

from __future__ import annotations

from pydantic import Field

from chatshop.channels import ChannelConfig


class WebChatConfig(ChannelConfig):
    #: Environment variable with the cookie-signing secret. Without it, a random secret per process:
    #: customers lose their conversation when the shop restarts, and several workers disagree.
    session_secret_env: str | None = None
    #: Page title and heading; the shop's name when empty.
    title: str | None = None
    #: Messages kept per customer (both directions) to redraw the chat after a refresh.
    history_limit: int = Field(default=200, ge=10, le=5000)
    #: How often an open chat looks for messages another worker stored (several workers).
    poll_seconds: float = Field(default=5.0, gt=0, le=300)
    #: Show the "preview as WhatsApp / WeChat" selector on the page.
    preview: bool = True
    #: Lifetime of the customer's cookie.
    cookie_days: int = Field(default=365, ge=1, le=3650)
    #: Messages one customer may send in 10 seconds, over all their tabs.
    messages_per_customer: int = Field(default=30, ge=1, le=10_000)
    #: Messages one client address may send in 10 seconds, over all its customers and tabs (a household
    #: or an office shares an address; behind a reverse proxy not in ``[server] trusted_proxies``,
    #: every customer shares the proxy's).
    messages_per_address: int = Field(default=60, ge=1, le=100_000)
    #: Chat sockets one client address may hold open at once.
    sockets_per_address: int = Field(default=20, ge=1, le=100_000)
