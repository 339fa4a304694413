"""What the server says to a person is in plain words: a data set that needs another loss switches the loss
and says so; mistakes a page can make are refused without the engine's internal names."""

from __future__ import annotations

import re

import httpx2 as httpx
import pytest

# Names a student never chose: array indices, the engine's identifiers, shapes and reprs.
INTERNAL = re.compile(r"spiral3|softmax_ce|multi_gauss|'mse'|'bce'|weights\[|biases\[|shape \(|Need at least|"
                      r"\(k, n_params\)|Traceback|Error\b")


def said_statuses(page) -> list[str]:
    return [m["message"] for m in page.seen if m["type"] == "status" and m.get("message")]


def test_choosing_three_spirals_with_squared_error_switches_the_loss_and_says_so(presenter):
    reply = presenter.control({"type": "configure", "dataset": "spiral3"})
    assert reply["type"] == "ack", reply
    notes = said_statuses(presenter)
    assert notes and "The loss is now cross-entropy on a softmax output" in notes[-1]
    assert "3 classes" in notes[-1] and not INTERNAL.search(notes[-1])
    data = presenter.expect("data")
    assert data["dataset"] == "spiral3" and data["config"]["loss"] == "softmax_ce"
    header, _ = presenter.expect("frame")
    assert header["sizes"][-1] == 3 and header["activations"][-1] == "softmax"
    assert header["status"] == notes[-1]  # a page that connects later reads it too

    # And back to a two-class set keeps what works; a regression set takes squared error, and says so.
    reply = presenter.control({"type": "configure", "dataset": "plane"})
    assert reply["type"] == "ack", reply
    assert "The loss is now squared error" in said_statuses(presenter)[-1]


def test_asking_outright_for_a_loss_the_data_cannot_use_is_refused_in_plain_words(presenter):
    presenter.control({"type": "configure", "dataset": "spiral3"})
    error = presenter.control({"type": "configure", "loss": "mse"})
    assert error["type"] == "error" and error["field"] == "loss"
    assert "cannot tell 3 classes apart" in error["message"] and not INTERNAL.search(error["message"])


def test_a_link_to_three_spirals_starts_with_the_loss_it_needs(live):
    r = httpx.post(f"{live.http}/api/sessions", json={"config": {"dataset": "spiral3", "sizes": [6]}})
    assert r.status_code == 201, r.text
    assert r.json()["config"]["loss"] == "softmax_ce"
    page = live.connect(r.json()["session"], r.json()["token"], client="link")
    assert "The loss is now cross-entropy" in page.welcome["status"]
    page.close()


MISTAKES = [
    {"type": "surface", "kind": "curve"},
    {"type": "surface", "kind": "weights", "params": [{"kind": "weight", "layer": 0, "i": 0, "j": 0}] * 2},
    {"type": "surface", "kind": "weights", "params": [{"kind": "weight", "layer": 0, "i": 9, "j": 0},
                                                      {"kind": "bias", "layer": 0, "j": 0}]},
    {"type": "configure", "loss": "bce", "dataset": "plane"},
    {"type": "seek", "step": 50},
    {"type": "back", "steps": 3},
    {"type": "forward"},
    {"type": "regenerate", "preset": "curve"},
]


@pytest.mark.parametrize("message", MISTAKES, ids=[str(m)[:50] for m in MISTAKES])
def test_errors_a_page_can_meet_name_no_internal_thing(presenter, message):
    reply = presenter.control(message)
    assert reply["type"] == "error", reply
    assert not INTERNAL.search(reply["message"]), reply["message"]
