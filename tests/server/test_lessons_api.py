"""Lessons as files: served, listed, validated with plain errors naming the step and the field."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2 as httpx
import pytest

from server import lessons

GOOD = {"format": 1, "title": "T", "summary": "S", "steps": [{"text": "Hello."}]}


def with_step(**step):
    return json.dumps({**GOOD, "steps": [{"text": "First."}, {"text": "Second.", **step}]})


def test_the_page_lists_the_shipped_lessons_and_gets_each_one_validated(live):
    listed = httpx.get(f"{live.http}/api/lessons").json()
    assert listed["problems"] == []
    names = {entry["name"] for entry in listed["lessons"]}
    assert names == {"one-update-by-hand", "learning-rate-on-a-curve", "momentum-in-a-trough"}
    for name in names:
        lesson = httpx.get(f"{live.http}/api/lessons/{name}").json()
        assert lesson["format"] == 1 and lesson["steps"]
    missing = httpx.get(f"{live.http}/api/lessons/no-such-lesson")
    assert missing.status_code == 404 and missing.json()["field"] == "lesson"


def test_the_json_schema_for_editors_is_exported_and_up_to_date(live):
    served = httpx.get(f"{live.http}/api/lessons/schema").json()
    shipped = json.loads((lessons.LESSONS / "lesson.schema.json").read_text())
    assert served == shipped == lessons.schema()
    assert set(served["properties"]) == {"format", "title", "summary", "steps"}


@pytest.mark.parametrize(("text", "where", "says"), [
    (with_step(action={"do": "play"}), "step 2, action", "until when"),
    (with_step(action={"do": "play", "until": {"update": 0}}), "step 2, action.until.update", "greater than"),
    (with_step(action={"do": "step", "until": {"update": 5}}), "step 2, action", "only a play action"),
    (with_step(setup={"preset": "worked_22"}), "step 2, setup.preset", "'worked_222'"),
    (with_step(explain={"kind": "neuron", "layer": 1, "j": 5}, setup={"preset": "worked_222"}), "step 2, explain.j",
     "2 neurons"),
    (with_step(predict={"kind": "number", "text": "δ?", "tolerance": "0.1"}), "step 2, predict.tolerance", "number"),
    (with_step(speed=0), "step 2, speed", "greater than"),
    (with_step(colour="red"), "step 2, colour", "not a field"),
    (with_step(text=""), "step 2, text", "at least 1"),
    (json.dumps({**GOOD, "format": 2}), "format", "1"),
    (json.dumps({"format": 1, "title": "T", "steps": []}), "summary", "required"),
    ("{not json", "lesson", "not valid JSON"),
])
def test_a_malformed_lesson_gets_a_plain_error_naming_the_step_and_the_field(text, where, says):
    with pytest.raises(lessons.LessonError) as caught:
        lessons.parse_lesson(text)
    assert caught.value.where == where
    assert says in str(caught.value)
    assert str(caught.value).startswith(f"{where}: ")


def test_a_malformed_file_in_the_folder_is_listed_as_a_problem_and_the_others_still_play(tmp_path: Path):
    (tmp_path / "good.json").write_text(json.dumps(GOOD))
    (tmp_path / "bad.json").write_text(with_step(action={"do": "play"}))
    listed = lessons.catalogue(tmp_path)
    assert [entry["name"] for entry in listed["lessons"]] == ["good"]
    assert listed["problems"] == [{"name": "bad", "message": "step 2, action: a play action says until when: "
                                   "{\"update\": 50} or {\"loss_below\": 0.01}"}]


def test_the_command_line_check_names_the_step_and_field(tmp_path: Path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(with_step(speed=0))
    assert lessons.main(["check", str(bad)]) == 1
    assert "step 2, speed:" in capsys.readouterr().out


W1 = {"kind": "weight", "layer": 0, "i": 0, "j": 0}


@pytest.mark.parametrize(("step", "where", "says"), [
    ({"surface": {"kind": "weights"}}, "step 2, surface", "names its two weights in params"),
    ({"surface": {"kind": "random", "params": [W1, W1]}}, "step 2, surface", "only the two-weight slice takes params"),
    ({"surface": {"kind": "trajectory", "seed": 3}}, "step 2, surface", "only the random plane takes a seed"),
    ({"surface": {"kind": "hills"}}, "step 2, surface.kind", "'weights'"),
    ({"surface": {"kind": "weights", "params": [W1]}}, "step 2, surface.params", "at least 2"),
    ({"surface": {"kind": "curve"}, "setup": {"preset": "worked_222"}}, "step 2, surface.kind", "curve worked example"),
    ({"surface": {"kind": "weights", "params": [W1, {"kind": "weight", "layer": 1, "i": 0, "j": 4}]},
      "setup": {"preset": "worked_222"}}, "step 2, surface.params[1].j", "layer 2 has 2 neurons"),
    ({"surface": {"kind": "weights", "params": [W1, {"kind": "weight", "layer": 0, "j": 0}]},
      "setup": {"preset": "worked_222"}}, "step 2, surface.params[1].i", "source neuron"),
    ({"text": "The update: $w_5^+ = w_5 - \\etta$."}, "step 2, text", "\\etta is not a command"),
    ({"after": "costs $5"}, "step 2, after", "not closed"),
    ({"title": "$x^$"}, "step 2, title", "^ needs something after it"),
])
def test_a_bad_surface_or_bad_maths_gets_a_plain_error_naming_the_step_and_the_field(step, where, says):
    with pytest.raises(lessons.LessonError) as caught:
        lessons.parse_lesson(with_step(**step))
    assert caught.value.where == where
    assert says in str(caught.value)


def test_a_surface_for_the_curve_and_a_weight_pair_are_taken():
    curve = {"kind": "curve", "span": [[0.5, 4.25]]}
    lesson = lessons.parse_lesson(with_step(setup={"preset": "curve"}, surface=curve))
    assert lesson.steps[1].surface.kind == "curve"
    lesson = lessons.parse_lesson(with_step(setup={"preset": "linear_neuron_2"}, surface={
        "kind": "weights", "params": [W1, {"kind": "weight", "layer": 0, "i": 1, "j": 0}], "span": [[-1, 2], [-2, 1]]}))
    assert len(lesson.steps[1].surface.params) == 2


def test_the_page_gets_each_steps_words_with_their_maths_parsed(live):
    lesson = httpx.get(f"{live.http}/api/lessons/one-update-by-hand").json()
    update = lesson["steps"][4]
    assert "$w_5^+ = w_5 - \\eta" in update["text"]  # the file's words, as written
    maths = [part["math"] for part in update["display"]["text"] if isinstance(part, dict)]
    assert ["msubsup", {}, ["mi", {}, "w"], ["mn", {}, "5"], ["mo", {}, "+"]] in [m[2] for m in maths]
    assert any(isinstance(part, dict) for part in update["display"]["after"])
    assert lesson["steps"][0]["surface"]["kind"] == "weights"
