"""What the explainer costs a frame: building a frame's contents (view, header, arrays, packed) with the explainer
closed (the baseline) and open on a weight of the middle layer, measured in the same run, at rest and after a
step, for a small and a large network. The explainer is computed once per change of the session, not per page.

    .venv/bin/python bench/explain.py
"""

from __future__ import annotations

import json
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.build import build_trainer  # noqa: E402
from server.explainer import explanation  # noqa: E402
from server.frames import current_view, frame_arrays, frame_header  # noqa: E402
from server.protocol import Config  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.wire import pack  # noqa: E402

CASES = {
    "2-8-8-1, batch 10": Config(dataset="circle", n_points=500, sizes=[8, 8], batch_size=10),
    "2-32x6-1, batch 250 (the limits)": Config(dataset="circle", n_points=500, sizes=[32] * 6, batch_size=None),
}


def frame(trainer, element):
    view, position = current_view(trainer, None)
    header = frame_header(trainer, view, position, None)
    if element is not None:
        header["explain"] = explanation(trainer, element, None)
    return pack(header, frame_arrays(trainer, view, position))


ELEMENT = ("weight", 1, 0, 0)


def best(run, n: int) -> float:
    """Microseconds per call, the best of five rounds of n."""
    return min(timeit.repeat(run, number=n, repeat=5)) / n * 1e6


def main() -> None:
    print(f"{'network':36} {'state':8} {'closed µs':>10} {'open µs':>10} {'ratio':>6} {'header bytes':>13}")
    for name, config in CASES.items():
        trainer = build_trainer(config, Settings())
        for state in ("at rest", "stepped"):
            if state == "stepped":
                trainer.step()
            n = 200
            closed = best(lambda t=trainer: frame(t, None), n)
            opened = best(lambda t=trainer: frame(t, ELEMENT), n)
            size = len(json.dumps(explanation(trainer, ELEMENT, None)).encode())
            print(f"{name:36} {state:8} {closed:10.0f} {opened:10.0f} {opened / closed:6.2f} {size:13d}")


if __name__ == "__main__":
    main()
