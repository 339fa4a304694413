"""Server benchmark on loopback: a real uvicorn in its own process, real WebSocket clients in this one.

1. Playing sessions (1, 10, 50), each with one client playing at full speed: updates/s per session, frames/s
   received per client (median and the slowest client), control → next-frame latency (p50/p99: a `set` of the
   learning rate until the first frame that shows it), the server's CPU. Baseline, same run: the engine alone
   doing the same updates in this process (updates/s, no server), and the display rate (60 frames/s). The
   sessions are kept in a SQLite file, as `make serve` keeps them: their snapshots take turns on the event loop.
2. Viewers: one playing session, 300 viewer sockets (and the presenter): frames/s per viewer (median and
   slowest), how many distinct frames the server packed against how many it sent, the server's CPU; then the
   same 300 hidden (each says so: a tab in the background), which are sent no frames until shown again.
   Baseline, same run: the same session with its presenter alone. The viewers are lean clients in a process
   of their own (bench/leanws.py): through the websockets library, in this process, they took a whole core
   and set the figure themselves.
3. First frame: from opening the WebSocket to the first frame's bytes, on a fresh session (median of 20).
   Baseline, same run: opening the WebSocket to the welcome (the round trips no frame can beat).
4. The same work per epoch as TF Playground does (circle, 2-8-8-1 tanh, 250 training points, batch 10, loss
   and decision map every epoch) while streaming, against the engine alone doing it in this process. (Playground
   itself is measured on the page, in Chromium: bench/browser.py.)

5. ``--workers N`` (only this): 50 and 100 playing sessions on one worker without Redis (the baseline, same run)
   and on N workers through Redis (docs/scaling.md): frames/s per client, p99 control → frame, every process's
   CPU (Redis's apart) and CPU per received frame, whose difference is the cost of going through Redis.

The machine may be shared: every figure is printed with the load average (1 min) at its end, and the clients'
CPU time is printed too (when it nears 100 % of a core, the clients limit the figure).

    .venv/bin/python bench/server.py [--seconds 4] [--viewers 300] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import leanws  # noqa: E402
from serverproc import RedisServer, ServerProcess  # noqa: E402

from engine.decision import data_domain, decision_grid  # noqa: E402
from server.build import build_trainer  # noqa: E402
from server.protocol import Config  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.wire import unpack_header  # noqa: E402

PLAYGROUND = {"dataset": "circle", "n_points": 500, "test_fraction": 0.5, "sizes": [8, 8], "activations": "tanh",
              "batch_size": 10, "noise": 0.0}
PLAYING = {"sizes": [8, 8]}


def load_average() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


class Watcher:
    """One page: counts frames and steps; a presenter also plays and times controls until their frame."""

    def __init__(self, server: ServerProcess, session: str, token: str | None) -> None:
        self.session, self.token = session, token
        self.url = f"ws://127.0.0.1:{server.port}/ws/{session}"
        self.frames = 0
        self.packed: set[int] = set()  # the frames' seq numbers: one per distinct packed frame
        self.first: tuple[float, int, float] | None = None
        self.last: tuple[float, int, float] | None = None
        self.latencies: list[float] = []
        self.waiting: tuple[float, float] | None = None  # (lr asked for, when)

    async def run(self, seconds: float, warmup: float, probe_every: float | None) -> None:
        # Hundreds of sockets open at once on a loaded machine: give the handshakes time.
        async with websockets.connect(self.url, max_size=None, compression=None, open_timeout=60) as ws:
            await ws.send(json.dumps({"type": "hello", "token": self.token}))
            if self.token:
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
                    self.packed.add(header["seq"])
                    point = (now, header["step"], header["epoch"])
                    self.first = self.first or point
                    self.last = point
                if self.waiting and header["hyper"]["lr"] == self.waiting[0]:
                    self.latencies.append(now - self.waiting[1])
                    self.waiting = None
                if probe_every and self.waiting is None and now >= next_probe:
                    lr = 0.03 if lr != 0.03 else 0.0301
                    self.waiting = (lr, time.monotonic())
                    await ws.send(json.dumps({"type": "set", "lr": lr}))
                    next_probe = now + probe_every
            if self.token:
                await ws.send(json.dumps({"type": "pause"}))

    def rates(self) -> tuple[float, float, float]:
        """frames/s, updates/s, epochs/s over the measured window."""
        if not self.first or not self.last or self.last[0] <= self.first[0]:
            return 0.0, 0.0, 0.0
        dt = self.last[0] - self.first[0]
        return self.frames / dt, (self.last[1] - self.first[1]) / dt, (self.last[2] - self.first[2]) / dt


class Measured:
    """Server and client CPU over a stretch of the run (``servers``: every process that serves, summed; each
    one's share is in ``each``)."""

    def __init__(self, *servers: ServerProcess | RedisServer) -> None:
        self.servers = servers

    def __enter__(self) -> Measured:
        self.t0, self.mine0 = time.monotonic(), time.process_time()
        self.cpu0 = [s.cpu_seconds() for s in self.servers]
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = dt = time.monotonic() - self.t0
        self.each = [(s.cpu_seconds() - c) / dt for s, c in zip(self.servers, self.cpu0, strict=True)]
        self.server_cpu = sum(self.each)
        self.client_cpu = (time.process_time() - self.mine0) / dt


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def engine_updates_per_second(seconds: float) -> float:
    trainer = build_trainer(Config(**PLAYING), Settings())
    start, done = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        done += trainer.run(500)
    return done / (time.perf_counter() - start)


def engine_epochs_per_second(seconds: float) -> float:
    """The engine alone, the same work per epoch as the Playground-equivalent case, no server, no streaming."""
    trainer = build_trainer(Config(**PLAYGROUND), Settings())
    domain = data_domain(trainer.X_train, trainer.X_test)
    start, epochs = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        trainer.run(trainer.updates_per_epoch)  # records train and test loss at the epoch's end
        decision_grid(trainer.model, domain, Settings().grid_resolution)
        epochs += 1
    return epochs / (time.perf_counter() - start)


async def run_all(watchers: list[Watcher], seconds: float, probe_every: float | None = 0.25,
                  warmup: float | None = None) -> None:
    if warmup is None:
        warmup = 1.0 + len(watchers) / 100  # every page connected and in its stride before counting
    await asyncio.gather(*(w.run(seconds, warmup=warmup, probe_every=probe_every if w.token else None)
                           for w in watchers))


def playing_sessions(seconds: float) -> None:
    print("1. Playing sessions, one presenter each, full speed "
          f"(baseline, same run: the engine alone {engine_updates_per_second(2):,.0f} updates/s; display 60 frames/s)")
    print("   sessions kept in a SQLite file, as `make serve` keeps them (their snapshots share the event loop)")
    print(f"{'sessions':>8} {'updates/s/session':>18} {'frames/s median':>16} {'slowest':>8} {'p50 ms':>7} "
          f"{'p99 ms':>7} {'server CPU':>10} {'bench CPU':>9}")
    folder = tempfile.TemporaryDirectory()
    server = ServerProcess(db=str(Path(folder.name) / "sessions.db"))
    try:
        for n in (1, 10, 50):
            watchers = [Watcher(server, *server.create(PLAYING)) for _ in range(n)]
            with Measured(server) as cpu:
                asyncio.run(run_all(watchers, seconds))
            rates = [w.rates() for w in watchers]
            latencies = [x for w in watchers for x in w.latencies]
            print(f"{n:>8} {statistics.median(r[1] for r in rates):>18,.0f} "
                  f"{statistics.median(r[0] for r in rates):>16.1f} {min(r[0] for r in rates):>8.1f} "
                  f"{1000 * percentile(latencies, 0.5):>7.1f} {1000 * percentile(latencies, 0.99):>7.1f} "
                  f"{cpu.server_cpu:>10.0%} {cpu.client_cpu:>9.0%}   {load_average()}")
    finally:
        server.stop()
        folder.cleanup()


def viewers(seconds: float, count: int, processes: int = 1) -> None:
    print("\n2. One playing session followed by viewers (baseline, same run: its presenter alone). The viewers are "
          f"lean clients (bench/leanws.py) in {processes} process(es) of their own: client CPU is theirs")
    print(f"{'viewers':>8} {'frames/s median':>16} {'slowest':>8} {'frames sent':>12} {'distinct':>9} "
          f"{'updates/s':>10} {'server CPU':>10} {'client CPU':>10}")
    server = ServerProcess()
    try:
        for n, hidden in ((0, False), (count, False), (count, True)):
            session, token = server.create(PLAYING)
            presenter = Watcher(server, session, token)
            procs, pipes = leanws.start_processes(leanws.watch_frames, server.port, session, n, processes,
                                                  hidden) if n else ([], [])
            warmup = 2.0
            start = time.monotonic() + warmup
            for pipe in pipes:
                pipe.send((start, start + seconds))
            with Measured(server) as cpu:
                asyncio.run(run_all([presenter], seconds, probe_every=None, warmup=warmup))
            results = [pipe.recv() for pipe in pipes]
            for proc in procs:
                proc.join(30)
            pages = [page for r in results for page in r["pages"]]
            rates = [p["frames"] / seconds for p in pages] or [presenter.rates()[0]]
            sent = presenter.frames + sum(p["frames"] for p in pages)
            distinct = len(presenter.packed.union(*(p["seqs"] for p in pages)))
            client_cpu = sum(r["cpu_seconds"] for r in results) / seconds
            label = f"{n} hidden" if hidden else str(n)
            print(f"{label:>8} {statistics.median(rates):>16.1f} {min(rates):>8.1f} {sent:>12,} {distinct:>9,} "
                  f"{presenter.rates()[1]:>10,.0f} {cpu.server_cpu:>10.0%} {client_cpu + cpu.client_cpu:>10.0%}   "
                  f"{load_average()}")
    finally:
        server.stop()


async def first_frame(port: int, session: str) -> tuple[float, float]:
    """Seconds from opening the socket to the welcome, and to the first frame's bytes."""
    started = time.perf_counter()
    welcome = None
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws/{session}", max_size=None, compression=None) as ws:
        await ws.send(json.dumps({"type": "hello"}))
        while True:
            raw = await ws.recv()
            if isinstance(raw, str) and json.loads(raw)["type"] == "welcome":
                welcome = time.perf_counter() - started
            elif isinstance(raw, bytes) and unpack_header(raw)["type"] == "frame":
                assert welcome is not None, "a frame came before the welcome"
                return welcome, time.perf_counter() - started


def first_frames(repeats: int = 20) -> None:
    server = ServerProcess()
    try:
        times = [asyncio.run(first_frame(server.port, server.create(PLAYING)[0])) for _ in range(repeats)]
    finally:
        server.stop()
    welcome = statistics.median(t[0] for t in times)
    frame = statistics.median(t[1] for t in times)
    print(f"\n3. First frame on a fresh session, median of {repeats}: socket open → frame bytes {1000 * frame:.1f} ms "
          f"(baseline, same run: socket open → welcome {1000 * welcome:.1f} ms; the frame adds "
          f"{1000 * (frame - welcome):.1f} ms)   {load_average()}")


def playground_equivalent(seconds: float) -> None:
    baseline = engine_epochs_per_second(seconds)
    server = ServerProcess(grid_every_epoch=True)
    try:
        watcher = Watcher(server, *server.create(PLAYGROUND))
        asyncio.run(run_all([watcher], seconds))
    finally:
        server.stop()
    frames, _, epochs = watcher.rates()
    print("\n4. Playground's work per epoch (circle, 2-8-8-1 tanh, 250 points, batch 10, loss + decision map each "
          "epoch):")
    print(f"  server, streaming {frames:.0f} frames/s: {epochs:,.0f} epochs/s   {load_average()}")
    print(f"  engine alone, same run:     {baseline:,.0f} epochs/s   (server/engine = {epochs / baseline:.2f})")


def workers(seconds: float, count: int) -> None:
    """Playing sessions spread over ``count`` workers through Redis, against one process without Redis."""
    print(f"\n5. Playing sessions, one presenter each, on 1 worker (no Redis: the baseline, same run) and on {count} "
          "workers through Redis,\n   half the presenters on a worker that does not train their session")
    print(f"{'workers':>7} {'sessions':>8} {'updates/s/session':>18} {'frames/s median':>16} {'slowest':>8} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'servers CPU':>11} {'Redis CPU':>9} {'CPU ms/frame':>12} {'bench CPU':>9}")
    for n_workers in sorted({1, count}):
        with tempfile.TemporaryDirectory() as folder:
            redis = RedisServer(Path(folder)) if n_workers > 1 else None
            servers = [ServerProcess(**({"redis": redis.url} if redis else {})) for _ in range(n_workers)]
            try:
                for n in (50, 100):
                    created = [servers[0].create(PLAYING) for _ in range(n)]  # placed on the least-loaded worker
                    # Placement alternates between the workers, so pages on worker (k // 2) % n: half of them on
                    # the worker that trains their session, half relayed through Redis.
                    watchers = [Watcher(servers[(k // 2) % n_workers], *c) for k, c in enumerate(created)]
                    with Measured(*servers, *([redis] if redis else [])) as cpu:
                        asyncio.run(run_all(watchers, seconds))
                    rates = [w.rates() for w in watchers]
                    latencies = [x for w in watchers for x in w.latencies]
                    frames = sum(w.frames for w in watchers)
                    redis_cpu = cpu.each[-1] if redis else 0.0
                    per_frame = 1000 * cpu.server_cpu * cpu.seconds / max(frames, 1)
                    print(f"{n_workers:>7} {n:>8} {statistics.median(r[1] for r in rates):>18,.0f} "
                          f"{statistics.median(r[0] for r in rates):>16.1f} "
                          f"{min(r[0] for r in rates):>8.1f} {1000 * percentile(latencies, 0.5):>7.1f} "
                          f"{1000 * percentile(latencies, 0.99):>7.1f} {cpu.server_cpu - redis_cpu:>11.0%} "
                          f"{redis_cpu:>9.0%} {per_frame:>12.3f} {cpu.client_cpu:>9.0%}   {load_average()}")
            finally:
                for server in servers:
                    server.stop()
                if redis:
                    redis.stop()
    print("  CPU ms/frame: every server process's CPU (and Redis's) over the frames the pages received; the "
          "difference between the rows is the cost of going through Redis, per frame.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--viewers", type=int, default=300)
    parser.add_argument("--viewer-processes", type=int, default=1, help="processes the viewer pages are spread over")
    parser.add_argument("--workers", type=int, default=None,
                        help="only the several-workers case: 1 worker without Redis against this many through Redis")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, {load_average()} at the start\n")
    if args.workers is not None:
        workers(args.seconds, args.workers)
        return
    playing_sessions(args.seconds)
    viewers(args.seconds, args.viewers, args.viewer_processes)
    first_frames()
    playground_equivalent(args.seconds)


if __name__ == "__main__":
    main()
