"""Your own data: CSV rows read with plain errors naming the line and the column, caps, the split the built-in
sets use, edits one point at a time, and a trainer that goes on training on the edited set."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Network, Trainer, make_dataset, make_optimizer
from engine.owndata import (
    MAX_CLASSES,
    MAX_ROWS,
    Points,
    add_point,
    all_points,
    dataset_from_state,
    dataset_state,
    move_point,
    own_dataset,
    parse_csv,
    remove_point,
)
from engine.plainstate import array_of, from_plain, plain
from engine.snapshot import restore_trainer_state, trainer_state


def test_a_header_is_optional_and_whole_labels_make_classes():
    with_header = parse_csv(b"x1,x2,class\n0.5,-0.25,1\n-1,1,0\n0,0,2\n")
    without = parse_csv(b"0.5,-0.25,1\n-1,1,0\n0,0,2\n")
    for points in (with_header, without):
        assert points.kind == "classification" and points.n_classes == 3
        assert points.X.tolist() == [[0.5, -0.25], [-1.0, 1.0], [0.0, 0.0]]
        assert points.y.tolist() == [1, 0, 2]


def test_fractional_targets_make_a_regression_set_and_kind_can_be_forced():
    assert parse_csv(b"0,0,0.5\n1,1,-0.25\n").kind == "regression"
    forced = parse_csv(b"0,0,1\n1,1,0\n", kind="regression")
    assert forced.kind == "regression" and forced.y.dtype == np.float64


def test_semicolons_tabs_blank_lines_and_a_byte_order_mark_are_read():
    assert parse_csv("\ufeffa;b;c\n\n1;2;0\n3;4;1\n".encode()).X.tolist() == [[1, 2], [3, 4]]
    assert parse_csv(b"1\t2\t0\n3\t4\t1\n").y.tolist() == [0, 1]


@pytest.mark.parametrize(("raw", "message"), [
    (b"", "file: it is empty"),
    (b"\n  \n", "file: it is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "file: it looks binary"),
    (b"0,0,1\n\xff\xfe,1,0\n", "file: not UTF-8 text (byte 0xff at position 6"),
    (b"x,y,c\n0,0,1\n1,1\n", "line 3: expected 3 columns (x₁, x₂, and a label or target), got 2"),
    (b"0,0,1,4\n", "line 1: expected 3 columns"),
    (b"x,y,c\n0,0,1\n1,abc,0\n", "line 3, column 2 (y): 'abc' is not a number"),
    (b"0,0,1\n1,,0\n", "line 2, column 2 (x₂): the value is missing"),
    (b"0,0,1\nnan,1,0\n", "line 2, column 1 (x₁): 'nan' is not a finite number"),
    (b"0,0,1\n1,-inf,0\n", "line 2, column 2 (x₂): '-inf' is not a finite number"),
    (b"0,0,1\n1,1e9,0\n", "line 2, column 2 (x₂): '1e9' is outside ±1,000"),
    (b"0,0,1\n", "file: 1 row of numbers; need at least 2 points"),
    (b"a,b,c\n", "file: 0 rows of numbers"),
])
def test_bad_files_get_plain_errors_naming_the_line_and_column(raw, message):
    with pytest.raises(ValueError) as caught:
        parse_csv(raw)
    assert str(caught.value).startswith(message), str(caught.value)


def test_a_label_that_is_no_class_is_refused_when_classes_are_asked_for():
    with pytest.raises(ValueError, match=r"line 2, column 3 \(label or target\): '0.5' is not a class; expected a "
                                         r"whole number from 0 to 6"):
        parse_csv(b"0,0,1\n1,1,0.5\n", kind="classification")
    with pytest.raises(ValueError, match="'7' is not a class"):
        parse_csv(b"0,0,1\n1,1,7\n", kind="classification")


def test_the_row_cap_is_said_with_its_number():
    fits = b"".join(b"0.1,0.2,%d\n" % (k % 2) for k in range(MAX_ROWS))
    assert len(parse_csv(fits).X) == MAX_ROWS
    with pytest.raises(ValueError, match=r"file: more than 5,000 rows \(line 5001\); at most 5,000 points fit"):
        parse_csv(fits + b"0,0,1\n")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_points_or_a_plain_error(raw):
    try:
        points = parse_csv(raw)
    except ValueError as exc:
        assert str(exc).split(":")[0] in ("file", "kind") or str(exc).startswith("line ")
        return
    assert np.isfinite(points.X).all() and 2 <= len(points.X) <= MAX_ROWS


def test_the_split_is_the_one_the_built_in_sets_use():
    points = parse_csv(b"".join(b"%d,%d,%d\n" % (k, -k, k % 2) for k in range(10)))
    data = own_dataset(points, test_fraction=0.3, seed=4)
    order = np.random.default_rng(4).permutation(10)
    assert data.X_train.tolist() == points.X[order[:7]].tolist()
    assert data.X_test.tolist() == points.X[order[7:]].tolist()
    assert data.name == "own" and data.n_classes == 2
    # As make_dataset: at least one training point whatever the share.
    assert len(own_dataset(points, test_fraction=0.99).X_train) == 1
    built_in = make_dataset("xor", n=10, test_fraction=0.3)
    assert (len(built_in.X_train), len(built_in.X_test)) == (len(data.X_train), len(data.X_test))


def test_edits_address_training_then_test_points_and_keep_the_rest():
    data = own_dataset(Points(np.array([[0.0, 0], [1, 1], [2, 2], [3, 3]]), np.array([0, 1, 0, 1]),
                              "classification", 2), test_fraction=0.5, seed=0)
    added = add_point(data, (0.5, -0.5), 1)
    assert added.X_train[-1].tolist() == [0.5, -0.5] and added.y_train[-1] == 1 and len(added.X_test) == 2
    moved = move_point(added, 3, (0.25, 0.75))  # the first test point
    assert moved.X_test[0].tolist() == [0.25, 0.75] and moved.X_train.tolist() == added.X_train.tolist()
    removed = remove_point(moved, 0)
    assert removed.X_train.tolist() == moved.X_train[1:].tolist()
    assert data.X_train.shape == (2, 2)  # the original is untouched


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: add_point(d, (0, 0), 2), "label: this data set has classes 0 to 1; got '2'"),
    (lambda d: add_point(d, (0, 0), 0.5), "label: this data set has classes 0 to 1"),
    (lambda d: add_point(d, (float("nan"), 0), 1), "x: expected two finite coordinates within ±1,000"),
    (lambda d: add_point(d, (2000, 0), 1), "x: expected two finite coordinates"),
    (lambda d: move_point(d, 4, (0, 0)), "index: expected a point index in 0..3, got 4"),
    (lambda d: remove_point(d, -1), "index: expected a point index in 0..3, got -1"),
])
def test_bad_edits_are_refused_naming_the_field(edit, message):
    data = own_dataset(Points(np.zeros((4, 2)), np.array([0, 1, 0, 1]), "classification", 2), 0.5, 0)
    with pytest.raises(ValueError) as caught:
        edit(data)
    assert str(caught.value).startswith(message)


def test_the_last_training_point_and_the_cap_are_kept():
    data = own_dataset(Points(np.zeros((2, 2)), np.array([0, 1]), "classification", 2), 0.5, 0)
    with pytest.raises(ValueError, match="index: the training set needs at least one point"):
        remove_point(data, 0)
    full = own_dataset(Points(np.zeros((MAX_ROWS, 2)), np.arange(MAX_ROWS) % 2, "classification", 2), 0.0, 0)
    with pytest.raises(ValueError, match="points: a data set holds at most 5,000 points"):
        add_point(full, (0, 0), 1)


def test_regression_targets_are_edited_as_numbers():
    data = own_dataset(parse_csv(b"0,0,0.5\n1,1,-0.25\n"), 0.0, 0)
    added = add_point(data, (0.1, 0.2), -0.75)
    assert added.y_train.shape == (3, 1) and added.y_train[-1, 0] == -0.75
    with pytest.raises(ValueError, match="target: expected a finite number"):
        add_point(data, (0, 0), float("inf"))


def test_a_built_in_set_becomes_own_data_with_every_point():
    circle = make_dataset("circle", n=20, seed=3)
    points = all_points(circle)
    assert len(points.X) == 20 and points.n_classes == 2
    edited = add_point(circle, (0.0, 0.0), 1)
    assert edited.name == "own" and len(edited.X_train) == len(circle.X_train) + 1


def test_kept_data_comes_back_exactly_and_damaged_data_is_refused():
    data = own_dataset(parse_csv(b"0.1,0.2,0\n0.3,0.4,2\n0.5,0.6,1\n"), 0.34, 9)
    back = dataset_from_state(dataset_state(data))
    for name in ("X_train", "y_train", "X_test", "y_test"):
        assert getattr(back, name).tobytes() == getattr(data, name).tobytes()
    assert (back.kind, back.n_classes) == ("classification", 3)
    state = dataset_state(data)
    with pytest.raises(ValueError, match="label"):
        dataset_from_state({**state, "classes": MAX_CLASSES + 1})
    with pytest.raises(ValueError, match="X_test: is required"):
        dataset_from_state({k: v for k, v in state.items() if k != "X_test"})
    with pytest.raises(ValueError, match="whole numbers"):
        dataset_from_state({**state, "y_train": [0.5] * len(state["y_train"])})


def make_trainer(data, batch_size=3):
    net = Network([2, 4, 1], activations="tanh", loss="mse", seed=2)
    return Trainer(net, make_optimizer("momentum", lr=0.1, momentum=0.9), data, batch_size=batch_size, seed=5)


def test_a_trainer_goes_on_training_on_edited_data_with_its_weights():
    data = own_dataset(Points(np.random.default_rng(0).uniform(-1, 1, (12, 2)), np.arange(12) % 2,
                              "classification", 2), 0.25, 0)
    trainer = make_trainer(data)
    trainer.run(5)
    weights, velocity, step = trainer.model.flat(), trainer.optimizer.state["change"].copy(), trainer.step_count
    edited = add_point(data, (0.9, 0.9), 1)
    trainer.set_data(edited)
    assert trainer.model.flat().tobytes() == weights.tobytes()
    assert trainer.optimizer.state["change"].tobytes() == velocity.tobytes()
    assert trainer.step_count == step and trainer.n_train == 10 and trainer._cursor == 0
    assert sorted(trainer._order.tolist()) == list(range(10))
    assert trainer.history.steps[-1] == step  # the jump the new data makes is logged at once
    assert trainer.history_range == (step, step)  # stepping back stops at the edit
    trainer.run(4)
    assert np.isfinite(trainer.model.flat()).all() and max(trainer.last_batch) < 10


def test_new_data_abandons_an_update_under_way_and_reclamps_the_batch():
    data = own_dataset(Points(np.zeros((4, 2)), np.array([0, 1, 0, 1]), "classification", 2), 0.0, 0)
    trainer = make_trainer(data, batch_size=10)  # more than the data: full batch for now
    assert trainer.batch_size is None
    trainer.next_phase()
    assert trainer.in_update
    bigger = data
    for k in range(12):
        bigger = add_point(bigger, (k / 12, 0.5), k % 2)
    trainer.set_data(bigger)
    assert not trainer.in_update and trainer.step_count == 0
    assert trainer.batch_size == 10  # the size asked for fits the larger set


def test_data_the_network_cannot_take_is_refused():
    trainer = make_trainer(own_dataset(Points(np.zeros((4, 2)), np.array([0, 1, 0, 1]), "classification", 2)))
    three = own_dataset(Points(np.zeros((4, 2)), np.array([0, 1, 2, 1]), "classification", 3))
    with pytest.raises(ValueError, match="loss: 'own' has 3 classes"):
        trainer.set_data(three)


def test_a_state_through_a_json_file_makes_the_same_next_update_bit_for_bit():
    data = add_point(make_dataset("circle", n=30, test_fraction=0.2, seed=7), (0.3, -0.3), 1)
    original = Trainer(Network([2, 5, 1], activations="tanh", loss="mse", seed=1),
                       make_optimizer("adam", lr=0.01), data, batch_size=4, seed=5)
    original.run(9)
    text = json.dumps(plain({"training": trainer_state(original), "data": dataset_state(data)}), allow_nan=False)
    kept = from_plain(json.loads(text))
    copy = Trainer(Network([2, 5, 1], activations="tanh", loss="mse", seed=99), make_optimizer("adam", lr=0.5),
                   dataset_from_state(kept["data"]), batch_size=4, seed=0)
    restore_trainer_state(copy, kept["training"])
    a, b = original.step(), copy.step()
    assert a.batch.tolist() == b.batch.tolist() and a.batch_loss == b.batch_loss
    for name in a.changes:
        assert a.changes[name].tobytes() == b.changes[name].tobytes()
    for da, db in zip(a.delta, b.delta, strict=True):
        assert da.tobytes() == db.tobytes()
    assert original.model.flat().tobytes() == copy.model.flat().tobytes()
    assert original.optimizer.state["m"].tobytes() == copy.optimizer.state["m"].tobytes()


def test_non_finite_numbers_survive_as_words():
    values = np.array([1.5, np.nan, np.inf, -np.inf, -0.0, 5e-324])
    back = from_plain(plain({"a": values}))["a"]
    assert back.tobytes() == values.tobytes()
    assert plain(values)["values"][1:4] == ["NaN", "Infinity", "-Infinity"]
    with pytest.raises(ValueError, match="values: 3 values for shape"):
        array_of("f8", [2], [1, 2, 3])
    with pytest.raises(ValueError, match="values: expected whole numbers"):
        array_of("i8", [1], [0.5])
