"""The ``chatshop`` command: run a shop, talk to it, check it, and look after its orders."""

from __future__ import annotations

import asyncio
import gc
import io
import json
import queue
import re
import sqlite3
import sys
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from functools import wraps
from importlib.resources import files
from pathlib import Path
from typing import Any, TextIO, TypeVar

import asyncpg
import click
from aiohttp import web

from chatshop import scaffold
from chatshop.config import ConfigError, ConfigProblem, ShopConfig, load_config
from chatshop.export import customer_export
from chatshop.legal import legal_warnings
from chatshop.logs import configure_logging
from chatshop.messages import Inbound, InboundKind
from chatshop.money import Money
from chatshop.orders import IllegalTransition, Order, OrderStatus, Shipment, ShipmentError, refund_reference
from chatshop.payments import PaymentError
from chatshop.plugin_manager import PluginError, Plugins
from chatshop.runtime import Shop, open_store
from chatshop.shoptime import ShopTime
from chatshop.store.base import Store

T = TypeVar("T")

#: Allocations between collections of the youngest generation (Python's default is 700).
GC_YOUNG_THRESHOLD = 10_000

ACTIONS = {
    "confirm": OrderStatus.CONFIRMED,
    "ship": OrderStatus.SHIPPED,
    "deliver": OrderStatus.DELIVERED,
    "cancel": OrderStatus.CANCELLED,
    "return": OrderStatus.RETURNED,  # came back undelivered (refused, or the courier could not deliver)
}


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def friendly_errors(fn: Callable[..., T]) -> Callable[..., T]:
    """Show a shop owner's mistakes (the file, a plugin, the database, a port) as a sentence, not a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except ConfigError as e:
            _fail(str(ConfigError(e.problems, e.source or kwargs.get("shop_toml"))))
        except PluginError as e:
            _fail(f"plugin error: {e}")
        except (asyncpg.PostgresError, asyncpg.InterfaceError, sqlite3.Error) as e:
            _fail(f"storage.url: cannot use the shop's database: {e}")
        except OSError as e:  # a catalog path that is a folder or unreadable
            _fail(f"error: {e.filename}: {e.strerror}" if e.filename else f"error: {e.strerror or e}")
        raise AssertionError("unreachable")

    return wrapper


def _shop(path: str, *, terminal: bool = True, **server: Any) -> Shop:
    config = load_config(path)
    if terminal:
        config.channels.setdefault("terminal", {})  # customers who shopped with `chatshop chat` get told too
    for key, value in server.items():
        if value is not None:
            setattr(config.server, key, value)
    return Shop(config)


def _store(path: str) -> tuple[ShopConfig, Store]:
    """The shop's database alone: migrating, listing and erasing need no channel or provider
    secret (a deploy step, a support shell), only ``[storage]``."""
    config = load_config(path)
    return config, open_store(config)


def _run(coro: Awaitable[T]) -> T:
    try:
        return asyncio.run(coro)  # type: ignore[arg-type]
    except OSError as e:
        if e.filename is not None:
            raise
        raise _unreachable_store(e) from None


def _unreachable_store(error: OSError) -> ConfigError:
    """The commands' only network peer before serving is the database (PostgreSQL refused, host unknown)."""
    return ConfigError([ConfigProblem(path="storage.url", message=f"cannot reach the database: {_reason(error)}")])


def _reason(error: OSError) -> str:
    """'address already in use' rather than "[Errno 98] error while attempting to bind on address ..."."""
    text = str(error)
    return text.rsplit(": ", 1)[-1] if "bind" in text else (error.strerror or text)


@click.group()
@click.version_option(package_name="chatshop")
@click.option("--log-level", default="warning", show_default=True, help="debug, info, warning or error")
def cli(log_level: str) -> None:
    """Sell inside chat messengers: run, try and manage a chatshop shop."""
    configure_logging(log_level)


@cli.command()
@click.argument("shop_toml", type=click.Path(dir_okay=False))
@click.option("--host", default=None, help="Address to listen on (default: [server] host).")
@click.option("--port", default=None, type=click.IntRange(0, 65535), help="Port to listen on (default: [server] port).")
@friendly_errors
def serve(shop_toml: str, host: str | None, port: int | None) -> None:
    """Run the shop: webhooks for its channels and payment methods, and its background workers."""
    configure_logging("info", cache=True)
    shop = _shop(shop_toml, host=host, port=port)
    from chatshop.app import create_app

    server = shop.config.server
    click.echo(
        f"{shop.config.shop.name} is open on http://{server.host}:{server.port} "
        f"(channels: {', '.join(sorted(shop.channels)) or 'none'})"
    )
    for line in _addresses(shop, server.port):
        click.echo(line)
    app = create_app(shop)
    started: list[bool] = []

    async def mark_started(app: web.Application) -> None:
        started.append(True)  # runs after the shop's own start-up (its database) succeeded
        # What start-up built (modules, the catalog, texts) lives as long as the process: keep it
        # out of the collector's full passes, and collect the young less often, as each message
        # makes a few thousand short-lived objects.
        gc.freeze()
        gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])

    app.on_startup.append(mark_started)
    try:
        web.run_app(
            app,
            host=server.host,
            port=server.port,
            print=None,
            shutdown_timeout=15,
            access_log=None,  # structlog logs what matters; an access log would carry WeChat's openid in its URLs
        )
    except OSError as e:
        if e.filename is not None:
            raise
        if not started:
            raise _unreachable_store(e) from None
        _fail(f"cannot listen on {server.host}:{server.port}: {_reason(e)} (see [server] host and port, or --port)")


def _addresses(shop: Shop, port: int) -> list[str]:
    """Where a person opens the shop's pages."""
    base = shop.config.server.public_url or f"http://{shop.config.server.host}:{port}"
    lines = []
    if "webchat" in shop.channels:
        lines.append(f"Web chat:  {base.rstrip('/')}/chat")
    if shop.config.dashboard:
        lines.append(f"Dashboard: {base.rstrip('/')}/admin")
    return lines


@cli.command()
@click.argument("shop_toml", type=click.Path(dir_okay=False))
@click.option("--customer", default="you", show_default=True, help="Who you are in the shop's records.")
@click.option(
    "--port",
    default=None,
    type=click.IntRange(0, 65535),
    help="Also serve the shop's pages and webhooks on this port (default in a terminal: [server] port).",
)
@friendly_errors
def chat(shop_toml: str, customer: str, port: int | None) -> None:
    """Shop in the terminal as a customer. Reads lines from stdin when it is not a terminal.

    In a terminal the shop's web chat is served too (on [server] port), so the same shop can be
    tried in a browser at the same time; a scripted run serves nothing unless --port is given.
    """
    shop = _shop(shop_toml)
    with _keyboard_restored():
        try:
            _run(_chat(shop, customer, port))
        except KeyboardInterrupt:  # Ctrl-C: leave as Ctrl-D does, with the shell's code for it
            click.echo()
            sys.exit(130)


async def _chat(shop: Shop, customer: str, port: int | None) -> None:
    from chatshop.app import create_app

    interactive = sys.stdin.isatty()
    if port is None and interactive and "webchat" in shop.channels:
        port = shop.config.server.port
    runner: web.AppRunner | None = None
    if port is not None:
        runner = web.AppRunner(create_app(shop))
        await runner.setup()
        try:
            site = web.TCPSite(runner, shop.config.server.host, port)
            await site.start()
        except OSError as e:
            click.echo(f"(not serving the web pages: port {port} is taken: {e.strerror})", err=True)
        else:
            for address in _addresses(shop, runner.addresses[-1][1]):  # the port bound (port 0: any free)
                click.echo(address)
    else:
        await shop.start()
    if interactive:
        click.echo(f"You are chatting with {shop.config.shop.name}. Say hi! (Ctrl-D to leave)")
    keyboard = _Keyboard(interactive)
    terminal = shop.channels.get("terminal")
    if interactive and terminal is not None:
        terminal.output = _Screen(sys.stdout, keyboard)  # type: ignore[attr-defined]
    try:
        while True:
            line = await keyboard.line()
            if line is None:
                if interactive:
                    click.echo()  # Ctrl-D: the shell's prompt on a line of its own
                break
            if not line.strip():
                continue
            inbound = Inbound(
                channel="terminal", customer_id=customer, message_id=uuid.uuid4().hex, kind=InboundKind.TEXT, text=line
            )
            await shop.receive(inbound)
            await shop.idle()
    finally:
        if runner is not None:
            await runner.cleanup()
        else:
            await shop.stop()


#: Control characters no keyboard types (all but tab): a NUL breaks PostgreSQL, an ESC sequence would
#: paint the terminal of whoever reads the conversation back.
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
PROMPT = "you> "
#: The longest line taken, as in the web chat: a customer's message, not a file.
MAX_LINE = 2000


@contextmanager
def _keyboard_restored() -> Iterator[None]:
    """Line editing (arrow keys, history) at a terminal, and the terminal's modes as they were at the
    end: Ctrl-C may leave while the line editor holds the terminal in its own mode."""
    if not sys.stdin.isatty():
        yield
        return
    if isinstance(sys.stdin, io.TextIOWrapper):  # bytes of another encoding: read, not a dropped line
        sys.stdin.reconfigure(errors="replace")
    with suppress(ImportError):
        import readline  # noqa: F401  (input() edits lines once it is loaded; not on every platform)
    try:
        import termios

        saved = termios.tcgetattr(sys.stdin.fileno())
    except (ImportError, OSError):
        yield
        return
    try:
        yield
    finally:
        with suppress(OSError):
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, saved)


class _Keyboard:
    """Reads the customer's lines one at a time, when asked, in a thread of its own.

    A daemon thread, not the event loop's executor: a read blocks until Enter, and the executor's
    threads are waited for on the way out, so Ctrl-C hung until one more line was typed.
    """

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive
        #: The prompt is on the screen and the customer may be typing after it.
        self.prompting = False
        self._asks: queue.SimpleQueue[asyncio.Future[str | None]] = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="chatshop-keyboard", daemon=True).start()

    async def line(self) -> str | None:
        """The next line typed, cleaned; None at the end of input."""
        asked: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._asks.put(asked)
        return await asked

    def _serve(self) -> None:
        while True:
            asked = self._asks.get()
            self.prompting = self.interactive
            try:
                line = _read_line(self.interactive)
            finally:
                self.prompting = False
            with suppress(RuntimeError):  # the loop closed meanwhile: nobody is waiting any more
                asked.get_loop().call_soon_threadsafe(_settle, asked, line)
            if line is None:
                return


class _Screen(io.TextIOBase):
    """The terminal channel's output at a keyboard. News that arrives while the customer is typing (the
    owner shipped their order) is printed above the prompt, which is then drawn again with what was
    typed so far; it was printed after the half-typed line, and the rest was typed on a bare line."""

    def __init__(self, out: TextIO, keyboard: _Keyboard) -> None:
        self.out = out
        self.keyboard = keyboard
        self._over_prompt = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.keyboard.prompting and not self._over_prompt:
            self.out.write("\r\x1b[K")  # back to the line's start, and the prompt's line cleared
            self._over_prompt = True
        return self.out.write(text)

    def flush(self) -> None:
        if self._over_prompt:
            self._over_prompt = False
            self.out.write(PROMPT + _typed_so_far())
        self.out.flush()


def _typed_so_far() -> str:
    try:
        import readline
    except ImportError:
        return ""
    return readline.get_line_buffer()


def _settle(future: asyncio.Future[str | None], line: str | None) -> None:
    if not future.done():
        future.set_result(line)


def _read_line(interactive: bool) -> str | None:
    """The next line the customer typed, as clean text; None at the end of input."""
    try:
        if interactive:
            line = input(PROMPT)
        else:
            raw = sys.stdin.buffer.readline()
            if not raw:
                return None
            line = raw.decode("utf-8", "replace")  # a script in another encoding is read, not a crash
    except EOFError:
        return None
    except UnicodeDecodeError:
        return ""
    line = line.encode("utf-8", "replace").decode("utf-8")  # lone surrogates from a non-UTF-8 terminal
    return _CONTROLS.sub("", line)[:MAX_LINE]


@cli.command()
@click.argument("shop_toml", type=click.Path(dir_okay=False))
@friendly_errors
def check(shop_toml: str) -> None:
    """Validate a shop.toml and every plugin section in it; list every problem with its key path."""
    shop = _shop(shop_toml, terminal=False)
    products, categories = len(shop.catalog), len(shop.catalog.categories)
    click.echo(
        f"ok: {shop.config.shop.name}: {products} product{'s' * (products != 1)} in "
        f"{categories} categor{'ies' if categories != 1 else 'y'}; "
        f"channels: {', '.join(sorted(shop.channels)) or 'none'}; "
        f"payments: {', '.join(sorted(shop.payment_methods)) or 'none'}"
    )
    for name, channel in sorted(shop.channels.items()):
        for advice in channel.warnings():
            click.echo(f"warning: channels.{name}: {advice}", err=True)
    if not shop.payment_methods:
        click.echo("warning: no payment method is enabled, so customers cannot check out", err=True)
    if not shop.catalog and not shop.config.catalog.sources:  # a live source is read at start-up
        click.echo("warning: the catalog is empty", err=True)
    for problem in legal_warnings(shop.config):
        click.echo(f"warning: {problem}", err=True)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False))
def init(directory: str) -> None:
    """Write a starter shop (shop.toml and catalog.csv) into DIRECTORY."""
    target = Path(directory)
    names = ("shop.toml", "catalog.csv")
    taken = [target / name for name in names if (target / name).exists()]
    if taken:  # checked before writing anything, so a half-written shop never happens
        _fail("\n".join(f"{path} already exists; not overwriting it" for path in taken))
    try:
        target.mkdir(parents=True, exist_ok=True)
        starter = files("chatshop").joinpath("starter")
        for name in names:
            (target / name).write_text(starter.joinpath(name).read_text(encoding="utf-8"), encoding="utf-8")
    except OSError as e:
        _fail(f"cannot write the starter shop: {e.filename or target}: {e.strerror}")
    click.echo(f"Wrote {target / 'shop.toml'} and {target / 'catalog.csv'}. Try: chatshop chat {target / 'shop.toml'}")


@cli.command()
@click.argument("shop_toml", type=click.Path(dir_okay=False))
@friendly_errors
def migrate(shop_toml: str) -> None:
    """Bring the shop's database schema to the newest version."""
    _, store = _store(shop_toml)

    async def go() -> int:
        await store.open()
        try:
            return await store.schema_version()
        finally:
            await store.close()

    click.echo(f"schema version {_run(go())}")


def order_json(order: Order) -> dict[str, Any]:
    return {
        "id": order.number,
        "status": order.status.value,
        "customer": order.customer_key,
        "payment_method": order.payment_method,
        "currency": order.currency,
        "lines": [
            {
                "product_id": ln.product_id,
                "title": ln.title,
                "quantity": ln.quantity,
                "unit_price": str(ln.unit_price.decimal),
                **({"product": ln.product, "options": dict(ln.options)} if ln.product else {}),
            }
            for ln in order.lines
        ],
        "subtotal": str(order.subtotal.decimal),
        "fees": [{"code": code, "amount": str(amount.decimal)} for code, amount in order.adjustments],
        "total": str(order.total.decimal),
        "paid": str(order.paid.decimal),
        "refunded": str(Money(order.refunded_amount, order.currency).decimal),
        "created_at": order.created_at.isoformat() if order.created_at else None,
        **({"referral": order.referral} if order.referral else {}),
    }


@cli.command()
@click.argument("shop_toml", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option("--status", type=click.Choice([s.value for s in OrderStatus]), multiple=True)
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@friendly_errors
def orders(shop_toml: str, as_json: bool, status: tuple[str, ...], limit: int) -> None:
    """List orders, newest first."""
    config, store = _store(shop_toml)

    async def go() -> list[Order]:
        await store.open()
        try:
            return await store.list_orders(statuses=[OrderStatus(s) for s in status] or None, limit=limit)
        finally:
            await store.close()

    found = _run(go())
    if as_json:
        click.echo(json.dumps([order_json(o) for o in found], indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("no orders")
    clock = ShopTime(config.shop.timezone)  # times as the shop's staff read them
    for o in found:
        created = f"{clock.local(o.created_at):%Y-%m-%d %H:%M}" if o.created_at else ""
        total = o.total.format(config.shop.locale)
        click.echo(f"{o.number}  {created}  {o.status.value:<16} {o.payment_method:<10} {total:>14}  {o.channel}")


@cli.command()
@click.argument("shop_toml", type=click.Path(dir_okay=False))
@click.argument("customer_key")
@friendly_errors
def forget(shop_toml: str, customer_key: str) -> None:
    """Erase one customer (CHANNEL:ID, as `orders --json` shows it): conversation, messages, chat
    history. Their orders are kept whole: they are the shop's record of a sale (docs/privacy.md)."""
    key = customer_key.strip()
    channel, _, customer_id = key.partition(":")
    if not channel or not customer_id:
        _fail(f"customer key {key!r}: expected CHANNEL:ID, e.g. whatsapp:919812345678")
    _, store = _store(shop_toml)

    async def go() -> tuple[int, int]:
        await store.open()
        try:
            erased = await store.forget_customer(key)
            kept = await store.list_orders(customer_key=key, limit=10_000)
            return erased, len(kept)
        finally:
            await store.close()

    erased, kept = _run(go())
    click.echo(f"forgot {erased} records of {key}; {kept} orders kept (see docs/privacy.md)")


@cli.command()
@click.argument("shop_toml", type=click.Path(dir_okay=False))
@click.argument("customer_key")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write to FILE instead of the terminal.")
@friendly_errors
def export(shop_toml: str, customer_key: str, out: str | None) -> None:
    """Everything the shop holds about one customer (CHANNEL:ID) as JSON: conversation, messages still
    kept, orders with addresses, chat history (GDPR Art. 15 and 20; docs/privacy.md)."""
    key = customer_key.strip()
    channel, _, customer_id = key.partition(":")
    if not channel or not customer_id:
        _fail(f"customer key {key!r}: expected CHANNEL:ID, e.g. whatsapp:919812345678")
    config, store = _store(shop_toml)

    async def go() -> dict[str, Any]:
        await store.open()
        try:
            return await customer_export(store, key, shop=config.shop.name)
        finally:
            await store.close()

    text = json.dumps(_run(go()), indent=2, ensure_ascii=False)
    if out is None:
        click.echo(text)
        return
    try:
        Path(out).write_text(text + "\n", encoding="utf-8")
    except OSError as e:
        _fail(f"cannot write {out}: {e.strerror}")
    click.echo(f"wrote everything held about {key} to {out}", err=True)


@cli.command()
@click.argument("shop_toml", type=click.Path(dir_okay=False))
@click.argument("order_id")
@click.argument("action", type=click.Choice(sorted(ACTIONS)))
@click.option("--carrier", default=None, help="ship: who carries the parcel (Delhivery, DHL, ...).")
@click.option("--tracking-number", default=None, help="ship: the carrier's tracking number.")
@click.option("--tracking-url", default=None, help="ship: the page where the customer follows the parcel.")
@friendly_errors
def order(
    shop_toml: str,
    order_id: str,
    action: str,
    carrier: str | None,
    tracking_number: str | None,
    tracking_url: str | None,
) -> None:
    """Move an order (confirm, ship, deliver, cancel, return) and tell the customer in their chat.

    ``return``: a shipped parcel came back undelivered; its stock is back on the shelf and what
    was paid online is refunded (a cash order took no money).
    A shipment's carrier and tracking number (and tracking page) go with ``ship``; the customer's
    "shipped" message carries them. Shipping an order already shipped gives it the tracking given.
    """
    shipment: Shipment | None = None
    if carrier is not None or tracking_number is not None or tracking_url is not None:
        if action != "ship":
            _fail("--carrier, --tracking-number and --tracking-url go with 'ship' only")
        try:
            shipment = Shipment.parse(carrier, tracking_number, tracking_url)
        except ShipmentError as e:
            _fail(f"--{e.field.replace('_', '-')}: {e.message}")
    shop = _shop(shop_toml)
    number = order_id.strip().upper()

    async def go() -> Order:
        await shop.start(background=False)
        try:
            if action == "ship":
                moved = await shop.ship_order(number, shipment, note="command line")
            else:
                moved = await shop.move_order(number, ACTIONS[action], note="command line")
            await shop.idle()
            return moved
        finally:
            await shop.stop()

    try:
        moved = _run(go())
    except IllegalTransition as e:
        if e.old == e.new:  # run twice (a retried script): the order is where it was asked to be
            click.echo(f"{e.number}: already {e.new.value}; the customer was told the first time")
            return
        _fail(str(e))
    except KeyError:
        _fail(f"no order {order_id}")
    except PaymentError as e:  # the refund a cancel or a return needs: the provider is down, or refuses
        _fail(f"{number}: not {ACTIONS[action].value}: the refund did not go through ({e}); the order is unchanged")
    click.echo(f"{moved.number}: {moved.status.value}")


@cli.command("record-refund")
@click.argument("shop_toml", type=click.Path(dir_okay=False))
@click.argument("order_id")
@click.option("--amount", required=True, help="What was sent back, e.g. 295.00 (at most what is left to refund).")
@click.option("--reference", required=True, help="The UPI transaction id or the bank transfer's reference (UTR).")
@friendly_errors
def record_refund(shop_toml: str, order_id: str, amount: str, reference: str) -> None:
    """Record a refund sent outside chatshop (UPI, bank transfer) for an order paid in cash, and tell
    the customer. The same reference twice is recorded once; more than was paid is refused."""
    from chatshop.ordering import RefundAlreadyRecorded

    try:
        reference = refund_reference(reference)
    except ValueError as e:
        _fail(f"--{e}")
    shop = _shop(shop_toml)
    number = order_id.strip().upper()
    try:
        money = Money.parse(amount, shop.config.shop.currency)
    except ValueError as e:
        _fail(f"--amount: {e}")

    async def go() -> Order:
        await shop.start(background=False)
        try:
            recorded = await shop.ordering.record_refund(number, money, reference)
            await shop.idle()
            return recorded
        finally:
            await shop.stop()

    try:
        recorded = _run(go())
    except RefundAlreadyRecorded:
        click.echo(f"{number}: the refund {reference} is recorded already; the customer was told the first time")
        return
    except KeyError:
        _fail(f"no order {order_id}")
    except (PaymentError, ValueError) as e:
        _fail(str(e))
    left = Money(recorded.paid_amount - recorded.refunded_amount, recorded.currency)
    click.echo(f"{recorded.number}: {recorded.status.value}, {left} left to refund")


@cli.command()
@click.argument("shop_toml", type=click.Path(dir_okay=False))
@click.argument("order_id")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Where to write the PDF.")
@friendly_errors
def invoice(shop_toml: str, order_id: str, out: str) -> None:
    """Write an order's invoice as a PDF (issued now, with the next number, if it is due one)."""
    from chatshop.invoices import issue
    from chatshop.plugins.invoices import invoice_pdf

    shop = _shop(shop_toml, terminal=False)
    if shop.config.invoices is None:
        _fail("invoices: this shop issues no invoices: add an [invoices] section to shop.toml")
    number = order_id.strip().upper()

    async def go() -> tuple[str, bytes] | str:
        await shop.start(background=False)
        try:
            order = await shop.store.get_order(number)
            if order is None:
                return f"no order {number}"
            issued = await issue(shop, order)
            if issued is None:
                return f"{number}: no invoice: the order is {order.status.value}, neither paid nor delivered"
            return issued[0].number, invoice_pdf(shop, issued[0])
        finally:
            await shop.stop()

    result = _run(go())
    if isinstance(result, str):
        _fail(result)
        return
    invoice_number, pdf = result
    try:
        Path(out).write_bytes(pdf)
    except OSError as e:
        _fail(f"cannot write {out}: {e.strerror}")
    click.echo(f"{number}: invoice {invoice_number} written to {out}")


scaffold.register(cli)  # chatshop plugin new

# The people's commands use the helpers above, so they are added once this module has them.
from chatshop.cli_people import audit, staff  # noqa: E402

cli.add_command(staff)
cli.add_command(audit)


def main() -> None:
    try:
        Plugins().register_commands(cli)
    except PluginError as e:
        _fail(f"plugin error: {e}")
    cli(prog_name="chatshop")
