"""Who is on the other end of a request: the client's address, behind a trusted proxy too.

Behind a reverse proxy every request comes from the proxy's address, so a limit per address would
put every visitor in one bucket (and one of them could lock out the rest). ``X-Forwarded-For`` is
read only when the request comes from a proxy the shop trusts (``[server] trusted_proxies``): from
anyone else it is a header they wrote themselves.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from aiohttp import web

__all__ = ["Networks", "client_address", "masked", "networks"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Networks = tuple[Network, ...]


def networks(values: Iterable[str]) -> Networks:
    """``["10.0.0.1", "172.16.0.0/12"]`` as networks; raises ValueError naming a bad one."""
    found = []
    for value in values:
        try:
            found.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network such as 10.0.0.0/8") from None
    return tuple(found)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(text: str | None, trusted: Sequence[Network]) -> bool:
    ip = _ip(text or "")
    return ip is not None and any(ip in net for net in trusted)


def client_address(request: web.Request, trusted: Sequence[Network] = ()) -> str:
    """The client's address: the peer, or, when the peer is a trusted proxy, the nearest address in
    ``X-Forwarded-For`` that is not one (proxies append, so the rightmost untrusted is the client
    as our own proxies saw it; whatever the client wrote further left is not believed)."""
    peer = request.remote or "?"
    if not trusted or not _trusted(peer, trusted):
        return peer
    hops = [hop.strip() for value in request.headers.getall("X-Forwarded-For", []) for hop in value.split(",")]
    for hop in reversed(hops):
        if _ip(hop) is None:
            return peer  # a hop no proxy writes: the chain is not to be trusted past here
        if not _trusted(hop, trusted):
            return str(_ip(hop))
    return peer


def masked(address: str) -> str:
    """An address as logs may keep it: the network, not the host (``203.0.113.x``, ``2001:db8:1::/48``)."""
    ip = _ip(address)
    if ip is None:
        return "?"
    if isinstance(ip, ipaddress.IPv4Address):
        return ".".join(str(ip).split(".")[:3]) + ".x"
    return str(ipaddress.ip_network(f"{ip}/48", strict=False))
