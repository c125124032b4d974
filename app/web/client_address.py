"""The address a request comes from, for the per-address login throttle (docs/design.md §9).

`X-Forwarded-For` is believed only when the connection comes from a proxy named in
`MP_TRUSTED_PROXIES` (addresses or networks, comma-separated; none by default): otherwise anyone
could reset their throttle by sending a new header each time. Behind trusted proxies the client is
the right-most address of the header that is not itself a trusted proxy.
"""

import ipaddress
from functools import lru_cache

from fastapi import Request

from app.settings import get_settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache
def _networks(setting: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip())


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Request) -> str:
    peer = request.client.host if request.client else "unknown"
    networks = _networks(get_settings().trusted_proxies)
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop[:64]
    return peer
