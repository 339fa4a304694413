"""The loss history as CSV text, for a spreadsheet or a notebook.

>>> print(loss_csv([0, 1], [[0.5, 0.25], [0.1, float("nan")]], ("training loss", "test loss")), end="")
update,training loss,test loss
0,0.5,0.25
1,0.1,nan

Every number is written as Python's ``repr`` writes it: the shortest text that ``float()`` reads back to the
very same float64, so a spreadsheet or ``np.loadtxt`` gets the engine's numbers exactly. A value that is not a
number (a run that diverged) is ``nan``, ``inf`` or ``-inf``, which ``float()`` reads too. A column whose name
is None is left out (a run without a test set has no test loss).

The size is the history's own bound: a trainer's log keeps at most ``history_size`` rows (2,000 by default),
thinned evenly over a long run (engine/history.py), so the text stays under about 60 bytes a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

BYTES_PER_ROW = 60  # an update count and two reprs (at most 24 characters each), commas and a newline


def loss_csv(steps: Any, rows: Any, columns: Sequence[str | None]) -> str:
    """A header line (``update`` and the named columns), then one line per recorded update."""
    steps = np.asarray(steps, dtype=np.int64)
    rows = np.asarray(rows, dtype=np.float64).reshape(len(steps), -1)
    if rows.shape[1] != len(columns):
        raise ValueError(f"columns: the history has {rows.shape[1]} columns, {len(columns)} names were given")
    keep = [k for k, name in enumerate(columns) if name is not None]
    lines = [",".join(["update", *(quoted(columns[k]) for k in keep)])]
    # tolist() gives Python ints and floats, whose repr is the round-tripping text.
    for step, row in zip(steps.tolist(), rows[:, keep].tolist(), strict=True):
        lines.append(",".join([str(step), *map(repr, row)]))
    return "\n".join(lines) + "\n"


def trainer_loss_csv(trainer: Any) -> str:
    """The loss history of a trainer (feed-forward or recurrent), named by the trainer's ``history_columns``."""
    return loss_csv(trainer.history.steps, trainer.history.rows, trainer.history_columns)


def quoted(name: str) -> str:
    """A header cell, quoted only if it holds a comma or a quote (RFC 4180)."""
    return f'"{name.replace(chr(34), chr(34) * 2)}"' if "," in name or '"' in name else name
