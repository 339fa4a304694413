"""Serving a class: the server finds where students can reach it, tells the page, and draws the join code."""

from __future__ import annotations

import ipaddress
import socket
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import httpx2 as httpx
import pytest
import segno
from liveserver import LiveServer

from server import Settings, network_addresses
from server.network_addresses import machine_addresses, serving

SVG = "{http://www.w3.org/2000/svg}"


class FakeUdpSocket:
    """A UDP socket that only answers which interface a route would use. It has no send methods: finding
    the address must not send anything."""

    def __init__(self, net: FakeNetwork, family: int) -> None:
        self.net, self.family, self.address = net, family, None

    def __enter__(self) -> FakeUdpSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def connect(self, address: tuple[str, int]) -> None:
        self.net.probed.append(address[0])
        self.address = self.net.routes.get(self.family)
        if self.address is None:
            raise OSError(101, "Network is unreachable")

    def getsockname(self) -> tuple[str, int]:
        return (self.address, 40000)


class FakeNetwork:
    """Stands in for the socket module inside server/network_addresses.py only (uvicorn keeps the real one):
    `routes` maps a family to the address its route leaves from (None: no route); `names` is what the host
    name resolves to (None: it does not resolve)."""

    AF_INET, AF_INET6, SOCK_DGRAM = socket.AF_INET, socket.AF_INET6, socket.SOCK_DGRAM

    def __init__(self, routes: dict[int, str | None], names: list[str] | None) -> None:
        self.routes, self.names, self.probed = routes, names, []

    def socket(self, family: int, kind: int) -> FakeUdpSocket:
        assert kind == socket.SOCK_DGRAM
        return FakeUdpSocket(self, family)

    def gethostname(self) -> str:
        return "classroom-laptop"

    def getaddrinfo(self, host: str, port: object) -> list[tuple]:
        assert host == "classroom-laptop"
        if self.names is None:
            raise socket.gaierror(-2, "Name or service not known")
        family = {True: socket.AF_INET6, False: socket.AF_INET}
        return [(family[":" in a], socket.SOCK_STREAM, 6, "", (a, 0)) for a in self.names]


def fake_network(monkeypatch: pytest.MonkeyPatch, routes: dict[int, str | None],
                 names: list[str] | None) -> FakeNetwork:
    net = FakeNetwork(routes, names)
    monkeypatch.setattr(network_addresses, "socket", net)
    return net


CLASSROOM = {socket.AF_INET: "192.168.1.23", socket.AF_INET6: "fd12:3456::23"}
HOST_NAMES = ["127.0.1.1", "10.0.0.7", "192.168.1.23", "fe80::1%eth0", "::1"]


def test_the_addresses_come_from_the_routes_first_then_the_host_name_without_loopback_or_link_local(monkeypatch):
    net = fake_network(monkeypatch, CLASSROOM, HOST_NAMES)
    info = serving("0.0.0.0")
    assert info["addresses"] == ["192.168.1.23", "10.0.0.7", "fd12:3456::23"]
    assert info["advice"] is None
    assert all(ipaddress.ip_address(p).is_private for p in net.probed), "routes are probed towards private addresses"


def test_an_unresolvable_host_name_falls_back_to_the_route(monkeypatch):
    fake_network(monkeypatch, {socket.AF_INET: "10.1.2.3", socket.AF_INET6: None}, None)
    assert serving("::")["addresses"] == ["10.1.2.3"]


def test_a_machine_without_a_network_says_so_and_what_to_do(monkeypatch):
    fake_network(monkeypatch, {}, ["127.0.0.1", "127.0.1.1", "::1"])
    info = serving("0.0.0.0")
    assert info["addresses"] == []
    assert "no address on a network besides loopback" in info["advice"]


def test_a_server_on_loopback_says_plainly_that_students_cannot_reach_it(monkeypatch):
    net = fake_network(monkeypatch, CLASSROOM, HOST_NAMES)
    for host in ("127.0.0.1", "localhost", "::1"):
        info = serving(host)
        assert info["addresses"] == []
        assert "students on other machines cannot reach it" in info["advice"]
        assert "make serve HOST=0.0.0.0" in info["advice"]
    assert net.probed == [], "nothing is looked up when the answer cannot help"


def test_a_server_on_one_address_offers_that_address(monkeypatch):
    fake_network(monkeypatch, CLASSROOM, HOST_NAMES)
    assert serving("10.0.0.7") == {"host": "10.0.0.7", "addresses": ["10.0.0.7"], "advice": None}


def test_the_real_lookup_returns_addresses_and_raises_nothing():
    # What this machine has differs from machine to machine; whatever it is must be addresses.
    for address in machine_addresses():
        ipaddress.ip_address(address.split("%")[0])


# -- over a real server --------------------------------------------------------------------------------------


@pytest.fixture
def classroom(monkeypatch) -> Iterator[LiveServer]:
    """A server started as `make serve HOST=0.0.0.0` would (it listens on loopback: tests reach nothing else),
    on a machine whose class network is 192.168.1.23."""
    fake_network(monkeypatch, CLASSROOM, HOST_NAMES)
    with LiveServer(Settings(host="0.0.0.0")) as server:
        yield server


def test_the_page_is_told_where_students_reach_the_server(classroom):
    network = httpx.get(f"{classroom.http}/api/options").json()["network"]
    assert network == {"host": "0.0.0.0", "addresses": ["192.168.1.23", "10.0.0.7", "fd12:3456::23"],
                       "advice": None}


def test_a_loopback_server_tells_the_page_how_to_serve_a_class(live):
    network = httpx.get(f"{live.http}/api/options").json()["network"]
    assert network["addresses"] == []
    assert "cannot reach it" in network["advice"] and "HOST=0.0.0.0" in network["advice"]


def qr(server: LiveServer, url: str) -> httpx.Response:
    return httpx.get(f"{server.http}/api/qr", params={"url": url})


def assert_join_code(response: httpx.Response, url: str) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(response.content)  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg"
    # Without a fixed size the page scales it; the view box is the code's modules and its quiet zone of 4.
    assert "width" not in root.attrib and "height" not in root.attrib
    side = segno.make(url, error="m", micro=False).symbol_size(scale=1, border=4)
    assert root.attrib["viewBox"] == f"0 0 {side[0]} {side[1]}"
    assert root.find(f"{SVG}path") is not None and root.find(f"{SVG}title") is not None


def test_the_join_code_of_a_viewer_link_is_an_svg_qr_code(classroom):
    session, _ = classroom.create(sizes=[2])
    for host in ("192.168.1.23", "127.0.0.1", "[fd12:3456::23]"):
        url = f"http://{host}:{classroom.port}/#session={session}"
        assert_join_code(qr(classroom, url), url)


@pytest.mark.parametrize("url, reason", [
    ("http://attacker.example:{port}/#session=x", "only links to this server"),
    ("http://10.9.9.9:{port}/", "only links to this server"),
    ("http://192.168.1.23:1/#session=x", "only links to this server"),
    ("http://192.168.1.23:99999/", "port"),
    ("javascript:alert(1)", "starting http:// or https://"),
    ("http://192.168.1.23:{port}/api/sessions", "only links to this page"),
    ("http://192.168.1.23:{port}/?next=http://attacker.example", "only links to this page"),
    ("http://user:pw@192.168.1.23:{port}/", "only links to this page"),
    ("", "give the link to encode"),
])
def test_the_join_code_refuses_links_elsewhere_with_a_plain_error_naming_url(classroom, url, reason):
    response = qr(classroom, url.format(port=classroom.port))
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "url" and body["message"].startswith("url: ") and reason in body["message"]


@pytest.mark.parametrize("length", [257, 5_000, 60_000])
def test_the_join_code_refuses_long_links_without_echoing_them(classroom, length):
    url = f"http://192.168.1.23:{classroom.port}/#session=" + "x" * length
    response = qr(classroom, url)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "url" and "at most 256 characters" in body["message"]
    assert len(response.content) < 300, "the refusal does not echo the link"


def test_a_long_link_that_arrives_in_pieces_gets_the_same_plain_refusal(classroom):
    # On a loaded machine the request's bytes reach the server in several reads. The HTTP parser's default
    # limit on a request head it holds unfinished (16 KB) then cut the connection instead (a reset, no answer).
    query = "url=" + "x" * 60_000
    request = f"GET /api/qr?{query} HTTP/1.1\r\nHost: 127.0.0.1:{classroom.port}\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", classroom.port), timeout=10) as s:
        data = request.encode()
        for start in range(0, len(data), 4096):
            s.sendall(data[start : start + 4096])
            time.sleep(0.002)
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 422"), reply[:200]
    assert b"at most 256 characters" in reply
