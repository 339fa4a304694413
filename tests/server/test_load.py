"""The frame interval follows the mean cost of a frame, however unevenly the cost falls (server/load.py)."""

from __future__ import annotations

import pytest

from server import load
from server.load import Load, MeanCost
from server.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_one_pack_among_many_writes_gives_the_mean_not_the_swing(monkeypatch: pytest.MonkeyPatch):
    clock = Clock()
    monkeypatch.setattr(load.time, "monotonic", clock)
    cost = MeanCost(2e-4)
    estimates = []
    # 300 viewers a tick: one pays the pack (600 µs), the others the write (50 µs); 20 ticks a second.
    for second in range(10):
        for tick in range(20):
            for page in range(300):
                clock.now = second + tick / 20 + page * 1e-5
                cost.add(600e-6 if page == 0 else 50e-6)
        estimates.append(cost.seconds)
    mean = (600e-6 + 299 * 50e-6) / 300
    assert estimates[-1] == pytest.approx(mean, rel=0.01)
    # From the first guess (200 µs) halfway to the mean each second, then no swing with each pack.
    assert max(estimates[6:]) < 1.05 * mean


def measured(monkeypatch: pytest.MonkeyPatch, settings: Settings, clients: int) -> Load:
    """A Load whose frames and maps cost 100 µs each, measured over ten seconds of ``clients`` pages."""
    clock = Clock()
    monkeypatch.setattr(load.time, "monotonic", clock)
    meter = Load(settings)
    meter.clients = clients
    for k in range(20 * clients * 10):
        clock.now = k / (20 * clients)
        meter.measured_frame(100e-6)
        meter.measured_grid(100e-6)
    return meter


def test_the_interval_stretches_with_pages_times_the_mean_cost(monkeypatch: pytest.MonkeyPatch):
    settings = Settings()
    meter = measured(monkeypatch, settings, 300)
    assert meter.frame_interval() == pytest.approx(300 * 100e-6 / settings.frame_share, rel=0.05)
    meter.clients = 1
    assert meter.frame_interval() == 1 / settings.display_hz  # never faster than the display


def test_hidden_pages_take_no_share_of_the_frame_time(monkeypatch: pytest.MonkeyPatch):
    settings = Settings()
    meter = measured(monkeypatch, settings, 300)
    meter.hidden = 200  # tabs in the background: sent no pictures (docs/protocol.md, `visibility`)
    assert meter.watching == 100
    assert meter.frame_interval() == pytest.approx(100 * 100e-6 / settings.frame_share, rel=0.05)
    assert meter.grid_interval() == pytest.approx(max(1 / settings.grid_hz, 100 * 100e-6 / settings.grid_share),
                                                  rel=0.05)
    meter.hidden = 299  # the presenter alone is watching: the display's rate
    assert meter.frame_interval() == 1 / settings.display_hz
