"""The binary messages' arrays sent in parts (server/wire.py, docs/protocol.md "Binary messages")."""

from __future__ import annotations

import numpy as np
import pytest

from server import Settings
from server.load import Load
from server.protocol import Config
from server.scheduler import Scheduler
from server.session import Session
from server.wire import pack, unpack, unpack_header

PARTS = (("weights.0", (2, 2)), ("biases.0", (2,)), ("weights.1", (2, 1)), ("biases.1", (1,)))


def test_an_array_sent_in_parts_comes_back_whole_and_as_each_part_shaped():
    flat = np.array([0.15, 0.25, 0.2, 0.3, 0.35, 0.35, 0.4, 0.5, 0.6])

    header, arrays = unpack(pack({"type": "frame"}, {"trajectory": ("f8", flat, PARTS)}))

    np.testing.assert_array_equal(arrays["trajectory"], flat)
    np.testing.assert_array_equal(arrays["weights.0"], [[0.15, 0.25], [0.2, 0.3]])
    np.testing.assert_array_equal(arrays["biases.0"], [0.35, 0.35])
    np.testing.assert_array_equal(arrays["weights.1"], [[0.4], [0.5]])
    np.testing.assert_array_equal(arrays["biases.1"], [0.6])
    assert header["arrays"] == [{"name": "trajectory", "dtype": "f8", "shape": [9], "offset": 0,
                                 "parts": [["weights.0", [2, 2]], ["biases.0", [2]], ["weights.1", [2, 1]],
                                           ["biases.1", [1]]]}]


def test_parts_that_need_more_values_than_their_array_has_are_refused_when_packing():
    with pytest.raises(ValueError, match="trajectory: parts of 9 values in an array"):
        pack({"type": "frame"}, {"trajectory": ("f8", np.zeros(8), PARTS)})


def test_a_message_whose_part_runs_past_its_array_is_refused_when_read():
    message = bytearray(pack({"type": "frame"}, {"net": ("f8", np.zeros(3), (("net.0", (3,)),))}))
    text = message[4 : 4 + int.from_bytes(message[:4], "little")].decode()
    forged = text.replace('["net.0",[3]]', '["net.0",[4]]').encode()
    assert len(forged) == len(text)  # same length: the payload stays where it was
    message[4 : 4 + len(forged)] = forged

    with pytest.raises(ValueError, match="net: its part net.0 runs past its end"):
        unpack(bytes(message))


@pytest.mark.parametrize("selection", [None, "in the batch"])
@pytest.mark.parametrize("phases", [0, 2, 5])  # the update the run made; the output layer's δ; a whole update
def test_a_frames_per_layer_arrays_are_the_engines_own_numbers(phases, selection):
    # Packed as a few flat arrays, unpacked into every per-layer name the page reads, bit for bit the engine's.
    settings = Settings()
    session = Session("s", settings, Config(sizes=[4, 3], n_points=40, batch_size=5, seed=2), Load(settings),
                      Scheduler())
    trainer, model = session.trainer, session.trainer.model
    trainer.run(3)
    for _ in range(phases):
        trainer.next_phase()
    phase = trainer.last_phase
    position = None if selection is None else 1
    session.selection = None if position is None else int(phase.batch[position])
    session.changed()
    session.frames.must_show = session.version

    message = session.frames.newest().data
    _, arrays = unpack(message)

    assert len(unpack_header(message)["arrays"]) <= 8
    for l in range(model.n_layers):
        np.testing.assert_array_equal(arrays[f"weights.{l}"], model.weights[l])
        np.testing.assert_array_equal(arrays[f"biases.{l}"], model.biases[l])
    np.testing.assert_array_equal(arrays["trajectory"], model.flat())
    steps, rows = trainer.history.since(0)
    np.testing.assert_array_equal(arrays["loss_steps"], steps)
    np.testing.assert_array_equal(arrays["loss_train"], rows[:, 0])
    np.testing.assert_array_equal(arrays["loss_test"], rows[:, 1])
    for l, o in enumerate(phase.trace.o):
        np.testing.assert_array_equal(arrays[f"o.{l}"], o.mean(axis=0) if position is None else o[position])
    reached = [l for l, d in enumerate(phase.delta) if d is not None]
    assert sorted(k for k in arrays if k.startswith("delta.")) == [f"delta.{l}" for l in reached]
    for l in reached:
        delta = phase.delta[l].mean(axis=0) if position is None else phase.delta[l][position]
        np.testing.assert_array_equal(arrays[f"delta.{l}"], delta)
        grad = phase.grad_weights[l] if position is None else np.outer(phase.trace.o[l][position], delta)
        np.testing.assert_array_equal(arrays[f"grad_weights.{l}"], grad)
    if phase.kind == "update":
        weights, biases = model.unflat(phase.weights_before)
        for l in range(model.n_layers):
            np.testing.assert_array_equal(arrays[f"weights_before.{l}"], weights[l])
            np.testing.assert_array_equal(arrays[f"biases_before.{l}"], biases[l])
            np.testing.assert_array_equal(arrays[f"change_weights.{l}"], phase.changes[f"weights[{l}]"])
            # old + Δ = new, as the optimizer added them
            np.testing.assert_array_equal(arrays[f"weights_before.{l}"] + arrays[f"change_weights.{l}"],
                                          arrays[f"weights.{l}"])
