"""What keeping sessions in SQLite costs: training speed with storage on against off (same run, interleaved),
the memory a save takes, the bytes on disk per session at the largest allowed size, and the time to save and to
load one.

Training speed: a real uvicorn in its own process (storage on: a SQLite file, written every second; off: memory
only), one session playing as fast as it goes with a page connected, updates/s read from the server over
`seconds`; the two servers run one after the other, several rounds interleaved, and the median is reported.

    .venv/bin/python bench/storage.py [--seconds 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2 as httpx
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from serverproc import ServerProcess  # noqa: E402

from engine.snapshot import restore_trainer_state, trainer_state  # noqa: E402
from server.build import build_trainer  # noqa: E402
from server.protocol import Config  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.storage import Record, SQLiteStore, encode_state  # noqa: E402

SETTINGS = Settings()
LARGEST = {"sizes": [SETTINGS.max_neurons] * SETTINGS.max_hidden_layers, "n_points": SETTINGS.max_points,
           "dataset": "circle", "batch_size": 10, "optimizer": "adam", "hyper": {"lr": 0.001}}
CLASSROOM = {"sizes": [8, 8], "n_points": 500, "dataset": "circle", "batch_size": 10}


def updates_per_second(db: str | None, config: dict, seconds: float) -> float:
    server = ServerProcess(db=db)
    try:
        created = httpx.post(f"{server.http}/api/sessions", json={"config": config}).json()
        sid = created["session"]
        with connect(f"ws://127.0.0.1:{server.port}/ws/{sid}") as ws:
            ws.send(json.dumps({"type": "hello", "token": created["token"]}))
            stop = threading.Event()

            def drain() -> None:  # a page reading every frame it is sent
                while not stop.is_set():
                    try:
                        ws.recv(timeout=0.2)
                    except TimeoutError:
                        pass
                    except Exception:
                        return

            reader = threading.Thread(target=drain, daemon=True)
            reader.start()
            ws.send(json.dumps({"type": "play", "id": 1}))
            time.sleep(1.0)  # warm up: the session learns its slice size
            start_step, started = httpx.get(f"{server.http}/api/sessions/{sid}").json()["step"], time.monotonic()
            time.sleep(seconds)
            end_step, ended = httpx.get(f"{server.http}/api/sessions/{sid}").json()["step"], time.monotonic()
            stop.set()
            reader.join(2)
        return (end_step - start_step) / (ended - started)
    finally:
        server.stop()


def speed(config: dict, name: str, seconds: float, rounds: int) -> None:
    on, off = [], []
    with tempfile.TemporaryDirectory() as folder:
        for k in range(rounds):
            off.append(updates_per_second(None, config, seconds))
            on.append(updates_per_second(str(Path(folder) / f"bench{k}.db"), config, seconds))
    a, b = statistics.median(on), statistics.median(off)
    print(f"  {name}: storage on {a:,.0f} updates/s, off {b:,.0f} updates/s (medians of {rounds}): "
          f"ratio on/off {a / b:.3f}   [on: {', '.join(f'{x:,.0f}' for x in on)}; "
          f"off: {', '.join(f'{x:,.0f}' for x in off)}]")


def state_bytes(state: dict) -> int:
    total = 0
    for value in state.values():
        if hasattr(value, "nbytes"):
            total += value.nbytes
        elif isinstance(value, dict):
            total += state_bytes(value)
    return total


def largest_session(updates: int) -> None:
    trainer = build_trainer(Config(**LARGEST), SETTINGS)
    started = time.perf_counter()
    trainer.run(updates)
    print(f"  the largest session: {trainer.model.n_params:,} parameters, {trainer.n_train:,} training examples; "
          f"{updates:,} updates in {time.perf_counter() - started:.1f} s; trajectory {trainer.trajectory.size} rows "
          f"in memory ({trainer.trajectory._rows.nbytes / 2**20:.1f} MB)")
    n = 20
    started = time.perf_counter()
    for _ in range(n):
        state = trainer_state(trainer, SETTINGS.stored_trajectory_bytes)
    snapshot = (time.perf_counter() - started) / n
    print(f"  snapshot on the event loop (trainer_state): {snapshot * 1e3:.2f} ms; it holds "
          f"{state_bytes(state) / 2**20:.2f} MB of arrays until written (the trajectory thinned to "
          f"{len(state['trajectory']['steps'])} rows by the {SETTINGS.stored_trajectory_bytes:,}-byte budget)")
    started = time.perf_counter()
    for _ in range(n):
        blob = encode_state(state)
    encode = (time.perf_counter() - started) / n
    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteStore(Path(folder) / "bench.db")
        record = Record("s", "h" * 64, Config(**LARGEST).model_dump(), {"speed": None}, state, time.time(), time.time())
        started = time.perf_counter()
        for k in range(n):
            record.id = f"s{k}"
            store.save([record])
        save = (time.perf_counter() - started) / n
        started = time.perf_counter()
        for k in range(n):
            loaded = store.load(f"s{k}")
        load = (time.perf_counter() - started) / n
        twin = build_trainer(Config(**LARGEST), SETTINGS)
        started = time.perf_counter()
        restore_trainer_state(twin, loaded.state)
        restore = time.perf_counter() - started
        size = store.size_of("s0")
        file_bytes = sum(p.stat().st_size for p in Path(folder).iterdir())
        store.close()
    print(f"  encode (.npz + JSON, in the storage thread): {encode * 1e3:.2f} ms; write one session (encode + one "
          f"SQLite transaction): {save * 1e3:.2f} ms; read one back: {load * 1e3:.2f} ms; restore into a trainer "
          f"(after rebuilding it from its setup): {restore * 1e3:.2f} ms")
    print(f"  on disk: {size / 2**20:.2f} MB per session ({len(blob):,} bytes of training state); the file with "
          f"{n} such sessions (and its WAL): {file_bytes / 2**20:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--updates", type=int, default=3000)
    args = parser.parse_args()
    print("Storage: sizes and times at the largest allowed session")
    largest_session(args.updates)
    print("Training speed of one playing session, storage on (SQLite, written every second) against off")
    speed(CLASSROOM, "2-8-8-1, 500 points, batch 10", args.seconds, args.rounds)
    speed(LARGEST, f"largest ({LARGEST['sizes']}, {LARGEST['n_points']} points)", args.seconds, args.rounds)


if __name__ == "__main__":
    main()
