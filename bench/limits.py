"""What one visitor can cost the server, with and without the budgets of issue 10, measured in one run.

- memory per session at the largest allowed size after training, with the trajectory kept whole (2000 points of
  every weight, as before) and within `trajectory_bytes` (now);
- a loss surface at the largest resolution on the largest network: the engine's CPU time unbudgeted, and how
  long the server takes to refuse it under `work_seconds`;
- a page that sends 1 MB message ids and never reads: the server's memory before and after;
- SIGTERM while three such surfaces are being computed: the seconds until the server has stopped.

    .venv/bin/python bench/limits.py [--updates 2000] [--flood 300] [--resolution 100]

The unbudgeted surface is the slow part (minutes of CPU on a busy machine at 100 × 100); --resolution sets the
grid it is measured at (the server's refusal is always asked for at 100 × 100).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path

from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from serverproc import ServerProcess  # noqa: E402

from engine import landscape  # noqa: E402
from server.protocol import Config  # noqa: E402
from server.registry import Registry  # noqa: E402
from server.settings import Settings  # noqa: E402

LARGEST = {"sizes": [32] * 6, "n_points": 5000, "batch_size": 10}
BIG_SURFACE = {"type": "surface", "kind": "random", "resolution": 100}


def session_bytes(settings: Settings, updates: int) -> tuple[float, int]:
    """Bytes a session at the largest size holds after ``updates`` updates (tracemalloc), and its path points."""
    registry = Registry(settings)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    session = registry.create(Config(**LARGEST))
    session.trainer.run(updates)
    session.frame_base()
    session.grid_message()
    held = sum(s.size_diff for s in tracemalloc.take_snapshot().compare_to(before, "filename"))
    tracemalloc.stop()
    points = session.trainer.trajectory.size
    registry.close()
    return held, points


def flood(server: ServerProcess, n: int) -> tuple[float, float, str]:
    """A viewer sends ``n`` messages with 1 MB ids and never reads: server memory before, after, and its fate."""
    session, _ = server.create()
    before = server.rss_mb()
    fate = "still connected"
    try:
        with server.socket(session) as ws:
            ws.send(json.dumps({"type": "hello"}))
            for _ in range(n):
                ws.send(json.dumps({"type": "step", "id": "x" * 1_000_000}))
            time.sleep(1.0)
    except ConnectionClosed as exc:
        fate = f"closed ({exc.rcvd.code if exc.rcvd else 'no close frame'})"
    return before, server.rss_mb(), fate


def surface_refusal(server: ServerProcess) -> tuple[float, str]:
    session, token = server.create(LARGEST)
    with server.socket(session) as ws:
        ws.send(json.dumps({"type": "hello", "token": token}))
        started = time.monotonic()
        ws.send(json.dumps({**BIG_SURFACE, "id": "big"}))
        while True:
            raw = ws.recv(timeout=300)
            if isinstance(raw, str) and json.loads(raw).get("id") == "big":
                return time.monotonic() - started, json.loads(raw).get("message", "ack")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--flood", type=int, default=300)
    parser.add_argument("--resolution", type=int, default=100, help="of the unbudgeted surface")
    args = parser.parse_args()

    # As before the budgets: the path kept whole (2000 points) and the engine's own 4 MiB of rewind keyframes.
    whole, whole_points = session_bytes(Settings(trajectory_bytes=10**12, rewind_bytes=4 * 2**20), args.updates)
    kept, kept_points = session_bytes(Settings(), args.updates)
    print(f"memory per session, 6 × 32 neurons, 5000 points, after {args.updates} updates:")
    print(f"  path kept whole ({whole_points} points), 4 MiB rewind: {whole / 1e6:6.1f} MB")
    print(f"  within trajectory_bytes ({kept_points} points) and rewind_bytes: {kept / 1e6:6.2f} MB   "
          f"ratio {whole / kept:.0f}×")

    registry = Registry(Settings())
    trainer = registry.create(Config(**LARGEST)).trainer
    trainer.run(50)
    cpu = time.thread_time()
    landscape.surface_for(trainer, "random", resolution=args.resolution)
    unbudgeted = time.thread_time() - cpu
    registry.close()

    server = ServerProcess()
    try:
        seconds, message = surface_refusal(server)
        print("surface on a random plane, largest network:")
        print(f"  unbudgeted (engine alone), {args.resolution} × {args.resolution}: {unbudgeted:5.1f} s of CPU")
        print(f"  server, 100 × 100, work_seconds={Settings().work_seconds:g}: answered in {seconds:5.1f} s: {message}")
        before, after, fate = flood(server, args.flood)
        print(f"non-reading page sending {args.flood} × 1 MB ids: server {before:.0f} MB -> {after:.0f} MB, {fate}")
    finally:
        server.stop()

    server = ServerProcess(work_seconds=600)  # no budget to end the work: only cancellation can
    pages = []
    try:
        for _ in range(3):
            session, token = server.create(LARGEST)
            ws = server.socket(session)
            ws.send(json.dumps({"type": "hello", "token": token}))
            ws.send(json.dumps(BIG_SURFACE))
            pages.append(ws)
        time.sleep(1.0)
        stopped = server.stop()
    finally:
        for ws in pages:
            ws.close()
    print(f"SIGTERM with three 100 × 100 surfaces computing: stopped in {stopped:.1f} s")


if __name__ == "__main__":
    main()
