"""What the server says to a person is in plain words: a data set that needs another loss switches the loss
and says so; mistakes a page can make are refused without the engine's internal names."""

from __future__ import annotations

import re

import httpx2 as httpx
import pytest
from liveserver import matches

# Names a student never chose: array indices, the engine's identifiers, shapes and reprs.
INTERNAL = re.compile(r"spiral3|softmax_ce|multi_gauss|'mse'|'bce'|weights\[|biases\[|shape \(|Need at least|"
                      r"\(k, n_params\)|Traceback|Error\b")


def said_statuses(page) -> list[str]:
    return [m["message"] for m in page.seen if m["type"] == "status" and m.get("message")]


def test_choosing_three_spirals_with_squared_error_switches_the_loss_and_says_so(presenter):
    mark = len(presenter.seen)
    reply = presenter.control({"type": "configure", "dataset": "spiral3"})
    assert reply["type"] == "ack", reply
    notes = said_statuses(presenter)
    assert notes and "The loss is now cross-entropy on a softmax output" in notes[-1]
    assert "3 classes" in notes[-1] and not INTERNAL.search(notes[-1])
    data = sent_since(presenter, mark, "data", dataset="spiral3")
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


# -- worked examples: their own view, and they stay put when the optimizer changes ---------------------------


def sent_since(page, mark: int, kind: str, **match) -> dict:
    """The first message of ``kind`` (with fields equal to ``match``) after the page had seen ``mark`` messages:
    maybe already read while the page waited for an ack (the server sends pictures as they are ready), else
    the next one."""
    for header in page.seen[mark:]:
        if header["type"] == kind and matches(header, match):
            return header
    found = page.expect(kind, **match)
    return found[0] if isinstance(found, tuple) else found


def test_a_worked_example_opens_on_its_own_slice_and_keeps_it_when_the_optimizer_changes(live):
    session, token = live.create(preset="linear_neuron_2")
    page = live.connect(session, token, client="presenter")
    header, _ = page.expect("surface")
    assert header["kind"] == "weights"
    assert header["params"] == [{"kind": "weight", "layer": 0, "i": 0, "j": 0},
                                {"kind": "weight", "layer": 0, "i": 1, "j": 0}]
    mark = len(page.seen)
    reply = page.control({"type": "configure", "optimizer": "momentum", "hyper": {"lr": 0.1, "momentum": 0.9}})
    assert reply["type"] == "ack", reply
    data = sent_since(page, mark, "data", preset="linear_neuron_2")
    assert data["preset"] == "linear_neuron_2" and data["config"]["optimizer"] == "momentum"
    assert sent_since(page, mark, "surface")["kind"] == "weights"
    page.control({"type": "step"})
    page.control({"type": "step"})
    frame, arrays = page.expect("frame", step=2)
    assert frame["optimizer"] == "momentum" and frame["hyper"]["momentum"] == 0.9
    # Momentum on the bowl from (1.5, 1.0), cases (1, 1) → 0 and (1, 0) → 1, computed by hand:
    w = [1.5, 1.0]
    change = [0.0, 0.0]
    for _ in range(2):
        e1, e2 = w[0] + w[1] - 0.0, w[0] - 1.0
        grad = [(e1 + e2) / 2, e1 / 2]
        change = [-0.1 * g + 0.9 * c for g, c in zip(grad, change, strict=True)]
        w = [a + c for a, c in zip(w, change, strict=True)]
    assert arrays["weights.0"].ravel().tolist() == pytest.approx(w, rel=1e-15)
    reply = page.control({"type": "set", "momentum": 0.5})
    assert reply["type"] == "ack"
    mark = len(page.seen)
    page.control({"type": "configure", "optimizer": "adam", "hyper": {"lr": 0.05}})
    assert sent_since(page, mark, "data", preset="linear_neuron_2")["config"]["optimizer"] == "adam"
    page.close()


def test_the_curve_example_opens_on_the_curve(live):
    session, token = live.create(preset="curve")
    page = live.connect(session, token, client="presenter")
    header, arrays = page.expect("surface")
    assert header["kind"] == "curve" and arrays["path"].tolist() == [4.0]
    mark = len(page.seen)
    page.control({"type": "configure", "optimizer": "adam", "hyper": {"lr": 0.05}})
    assert sent_since(page, mark, "data", preset="curve")["config"]["optimizer"] == "adam"
    assert sent_since(page, mark, "surface")["kind"] == "curve"
    page.close()
