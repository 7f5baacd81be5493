"""Who sent a request and over what, behind reverse proxies we trust (TRUSTED_PROXIES).

X-Forwarded-For and X-Forwarded-Proto are believed only when the peer is a trusted
proxy; anyone else could write them. The client is the right-most address of
X-Forwarded-For that is not a trusted proxy: what is left of it, the client wrote itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web

from bot.config.settings import Network
from bot.config.settings import ip_address as _address


def _trusted(text: str | None, proxies: Iterable[Network]) -> bool:
    address = _address(text or "")
    return address is not None and any(address in network for network in proxies)


def client_address(request: web.Request, proxies: tuple[Network, ...]) -> str:
    """The client's address: the peer, or, from a trusted proxy, the right-most
    untrusted X-Forwarded-For entry (a malformed one stops at the hop that passed it)."""
    hop = request.remote or "unknown"
    if not _trusted(hop, proxies):
        return hop
    for entry in reversed(",".join(request.headers.getall("X-Forwarded-For", [])).split(",")):
        address = _address(entry)
        if address is None:
            return hop
        hop = str(address)
        if not _trusted(hop, proxies):
            return hop
    return hop


def is_https(request: web.Request, proxies: tuple[Network, ...]) -> bool:
    """Served over HTTPS: directly, or as the nearest trusted proxy says."""
    if request.scheme == "https":
        return True
    if not _trusted(request.remote, proxies):
        return False
    said = request.headers.get("X-Forwarded-Proto", "").split(",")[-1]
    return said.strip().lower() == "https"
