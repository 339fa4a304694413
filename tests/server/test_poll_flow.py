"""The class poll over real WebSockets: the presenter asks, viewers answer once each, the presenter sees counts
and spread, a step reveals the engine's true answer to every page beside its own."""

from __future__ import annotations

import pytest

from engine import Trainer, make_preset
from engine.predict import answer

W5 = {"kind": "weight", "layer": 1, "i": 0, "j": 0}
H1 = {"kind": "neuron", "layer": 1, "j": 0}


def worked_222() -> Trainer:
    preset = make_preset("worked_222")
    return Trainer(preset.model, preset.optimizer, preset.data, batch_size=preset.batch_size)


@pytest.fixture
def example(live):
    session, token = live.create(preset="worked_222")
    presenter = live.connect(session, token, client="teacher")
    viewers = [live.connect(session, None, client=f"student-{k}") for k in range(3)]
    yield presenter, viewers
    for page in (presenter, *viewers):
        page.close()


def test_viewers_answer_once_and_the_presenter_sees_the_spread_then_the_step_reveals(example):
    presenter, viewers = example
    reply = presenter.control({"type": "ask", "question": {"kind": "sign", "text": "Sign of Δw5?", "element": W5}})
    assert reply["type"] == "ack"
    question = viewers[0].expect("question")["question"]
    assert question["kind"] == "sign" and question["choices"] == ["-", "0", "+"] and question["name"].startswith("w5")
    for viewer in viewers[1:]:
        assert viewer.expect("question")["question"] == question
    for viewer, guess in zip(viewers, ["-", "+", "-"], strict=True):
        assert viewer.control({"type": "answer", "question": question["id"], "value": guess})["type"] == "ack"
    again = viewers[0].control({"type": "answer", "question": question["id"], "value": "+"})
    assert again["type"] == "error" and again["field"] == "question" and "already" in again["message"]
    tally = presenter.expect("tally", count=3)
    assert tally["choices"] == {"-": 2, "0": 0, "+": 1}
    assert presenter.control({"type": "step"})["type"] == "ack"
    truth = answer(worked_222(), "sign", ("weight", 1, 0, 0))
    for viewer, right in zip(viewers, [True, False, True], strict=True):
        reveal = viewer.expect("reveal")
        assert reveal["truth"] == truth == "-"
        assert reveal["right"] is right
        assert reveal["working"]["rule"]["new"] == pytest.approx(0.35891648, abs=5e-9)
    shown = next(m for m in presenter.seen if m["type"] == "reveal")  # it came before the step's ack
    assert shown["yours"] is None and shown["tally"]["count"] == 3
    late = viewers[1].control({"type": "answer", "question": question["id"], "value": "-"})
    assert late["type"] == "error" and "closed" in late["message"]


def test_a_number_is_right_within_its_tolerance_and_the_truth_is_the_engines(example):
    presenter, viewers = example
    presenter.control({"type": "ask", "question": {"kind": "number", "text": "δ of h₁?", "element": H1,
                                                   "quantity": "delta", "tolerance": 1e-5}})
    qid = viewers[0].expect("question")["question"]["id"]
    truth = answer(worked_222(), "number", ("neuron", 1, 0), "delta")
    viewers[0].control({"type": "answer", "question": qid, "value": truth + 5e-6})
    viewers[1].control({"type": "answer", "question": qid, "value": truth + 5e-5})
    viewers[2].control({"type": "answer", "question": qid, "value": 0})  # a JSON integer is a number too
    tally = presenter.expect("tally", count=3)
    assert sum(tally["histogram"]["counts"]) == 3
    assert presenter.control({"type": "reveal"})["type"] == "ack"
    results = [v.expect("reveal") for v in viewers]
    assert results[0]["truth"] == truth == pytest.approx(0.008771354689486937, rel=1e-12)
    assert [r["right"] for r in results] == [True, False, False]
    assert results[0]["tally"]["right"] == 1


def test_a_viewer_may_answer_but_not_ask_nor_reveal(example):
    presenter, viewers = example
    for message in ({"type": "ask", "question": {"kind": "loss", "text": "Up or down?"}}, {"type": "reveal"}):
        reply = viewers[0].control(message)
        assert reply["type"] == "error" and "viewers cannot control" in reply["message"]


@pytest.mark.parametrize(("message", "field"), [
    ({"type": "answer", "question": 1, "value": "sideways"}, "value"),
    ({"type": "answer", "question": 1, "value": "1e999"}, "value"),
    ({"type": "answer", "question": 0, "value": "up"}, "question"),
    ({"type": "answer", "question": 1}, "value"),
    ({"type": "answer", "question": 1, "value": "up", "name": "Ann"}, "name"),
    ({"type": "answer", "question": 7, "value": "up"}, "question"),
])
def test_a_malformed_answer_is_refused_naming_its_field_and_the_poll_goes_on(example, message, field):
    presenter, viewers = example
    presenter.control({"type": "ask", "question": {"kind": "loss", "text": "Will E go down?"}})
    viewers[0].expect("question")
    reply = viewers[0].control(message)
    assert reply["type"] == "error" and reply["field"] == field, reply
    assert viewers[0].control({"type": "answer", "question": 1, "value": "down"})["type"] == "ack"


def test_a_number_answer_must_be_finite_and_a_choice_must_be_one_of_its_choices(live, example):
    presenter, viewers = example
    presenter.control({"type": "ask", "question": {"kind": "number", "text": "w5 after?", "element": W5,
                                                   "quantity": "new"}})
    qid = viewers[0].expect("question")["question"]["id"]
    viewers[0].ws.send(f'{{"type": "answer", "question": {qid}, "value": NaN, "id": 99}}')
    reply = viewers[0].expect("error", id=99)
    assert reply["field"] == "value"
    wrong_kind = viewers[0].control({"type": "answer", "question": qid, "value": "up"})
    assert wrong_kind["field"] == "value" and "number" in wrong_kind["message"]


@pytest.mark.parametrize(("question", "field"), [
    ({"kind": "sign", "text": "Sign?"}, "question.element"),
    ({"kind": "number", "text": "δ?", "element": H1}, "question.quantity"),
    ({"kind": "sign", "text": "Sign?", "element": {"kind": "weight", "layer": 1, "i": 5, "j": 0}},
     "question.element.i"),
    ({"kind": "number", "text": "δ?", "element": {"kind": "neuron", "layer": 0, "j": 0}, "quantity": "delta"},
     "question.element"),
    ({"kind": "number", "text": "", "element": H1, "quantity": "delta"}, "question.text"),
    ({"kind": "number", "text": "δ?", "element": H1, "quantity": "delta", "tolerance": "0.1"}, "question.tolerance"),
])
def test_a_question_the_engine_cannot_answer_is_refused_naming_its_field(example, question, field):
    presenter, _ = example
    reply = presenter.control({"type": "ask", "question": question})
    assert reply["type"] == "error" and reply["field"] == field, reply


def test_a_page_that_joins_late_sees_the_open_question(live, example):
    presenter, _ = example
    presenter.control({"type": "ask", "question": {"kind": "loss", "text": "Will E go down?"}})
    session = presenter.welcome["session"]
    late = live.connect(session, None, client="late")
    try:
        assert late.expect("question")["question"]["text"] == "Will E go down?"
    finally:
        late.close()


def test_play_until_stops_at_the_update_asked_for(live):
    session, token = live.create(preset="curve")
    page = live.connect(session, token, client="p")
    try:
        page.control({"type": "speed", "updates_per_second": 200})
        assert page.control({"type": "play_until", "update": 25})["type"] == "ack"
        page.expect("status", timeout=10, playing=False)
        header, _ = page.expect("frame", playing=False)
        assert header["step"] == 25
        assert page.control({"type": "play_until", "update": 40, "at_once": True})["type"] == "ack"
        header, _ = page.expect("frame", step=40)
        refused = page.control({"type": "play_until", "update": 10})
        assert refused["type"] == "error" and refused["field"] == "update"
    finally:
        page.close()
