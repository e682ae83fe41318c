"""The dashboard's pages under ``/admin``: login, orders, one order, catalog, numbers.

Every page but the login needs a logged-in session; every POST needs the session's CSRF token. An
order moves only through ``shop.move_order`` / ``shop.refund_order``, so the customer is told in
their own messenger exactly as when the order moves any other way.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from types import EllipsisType
from typing import Any
from urllib.parse import parse_qsl, urlencode

import structlog
from aiohttp import web

from chatshop.addresses import client_address, masked, networks
from chatshop.digests import same_digest
from chatshop.money import Money, MoneyError
from chatshop.ordering import RefundAlreadyRecorded
from chatshop.orders import IllegalTransition, Order, OrderStatus, Shipment, refund_reference
from chatshop.payments import PaymentError
from chatshop.plugins.dialog import cod_confirm
from chatshop.plugins.dialog.reminders import check_stock_now
from chatshop.plugins.webchat.pages import Templates
from chatshop.plugins.webchat.view import adjustment_label
from chatshop.runtime import Shop
from chatshop.staff import TOKEN_OWNER, StaffError, check_name, verify_password
from chatshop.store.base import StockChanged
from chatshop.store.people import StaffAccount

from .access import WHO, Who, may_move, may_track, who_is
from .actions import actions_for, owed, records_refund
from .contact import contact_of
from .forms import form_of
from .headers import HEADERS, HSTS
from .inbox import InboxPages
from .numbers import shop_numbers
from .session import LOGIN_COOKIE, Session, Sessions, page_of
from .throttle import LoginThrottle

__all__ = ["Dashboard"]

log = structlog.get_logger(__name__)

HERE = Path(__file__).parent
#: Status filters on the orders page: (label, statuses).
FILTERS: dict[str, tuple[str, tuple[OrderStatus, ...]]] = {
    "open": ("To do", (OrderStatus.PAID, OrderStatus.COD_PENDING, OrderStatus.CONFIRMED)),
    "unpaid": ("Awaiting payment", (OrderStatus.PENDING_PAYMENT,)),
    "unconfirmed": ("Cash, unconfirmed", (OrderStatus.COD_PENDING,)),
    "shipped": ("Shipped", (OrderStatus.SHIPPED,)),
    "done": ("Delivered", (OrderStatus.DELIVERED,)),
    "returned": ("Returned", (OrderStatus.RETURNED,)),
    "closed": ("Cancelled / refunded", (OrderStatus.CANCELLED, OrderStatus.REFUNDED)),
    "all": ("All", ()),
}
SESSION_ENDED = "Your session ended: log in again."
#: Orders one page of the orders list shows; older ones are on the next pages.
PAGE_SIZE = 100
#: The last page number taken from an address (a million pages of orders is more than any shop has).
MAX_PAGE = 1_000_000
#: A search that is a phone number written with a plus, spaces, dashes, dots or parentheses.
_PHONE = re.compile(r"^\+?[\d\s().-]+$")
#: More digits than an order number has (six, all digits by chance: "234-567" is still searched as typed).
MIN_PHONE_DIGITS = 7
#: The account the admin token logs in as, for the login throttle (staff accounts name their own).
ADMIN_ACCOUNT = "admin"
#: How the throttle and the log name a staff login whose name is no name (or, in the log, no account's).
UNKNOWN_STAFF = "staff:?"

Handler = Callable[[web.Request, Session], Awaitable[web.StreamResponse]]
RouteHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Dashboard:
    def __init__(self, shop: Shop, token: str | None, sessions: Sessions) -> None:
        self.shop = shop
        #: The first owner's ``[admin] token_env`` token; None: only staff accounts log in.
        self._token = token.encode() if token else None
        self.sessions = sessions
        self.templates = Templates(HERE / "templates")
        self.templates.env.globals["when"] = shop.time.stamp  # every time on the pages, on the shop's clock
        self.throttle = LoginThrottle()
        self.trusted_proxies = networks(shop.config.server.trusted_proxies)
        self.headers = {**HEADERS, "Strict-Transport-Security": HSTS} if sessions.secure else HEADERS

    # --- plumbing --------------------------------------------------------------------------
    def page(
        self, template: str, session: Session, *, status: int = 200, who: Who | None = None, **context: Any
    ) -> web.Response:
        return self.templates.response(
            template,
            status=status,
            headers=self.headers,
            shop=self.shop.config.shop.name,
            csrf=session.csrf,
            admin=session.admin,
            who=who,
            **context,
        )

    def staff_page(self, request: web.Request, template: str, session: Session, **context: Any) -> web.Response:
        """A page for the logged-in staff member (their name and role in the header)."""
        return self.page(template, session, who=request[WHO], **context)

    async def audit(self, request: web.Request, action: str, subject: str = "", detail: str = "") -> None:
        """Note in the audit log that the logged-in staff member did ``action``."""
        await self.shop.store.record_audit(request[WHO].name, action, subject, detail)

    def login_page(self, session: Session, *, status: int = 200, error: str | None = None) -> web.Response:
        response = self.page("login.html", session, status=status, error=error, token_login=self._token is not None)
        self.sessions.write(response, session, LOGIN_COOKIE)
        return response

    def guarded(
        self, handler: Handler, *, post: bool = False, owner: bool = False, refresh: bool = False
    ) -> RouteHandler:
        """Logged in (as a staff member whose account still stands), and for a POST the right CSRF
        token; else a redirect to the login or 403. ``owner``: agents are refused with 403.
        ``refresh``: what an open page asks for by itself every few seconds (the orders' rows, a
        transcript): the page, not the person, so it never counts as use for the idle timeout."""

        async def wrapper(request: web.Request) -> web.StreamResponse:
            session = self.sessions.read(request)
            if post:
                form = await form_of(request)
                if session is None:
                    # The browser dropped the cookie when its hours were up: nothing to forge here, so
                    # the way back in rather than a bare 403 (for Log out, that is the whole job).
                    raise self._back("/admin/login", error=SESSION_ENDED)
                if not session.csrf_ok(_field(form, "csrf")):
                    raise web.HTTPForbidden(text="missing or wrong CSRF token: reload the page and try again")
                if not session.admin:
                    raise web.HTTPForbidden(text="log in first")
            elif session is None or not session.admin:
                raise web.HTTPSeeOther("/admin/login")
            if await self._ended(session):
                raise web.HTTPSeeOther("/admin/login")  # logged out: this cookie ended
            who = await who_is(self.shop, session, self._token is not None)
            if who is None:  # the account was removed or its password changed: this session ended
                if post:
                    raise self._back("/admin/login", error=SESSION_ENDED)
                raise web.HTTPSeeOther("/admin/login")
            request[WHO] = who
            if owner and not who.owner:
                log.warning("dashboard.forbidden", path=request.path, role=who.role.value)
                if post:
                    raise web.HTTPForbidden(text="only an owner may do this")
                return self.page("forbidden.html", session, status=403, who=who)
            try:
                response = await handler(request, session)
            except web.HTTPException as answer:  # a redirect after a POST is a use too
                if session is not None and answer.status < 400:
                    self.sessions.touch(answer, session)
                raise
            if not refresh:
                self.sessions.touch(response, session)
            return response

        return wrapper

    async def _ended(self, session: Session) -> bool:
        """Logged out, though the browser (or a copy of its cookie) still holds it."""
        return await self.shop.store.kv_get(_revoked_key(session), self.shop.now()) is not None

    # --- login -------------------------------------------------------------------------------
    async def login_form(self, request: web.Request) -> web.Response:
        session = self.sessions.read(request)
        # An ended session (logged out, its account removed or its password changed) would bounce back here.
        if (
            session is not None
            and not await self._ended(session)
            and await who_is(self.shop, session, self._token is not None) is not None
        ):
            raise web.HTTPSeeOther("/admin/orders")
        return self.login_page(
            self.sessions.read(request, LOGIN_COOKIE) or self.sessions.fresh(),
            error=self.sessions.note(request, "error"),
        )

    async def login(self, request: web.Request) -> web.Response:
        form = await form_of(request)
        session = self.sessions.read(request, LOGIN_COOKIE)
        if session is None or not session.csrf_ok(_field(form, "csrf")):
            raise web.HTTPForbidden(text="missing or wrong CSRF token: reload the login page and try again")
        address = client_address(request, self.trusted_proxies)
        name, token = (_field(form, "name") or "").strip(), _field(form, "token")
        staff: StaffAccount | None = None
        if not name and (token or self._token is not None):  # the owner's token (no staff name given)
            account, refused, known = ADMIN_ACCOUNT, "That token is not right.", True
            right = self._token is not None and same_digest(self._token, token or "")
        else:
            account, refused = _account_key(name), "That name and password do not match."
            if self._staff_wait(account, address) > 0:
                # Not even hashed: each guess costs the shop an Argon2 hash, a made-up name's too.
                right = False
                known = await self._named(name) is not None
            else:
                found = await self._named(name)
                staff = await self._account(found, _field(form, "password") or "")
                right, known = staff is not None, found is not None
        if not right:
            if account == ADMIN_ACCOUNT:
                wait = self.throttle.retry_after(account, address)
            else:
                wait = self._staff_wait(account, address)
                self.throttle.staff_failed(address)
            failures = self.throttle.failed(account, address)
            # A name no account has may be a password (or the token) typed into the wrong field:
            # never written down. The throttle still counts it by what was typed.
            shown = account if known else UNKNOWN_STAFF
            log.warning("dashboard.login_refused", account=shown, client=masked(address), failures=failures)
            if wait > 0:
                seconds = math.ceil(wait)
                page = self.login_page(
                    session, status=429, error=f"Too many attempts. Wait {seconds} seconds and try again."
                )
                page.headers["Retry-After"] = str(seconds)
                return page
            return self.login_page(session, status=401, error=refused)
        # Right is right, however many wrong attempts came before from elsewhere: failing on purpose
        # must never keep the owner (or a staff member) out.
        self.throttle.succeeded(account, address)
        log.info("dashboard.login", account=account, client=masked(address))
        await self.shop.store.record_audit(staff.name if staff else TOKEN_OWNER, "login")
        if staff is None:
            fresh, home = self.sessions.fresh(admin=True), "/admin/orders"
        else:
            fresh, home = self.sessions.fresh(admin=True, name=staff.name, key=staff.session_key), "/admin/inbox"
        response = web.HTTPSeeOther(home)
        self.sessions.write(response, fresh)  # a new CSRF token after login (its hours counted from now)
        self.sessions.end(response, LOGIN_COOKIE)
        raise response

    def _staff_wait(self, account: str, address: str) -> float:
        """How long before a staff login to ``account`` from ``address`` is hashed again: that
        account's wait from there, or the address's own after too many failures of any names."""
        return max(self.throttle.retry_after(account, address), self.throttle.staff_retry_after(address))

    async def _named(self, name: str) -> StaffAccount | None:
        """The staff account called ``name`` as typed at the login, if there is one."""
        try:
            name = check_name(name)
        except StaffError:
            return None
        return await self.shop.store.get_staff(name)

    async def _account(self, account: StaffAccount | None, password: str) -> StaffAccount | None:
        """``account`` if ``password`` is its own. Hashing is slow by design (Argon2): off the event
        loop, and as slow for a name that does not exist (``account`` None)."""
        ok = await asyncio.to_thread(verify_password, account, password)
        return account if ok else None

    async def logout(self, request: web.Request, session: Session) -> web.StreamResponse:
        # The cookie is signed, not stored: remember it as ended (in the shop's store, so every worker
        # knows), so a copy of it is worthless from now on.
        until = datetime.fromtimestamp(session.expires, UTC)
        await self.shop.store.kv_set(_revoked_key(session), "1", expires_at=until)
        response = web.HTTPSeeOther("/admin/login")
        self.sessions.end(response)
        raise response

    # --- orders ------------------------------------------------------------------------------
    async def home(self, request: web.Request, session: Session) -> web.StreamResponse:
        raise web.HTTPSeeOther("/admin/orders")

    async def _orders(self, request: web.Request) -> tuple[str, str, int, list[Any], bool]:
        """The filter, the search, the page number, that page's orders, and whether older ones follow."""
        key = request.query.get("status", "all")
        if key not in FILTERS:
            key = "all"
        search = request.query.get("q", "").strip()[:100]
        number = _page_number(request.query.get("page"))
        wanted = _search_term(search)
        statuses = FILTERS[key][1] or None
        orders = await self.shop.store.list_orders(
            statuses=statuses, search=wanted or None, limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE
        )
        return key, search, number, orders[:PAGE_SIZE], len(orders) > PAGE_SIZE

    async def orders(self, request: web.Request, session: Session) -> web.StreamResponse:
        key, search, number, orders, more = await self._orders(request)

        def page_url(to: int) -> str:
            return "/admin/orders?" + urlencode({"status": key, **({"q": search} if search else {}), "page": to})

        return self.staff_page(
            request,
            "orders.html",
            session,
            orders=orders,
            contact=contact_of,
            filters=FILTERS,
            current=key,
            search=search,
            rows_url="/admin/orders/rows?"
            + urlencode({"status": key, "q": search, **({"page": number} if number > 1 else {})}),
            first=(number - 1) * PAGE_SIZE + 1,
            newer_url=page_url(number - 1) if number > 1 else None,
            older_url=page_url(number + 1) if more else None,
            locale=self._locale(),
            methods=self._method_labels(),
        )

    async def order_rows(self, request: web.Request, session: Session) -> web.StreamResponse:
        """Only the table's rows, for the page's live refresh."""
        _, _, _, orders, _ = await self._orders(request)
        html = self.templates.render(
            "_rows.html", orders=orders, contact=contact_of, locale=self._locale(), methods=self._method_labels()
        )
        return web.Response(text=html, content_type="text/html", headers=self.headers)

    async def order(self, request: web.Request, session: Session) -> web.StreamResponse:
        order = await self.shop.store.get_order(request.match_info["number"])
        if order is None:
            raise web.HTTPNotFound(text="no such order")
        offline = self._offline(order)
        return self.staff_page(
            request,
            "order.html",
            session,
            order=order,
            contact=contact_of(order),
            actions=[
                a for a in actions_for(order, offline=offline) if may_move(request[WHO], self.shop, order, a.status)
            ],
            record_refund=request[WHO].owner and records_refund(order, offline=offline),
            tracking=may_track(request[WHO], self.shop, order),
            owed=owed(order),
            locale=self._locale(),
            done=self.sessions.note(request, "done"),
            error=self.sessions.note(request, "error"),
            method=self._method_label(order.payment_method),
            confirmation=cod_confirm.confirmation_state(order) if cod_confirm.settings(self.shop) else None,
            messages=await self._order_messages(order.number, order.channel),
            money=lambda minor: Money(minor, order.currency),
            adjustment=lambda code: adjustment_label(self.shop.texts, self._locale(), code),
            invoice=await self.shop.store.get_invoice(order_number=order.number),
            credit_notes=await self.shop.store.credit_notes(order.number) if self.shop.config.invoices else [],
            invoices=self.shop.config.invoices is not None,
        )

    async def invoice(self, request: web.Request, session: Session) -> web.StreamResponse:
        """The order's invoice PDF (issued now, with the next number, if it is due one)."""
        from chatshop.invoices import issue
        from chatshop.plugins.invoices import pdf_response

        order = await self.shop.store.get_order(request.match_info["number"])
        if order is None:
            raise web.HTTPNotFound(text="no such order")
        issued = await issue(self.shop, order)
        if issued is None:
            raise web.HTTPNotFound(text="no invoice: the order is neither paid nor delivered, or invoices are off")
        return pdf_response(self.shop, issued[0])

    async def _order_messages(self, number: str, channel: str) -> str | None:
        """The messages about an order (its status updates, its payment requests): how many, how
        billed, and their estimated cost on its channel; None for none."""
        counts: dict[str, int] = {}
        for _, billing, count in await self.shop.store.order_message_counts(number):
            counts[billing] = counts.get(billing, 0) + count
        if not counts:
            return None
        said = (
            f"{sum(counts.values())} ("
            + ", ".join(f"{b.replace('_', ' ')} {n}" for b, n in sorted(counts.items()))
            + ")"
        )
        sender = self.shop.channels.get(channel)
        rates = sender.message_rates() if sender is not None else None
        if rates is not None:
            said += f", about {rates.money(rates.cost(counts)).format(self._locale())}"
        return said

    async def move(self, request: web.Request, session: Session) -> web.StreamResponse:
        number = request.match_info["number"]
        form = await form_of(request)
        try:
            new = OrderStatus(_field(form, "status") or "")
        except ValueError:
            raise web.HTTPBadRequest(text="unknown status") from None
        order = await self.shop.store.get_order(number)
        if order is None:
            raise web.HTTPNotFound(text="no such order")
        if order.status == new and not (new == OrderStatus.REFUNDED and owed(order)):
            # the second click of a double click, or another tab: already done (a refund is done
            # only when nothing is owed: one that failed later leaves the order "refunded" and owing)
            raise self._back(f"/admin/orders/{number}", done=new.value)
        if not may_move(request[WHO], self.shop, order, new):
            raise web.HTTPForbidden(text=f"an agent may not move an order to {new.value}: ask an owner")
        if new not in {a.status for a in actions_for(order, offline=self._offline(order))}:
            raise self._back(f"/admin/orders/{number}", error=f"cannot go to {new.value}")
        try:
            if new == OrderStatus.REFUNDED:
                await self.shop.refund_order(number)
            elif new == OrderStatus.SHIPPED:
                await self.shop.ship_order(number, _shipment(form), note="dashboard")
            else:
                await self.shop.move_order(number, new, note="dashboard")
        except IllegalTransition as e:
            # Two clicks at once: the other one moved it; the customer was told by that one.
            if e.old == new:
                raise self._back(f"/admin/orders/{number}", done=new.value) from None
            raise self._back(f"/admin/orders/{number}", error=str(e)) from None
        except (PaymentError, ValueError) as e:
            raise self._back(f"/admin/orders/{number}", error=str(e)) from None
        log.info("dashboard.order_moved", order=number, new=new.value)
        await self.audit(request, f"order.{new.value}", number, f"{order.status.value} -> {new.value}")
        raise self._back(f"/admin/orders/{number}", done=new.value)

    def _offline(self, order: Order) -> bool:
        """Whether the order's money was taken without a provider (cash on delivery)."""
        method = self.shop.payment_methods.get(order.payment_method)
        return method is not None and not method.online

    async def record_refund(self, request: web.Request, session: Session) -> web.StreamResponse:
        """Record a refund the shop sent itself (UPI, bank transfer) for cash it took; owners only."""
        number = request.match_info["number"]
        form = await form_of(request)
        back = f"/admin/orders/{number}"
        order = await self.shop.store.get_order(number)
        if order is None:
            raise web.HTTPNotFound(text="no such order")
        try:
            amount = Money.parse(_field(form, "amount") or "", order.currency)
            reference = refund_reference(_field(form, "reference"))
            await self.shop.ordering.record_refund(number, amount, reference)
        except RefundAlreadyRecorded:
            raise self._back(back, done=order.status.value) from None  # a double click: recorded once
        except (PaymentError, ValueError) as e:
            raise self._back(back, error=str(e)) from None
        log.info("dashboard.refund_recorded", order=number)
        await self.audit(request, "order.refund_recorded", number, f"{amount} ref {reference}")
        moved = await self.shop.store.get_order(number)
        raise self._back(back, done=moved.status.value if moved else order.status.value)

    async def tracking(self, request: web.Request, session: Session) -> web.StreamResponse:
        """Give a shipped order its carrier and tracking (or correct them); the customer is told."""
        number = request.match_info["number"]
        form = await form_of(request)
        back = f"/admin/orders/{number}"
        order = await self.shop.store.get_order(number)
        if order is None:
            raise web.HTTPNotFound(text="no such order")
        if not may_track(request[WHO], self.shop, order):
            raise web.HTTPForbidden(text="an agent may not change tracking unless agents may ship: ask an owner")
        try:
            shipment = _shipment(form)
            if shipment is None:
                raise ValueError("carrier: name the carrier (e.g. Delhivery, DHL)")
            await self.shop.ordering.track(number, shipment, note="dashboard")
        except IllegalTransition as e:
            raise self._back(back, error=f"tracking goes with a shipped order; this one is {e.old.value}") from None
        except KeyError:
            raise web.HTTPNotFound(text="no such order") from None
        except ValueError as e:
            raise self._back(back, error=str(e)) from None
        log.info("dashboard.order_tracking", order=number)
        await self.audit(request, "order.tracking", number, f"{shipment.carrier} {shipment.tracking_number}")
        raise self._back(back, done="shipped")

    # --- catalog -----------------------------------------------------------------------------
    async def catalog(self, request: web.Request, session: Session) -> web.StreamResponse:
        products = list(self.shop.catalog.items())  # a variant is a row of its own: its stock, its price
        views = await self.shop.product_views(products)
        return self.staff_page(
            request,
            "catalog.html",
            session,
            views=views,
            locale=self._locale(),
            saved=self.sessions.note(request, "saved"),
            error=self.sessions.note(request, "error"),
        )

    async def save_product(self, request: web.Request, session: Session) -> web.StreamResponse:
        """Save what the owner changed on the form, and only that.

        The form carries the stock and price it showed (``stock_was``, ``price_was``): a field left as
        shown is not written, so a price change from a page loaded before three sales leaves the stock
        the sales took; a stock typed over a figure that changed meanwhile is refused with the new one.
        """
        product_id = request.match_info["product_id"]
        product = self.shop.catalog.get(product_id)
        if product is None or product.variants:  # a product with variants is stocked by its variants
            raise web.HTTPNotFound(text="no such product")
        form = await form_of(request)
        back = f"/admin/catalog#p-{product_id}"
        action = _field(form, "action")
        (view,) = await self.shop.product_views([product])
        if action in ("off", "on", "toggle"):
            active = not view.active if action == "toggle" else action == "on"  # "on"/"off": pressing twice is once
            await self.shop.store.update_inventory(product_id, active=active)
            if active != view.active:
                await self.audit(request, "product.on" if active else "product.off", product_id)
                await self.shop.plugins.catalog_changed(self.shop, [product_id])  # Meta's catalog, ...
            await check_stock_now(self.shop)  # back on sale: whoever asked to hear is told
            raise self._back(back, saved=product_id)
        stock_text = (_field(form, "stock") or "").strip()
        price_text = (_field(form, "price") or "").strip()
        stock_was, price_was = _field(form, "stock_was"), _field(form, "price_was")
        try:
            stock = _stock(stock_text)
            # Money.parse refuses a decimal comma ("612,50") and amounts no store can hold.
            price = Money.parse(price_text, product.price.currency) if price_text else None
            if price is not None and price.minor < 0:
                raise ValueError("price must not be negative")
        except (ValueError, MoneyError) as e:
            raise self._back(back, error=f"{product_id}: {e}") from None
        new_stock: int | EllipsisType | None = stock
        based_on: int | EllipsisType | None = ...
        if stock_was is not None and _is_stock(stock_was):
            shown = _stock(stock_was.strip())
            if stock == shown:
                new_stock = ...  # not touched on the form: keep what sales made of it
            else:
                based_on = shown  # set only if no sale came since the page was loaded
        new_price: int | EllipsisType | None = None if price is None or price == product.price else price.minor
        if price_was is not None and price_text == price_was.strip():
            new_price = ...  # not touched on the form
        try:
            await self.shop.store.update_inventory(
                product_id, stock=new_stock, price_minor=new_price, stock_was=based_on
            )
        except StockChanged as e:
            now = "unlimited" if e.current is None else e.current
            message = f"{product_id}: the stock changed to {now} since the page was loaded; nothing saved"
            raise self._back(back, error=message) from None
        log.info("dashboard.product_saved", product=product_id)
        changed = False
        if new_price is not ...:
            price_now = product.price if new_price is None else Money(new_price, product.price.currency)
            if price_now != view.price:
                prices = f"{view.price.format(self._locale())} -> {price_now.format(self._locale())}"
                await self.audit(request, "product.price", product_id, prices)
                changed = True
        if new_stock is not ... and new_stock != view.stock:
            change = f"{_shown_stock(view.stock)} -> {_shown_stock(new_stock)}"
            await self.audit(request, "product.stock", product_id, change)
            changed = True
        if changed:  # Meta's catalog and other copies of the catalog follow (in the background)
            await self.shop.plugins.catalog_changed(self.shop, [product_id])
        await check_stock_now(self.shop)  # a restock: whoever asked to hear is told
        raise self._back(back, saved=product_id)

    def _back(self, path: str, **notes: str) -> web.HTTPSeeOther:
        """A redirect to ``path`` with signed notes (``done``, ``saved``, ``error``) for its page to show."""
        path, _, anchor = path.partition("#")
        bare, _, kept = path.partition("?")
        page = page_of(bare, parse_qsl(kept))  # each note is signed for this page only
        query: dict[str, str] = {}
        for name, text in notes.items():
            query[name] = text
            query[f"{name}_sig"] = self.sessions.seal(name, text, page)
        joint = "&" if "?" in path else "?"
        return web.HTTPSeeOther(f"{path}{joint}{urlencode(query)}" + (f"#{anchor}" if anchor else ""))

    # --- audit -------------------------------------------------------------------------------
    async def audit_log(self, request: web.Request, session: Session) -> web.StreamResponse:
        """Who did what, newest first, a page at a time (owners only)."""
        number = _page_number(request.query.get("page"))
        subject = request.query.get("subject", "").strip()[:200] or None
        entries = await self.shop.store.audit_log(limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE, subject=subject)
        more = len(entries) > PAGE_SIZE

        def page_url(to: int) -> str:
            return "/admin/audit?" + urlencode({**({"subject": subject} if subject else {}), "page": to})

        return self.staff_page(
            request,
            "audit.html",
            session,
            entries=entries[:PAGE_SIZE],
            subject=subject or "",
            staff=await self.shop.store.list_staff(),
            newer_url=page_url(number - 1) if number > 1 else None,
            older_url=page_url(number + 1) if more else None,
        )

    # --- numbers -----------------------------------------------------------------------------
    async def numbers(self, request: web.Request, session: Session) -> web.StreamResponse:
        return self.staff_page(
            request,
            "numbers.html",
            session,
            numbers=await shop_numbers(self.shop, self.shop.now()),
            discounts=await self._discounts(),
            zone=self.shop.time.name,
        )

    async def _discounts(self) -> list[dict[str, str]]:
        """Each code and offer of ``[[discounts]]``: its uses (of its limit), and the orders and
        revenue it brought (orders not cancelled)."""
        uses = {use.key.removeprefix("discount:"): use for use in await self.shop.store.claim_uses("discount:")}
        currency, locale = self.shop.config.shop.currency, self._locale()
        rows = []
        for entry in self.shop.config.discounts:
            use = uses.get(entry.key)
            used = use.used if use else 0
            if entry.percent is not None:
                off = f"{entry.percent.normalize():f} %"
            else:
                off = entry.amount.format(locale) if entry.amount is not None else ""
            rows.append(
                {
                    "name": entry.code or entry.name or entry.key,
                    "kind": "code" if entry.code else "automatic",
                    "off": off,
                    "uses": f"{used} of {entry.max_uses}" if entry.max_uses else str(used),
                    "orders": str(use.orders if use else 0),
                    "revenue": Money(use.revenue_minor if use else 0, currency).format(locale),
                    "valid": " – ".join(str(d) for d in (entry.valid_from, entry.valid_until) if d) or "always",
                }
            )
        return rows

    # --- helpers -----------------------------------------------------------------------------
    def _locale(self) -> str:
        return self.shop.config.shop.locale

    def _method_labels(self) -> dict[str, str]:
        return {name: self._method_label(name) for name in self.shop.payment_methods}

    def _method_label(self, name: str) -> str:
        method = self.shop.payment_methods.get(name)
        key = getattr(method, "label_key", None) if method else None
        if key:
            try:
                return self.shop.text(self._locale(), key)
            except (KeyError, ValueError):
                pass
        return name

    def add_to(self, router: web.UrlDispatcher) -> None:
        router.add_get("/admin", self.guarded(self.home))
        router.add_get("/admin/login", self.login_form)
        router.add_post("/admin/login", self.login)
        router.add_post("/admin/logout", self.guarded(self.logout, post=True))
        router.add_get("/admin/orders", self.guarded(self.orders))
        router.add_get("/admin/orders/rows", self.guarded(self.order_rows, refresh=True))
        router.add_get("/admin/orders/{number}", self.guarded(self.order))
        router.add_get("/admin/orders/{number}/invoice.pdf", self.guarded(self.invoice))
        router.add_post("/admin/orders/{number}/move", self.guarded(self.move, post=True))
        router.add_post("/admin/orders/{number}/tracking", self.guarded(self.tracking, post=True))
        router.add_post("/admin/orders/{number}/refund", self.guarded(self.record_refund, post=True, owner=True))
        router.add_get("/admin/catalog", self.guarded(self.catalog))  # agents read it; only owners change it
        router.add_post("/admin/catalog/{product_id}", self.guarded(self.save_product, post=True, owner=True))
        router.add_get("/admin/numbers", self.guarded(self.numbers, owner=True))
        router.add_get("/admin/audit", self.guarded(self.audit_log, owner=True))
        InboxPages(self).add_to(router)
        router.add_static("/admin/static", HERE / "static")


def _account_key(name: str) -> str:
    """The login throttle's name for a staff login: the account tried (as staff names are written),
    never what was typed when it is no name at all (a password typed in the wrong field)."""
    try:
        return "staff:" + check_name(name)
    except StaffError:
        return UNKNOWN_STAFF


def _shown_stock(stock: int | None) -> str:
    return "unlimited" if stock is None else str(stock)


def _search_term(search: str) -> str:
    """What to look for: a phone number as written ("+91 98123 45678", as the order page shows it) by
    its digits, which is how messengers that use phone numbers name their customers."""
    if _PHONE.match(search):
        digits = re.sub(r"\D", "", search)
        if len(digits) >= MIN_PHONE_DIGITS:
            return digits
    return search


def _page_number(text: str | None) -> int:
    """``?page=``: 1 when absent or not a page number."""
    if not text or not text.isdecimal() or len(text) > 7:  # isdigit would pass "²", which int() refuses
        return 1
    return min(max(int(text), 1), MAX_PAGE)


def _is_stock(text: str) -> bool:
    try:
        _stock(text.strip())
    except ValueError:
        return False
    return True


def _stock(text: str) -> int | None:
    """A stock typed by the owner: empty is unlimited; whole numbers from 0 to a million."""
    if not text:
        return None
    try:
        stock = int(text)
    except ValueError:
        raise ValueError(f"stock must be a whole number such as 12 (empty: unlimited), not {text[:20]!r}") from None
    if not 0 <= stock <= 1_000_000:
        raise ValueError("stock must be between 0 and 1000000")
    return stock


def _shipment(form: Any) -> Shipment | None:
    """The carrier and tracking typed on a Ship form; None when all three were left empty."""
    fields = [_field(form, name) or "" for name in ("carrier", "tracking_number", "tracking_url")]
    if not any(value.strip() for value in fields):
        return None
    return Shipment.parse(*fields)


def _field(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def _revoked_key(session: Session) -> str:
    return f"dashboard:ended:{session.csrf}"
