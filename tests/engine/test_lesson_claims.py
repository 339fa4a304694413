"""The numbers the shipped lessons state in words (static/lessons/*.json), checked against the engine: a lesson
never says what the engine does not do."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine import Trainer, make_preset
from engine.optimizers import make_optimizer
from server.lessons import LESSONS, parse_lesson

TROUGH_MINIMUM = np.array([1.0, -1.0])


def trainer(preset_name: str, optimizer: str, **settings: float) -> Trainer:
    preset = make_preset(preset_name)
    return Trainer(preset.model, make_optimizer(optimizer, **settings), preset.data, batch_size=preset.batch_size)


def curve_path(lr: float, n: int) -> list[float]:
    t = trainer("curve", "sgd", lr=lr)
    return [float(t.step() and t.model.x) for _ in range(n)]


def test_every_shipped_lesson_is_valid():
    for path in LESSONS.glob("*-*.json"):
        assert parse_lesson(path.read_bytes()).steps


def test_the_learning_rate_lesson_says_what_each_eta_does():
    lesson = json.loads((LESSONS / "learning-rate-on-a-curve.json").read_text())
    assert [s["setup"]["hyper"]["lr"] for s in lesson["steps"][1:]] == [0.001, 0.015, 0.056, 0.06]
    slow = curve_path(0.001, 50)
    assert slow[-1] == pytest.approx(2.53, abs=0.005)  # "x is still 2.53"
    good = curve_path(0.015, 15)
    assert good[0] == pytest.approx(2.32) and good[-1] == pytest.approx(2.25, abs=1e-3)
    oscillating = curve_path(0.056, 8)
    assert np.round(oscillating[:5], 2).tolist() == [-2.27, 2.96, 1.57, 1.95, 2.2]
    sides = np.sign(np.array(oscillating[:3]) - 2.25)
    assert (sides[1:] != sides[:-1]).all()  # side to side of the minimum
    t = trainer("curve", "sgd", lr=0.06)
    for _ in range(10):
        if t.diverged:
            break
        t.step()
    assert t.diverged and "update 8" in t.diverged


def trough_distance(n: int, optimizer: str, **settings: float) -> tuple[float, float, int]:
    """Distance from the minimum after n updates, E then, and how often the path crossed the floor."""
    t = trainer("linear_neuron_2", optimizer, **settings)
    across = np.array([0.851, 0.526])  # the steep direction (the Hessian's larger eigenvector)
    sides = []
    for _ in range(n):
        t.step()
        sides.append(np.sign((t.model.weights[0].ravel() - TROUGH_MINIMUM) @ across))
    w = t.model.weights[0].ravel()
    return float(np.linalg.norm(w - TROUGH_MINIMUM)), t.losses()[0], int(np.sum(np.diff(sides) != 0))


def test_the_momentum_lesson_says_what_the_engine_does():
    _, _, zigzags = trough_distance(12, "sgd", lr=1.2)
    assert zigzags == 11  # every step crosses the floor
    crawl, e_crawl, crossings = trough_distance(60, "sgd", lr=0.05)
    assert crawl == pytest.approx(0.81, abs=0.005) and e_crawl == pytest.approx(0.063, abs=5e-4) and crossings == 0
    run, e_run, _ = trough_distance(60, "momentum", lr=0.05, momentum=0.9)
    assert run == pytest.approx(0.06, abs=0.005) and e_run == pytest.approx(0.0024, abs=5e-5)
    over, e_over, _ = trough_distance(60, "momentum", lr=0.05, momentum=0.99)
    assert over == pytest.approx(1.46, abs=0.005) and e_over == pytest.approx(0.86, abs=5e-3)


def test_the_surfaces_the_lessons_choose_hold_the_paths_they_show():
    """'Drawn wider, to follow the path (w2 swings down to −2.6)', and the curve's wider spans hold the landings."""
    lesson = json.loads((LESSONS / "momentum-in-a-trough.json").read_text())
    (w1_low, w1_high), (w2_low, w2_high) = lesson["steps"][4]["surface"]["span"]
    t = trainer("linear_neuron_2", "momentum", lr=0.05, momentum=0.99)
    path = [t.model.weights[0].ravel().copy()]
    for _ in range(60):
        t.step()
        path.append(t.model.weights[0].ravel().copy())
    low, high = np.min(path, axis=0), np.max(path, axis=0)
    assert low[1] == pytest.approx(-2.6, abs=0.05)
    assert w1_low <= low[0] and high[0] <= w1_high and w2_low <= low[1] and high[1] <= w2_high
    curve = json.loads((LESSONS / "learning-rate-on-a-curve.json").read_text())
    ((low_x, high_x),) = curve["steps"][3]["surface"]["span"]
    assert low_x <= min(curve_path(0.056, 8)) and high_x >= 4  # the oscillation: from x = 4 down to −2.27
    ((low_x, high_x),) = curve["steps"][4]["surface"]["span"]
    assert low_x <= -2.72 and 6.10 <= high_x  # the divergence's first swings, 4 → −2.72 → 6.10
    assert curve_path(0.06, 2) == pytest.approx([-2.72, 6.10], abs=0.005)
