"""The loss history as CSV: a header, then every recorded update with numbers that read back bit for bit."""

import csv
import doctest
import io
import math

import numpy as np

import engine.losscsv
from engine import Network, Trainer, make_dataset, make_optimizer
from engine.losscsv import BYTES_PER_ROW, loss_csv, trainer_loss_csv
from engine.rnn_presets import rnn_trainer


def read(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    header, *lines = list(csv.reader(io.StringIO(text)))
    steps = np.array([int(line[0]) for line in lines], dtype=np.int64)
    values = np.array([[float(cell) for cell in line[1:]] for line in lines], dtype=np.float64)
    return header, steps, values


def trained(test_fraction: float = 0.3, updates: int = 300, history_size: int = 2000) -> Trainer:
    net = Network([2, 6, 1], activations="tanh", loss="mse", seed=1)
    data = make_dataset("circle", n=120, noise=0.1, seed=2, test_fraction=test_fraction)
    trainer = Trainer(net, make_optimizer("momentum", lr=0.05, momentum=0.9), data, batch_size=10,
                      history_size=history_size)
    trainer.run(updates)
    return trainer


def test_the_csv_holds_every_recorded_update_and_its_losses_exactly():
    trainer = trained()
    header, steps, values = read(trainer_loss_csv(trainer))

    assert header == ["update", "training loss", "test loss"]
    assert np.array_equal(steps, trainer.history.steps)
    # Read back with float(), every number is the engine's float64 to the last bit (repr round-trips).
    assert values.tobytes() == trainer.history.rows.tobytes()
    # Recorded once per epoch (9 updates of 10 from 84 training points): from the start to the last epoch's end.
    assert steps[0] == 0 and steps[-1] == 297 and trainer.updates_per_epoch == 9
    assert np.all(np.diff(steps) == 9)


def test_without_a_test_set_the_test_loss_column_is_left_out():
    trainer = trained(test_fraction=0.0, updates=20)
    header, steps, values = read(trainer_loss_csv(trainer))

    assert header == ["update", "training loss"]
    assert values.shape == (len(steps), 1) and values[:, 0].tobytes() == trainer.history.rows[:, 0].tobytes()


def test_a_diverged_run_writes_nan_and_inf_as_python_reads_them():
    text = loss_csv([0, 1, 2], [[0.5, 0.1 + 0.2], [math.inf, -math.inf], [math.nan, 1e-310]], ("a", "b"))

    assert text == "update,a,b\n0,0.5,0.30000000000000004\n1,inf,-inf\n2,nan,1e-310\n"
    _, _, values = read(text)
    assert values[0, 1] == 0.1 + 0.2 and values[1, 0] == math.inf and math.isnan(values[2, 0])
    assert values[2, 1] == 1e-310  # a subnormal keeps its digits too


def test_a_header_cell_with_a_comma_is_quoted():
    text = loss_csv([3], [[1.0]], ("loss, mean",))

    assert text.splitlines()[0] == 'update,"loss, mean"'
    assert read(text)[0] == ["update", "loss, mean"]


def test_names_must_match_the_columns():
    try:
        loss_csv([0], [[1.0, 2.0]], ("one",))
    except ValueError as exc:
        assert str(exc).startswith("columns:")
    else:
        raise AssertionError("a history of two columns named by one name was accepted")


def test_a_long_run_stays_within_the_history_bound():
    trainer = trained(updates=3000, history_size=64)
    text = trainer_loss_csv(trainer)
    header, steps, values = read(text)

    assert len(steps) <= 64 and steps[-1] <= 3000 and steps[0] == 0  # thinned evenly, from the start
    assert len(text.encode()) <= BYTES_PER_ROW * (len(steps) + 1)
    assert values.tobytes() == trainer.history.rows.tobytes()


def test_the_recurrent_trainer_names_its_own_columns():
    rnn = rnn_trainer("hello", hidden_size=3, window=4, clip=5.0, optimizer="adam", lr=0.01)
    rnn.run(12)
    header, steps, values = read(trainer_loss_csv(rnn))

    assert header == ["update", "window loss", "mean window loss over the last pass"]
    assert np.array_equal(steps, rnn.history.steps) and values.tobytes() == rnn.history.rows.tobytes()


def test_the_module_example_runs():
    result = doctest.testmod(engine.losscsv)
    assert result.attempted >= 1 and result.failed == 0
