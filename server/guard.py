"""Who may reach the server, and how much they may send: the Host and Origin checks and the size caps.

A page on another site can make a browser send requests here (cross-site POSTs, a DNS name rebound to this
address), so the server answers only to its own names (Host) and takes sessions and sockets only from its own
pages (Origin). The allowed names follow from the address it listens on; nobody has to list them by hand.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request

from .network_addresses import EVERY_ADDRESS, machine_addresses, url_host
from .settings import Settings

LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")


def allowed_hosts(settings: Settings) -> list[str]:
    """The names a request's Host may carry: loopback, the address listened on and any listed in the settings;
    when listening on every address (0.0.0.0), also this machine's own names and addresses."""
    hosts = {*LOOPBACK, settings.host, *settings.allowed_hosts}
    if settings.host in EVERY_ADDRESS:
        hosts |= machine_names()
    return sorted(h for h in hosts if h)


def machine_names() -> set[str]:
    """This machine's host names and its own addresses (those the join code offers students, and more), each
    as it appears in a Host header (an IPv6 literal in brackets)."""
    addresses = machine_addresses()
    return {socket.gethostname(), socket.getfqdn(), *addresses, *(url_host(a) for a in addresses)}


def origin_allowed(headers: Headers, settings: Settings) -> bool:
    """Browsers always send Origin on cross-site requests and sockets; only the page's own (or a listed one) may
    drive a session. No Origin: not a browser (scripts and tests), or a same-origin GET."""
    origin = headers.get("origin")
    if origin is None:
        return True
    if "*" in settings.allowed_origins or origin in settings.allowed_origins:
        return True
    return urlsplit(origin).netloc == headers.get("host")


class TooLarge(ValueError):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    """The request's body, refused as soon as it passes ``limit`` bytes (never read whole first)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"body: at most {limit} bytes, got {int(declared)}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLarge(f"body: at most {limit} bytes")
    return bytes(body)
