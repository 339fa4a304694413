"""Your own data: a set of given points in the plane (two inputs, and a class label 0..K-1 or a regression target),
drawn by hand or read from a CSV file, split into train and test parts as the built-in sets are.

Every function returns a new ``Dataset`` (name ``"own"``) and raises ``ValueError`` worded "field: reason" when
the data breaks a cap; ``parse_csv`` names the line and the column of the first bad value. A point is addressed
by its index over the training points followed by the test points (the order the server sends them in).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Any

import numpy as np

from .datasets import Dataset

Array = np.ndarray

OWN = "own"  # the name of a data set of given points
MAX_ROWS = 5000  # points in one set (a CSV's rows), as the server's largest built-in set
MAX_CLASSES = 7  # class labels 0..6: the page has a colour for each (Okabe–Ito)
MAX_VALUE = 1000.0  # |x₁|, |x₂| and |target| at most this
COLUMNS = ("x₁", "x₂", "label or target")


@dataclass
class Points:
    """Rows read from a file, before the split: X (n, 2); y (n,) class indices or targets; kind and classes."""

    X: Array
    y: Array
    kind: str  # "classification" or "regression"
    n_classes: int  # 0 for regression


# -- reading a CSV file ------------------------------------------------------------------------------------


def parse_csv(raw: bytes, kind: str = "auto") -> Points:
    """Rows of x₁, x₂ and a label (or target) from CSV text; a first row that is not numbers is a header.

    kind: "classification" (labels are whole numbers 0..MAX_CLASSES-1), "regression" (any finite target), or
    "auto" (classification when every label is such a whole number, else regression). Commas, semicolons or
    tabs separate the columns (the first row decides); blank lines are skipped.
    """
    if kind not in ("auto", "classification", "regression"):
        raise ValueError(f"kind: expected 'auto', 'classification' or 'regression', got {kind!r}")
    text = _text(raw)
    lines = text.splitlines()
    numbered = [(k + 1, line) for k, line in enumerate(lines) if line.strip()]
    if not numbered:
        raise ValueError("file: it is empty; expected rows of x₁, x₂ and a label (or target), e.g. 0.5,-0.2,1")
    delimiter = next((d for d in ",;\t" if d in numbered[0][1]), ",")
    rows: list[list[float]] = []
    line_of: list[int] = []
    names = COLUMNS
    for index, (number, line) in enumerate(numbered):
        try:
            cells = next(csv.reader([line], delimiter=delimiter))
        except csv.Error as exc:
            raise ValueError(f"line {number}: not a CSV row ({exc})") from None
        if len(cells) != 3:
            raise ValueError(
                f"line {number}: expected 3 columns (x₁, x₂, and a label or target), got {len(cells)}"
            )
        if index == 0 and not any(_is_number(c) for c in cells):  # a header: names, not numbers
            names = tuple(c.strip() or default for c, default in zip(cells, COLUMNS, strict=True))
            continue
        if len(rows) == MAX_ROWS:
            raise ValueError(f"file: more than {MAX_ROWS:,} rows (line {number}); at most {MAX_ROWS:,} points fit")
        rows.append([_number(cell, number, column, names) for column, cell in enumerate(cells)])
        line_of.append(number)
    if len(rows) < 2:
        raise ValueError(f"file: {len(rows)} row{'s' if len(rows) != 1 else ''} of numbers; need at least 2 points")
    table = np.array(rows, dtype=np.float64)
    X, labels = table[:, :2], table[:, 2]
    whole = (labels == np.round(labels)) & (labels >= 0) & (labels < MAX_CLASSES)
    if kind == "classification" or (kind == "auto" and whole.all()):
        if not whole.all():
            bad = int(np.argmin(whole))
            raise ValueError(
                f"line {line_of[bad]}, column 3 ({names[2]}): {_shown(labels[bad])} is not a class; expected a "
                f"whole number from 0 to {MAX_CLASSES - 1}"
            )
        y = labels.astype(np.int64)
        return Points(X, y, "classification", max(2, int(y.max()) + 1))
    return Points(X, labels, "regression", 0)


def _text(raw: bytes) -> str:
    if b"\x00" in raw:
        raise ValueError("file: it looks binary (it holds NUL bytes), not CSV text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"file: not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start:,}); save it as CSV (UTF-8)"
        ) from None


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _number(cell: str, line: int, column: int, names: tuple[str, ...]) -> float:
    where = f"line {line}, column {column + 1} ({names[column]})"
    text = cell.strip()
    if not text:
        raise ValueError(f"{where}: the value is missing")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{where}: {_shown(text)} is not a number") from None
    if not np.isfinite(value):
        raise ValueError(f"{where}: {_shown(text)} is not a finite number")
    if abs(value) > MAX_VALUE:
        raise ValueError(f"{where}: {_shown(text)} is outside ±{MAX_VALUE:,.0f}")
    return value


def _shown(value: Any, limit: int = 24) -> str:
    text = value if isinstance(value, str) else f"{float(value):g}"
    return repr(text if len(text) <= limit else f"{text[: limit - 1]}…")


# -- the data set ------------------------------------------------------------------------------------------


def own_dataset(points: Points, test_fraction: float = 0.5, seed: int = 0) -> Dataset:
    """The points shuffled with ``seed`` and split as ``make_dataset`` splits the built-in sets: the last
    round(n · test_fraction) of the shuffled order (at most n − 1) are the test part."""
    _check(points.X, points.y, points.kind, points.n_classes)
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test_fraction: expected a share in [0, 1), got {test_fraction!r}")
    n = len(points.X)
    order = np.random.default_rng(seed).permutation(n)
    X, y = points.X[order], points.y[order]
    n_train = n - min(int(round(n * test_fraction)), n - 1)
    if points.kind == "regression":
        y = y.reshape(-1, 1)
    return Dataset(OWN, points.kind, X[:n_train], y[:n_train], X[n_train:], y[n_train:], points.n_classes)


def all_points(data: Dataset) -> Points:
    """Every point of a 2-D data set (training points first), to edit it or split it again."""
    if data.kind not in ("classification", "regression") or data.n_inputs != 2:
        raise ValueError("data: only a data set of points in the plane can be edited (not a worked example's cases)")
    y = np.concatenate([data.y_train, data.y_test])
    return Points(np.concatenate([data.X_train, data.X_test]), y.reshape(-1) if data.kind == "regression" else y,
                  data.kind, data.n_classes)


def add_point(data: Dataset, x: tuple[float, float], value: float) -> Dataset:
    """A new training point at ``x`` with class ``value`` (a whole number) or regression target ``value``."""
    n = len(data.X_train) + len(data.X_test)
    if n >= MAX_ROWS:
        raise ValueError(f"points: a data set holds at most {MAX_ROWS:,} points; remove some first")
    _check_x(x)
    if data.kind == "classification":
        if not (float(value).is_integer() and 0 <= value < data.n_classes):
            raise ValueError(f"label: this data set has classes 0 to {data.n_classes - 1}; got {_shown(value)}")
        y_new: Array = np.array([int(value)], dtype=data.y_train.dtype)
    else:
        if not (np.isfinite(value) and abs(value) <= MAX_VALUE):
            raise ValueError(f"target: expected a finite number within ±{MAX_VALUE:,.0f}, got {_shown(value)}")
        y_new = np.array([[float(value)]])
    X_train = np.vstack([data.X_train, np.array([x], dtype=np.float64)])
    return _own(data, X_train, np.concatenate([data.y_train, y_new]), data.X_test, data.y_test)


def move_point(data: Dataset, index: int, x: tuple[float, float]) -> Dataset:
    """Point ``index`` (over training then test points) moved to ``x``, in the same part and place."""
    part, k = _locate(data, index)
    _check_x(x)
    X_train, X_test = data.X_train.copy(), data.X_test.copy()
    (X_train if part == "train" else X_test)[k] = x
    return _own(data, X_train, data.y_train, X_test, data.y_test)


def remove_point(data: Dataset, index: int) -> Dataset:
    """Point ``index`` (over training then test points) taken out; the training part keeps at least one."""
    part, k = _locate(data, index)
    if part == "train":
        if len(data.X_train) == 1:
            raise ValueError("index: the training set needs at least one point; add another before removing this")
        return _own(data, np.delete(data.X_train, k, axis=0), np.delete(data.y_train, k, axis=0),
                    data.X_test, data.y_test)
    return _own(data, data.X_train, data.y_train, np.delete(data.X_test, k, axis=0), np.delete(data.y_test, k, axis=0))


def _locate(data: Dataset, index: int) -> tuple[str, int]:
    n_train, n = len(data.X_train), len(data.X_train) + len(data.X_test)
    if not 0 <= index < n:
        raise ValueError(f"index: expected a point index in 0..{n - 1}, got {index}")
    return ("train", index) if index < n_train else ("test", index - n_train)


def _own(data: Dataset, X_train: Array, y_train: Array, X_test: Array, y_test: Array) -> Dataset:
    return Dataset(OWN, data.kind, X_train, y_train, X_test, y_test, data.n_classes)


def _check_x(x: tuple[float, float]) -> None:
    if len(x) != 2 or not all(np.isfinite(v) and abs(v) <= MAX_VALUE for v in x):
        raise ValueError(f"x: expected two finite coordinates within ±{MAX_VALUE:,.0f}, got {x!r}")


def _check(X: Array, y: Array, kind: str, n_classes: int) -> None:
    if kind not in ("classification", "regression"):
        raise ValueError(f"kind: expected 'classification' or 'regression', got {kind!r}")
    if X.ndim != 2 or X.shape[1] != 2 or len(X) < 2:
        raise ValueError(f"points: expected at least 2 points of two inputs, got an array of shape {X.shape}")
    if len(X) > MAX_ROWS:
        raise ValueError(f"points: at most {MAX_ROWS:,} points, got {len(X):,}")
    if len(y) != len(X):
        raise ValueError(f"points: {len(X)} points but {len(y)} labels or targets")
    if not (np.isfinite(X).all() and np.abs(X).max() <= MAX_VALUE):
        raise ValueError(f"x: every coordinate must be finite and within ±{MAX_VALUE:,.0f}")
    if kind == "classification":
        if not 2 <= n_classes <= MAX_CLASSES or y.min() < 0 or y.max() >= n_classes:
            raise ValueError(f"label: classes must be 0 to {n_classes - 1} of at most {MAX_CLASSES}")
    elif not (np.isfinite(y).all() and np.abs(y).max() <= MAX_VALUE):
        raise ValueError(f"target: every target must be finite and within ±{MAX_VALUE:,.0f}")


# -- kept with a session, and in a session file ------------------------------------------------------------


def dataset_state(data: Dataset) -> dict[str, Any]:
    """Own data as arrays and plain values (a store keeps it beside ``trainer_state``)."""
    return {"kind": data.kind, "classes": data.n_classes, "X_train": data.X_train.copy(),
            "y_train": data.y_train.copy(), "X_test": data.X_test.copy(), "y_test": data.y_test.copy()}


def dataset_from_state(state: dict[str, Any]) -> Dataset:
    """The data set ``dataset_state`` kept, checked against the same caps as new data (ValueError if not)."""
    kind, classes = state.get("kind"), state.get("classes")
    if not isinstance(classes, int) or isinstance(classes, bool):
        raise ValueError(f"classes: expected a whole number, got {classes!r}")
    try:
        X_train, X_test = (np.asarray(state[k], dtype=np.float64).reshape(-1, 2) for k in ("X_train", "X_test"))
        y_train, y_test = (np.asarray(state[k], dtype=np.float64).reshape(-1) for k in ("y_train", "y_test"))
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]}: is required") from None
    except (TypeError, ValueError) as exc:
        raise ValueError(f"points: not an array of numbers of the right shape ({exc})") from None
    if len(X_train) < 1:
        raise ValueError("X_train: the training set needs at least one point")
    if kind == "classification":
        labels = np.concatenate([y_train, y_test])
        if not (np.isfinite(labels).all() and (labels == np.round(labels)).all()):
            raise ValueError("y_train: class labels must be whole numbers")
        y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
    _check(np.concatenate([X_train, X_test]), np.concatenate([y_train, y_test]), str(kind), classes)
    if len(y_train) != len(X_train) or len(y_test) != len(X_test):
        raise ValueError("y_train: one label or target per point of each part")
    if kind == "regression":
        y_train, y_test = y_train.reshape(-1, 1), y_test.reshape(-1, 1)
    return Dataset(OWN, str(kind), X_train, y_train, X_test, y_test, classes)
