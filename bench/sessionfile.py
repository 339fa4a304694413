"""What a session file costs: its size, and the time to write it and to open it again, for a classroom network
and the largest a session allows (with 5,000 points of its own), against storage's own snapshot of the same
session (engine.snapshot.trainer_state packed as .npz, as the SQLite store writes it), measured in the same run.

A file is JSON with every float64 in its shortest exact repr, so it is larger and slower than the binary
snapshot; this says by how much. The snapshot's way back is storage's: the blob read, a session built from the
setup, the state put into it (server/keeper.py adopt). Opening a file includes its checks: a throwaway trainer
is restored and trains one update before the session is rebuilt (server/sessionfile.py).

    .venv/bin/python bench/sessionfile.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.snapshot import trainer_state  # noqa: E402
from server import sessionfile  # noqa: E402
from server.keeper import adopt  # noqa: E402
from server.load import Load  # noqa: E402
from server.protocol import Config  # noqa: E402
from server.scheduler import Scheduler  # noqa: E402
from server.session import Session  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.storage import decode_state, encode_state  # noqa: E402

SETTINGS = Settings()
CASES = {
    "2-8-8-1, 500 points": {"sizes": [8, 8], "n_points": 500, "batch_size": 10},
    "2-32×6-1, 5,000 own points": {"sizes": [32] * 6, "n_points": 5000, "batch_size": 10, "optimizer": "adam",
                                   "hyper": {"lr": 0.001}},
}


def session_of(config: dict, train: bool = True) -> Session:
    session = Session("bench", SETTINGS, Config(**config), Load(SETTINGS), Scheduler())
    if config["n_points"] == 5000:  # the largest: its data is its own (every point goes into the file)
        session.own_data = session.trainer.data
    if train:
        session.trainer.run(300)
    return session


def median_ms(work, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'session':32} {'file':>10} {'save ms':>8} {'open ms':>8} | {'snapshot':>10} {'save ms':>8} "
          f"{'load ms':>8} | size × save × open ×")
    for name, config in CASES.items():
        session = session_of(config)
        target = session_of(config)
        raw = sessionfile.dumps(sessionfile.export(session))
        save = median_ms(lambda s=session: sessionfile.dumps(sessionfile.export(s)), args.repeat)
        open_ = median_ms(lambda t=target, r=raw: sessionfile.install(t, sessionfile.prepare(r, SETTINGS)), args.repeat)
        blob = encode_state(trainer_state(session.trainer, SETTINGS.stored_trajectory_bytes))  # no own data: as
        # storage keeps a built-in set (the largest case's 5,000 points would add 120 KB to it)
        snap = median_ms(lambda s=session: encode_state(trainer_state(s.trainer, SETTINGS.stored_trajectory_bytes)),
                         args.repeat)
        # Storage's way back: the blob read, a session built from the setup, the state put into it.
        load = median_ms(lambda b=blob, c=config: adopt(session_of(c, train=False), decode_state(b), {}), args.repeat)
        print(f"{name:32} {len(raw):>10,} {save:>8.1f} {open_:>8.1f} | {len(blob):>10,} {snap:>8.1f} {load:>8.1f} | "
              f"{len(raw) / len(blob):>4.1f} {save / snap:>6.1f} {open_ / load:>6.1f}")
        assert target.trainer.model.flat().tobytes() == session.trainer.model.flat().tobytes()


if __name__ == "__main__":
    main()
