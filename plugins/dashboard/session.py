"""The admin's session: a signed cookie holding a CSRF token, whether they logged in, and until when.

The cookie is ``HttpOnly`` (no script reads it), ``SameSite=Strict`` (no other site's page sends
it), ``Secure`` when the shop is served over https, and expires after ``SESSION_HOURS``. Every form
carries the session's CSRF token; a POST without the right one is refused with 403.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from aiohttp import web

from chatshop.plugins.webchat.signing import Signer

__all__ = ["COOKIE", "SESSION_HOURS", "Session", "Sessions"]

COOKIE = "chatshop_admin"
SESSION_HOURS = 12


@dataclass(frozen=True, slots=True)
class Session:
    csrf: str
    admin: bool
    expires: int

    def csrf_ok(self, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(self.csrf.encode(), (given or "").encode())


class Sessions:
    def __init__(self, secret: str | bytes, *, secure: bool) -> None:
        self.signer = Signer(secret, "dashboard-session")
        self.secure = secure

    @staticmethod
    def fresh(admin: bool = False) -> Session:
        return Session(secrets.token_urlsafe(24), admin, int(time.time()) + SESSION_HOURS * 3600)

    def read(self, request: web.Request) -> Session | None:
        value = self.signer.unsign(request.cookies.get(COOKIE))
        if value is None:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
            session = Session(str(data["c"]), bool(data["a"]), int(data["e"]))
        except (ValueError, KeyError, TypeError):
            return None
        return session if session.expires > time.time() else None

    def write(self, response: web.StreamResponse, session: Session) -> None:
        payload = json.dumps({"c": session.csrf, "a": session.admin, "e": session.expires}, separators=(",", ":"))
        value = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")  # "=" would need quoting
        response.set_cookie(
            COOKIE,
            self.signer.sign(value),
            max_age=max(session.expires - int(time.time()), 0),
            path="/admin",
            httponly=True,
            samesite="Strict",
            secure=self.secure,
        )
