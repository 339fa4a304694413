"""Where students can reach this server: the machine's own addresses on the network, found without sending
anything, and what the page is told about them (docs/protocol.md, "Serving a class").

A teacher who opened the page as localhost would share a link that no student's laptop can follow; the page
asks here for an address that works. Two sources, because either may be missing: the addresses the host name
resolves to (on Debian often only 127.0.1.1), and the address of the interface a UDP socket would send from
once "connected" to a private address (connect() on a UDP socket only chooses a route: no packet leaves).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from typing import Any

EVERY_ADDRESS = ("0.0.0.0", "::", "")
LOOPBACK_NAMES = ("localhost",)
# Private addresses whose route names the interface of the local network. Nothing is ever sent to them.
ROUTE_PROBES = ((socket.AF_INET, "10.255.255.255"), (socket.AF_INET, "192.168.255.255"), (socket.AF_INET6, "fd00::1"))


def machine_addresses() -> list[str]:
    """Every address this machine calls its own, the routes' first (they carry the class's traffic), then
    those of its host name; loopback included. Empty when neither source answers."""
    found: list[str] = []
    for family, probe in ROUTE_PROBES:
        with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect((probe, 9))  # picks the outgoing interface; UDP sends nothing until asked to
            found.append(str(s.getsockname()[0]))
    with contextlib.suppress(OSError):  # a host name that does not resolve: the routes may still have answered
        for *_, sockaddr in socket.getaddrinfo(socket.gethostname(), None):
            found.append(str(sockaddr[0]))
    return found


def network_addresses(found: list[str]) -> list[str]:
    """The addresses other machines could use, in the order found, IPv4 first (a student types or scans it):
    without loopback, link-local (valid on one cable only, and needing an interface name), or unspecified."""
    keep: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for text in found:
        try:
            ip = ipaddress.ip_address(text.split("%")[0])
        except ValueError:
            continue
        if ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast or ip in keep:
            continue
        keep.append(ip)
    return [str(ip) for ip in sorted(keep, key=lambda ip: ip.version)]  # sorted() is stable: found order kept


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_host(address: str) -> str:
    """An address as a URL's host: an IPv6 literal goes in brackets."""
    return f"[{address}]" if ":" in address and not address.startswith("[") else address


def serving(host: str) -> dict[str, Any]:
    """What the page is told (GET /api/options, "network"): the address the server listens on, the addresses
    students can use (the first is the one the join link carries), and, when there is none, why and what to do.
    Looks the machine's addresses up (a host-name resolution): call it off the event loop."""
    if is_loopback(host):
        return {
            "host": host, "addresses": [],
            "advice": f"This server listens on {host} only: students on other machines cannot reach it. "
                      "To serve a class, stop it and start it with 'make serve HOST=0.0.0.0'.",
        }
    if host in EVERY_ADDRESS:
        addresses = network_addresses(machine_addresses())
        advice = None if addresses else (
            "This server listens on every address, but this machine has no address on a network besides "
            "loopback: connect it to the class's network (Wi-Fi or cable) and reload the page.")
        return {"host": host, "addresses": addresses, "advice": advice}
    return {"host": host, "addresses": [host.strip("[]")], "advice": None}  # one address (or name) chosen
