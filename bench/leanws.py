"""Many WebSocket pages in one process for the server benchmarks, at a few microseconds a message.

300 viewers through the websockets library took a whole core of this machine's two (bench/server.py, section 2,
measured over its steady window): the figures were the client's, not the server's. Here each page is a plain
socket in one selector loop, and RFC 6455 framing is read by hand: the frames' lengths are walked, and only the
JSON header of a binary message (server/wire.py) is parsed. Pages say what they do through ``on_binary`` and
``on_text`` callbacks, which may answer with a JSON message.

Only what our server sends is understood: unfragmented text and binary messages, pings (answered), and close.
"""

from __future__ import annotations

import base64
import json
import multiprocessing
import os
import selectors
import socket
import struct
import time
from collections.abc import Callable
from typing import Any

TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA
READ_BYTES = 1 << 18


def header_of(payload: bytes) -> dict[str, Any]:
    """The JSON header of a binary message ([uint32 LE length][JSON][arrays], server/wire.py)."""
    (length,) = struct.unpack_from("<I", payload)
    return json.loads(payload[4:4 + length])


def client_frame(opcode: int, data: bytes) -> bytes:
    """A masked frame, as every client must send."""
    mask = os.urandom(4)
    n = len(data)
    head = bytes([0x80 | opcode]) + (bytes([0x80 | n]) if n < 126 else
                                     bytes([0x80 | 126]) + struct.pack(">H", n) if n < 1 << 16 else
                                     bytes([0x80 | 127]) + struct.pack(">Q", n))
    key = int.from_bytes((mask * (n // 4 + 1))[:n], "little")
    masked = (int.from_bytes(data, "little") ^ key).to_bytes(n, "little")
    return head + mask + masked


class Page:
    """One socket. ``index`` says which page it is to the callbacks."""

    def __init__(self, index: int, host: str, port: int, path: str, timeout: float = 120) -> None:
        self.index = index
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("the server closed the socket during the handshake")
            response += chunk
        head, _, rest = response.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(f"no WebSocket: {head.splitlines()[0].decode(errors='replace')}")
        self.buffer = bytearray(rest)
        self.sock.setblocking(False)
        self.closed = False

    def send_json(self, message: dict[str, Any]) -> None:
        # Small control messages: the socket's buffer takes them whole.
        self.sock.sendall(client_frame(TEXT, json.dumps(message).encode()))

    def messages(self) -> list[tuple[int, bytes]]:
        """Every whole message received so far: (opcode, payload)."""
        out, buf, start = [], self.buffer, 0
        while len(buf) - start >= 2:
            length = buf[start + 1] & 0x7F
            offset = start + 2
            if length == 126:
                if len(buf) - start < 4:
                    break
                length, offset = struct.unpack_from(">H", buf, start + 2)[0], start + 4
            elif length == 127:
                if len(buf) - start < 10:
                    break
                length, offset = struct.unpack_from(">Q", buf, start + 2)[0], start + 10
            if len(buf) < offset + length:
                break
            if not buf[start] & 0x80:
                raise ConnectionError("a fragmented message: not sent by our server")
            out.append((buf[start] & 0x0F, bytes(buf[offset:offset + length])))
            start = offset + length
        del buf[:start]
        return out


OnBinary = Callable[[Page, float, dict[str, Any]], None]
OnText = Callable[[Page, float, dict[str, Any]], dict[str, Any] | None]


def run_pages(pages: list[Page], until: Callable[[float], bool], on_binary: OnBinary, on_text: OnText,
              tick: Callable[[float], None] = lambda now: None) -> None:
    """Read every page until ``until(now)``; ``tick(now)`` runs at least every 50 ms (to send what is due)."""
    selector = selectors.DefaultSelector()
    for page in pages:
        selector.register(page.sock, selectors.EVENT_READ, page)
    try:
        while not until(now := time.monotonic()):
            tick(now)
            for key, _ in selector.select(0.05):
                page: Page = key.data
                try:
                    data = page.sock.recv(READ_BYTES)
                except BlockingIOError:
                    continue
                if not data:
                    selector.unregister(page.sock)
                    page.closed = True
                    continue
                page.buffer += data
                now = time.monotonic()
                for opcode, payload in page.messages():
                    if opcode == BINARY:
                        on_binary(page, now, header_of(payload))
                    elif opcode == TEXT:
                        reply = on_text(page, now, json.loads(payload))
                        if reply is not None:
                            page.send_json(reply)
                    elif opcode == PING:
                        page.sock.sendall(client_frame(PONG, payload))
                    elif opcode == CLOSE:
                        selector.unregister(page.sock)
                        page.closed = True
                        break
    finally:
        selector.close()


def open_pages(count: int, host: str, port: int, path: str, hello: dict[str, Any]) -> list[Page]:
    pages = []
    for index in range(count):
        page = Page(index, host, port, path)
        page.send_json(hello)
        pages.append(page)
    return pages


def close_pages(pages: list[Page]) -> None:
    for page in pages:
        try:
            page.sock.setblocking(True)
            page.sock.sendall(client_frame(CLOSE, struct.pack(">H", 1000)))
        except OSError:
            pass
        page.sock.close()


def watch_frames(port: int, session: str, count: int, conn: Any, hidden: bool = False) -> None:
    """A process of ``count`` viewer pages of one session (run by multiprocessing): says "ready" on ``conn``
    once every page has its welcome, takes the window (start, end) to count in, and sends back per page:
    frames counted, the first and last (time, step) in the window, and the seq numbers seen (one per packed
    frame); with this process's CPU seconds over the window. ``hidden``: each page, once welcomed, says it is
    hidden (a tab in the background: docs/protocol.md, `visibility`), and is ready when the server has acked."""
    pages = open_pages(count, "127.0.0.1", port, f"/ws/{session}", {"type": "hello", "token": None})
    welcomed: set[int] = set()
    stats = [{"frames": 0, "first": None, "last": None, "seqs": set()} for _ in pages]
    window = [float("inf"), float("inf")]

    def on_text(page: Page, now: float, message: dict[str, Any]) -> dict[str, Any] | None:
        if message["type"] == "welcome" and hidden:
            return {"type": "visibility", "hidden": True}
        if message["type"] == "welcome" or (message["type"] == "ack" and message["of"] == "visibility"):
            welcomed.add(page.index)
        return None

    def on_binary(page: Page, now: float, header: dict[str, Any]) -> None:
        if header["type"] == "frame" and window[0] <= now < window[1]:
            s = stats[page.index]
            s["frames"] += 1
            s["seqs"].add(header["seq"])
            s["first"] = s["first"] or (now, header["step"])
            s["last"] = (now, header["step"])

    run_pages(pages, lambda now: len(welcomed) == len(pages), on_binary, on_text)
    conn.send("ready")
    window[:] = conn.recv()
    cpu = None

    def tick(now: float) -> None:
        nonlocal cpu
        if cpu is None and now >= window[0]:
            cpu = time.process_time()

    run_pages(pages, lambda now: now >= window[1], on_binary, on_text, tick)
    cpu_seconds = time.process_time() - (cpu if cpu is not None else time.process_time())
    close_pages(pages)
    conn.send({"pages": [{**s, "seqs": sorted(s["seqs"])} for s in stats], "cpu_seconds": cpu_seconds})


def start_processes(target: Callable[..., None], port: int, session: str, count: int, processes: int,
                    *extra: Any) -> tuple[list[Any], list[Any]]:
    """``count`` pages of ``session`` spread over ``processes`` processes, each running
    ``target(port, session, its share, its pipe, *extra)``; returns (the processes, their pipes) once each has
    said "ready" (every page welcomed)."""
    context = multiprocessing.get_context("spawn")
    procs, pipes = [], []
    for k in range(processes):
        mine, theirs = context.Pipe()
        share = count // processes + (k < count % processes)
        procs.append(context.Process(target=target, args=(port, session, share, theirs, *extra), daemon=True))
        procs[-1].start()
        pipes.append(mine)
    for pipe in pipes:
        if not pipe.poll(300) or pipe.recv() != "ready":
            raise RuntimeError("the pages did not all connect")
    return procs, pipes
