"""The staff member's session: a signed cookie holding a CSRF token, whether and as whom they
logged in, and until when.

The cookie is ``HttpOnly`` (no script reads it), ``SameSite=Strict`` (no other site's page sends
it), ``Secure`` when the shop is served over https, and expires after ``SESSION_HOURS``, or sooner
when unused for ``[admin] session_idle_minutes`` (a dashboard left open on a shared computer). Every
form carries the session's CSRF token; a POST without the right one is refused with 403.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from aiohttp import web

from chatshop.digests import same_digest
from chatshop.plugins.webchat.signing import Signer
from chatshop.staff import TOKEN_OWNER

__all__ = ["COOKIE", "LOGIN_COOKIE", "NOTES", "SESSION_HOURS", "Session", "Sessions", "page_of"]

COOKIE = "chatshop_admin"
#: The login form's own cookie (its CSRF token), so that opening the login page never replaces a
#: logged-in session: a link from another site arrives without the Strict session cookie.
LOGIN_COOKIE = "chatshop_admin_login"
SESSION_HOURS = 12
#: How often a session in use has its last-use time written again (not on every click).
TOUCH_SECONDS = 60


#: The notes a redirect may carry (and their ``_sig``): what a page says, not which page it is.
NOTES = ("done", "saved", "error")


def page_of(path: str, query: Iterable[tuple[str, str]]) -> str:
    """Which page an address shows: its path and its query without notes, in a fixed order
    (``/admin/inbox/chat?customer=terminal:asha``)."""
    notes = {*NOTES, *(f"{n}_sig" for n in NOTES)}
    return path + "?" + urlencode(sorted((k, v) for k, v in query if k not in notes))


@dataclass(frozen=True, slots=True)
class Session:
    csrf: str
    admin: bool
    expires: int
    #: When the session was last used (Unix seconds), for the idle timeout.
    seen: int = 0
    #: Who logged in: a staff member's name, or ``TOKEN_OWNER`` for the ``[admin]`` token.
    name: str = TOKEN_OWNER
    #: The account's session key when the session began: a new password or a removed (and
    #: re-created) account changes it, and the session ends.
    key: str = ""

    def csrf_ok(self, given: str | None) -> bool:
        return same_digest(self.csrf, given)


class Sessions:
    def __init__(self, secret: str | bytes, *, secure: bool, idle_seconds: float = 0) -> None:
        self.signer = Signer(secret, "dashboard-session")
        self.secure = secure
        self.idle_seconds = idle_seconds
        self.clock: Callable[[], float] = time.time
        key = secret.encode() if isinstance(secret, str) else secret
        self._note_key = hashlib.sha256(b"dashboard-note\0" + key).digest()

    def seal(self, name: str, text: str, page: str) -> str:
        """A signature for a note the dashboard puts in a redirect to ``page`` (``?error=...``), so
        that a link from elsewhere cannot make the shop's own page say what someone else wrote, nor
        a note made for one page (one order, one conversation) be shown on another."""
        message = f"{page}\0{name}={text}".encode()
        return hmac.new(self._note_key, message, hashlib.sha256).hexdigest()[:32]

    def note(self, request: web.Request, name: str) -> str | None:
        """The note ``name`` from the address if the dashboard wrote it for this page, else None."""
        text, signature = request.query.get(name), request.query.get(f"{name}_sig", "")
        page = page_of(request.path, request.query.items())
        if text is None or not same_digest(self.seal(name, text, page), signature):
            return None
        return text

    def fresh(self, admin: bool = False, name: str = TOKEN_OWNER, key: str = "") -> Session:
        now = int(self.clock())
        return Session(secrets.token_urlsafe(24), admin, now + SESSION_HOURS * 3600, now, name, key)

    def read(self, request: web.Request, cookie: str = COOKIE) -> Session | None:
        value = self.signer.unsign(request.cookies.get(cookie))
        if value is None:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
            expires = int(data["e"])
            seen = int(data.get("s", expires - SESSION_HOURS * 3600))  # a cookie from before idle times
            # A cookie from before staff accounts carries no name: the token's owner made it.
            name, key = str(data.get("n", TOKEN_OWNER)), str(data.get("k", ""))
            session = Session(str(data["c"]), bool(data["a"]), expires, seen, name, key)
        except (ValueError, KeyError, TypeError):
            return None
        if session.admin != (cookie == COOKIE):
            return None  # a login form's cookie never passes for a session, nor the other way round
        now = self.clock()
        if session.admin and self.idle_seconds and now - session.seen > self.idle_seconds:
            return None  # unused for too long: log in again
        return session if session.expires > now else None

    def touch(self, response: web.StreamResponse, session: Session) -> None:
        """Note that the session was used now (the idle timeout starts again), once a minute at most."""
        now = int(self.clock())
        if COOKIE in response.cookies:  # the answer sets (or ends) the session itself: logging out
            return
        if session.admin and self.idle_seconds and now - session.seen >= min(TOUCH_SECONDS, self.idle_seconds / 2):
            self.write(response, replace(session, seen=now))

    def write(self, response: web.StreamResponse, session: Session, cookie: str = COOKIE) -> None:
        fields = {
            "c": session.csrf,
            "a": session.admin,
            "e": session.expires,
            "s": session.seen,
            "n": session.name,
            "k": session.key,
        }
        payload = json.dumps(fields, separators=(",", ":"), ensure_ascii=True)
        value = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")  # "=" would need quoting
        response.set_cookie(
            cookie,
            self.signer.sign(value),
            max_age=max(session.expires - int(self.clock()), 0),
            path="/admin" if cookie == COOKIE else "/admin/login",
            httponly=True,
            samesite="Strict",
            secure=self.secure,
        )

    def end(self, response: web.StreamResponse, cookie: str = COOKIE) -> None:
        response.del_cookie(cookie, path="/admin" if cookie == COOKIE else "/admin/login")
