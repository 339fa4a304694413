"""A training state (``engine.snapshot.trainer_state``) as plain values that any JSON writer keeps exactly, and
back: the session file's arrays (docs/session-file.md).

An array becomes ``{"dtype": "f8" | "i8", "shape": [...], "values": [...]}`` with its values flat, row-major;
float64 values stay exact through a writer that prints the shortest repr that reads back the same (Python's
json does). JSON has no NaN or infinity, so those are the strings "NaN", "Infinity" and "-Infinity".
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _number(v: float) -> float | str:
    if math.isfinite(v):
        return v
    return "NaN" if v != v else "Infinity" if v > 0 else "-Infinity"


def plain(value: Any) -> Any:
    """Arrays as {"dtype", "shape", "values"}; NumPy scalars as numbers; dicts and lists all the way down."""
    if isinstance(value, np.ndarray):
        whole = value.dtype.kind in "iub"
        flat = value.astype(np.int64 if whole else np.float64).ravel().tolist()
        return {"dtype": "i8" if whole else "f8", "shape": list(value.shape),
                "values": flat if whole else [_number(v) for v in flat]}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.integer | np.floating | np.bool_):
        value = value.item()
    if isinstance(value, float):
        return _number(value)
    return value


def array_of(dtype: str, shape: list[int], values: list[Any]) -> np.ndarray:
    """The array ``plain`` wrote; ValueError ("values: …") when the values do not fit the dtype and shape."""
    if math.prod(shape) != len(values):
        raise ValueError(f"values: {len(values)} values for shape {shape}")
    if dtype == "i8":
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise ValueError("values: expected whole numbers")
        return np.array(values, dtype=np.int64).reshape(shape)
    if dtype != "f8":
        raise ValueError(f"dtype: expected 'f8' or 'i8', got {dtype!r}")
    try:
        numbers = [NON_FINITE[v] if isinstance(v, str) else float(v) for v in values]
    except (KeyError, TypeError):
        raise ValueError("values: expected numbers (or 'NaN', 'Infinity', '-Infinity')") from None
    return np.array(numbers, dtype=np.float64).reshape(shape)


def from_plain(value: Any) -> Any:
    """``plain``'s output read back: every {"dtype", "shape", "values"} becomes its array."""
    if isinstance(value, dict):
        if set(value) == {"dtype", "shape", "values"}:
            return array_of(value["dtype"], value["shape"], value["values"])
        return {k: from_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_plain(v) for v in value]
    return value
