"""The benches' lean WebSocket client (bench/leanws.py) counts what a real client receives: a measuring instrument
that misread a frame would make every viewer figure wrong."""

from __future__ import annotations

import importlib.util
import struct
import time
from pathlib import Path

from liveserver import LiveServer

_spec = importlib.util.spec_from_file_location("leanws", Path(__file__).resolve().parents[2] / "bench" / "leanws.py")
leanws = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(leanws)  # type: ignore[union-attr]


def server_frame(opcode: int, payload: bytes) -> bytes:
    n = len(payload)
    head = bytes([0x80 | opcode]) + (bytes([n]) if n < 126 else bytes([126]) + struct.pack(">H", n) if n < 1 << 16
                                     else bytes([127]) + struct.pack(">Q", n))
    return head + payload


def test_messages_are_cut_at_their_lengths_however_the_bytes_arrive():
    payloads = [(leanws.TEXT, b'{"type":"welcome"}'), (leanws.BINARY, bytes(range(256)) * 3),
                (leanws.BINARY, b"\x07" * 70_000), (leanws.PING, b"")]
    stream = b"".join(server_frame(op, p) for op, p in payloads)
    for cut in (1, 2, 3, 9, 125, 4096, len(stream)):
        page = leanws.Page.__new__(leanws.Page)
        page.buffer = bytearray()
        got = []
        for start in range(0, len(stream), cut):
            page.buffer += stream[start:start + cut]
            got += page.messages()
        assert got == payloads, cut
        assert not page.buffer


def test_a_masked_client_frame_unmasks_to_its_text():
    for text in (b"", b"x", b"a" * 200, b"b" * 70_000):
        frame = leanws.client_frame(leanws.TEXT, text)
        n = frame[1] & 0x7F
        offset = 2 if n < 126 else 4 if n == 126 else 10
        mask, body = frame[offset:offset + 4], frame[offset + 4:]
        assert frame[0] == 0x81 and frame[1] & 0x80
        assert bytes(b ^ mask[k % 4] for k, b in enumerate(body)) == text


def test_lean_pages_see_every_frame_of_a_stepped_session_as_a_real_client_does(live: LiveServer):
    session, token = live.create(sizes=[3], n_points=40, batch_size=4, seed=3)
    presenter = live.connect(session, token)
    pages = leanws.open_pages(3, "127.0.0.1", live.port, f"/ws/{session}", {"type": "hello", "token": None})
    welcomed, steps = set(), {page.index: [] for page in pages}

    def on_text(page, now, message):
        if message["type"] == "welcome":
            welcomed.add(page.index)

    def on_binary(page, now, header):
        if header["type"] == "frame":
            steps[page.index].append(header["step"])

    deadline = time.monotonic() + 20
    leanws.run_pages(pages, lambda now: len(welcomed) == 3 or now > deadline, on_binary, on_text)
    for step in range(1, 6):  # each step read by every page before the next (viewers get the newest per tick)
        assert presenter.control({"type": "step"})["type"] == "ack"
        presenter.expect("frame", step=step)
        def all_have(now: float, step: int = step) -> bool:
            return all(s and s[-1] == step for s in steps.values()) or now > deadline

        leanws.run_pages(pages, all_have, on_binary, on_text)
    for seen in steps.values():
        # A step's frame may come twice (a stability hint measured after it changes the frame, not the step).
        distinct = [step for k, step in enumerate(seen) if k == 0 or step != seen[k - 1]]
        assert distinct[-5:] == [1, 2, 3, 4, 5], seen
    assert leanws.header_of(b"\x02\x00\x00\x00{}  ") == {}
    leanws.close_pages(pages)
    presenter.close()
