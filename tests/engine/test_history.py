"""DecimatingLog: a bounded log that thins itself evenly as a run grows."""

import numpy as np
import pytest

from engine import DecimatingLog


def filled(capacity: int, offers: int) -> DecimatingLog:
    log = DecimatingLog(capacity, 2)
    for step in range(offers):
        log.offer(step, np.array([step, -step]))
    return log


def test_a_log_keeps_every_row_until_it_is_full():
    log = filled(8, 8)

    assert log.size == 8 and log.stride == 1
    assert list(log.steps) == list(range(8)) and np.array_equal(log.rows[:, 0], np.arange(8))


def test_a_full_log_keeps_every_other_row_and_then_every_other_offer():
    log = filled(8, 9)

    assert log.stride == 2 and list(log.steps) == [0, 2, 4, 6, 8]

    log.offer(9, np.zeros(2))
    assert list(log.steps) == [0, 2, 4, 6, 8]


@pytest.mark.parametrize("offers", [1, 7, 100, 1000, 4097])
def test_a_log_never_holds_more_than_its_capacity_and_spans_the_run_evenly(offers):
    log = filled(16, offers)

    assert log.size <= 16
    assert log.steps[0] == 0 and log.steps[-1] > offers - 1 - log.stride
    assert len(set(np.diff(log.steps))) <= 1
    assert np.array_equal(log.rows[:, 0], log.steps) and np.array_equal(log.rows[:, 1], -log.steps)


def test_a_forced_row_is_kept_between_strides():
    log = filled(8, 9)

    assert log.offer(9, np.ones(2), force=True)
    assert log.steps[-1] == 9


def test_since_returns_the_rows_recorded_after_a_sequence_number_that_are_still_kept():
    log = filled(8, 5)
    seen = log.recorded

    for step in range(5, 7):
        log.offer(step, np.array([step, -step]))
    steps, rows = log.since(seen)

    assert seen == 5 and list(steps) == [5, 6] and np.array_equal(rows[:, 0], [5, 6])
    assert list(log.since(log.recorded)[0]) == []
    assert list(log.since(0)[0]) == list(log.steps)


def test_since_skips_rows_thinned_away_in_the_meantime():
    log = filled(8, 6)
    seen = log.recorded

    for step in range(6, 12):
        log.offer(step, np.array([step, -step]))
    steps, _ = log.since(seen)

    assert list(steps) == [s for s in log.steps if s >= 6]


def test_since_returns_copies():
    log = filled(8, 3)

    steps, rows = log.since(0)
    rows[:] = 99.0

    assert log.rows[0, 0] == 0.0


def test_clear_empties_the_log_and_its_stride():
    log = filled(4, 50)

    log.clear()

    assert log.size == 0 and log.stride == 1 and log.recorded == 0 and len(log.steps) == 0


def test_a_capacity_below_two_is_refused_by_name():
    with pytest.raises(ValueError, match=r"^capacity: "):
        DecimatingLog(1, 3)
