"""The class poll under load: does a class of viewers answering at once slow the session's frames?

One playing session (the presenter at full speed) followed by N viewer sockets (default 300), on a real uvicorn in
its own process. Same run, two windows of --seconds each:
  without answers (the baseline): the presenter plays, every page receives frames;
  with answers: the presenter asks a question and every viewer answers once, spread over one second.
Printed for each window: the presenter's frames/s and updates/s, the viewers' frames/s (median, slowest), the
server's CPU; then the same frame rates over the answering span alone (from the first answer sent to the last
acknowledged: the answers are spread over one second, so the window's rate would dilute them), against the
baseline window; for the answers: how many were acknowledged, and answer → ack latency (p50, p99), and how many
tallies the presenter received (they are batched, TALLY_INTERVAL apart). The viewers are lean clients in a
process of their own (bench/leanws.py, --processes to spread them): read through the websockets library in this
process, they fell seconds behind (ask → question 4.8 s with the server at 42 % of a core), and the span figures
were the bench's own. The load average is printed at the start
and the end: on a busy machine the figures say little.

    .venv/bin/python bench/poll.py [--seconds 4] [--viewers 300] [--processes 1]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("bench_server", ROOT / "bench" / "server.py")
bench_server = importlib.util.module_from_spec(_spec)  # its server process and CPU meter, not copied here
_spec.loader.exec_module(bench_server)  # type: ignore[union-attr]

import leanws  # noqa: E402

from server.wire import unpack_header  # noqa: E402

QUESTION = {"kind": "loss", "text": "Will the loss go down or up in the next update?"}


class Page:
    """One socket: counts frames in each window; a viewer answers the question once, at a random moment of
    the second after it arrives; the presenter plays and asks."""

    def __init__(self, url: str, token: str | None, clock: Clock) -> None:
        self.url, self.token, self.clock = url, token, clock
        self.frames = [0, 0]
        self.frame_times: list[float] = []  # every frame's arrival in the second window (for the answering span)
        self.steps: list[list[int]] = [[], []]
        self.latency: float | None = None
        self.sent_at: float | None = None  # when this viewer's answer left, and when its ack came
        self.acked_at: float | None = None
        self.acked = False
        self.tallies = 0
        self.asked: float | None = None  # seconds from the ask to the question reaching this page
        self.errors: list[str] = []  # refusals (none expected): printed

    @property
    def windows(self) -> tuple[float, float, float]:
        return self.clock.windows

    def window(self, now: float) -> int | None:
        a, b, end = self.windows
        return 0 if a <= now < b else 1 if b <= now < end else None

    async def run(self) -> None:
        # Hundreds of handshakes on a loaded machine: the clock starts when every page has its welcome.
        async with websockets.connect(self.url, max_size=None, compression=None, open_timeout=120) as ws:
            await ws.send(json.dumps({"type": "hello", "token": self.token}))
            if self.token:
                await ws.send(json.dumps({"type": "play"}))
            asked = False
            answer_at: float | None = None
            sent_at = 0.0
            question = None
            # A viewer stays (at most 30 s more) until its answer is acknowledged: on a loaded machine the question
            # may arrive late; frames are counted in the windows only.
            while (now := time.monotonic()) < self.windows[2] or (
                    not self.token and not self.acked and now < self.windows[2] + 30):
                if self.token and not asked and now >= self.windows[1]:
                    asked = True
                    await ws.send(json.dumps({"type": "ask", "question": QUESTION}))
                if answer_at is not None and now >= answer_at:
                    answer_at = None
                    sent_at = time.monotonic()
                    await ws.send(json.dumps({"type": "answer", "question": question, "value": "down", "id": "a"}))
                    self.sent_at = sent_at
                timeout = 0.05 if answer_at is not None or (self.token and not asked) else 0.5
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout)
                except TimeoutError:
                    continue
                now = time.monotonic()
                if isinstance(raw, bytes):
                    header = unpack_header(raw)
                    k = self.window(now)
                    if header["type"] == "frame" and k is not None:
                        self.frames[k] += 1
                        self.steps[k].append(header["step"])
                        if k == 1:
                            self.frame_times.append(now)
                    continue
                message = json.loads(raw)
                if message["type"] == "welcome":
                    self.clock.welcomed()
                elif message["type"] == "question" and message["question"] and not self.token:
                    question, self.asked = message["question"]["id"], now - self.windows[1]
                    answer_at = now + random.random()  # the class answers within a second
                elif message["type"] == "ack" and message.get("id") == "a":
                    self.acked, self.latency, self.acked_at = True, now - sent_at, now
                elif message["type"] == "tally":
                    self.tallies += 1
                elif message["type"] == "error":
                    self.errors.append(message["message"])
            if self.token:
                await ws.send(json.dumps({"type": "pause"}))

    def rate(self, k: int) -> float:
        a, b, end = self.windows
        return self.frames[k] / ((b - a) if k == 0 else (end - b))

    def rate_between(self, start: float, end: float) -> float:
        return sum(1 for t in self.frame_times if start <= t < end) / (end - start) if end > start else float("nan")

    def updates(self, k: int) -> float:
        steps = self.steps[k]
        a, b, end = self.windows
        return (steps[-1] - steps[0]) / ((b - a) if k == 0 else (end - b)) if len(steps) > 1 else 0.0


def viewer_pages(port: int, session: str, count: int, conn: Any) -> None:
    """``count`` viewers in a process of their own (lean clients, bench/leanws.py: through the websockets library
    the one bench process reading 300 sockets fell seconds behind and made the figures its own). Says "ready"
    once all are welcomed, takes the windows (a, b, end), and sends back what each page saw."""
    pages = leanws.open_pages(count, "127.0.0.1", port, f"/ws/{session}", {"type": "hello", "token": None})
    seen = [{"frames": [0, 0], "times": [], "asked": None, "sent_at": None, "acked_at": None, "latency": None,
             "errors": []} for _ in pages]
    welcomed: set[int] = set()
    windows = [math.inf, math.inf, math.inf]
    answers: dict[int, tuple[float, str]] = {}  # page index -> (when to answer, the question's id)

    def on_text(page: leanws.Page, now: float, message: dict[str, Any]) -> None:
        v = seen[page.index]
        if message["type"] == "welcome":
            welcomed.add(page.index)
        elif message["type"] == "question" and message["question"] and v["asked"] is None:
            v["asked"] = now - windows[1]
            answers[page.index] = (now + random.random(), message["question"]["id"])  # within a second
        elif message["type"] == "ack" and message.get("id") == "a":
            v["acked_at"], v["latency"] = now, now - v["sent_at"]
        elif message["type"] == "error":
            v["errors"].append(message["message"])

    def on_binary(page: leanws.Page, now: float, header: dict[str, Any]) -> None:
        k = 0 if windows[0] <= now < windows[1] else 1 if windows[1] <= now < windows[2] else None
        if header["type"] == "frame" and k is not None:
            seen[page.index]["frames"][k] += 1
            if k == 1:
                seen[page.index]["times"].append(now)

    def tick(now: float) -> None:
        for index, (at, question) in list(answers.items()):
            if now >= at:
                del answers[index]
                seen[index]["sent_at"] = time.monotonic()
                pages[index].send_json({"type": "answer", "question": question, "value": "down", "id": "a"})

    def done(now: float) -> bool:  # a viewer waits (30 s at most) for its answer's ack
        return now >= windows[2] and (all(v["acked_at"] is not None for v in seen) or now >= windows[2] + 30)

    leanws.run_pages(pages, lambda now: len(welcomed) == len(pages), on_binary, on_text)
    conn.send("ready")
    windows[:] = conn.recv()
    leanws.run_pages(pages, done, on_binary, on_text, tick)
    leanws.close_pages(pages)
    conn.send(seen)


class Viewer:
    """What one viewer page saw, read from its process's report, with the same questions as Page answers."""

    def __init__(self, seen: dict[str, Any], windows: tuple[float, float, float]) -> None:
        self.windows = windows
        self.frames, self.frame_times, self.asked = seen["frames"], seen["times"], seen["asked"]
        self.sent_at, self.acked_at, self.latency = seen["sent_at"], seen["acked_at"], seen["latency"]
        self.acked, self.errors = seen["acked_at"] is not None, seen["errors"]

    def rate(self, k: int) -> float:
        return Page.rate(self, k)  # type: ignore[arg-type]  # the same fields

    def rate_between(self, start: float, end: float) -> float:
        return Page.rate_between(self, start, end)  # type: ignore[arg-type]


class Clock:
    """The two windows, set when the presenter is welcomed (the viewers are by then): two seconds of play later,
    the baseline starts. ``pipes`` take the windows to the viewers' processes."""

    def __init__(self, seconds: float, pipes: list[Any]) -> None:
        self.seconds, self.pipes = seconds, pipes
        self.windows = (math.inf, math.inf, time.monotonic() + 300)  # give up if they never all connect

    def welcomed(self) -> None:
        t0 = time.monotonic() + 2.0
        self.windows = (t0, t0 + self.seconds, t0 + 2 * self.seconds)
        for pipe in self.pipes:
            pipe.send(self.windows)


async def run_all(pages: list[Page]) -> None:
    await asyncio.gather(*(p.run() for p in pages))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--viewers", type=int, default=300)
    parser.add_argument("--processes", type=int, default=1, help="processes the viewers are spread over")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, {bench_server.load_average()} at the start")
    server = bench_server.ServerProcess()
    try:
        session, token = server.create(bench_server.PLAYING)
        procs, pipes = leanws.start_processes(viewer_pages, server.port, session, args.viewers, args.processes)
        clock = Clock(args.seconds, pipes)
        presenter = Page(f"ws://127.0.0.1:{server.port}/ws/{session}", token, clock)
        cpu = bench_server.Measured(server)
        with cpu:
            asyncio.run(run_all([presenter]))
        viewers = [Viewer(seen, clock.windows) for pipe in pipes for seen in pipe.recv()]
        for proc in procs:
            proc.join(30)
    finally:
        server.stop()
    print(f"\nOne playing session, {args.viewers} viewers; {args.seconds:.0f} s without answers (baseline), then "
          f"{args.seconds:.0f} s in which every viewer answers once within a second. Same run.")
    print(f"{'window':>16} {'presenter frames/s':>19} {'updates/s':>10} {'viewers frames/s median':>24} "
          f"{'slowest':>8}")
    for k, name in enumerate(("without answers", "with answers")):
        rates = [v.rate(k) for v in viewers] or [0.0]
        print(f"{name:>16} {presenter.rate(k):>19.1f} {presenter.updates(k):>10,.0f} {statistics.median(rates):>24.1f} "
              f"{min(rates):>8.1f}")
    ratio = presenter.rate(1) / presenter.rate(0) if presenter.rate(0) else float("nan")
    sent = [v.sent_at for v in viewers if v.sent_at is not None]
    acked = [v.acked_at for v in viewers if v.acked_at is not None]
    if sent and acked:
        start, end = min(sent), max(acked)
        rates = [v.rate_between(start, end) for v in viewers]
        print(f"{'answering span':>16} {presenter.rate_between(start, end):>19.1f} {'':>10} "
              f"{statistics.median(rates):>24.1f} {min(rates):>8.1f}   ({end - start:.2f} s, from the first answer "
              "sent to the last acknowledged)")
        span_ratio = presenter.rate_between(start, end) / presenter.rate(0) if presenter.rate(0) else float("nan")
        print(f"presenter frames/s while the class answers / without answers: {span_ratio:.2f}")
    latencies = sorted(v.latency for v in viewers if v.latency is not None)
    p50 = statistics.median(latencies) * 1e3 if latencies else float("nan")
    p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1e3 if latencies else float("nan")
    print(f"presenter frames/s with answers / without: {ratio:.2f}")
    arrived = sorted(v.asked for v in viewers if v.asked is not None)
    if arrived:
        print(f"question received by {len(arrived)} viewers, ask → question p50 {statistics.median(arrived):.2f} s, "
              f"slowest {arrived[-1]:.2f} s")
    print("answers acknowledged: "
          f"{sum(v.acked for v in viewers)} of {args.viewers}; answer → ack p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms; tallies to the presenter: {presenter.tallies}")
    errors = [e for page in (presenter, *viewers) for e in page.errors]
    if errors:
        print(f"{len(errors)} refusals, e.g. {errors[0]}")
    print(f"server CPU over the run {cpu.server_cpu:.0%}, presenter's client CPU {cpu.client_cpu:.0%}, "
          f"{bench_server.load_average()}")


if __name__ == "__main__":
    main()
