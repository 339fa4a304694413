"""Server benchmark on loopback: a real uvicorn in its own process, real WebSocket clients in this one.

For 1, 10 and 50 sessions, each with one client playing at full speed: updates/s per session, frames/s received
per client, control → next-frame latency (p50/p99: a `set` of the learning rate until the first frame that
shows it), and the server's CPU. Then the TF Playground-equivalent rate: circle data, 2-8-8-1 tanh, 250
training points, batch 10 (25 updates an epoch), train/test loss and the decision grid every epoch, while
streaming. The baseline is the engine alone doing the same epochs in this process, measured in the same run.

    .venv/bin/python bench/server.py [--seconds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.decision import data_domain, decision_grid  # noqa: E402
from server.build import build_trainer  # noqa: E402
from server.protocol import Config  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.wire import unpack_header  # noqa: E402

PLAYGROUND = {"dataset": "circle", "n_points": 500, "test_fraction": 0.5, "sizes": [8, 8], "activations": "tanh",
              "batch_size": 10, "noise": 0.0}
PLAYGROUND_IN_BROWSER = 37  # epochs/s TF Playground reaches in headless Chromium on this machine class (issue 4)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    def __init__(self, **settings: object) -> None:
        self.port = free_port()
        code = (
            "import uvicorn; from server import create_app, Settings; from server.__main__ import UVICORN_OPTIONS; "
            f"uvicorn.run(create_app(Settings(**{settings!r})), host='127.0.0.1', port={self.port}, "
            "log_level='warning', **UVICORN_OPTIONS)"
        )
        self.proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/api/options", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class Watcher:
    """One page: plays its session, counts frames and steps, and times controls until their frame."""

    def __init__(self, port: int, config: dict) -> None:
        r = httpx.post(f"http://127.0.0.1:{port}/api/sessions", json={"config": config})
        r.raise_for_status()
        self.session, self.token = r.json()["session"], r.json()["token"]
        self.url = f"ws://127.0.0.1:{port}/ws/{self.session}"
        self.frames = 0
        self.first: tuple[float, int, float] | None = None
        self.last: tuple[float, int, float] | None = None
        self.latencies: list[float] = []
        self.waiting: tuple[float, float] | None = None  # (lr asked for, when)

    async def run(self, seconds: float, warmup: float, probe_every: float) -> None:
        async with websockets.connect(self.url, max_size=None) as ws:
            await ws.send(json.dumps({"type": "hello", "token": self.token}))
            await ws.send(json.dumps({"type": "play"}))
            start = time.monotonic()
            next_probe = start + warmup
            lr = 0.03
            while (now := time.monotonic()) < start + warmup + seconds:
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                now = time.monotonic()
                if not isinstance(raw, bytes):
                    continue
                header = unpack_header(raw)  # the clients count and time frames; they draw nothing
                if header["type"] != "frame":
                    continue
                if now >= start + warmup:
                    self.frames += 1
                    point = (now, header["step"], header["epoch"])
                    self.first = self.first or point
                    self.last = point
                if self.waiting and header["hyper"]["lr"] == self.waiting[0]:
                    self.latencies.append(now - self.waiting[1])
                    self.waiting = None
                if self.waiting is None and now >= next_probe:
                    lr = 0.03 if lr != 0.03 else 0.0301
                    self.waiting = (lr, time.monotonic())
                    await ws.send(json.dumps({"type": "set", "lr": lr}))
                    next_probe = now + probe_every
            await ws.send(json.dumps({"type": "pause"}))

    def rates(self) -> tuple[float, float, float]:
        """frames/s, updates/s, epochs/s over the measured window."""
        if not self.first or not self.last or self.last[0] <= self.first[0]:
            return 0.0, 0.0, 0.0
        dt = self.last[0] - self.first[0]
        return self.frames / dt, (self.last[1] - self.first[1]) / dt, (self.last[2] - self.first[2]) / dt


async def watch_all(port: int, n: int, config: dict, seconds: float) -> list[Watcher]:
    watchers = [Watcher(port, config) for _ in range(n)]
    await asyncio.gather(*(w.run(seconds, warmup=1.0, probe_every=0.25) for w in watchers))
    return watchers


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def engine_epochs_per_second(seconds: float) -> float:
    """The baseline: the engine alone, the same work per epoch, no server, no streaming."""
    trainer = build_trainer(Config(**PLAYGROUND), Settings())
    domain = data_domain(trainer.X_train, trainer.X_test)
    start, epochs = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        trainer.run(trainer.updates_per_epoch)  # records train and test loss at the epoch's end
        decision_grid(trainer.model, domain, Settings().grid_resolution)
        epochs += 1
    return epochs / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()

    print(f"{'sessions':>8} {'updates/s/session':>18} {'frames/s/client':>16} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'server CPU':>10}")
    server = ServerProcess()
    try:
        for n in (1, 10, 50):
            cpu0, t0 = server.cpu_seconds(), time.monotonic()
            watchers = asyncio.run(watch_all(server.port, n, {"sizes": [8, 8]}, args.seconds))
            cpu = (server.cpu_seconds() - cpu0) / (time.monotonic() - t0)
            rates = [w.rates() for w in watchers]
            latencies = [x for w in watchers for x in w.latencies]
            print(f"{n:>8} {statistics.median(r[1] for r in rates):>18,.0f} "
                  f"{statistics.median(r[0] for r in rates):>16.1f} {1000 * percentile(latencies, 0.5):>8.1f} "
                  f"{1000 * percentile(latencies, 0.99):>8.1f} {cpu:>9.0%}")
    finally:
        server.stop()

    baseline = engine_epochs_per_second(args.seconds)
    server = ServerProcess(grid_every_epoch=True)
    try:
        (watcher,) = asyncio.run(watch_all(server.port, 1, PLAYGROUND, args.seconds))
    finally:
        server.stop()
    frames, _, epochs = watcher.rates()
    print()
    print("Playground-equivalent (circle, 2-8-8-1 tanh, 250 points, batch 10, loss + decision grid each epoch):")
    target = 10 * PLAYGROUND_IN_BROWSER
    print(f"  server, streaming {frames:.0f} frames/s: {epochs:,.0f} epochs/s   (target >= {target})")
    print(f"  engine alone, same run:            {baseline:,.0f} epochs/s   (server/engine = {epochs / baseline:.2f})")
    print(f"  TF Playground in the browser:      ~{PLAYGROUND_IN_BROWSER} epochs/s   "
          f"(server/Playground = {epochs / PLAYGROUND_IN_BROWSER:.1f}x)")


if __name__ == "__main__":
    main()
