"""The shop's dashboard at ``/admin``: the team inbox, orders, catalog, numbers and the audit log
(docs/web.md, docs/people.md).

On when ``shop.toml`` has an ``[admin]`` table: staff log in with their accounts (``chatshop staff
add``), the first owner also with the token ``[admin] token_env`` names.
"""

from __future__ import annotations

from aiohttp import web

from chatshop.config import read_secret
from chatshop.hookspecs import hookimpl
from chatshop.plugins.webchat.signing import random_secret
from chatshop.runtime import Shop

from .routes import Dashboard
from .session import Sessions

__all__ = ["Dashboard", "register_routes"]


@hookimpl
def register_routes(shop: Shop, router: web.UrlDispatcher) -> None:
    admin = shop.config.admin
    if not shop.config.dashboard:
        return
    # Present and long enough: the shop checked [admin] when built. Without it, staff accounts only.
    token = read_secret(admin.token_env) if admin.token_env else None
    # Without a session secret, a random one per process: logins end when the shop restarts.
    secret: str | bytes = read_secret(admin.session_secret_env) if admin.session_secret_env else random_secret()
    secure = (shop.config.server.public_url or "").startswith("https://")
    sessions = Sessions(secret, secure=secure, idle_seconds=admin.session_idle_minutes * 60)
    Dashboard(shop, token, sessions).add_to(router)
