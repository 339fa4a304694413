"""True answers to predictions, from the engine: the 2-2-2 worked example's textbook numbers."""

from __future__ import annotations

import pytest

from engine import Trainer, make_preset
from engine.optimizers import make_optimizer
from engine.predict import answer


def trainer(preset_name: str, **optimizer) -> Trainer:
    preset = make_preset(preset_name)
    opt = make_optimizer(**optimizer) if optimizer else preset.optimizer
    return Trainer(preset.model, opt, preset.data, batch_size=preset.batch_size)


def test_the_next_update_of_the_worked_example_is_answered_before_it_runs():
    t = trainer("worked_222")
    assert answer(t, "number", ("weight", 1, 0, 0), "new") == pytest.approx(0.35891648, abs=5e-9)
    assert answer(t, "number", None, "loss_after") == pytest.approx(0.2910277737, abs=5e-11)
    assert answer(t, "number", ("neuron", 2, 0), "delta") == pytest.approx(0.138498562, abs=5e-10)
    assert answer(t, "sign", ("weight", 1, 0, 0)) == "-"
    assert answer(t, "loss") == "down"
    assert t.step_count == 0  # nothing ran


def test_the_answer_during_an_update_under_way_is_that_updates():
    t = trainer("worked_222")
    t.next_phase()  # forward
    assert answer(t, "number", ("weight", 0, 0, 0), "new") == pytest.approx(0.149780716, abs=5e-10)
    t.step()
    assert t.model.weights[0][0, 0] == pytest.approx(0.149780716, abs=5e-10)


def test_a_diverging_step_on_the_curve_is_answered_up():
    assert answer(trainer("curve", name="sgd", lr=0.06), "loss") == "up"
    assert answer(trainer("curve", name="sgd", lr=0.001), "loss") == "down"


def test_questions_about_the_wrong_kind_of_element_are_refused_naming_the_field():
    t = trainer("worked_222")
    with pytest.raises(ValueError, match="^element"):
        answer(t, "number", ("neuron", 0, 0), "delta")
    with pytest.raises(ValueError, match="^quantity"):
        answer(t, "number", ("neuron", 1, 0), "new")
    with pytest.raises(ValueError, match="^element.kind"):
        answer(t, "sign", ("neuron", 1, 0))
