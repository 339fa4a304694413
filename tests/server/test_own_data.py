"""Your own data over a real server: points drawn by control messages (a viewer sees them, bad edits get errors
naming the field), a CSV uploaded with the control token (fuzzed with bad files), data kept across a restart and
a fork, and the session file: exported and imported, the next update is the same bit for bit."""

from __future__ import annotations

import json
import socket
import time

import httpx2 as httpx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from liveserver import LiveServer

from engine.owndata import own_dataset, parse_csv
from server.settings import Settings

CONFIG = {"sizes": [4], "n_points": 40, "batch_size": 4, "seed": 3, "optimizer": "adam", "hyper": {"lr": 0.01}}
CSV = b"x1,x2,class\n" + b"".join(b"%.3f,%.3f,%d\n" % (np.cos(k), np.sin(2 * k), k % 3) for k in range(30))


def weights_of(arrays: dict) -> np.ndarray:
    layers = len([k for k in arrays if k.startswith("weights.")])
    return np.concatenate([np.concatenate([arrays[f"weights.{l}"].ravel(), arrays[f"biases.{l}"]])
                           for l in range(layers)])


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def declared_50_mb(live: LiveServer, method: str, path: str, token: str) -> str:
    """The answer to a request that declares a 50 MB body and sends its first 100 bytes only."""
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as raw:
        raw.sendall(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                    f"Content-Length: {50 * 2**20}\r\n\r\n".encode() + b"0.5,0.5,1\n" * 10)
        answer = b""
        while not answer.endswith(b"}"):  # the head, then the JSON body (a closed socket ends it too)
            part = raw.recv(65536)
            if not part:
                break
            answer += part
    return answer.decode()


def data_where(page, condition, timeout: float = 10.0) -> dict:
    """The first data message that meets ``condition`` (a page may skip to the newest of several)."""
    deadline = time.monotonic() + timeout
    while True:
        header = page.expect("data", timeout=max(0.01, deadline - time.monotonic()))
        if condition(header):
            return header


@pytest.fixture
def pair(live):
    session, token = live.create(**CONFIG)
    teacher = live.connect(session, token, client="teacher")
    student = live.connect(session, client="student")
    teacher.expect("data")
    student.expect("data")
    yield live, session, token, teacher, student
    teacher.close()
    student.close()


def test_a_drawn_point_reaches_the_trainer_and_every_viewer(pair):
    live, session, token, teacher, student = pair
    teacher.control({"type": "step"})
    before = teacher.expect("frame", step=1)[1]
    reply = teacher.control({"type": "add_point", "x": [0.25, -0.5], "label": 1})
    assert reply["type"] == "ack", reply
    data = student.expect("data", dataset="own")
    assert data["n_train"] == 21 and data["train"]["x"][-1] == [0.25, -0.5] and data["train"]["y"][-1] == 1
    assert data["edit"] is True
    # The weights are kept, the update count too; the next update trains on the new point's set.
    header, arrays = student.expect("frame")
    assert header["step"] == 1
    np.testing.assert_array_equal(weights_of(arrays), weights_of(before))
    assert teacher.control({"type": "move_point", "index": 20, "x": [0.5, 0.5]})["type"] == "ack"
    assert data_where(student, lambda d: d["train"]["x"][20] == [0.5, 0.5])["n_train"] == 21
    assert teacher.control({"type": "remove_point", "index": 0})["type"] == "ack"
    moved = data_where(student, lambda d: d["n_train"] == 20)
    assert moved["n_train"] == 20 and moved["train"]["x"][19] == [0.5, 0.5]
    assert teacher.control({"type": "step"})["type"] == "ack"
    assert student.expect("frame", step=2)[0]["batch_count"] == 4


@pytest.mark.parametrize(("message", "field"), [
    ({"type": "add_point", "x": [0.1, 0.2], "label": 5}, "label"),
    ({"type": "add_point", "x": [0.1, 0.2]}, "label"),
    ({"type": "add_point", "x": [0.1, 2000], "label": 0}, "x[1]"),
    ({"type": "add_point", "x": [0.1], "label": 0}, "x[1]"),
    ({"type": "add_point", "x": [0.1, "0.2"], "label": 0}, "x[1]"),
    ({"type": "add_point", "x": [0.1, 0.2], "label": 8}, "label"),
    ({"type": "move_point", "index": 40, "x": [0, 0]}, "index"),
    ({"type": "move_point", "index": -1, "x": [0, 0]}, "index"),
    ({"type": "remove_point", "index": 9999}, "index"),
    ({"type": "remove_point", "index": 5000}, "index"),
    ({"type": "remove_point"}, "index"),
])
def test_bad_edits_get_an_error_naming_the_field_and_the_session_goes_on(pair, message, field):
    _, _, _, teacher, student = pair
    reply = teacher.control(message)
    assert reply["type"] == "error" and reply["field"] == field, reply
    assert reply["message"].startswith(f"{field}: ")
    assert teacher.control({"type": "step"})["type"] == "ack"
    # A viewer may not edit at all.
    refused = student.control({"type": "add_point", "x": [0, 0], "label": 0})
    assert refused["type"] == "error" and refused["field"] == "type"


def test_a_csv_upload_needs_the_token_and_makes_a_new_setup(pair):
    live, session, token, teacher, student = pair
    url = f"{live.http}/api/sessions/{session}/data"
    assert httpx.post(url, content=CSV).json()["field"] == "token"
    assert httpx.post(url, content=CSV, headers=bearer("not-the-token")).status_code == 403
    foreign = httpx.post(url, content=CSV, headers={**bearer(token), "origin": "http://evil.example"})
    assert foreign.status_code == 403 and foreign.json()["field"] == "origin"
    r = httpx.post(url, content=CSV, headers=bearer(token))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["n_train"], body["n_test"], body["classes"]) == (15, 15, 3)
    assert body["config"]["loss"] == "softmax_ce" and "three" not in (body["note"] or "") and body["note"]
    data = student.expect("data", dataset="own")
    expected = own_dataset(parse_csv(CSV), 0.5, 0)  # split as the built-in sets are, with the setup's data seed
    assert data["train"]["x"] == expected.X_train.tolist() and data["test"]["y"] == expected.y_test.tolist()
    assert student.expect("frame")[0]["step"] == 0
    forced = httpx.post(f"{url}?kind=regression", content=CSV, headers=bearer(token)).json()
    assert forced["kind"] == "regression" and forced["config"]["loss"] == "mse"
    bad_kind = httpx.post(f"{url}?kind=pictures", content=CSV, headers=bearer(token))
    assert bad_kind.status_code == 422 and bad_kind.json()["field"] == "kind"


BAD_FILES = [
    (b"", "file: it is empty"),
    (bytes(range(256)) * 4, "file: it looks binary"),
    (b"1,2,0\n\xc3\x28,1,1\n", "file: not UTF-8 text"),
    (b"x,y,c\n1,2\n", "file: line 2: expected 3 columns"),
    (b"1,2,0\n3,4,0,9\n", "file: line 2: expected 3 columns"),
    (b"1,2,0\nNaN,4,1\n", "file: line 2, column 1 (x₁): 'NaN' is not a finite number"),
    (b"1,2,0\n3,four,1\n", "file: line 2, column 2 (x₂): 'four' is not a number"),
    (b"1,2,0\n3,,1\n", "file: line 2, column 2 (x₂): the value is missing"),
    (b"0,0,1\n" * 5001, "file: more than 5,000 rows (line 5001)"),
]


@pytest.mark.parametrize(("raw", "message"), BAD_FILES)
def test_bad_csv_files_get_plain_errors_and_change_nothing(pair, raw, message):
    live, session, token, teacher, _ = pair
    r = httpx.post(f"{live.http}/api/sessions/{session}/data", content=raw, headers=bearer(token))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "file" and r.json()["message"].startswith(message), r.json()
    assert teacher.control({"type": "step"})["type"] == "ack"
    assert httpx.get(f"{live.http}/api/sessions/{session}").json()["config"]["dataset"] == "circle"


def test_a_50_mb_file_is_refused_without_being_read_whole(pair):
    live, session, token, teacher, _ = pair

    def body():
        chunk = b"0.5,0.5,1\n" * 10_000
        for _ in range(500):  # 50 MB, streamed without a length: refused once the cap is passed
            yield chunk

    r = httpx.post(f"{live.http}/api/sessions/{session}/data", content=body(), headers=bearer(token))
    assert r.status_code == 413 and r.json()["field"] == "file"
    assert "at most 1048576 bytes" in r.json()["message"]
    # Declared as 50 MB, and only the first bytes sent: the answer comes at once, from the length alone.
    answer = declared_50_mb(live, "POST", f"/api/sessions/{session}/data", token)
    assert answer.startswith("HTTP/1.1 413") and "got 52428800" in answer
    assert teacher.control({"type": "step"})["type"] == "ack"


FUZZED: list[str] = []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.binary(max_size=40), st.sampled_from(
    [b"1,2,0", b"nan,1,1", b"1;2;3", b"a,b,c", b"", b"1,2", b"inf,0,0", b"\xff", b"0.5,0.5,0.25"])), max_size=12))
def test_fuzzed_csv_files_give_points_or_a_plain_error(live, lines):
    if not FUZZED:  # one session for every example: the server's sessions are capped
        FUZZED.extend(live.create(**CONFIG))
    session, token = FUZZED
    r = httpx.post(f"{live.http}/api/sessions/{session}/data", content=b"\n".join(lines), headers=bearer(token))
    assert r.status_code in (200, 422), r.text
    if r.status_code == 422:
        body = r.json()
        assert body["field"] == "file" and body["message"].startswith("file: "), body


def test_own_data_survives_a_restart_and_goes_with_a_fork(tmp_path):
    db = str(tmp_path / "s.db")
    with LiveServer(Settings(db=db)) as live:
        session, token = live.create(**CONFIG)
        teacher = live.connect(session, token)
        assert httpx.post(f"{live.http}/api/sessions/{session}/data", content=CSV, headers=bearer(token)).is_success
        teacher.expect("data", dataset="own")
        teacher.control({"type": "add_point", "x": [0.75, 0.125], "label": 2})
        for _ in range(3):
            teacher.control({"type": "step"})
        _, arrays = teacher.expect("frame", step=3)
        kept = [h for h in teacher.seen if h["type"] == "data"][-1]  # sent before any frame after the edit
        assert kept["n_train"] == 16
        teacher.close()
    with LiveServer(Settings(db=db)) as live:
        page = live.connect(session, token)
        data = page.expect("data")
        assert data["dataset"] == "own" and data["train"] == kept["train"] and data["test"] == kept["test"]
        header, back = page.expect("frame")
        assert header["step"] == 3
        np.testing.assert_array_equal(weights_of(back), weights_of(arrays))
        fork = httpx.post(f"{live.http}/api/sessions/{session}/fork").json()
        mine = live.connect(fork["session"], fork["token"])
        assert mine.expect("data")["train"] == kept["train"]
        _, forked = mine.frame_after(mine.control({"type": "step"}), step=4)
        _, original = page.frame_after(page.control({"type": "step"}), step=4)
        np.testing.assert_array_equal(weights_of(forked), weights_of(original))
        page.close()
        mine.close()


def test_a_session_file_opened_elsewhere_makes_the_same_next_update_bit_for_bit(live):
    session, token = live.create(**CONFIG)
    teacher = live.connect(session, token)
    teacher.control({"type": "add_point", "x": [0.3, 0.3], "label": 0})  # own data travels in the file
    schedule = {"type": "schedule", "kind": "step", "step_size": 2, "gamma": 0.5}  # and the η schedule
    assert teacher.control(schedule)["type"] == "ack"
    for _ in range(6):
        teacher.control({"type": "step"})
    r = httpx.get(f"{live.http}/api/sessions/{session}/file")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    document = r.json()
    assert document["format"] == "backprop-lab-session" and document["version"] == 1
    assert document["training"]["step"] == 6 and document["data"]["name"] == "own"
    other, other_token = live.create()
    page = live.connect(other, other_token)
    opened = httpx.put(f"{live.http}/api/sessions/{other}/file", content=r.content, headers=bearer(other_token))
    assert opened.status_code == 200, opened.text
    assert opened.json()["step"] == 6
    _, mine = page.frame_after(page.control({"type": "step"}), step=7)
    _, original = teacher.frame_after(teacher.control({"type": "step"}), step=7)
    assert weights_of(mine).tobytes() == weights_of(original).tobytes()
    for name in mine:
        if name.startswith(("delta.", "grad_", "change_")):
            assert mine[name].tobytes() == original[name].tobytes(), name
    teacher.close()
    page.close()


def damaged(document: dict, path: str, value) -> bytes:
    copy = json.loads(json.dumps(document))
    *parents, last = path.split("/")
    target = copy
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return json.dumps(copy).encode()


def test_malformed_session_files_get_plain_errors_naming_the_field(live):
    session, token = live.create(**CONFIG)
    page = live.connect(session, token)
    page.control({"type": "step"})
    document = httpx.get(f"{live.http}/api/sessions/{session}/file").json()
    url = f"{live.http}/api/sessions/{session}/file"
    cases = [
        (b"", "file"), (b"\xff\xfe", "file"), (b"[1, 2", "file"), (b"[" * 100_000, "file"),
        (damaged(document, "format", "zip"), "format"),
        (damaged(document, "version", 2), "version"),
        (damaged(document, "setup/lr", 1), "setup.lr"),
        (damaged(document, "setup/sizes", [4, 4]), "training.weights"),
        (damaged(document, "training/step", -1), "training.step"),
        (damaged(document, "training/order/values", [0] * 20), "training.order"),
        (damaged(document, "training/cursor", 30), "training.cursor"),
        (damaged(document, "training/weights/values", ["NaN", 1]), "training.weights.values"),
        (damaged(document, "training/optimizer/settings", {"lr": -1.0}), "training.optimizer.settings.lr"),
        (damaged(document, "training/optimizer/settings", {"step": 1.0}), "training.optimizer.settings.step"),
        (damaged(document, "training/optimizer.m", KeyError), "training.optimizer.m"),
        (damaged(document, "training/rng", {"bit_generator": "MT19937"}), "training"),
        (damaged(document, "data/train/x", [[0, 0]] * 5001), "data.train.x"),
        (damaged(document, "view/speed", 0), "view.speed"),
    ]
    for raw, field in cases:
        r = httpx.put(url, content=raw, headers=bearer(token))
        assert r.status_code == 422, (field, r.text)
        assert r.json()["field"] == field, (field, r.json())
    assert httpx.put(url, content=json.dumps(document).encode()).json()["field"] == "token"
    huge = declared_50_mb(live, "PUT", f"/api/sessions/{session}/file", token)
    assert huge.startswith("HTTP/1.1 413") and '"field":"file"' in huge
    header, _ = page.frame_after(page.control({"type": "step"}), step=2)
    assert header["step"] == 2, "a refused file changed nothing"
    page.close()


def test_a_new_setup_keeps_own_points_until_a_built_in_set_is_chosen(pair):
    live, session, token, teacher, student = pair
    teacher.control({"type": "add_point", "x": [0.9, 0.9], "label": 1})
    assert teacher.control({"type": "configure", "sizes": [6, 3]})["type"] == "ack"
    kept = data_where(student, lambda d: d["config"]["sizes"] == [6, 3])
    assert kept["dataset"] == "own" and kept["n_train"] == 21 and kept["edit"] is False
    assert teacher.control({"type": "configure", "test_fraction": 0.25})["type"] == "ack"
    split = data_where(student, lambda d: d["config"]["test_fraction"] == 0.25)
    assert split["dataset"] == "own" and (split["n_train"], split["n_test"]) == (31, 10)  # the same 41, split again
    assert teacher.control({"type": "regenerate"})["type"] == "ack"
    seed = split["config"]["seed"]
    assert data_where(student, lambda d: d["config"]["seed"] != seed)["dataset"] == "own"
    assert teacher.control({"type": "configure", "dataset": "xor"})["type"] == "ack"
    assert data_where(student, lambda d: d["config"]["dataset"] == "xor")["dataset"] == "xor"


def test_a_regression_point_takes_a_target(live):
    session, token = live.create(dataset="plane", n_points=20, sizes=[3])
    page = live.connect(session, token)
    assert page.control({"type": "add_point", "x": [0.5, 0.5], "label": 1})["field"] == "target"
    assert page.control({"type": "add_point", "x": [0.5, 0.5], "target": -0.75})["type"] == "ack"
    data = page.expect("data", dataset="own")
    assert data["kind"] == "regression" and data["train"]["y"][-1] == -0.75
    page.close()


def test_a_worked_example_and_the_recurrent_network_cannot_be_drawn_on(pair):
    live, session, token, teacher, _ = pair
    teacher.control({"type": "configure", "preset": "worked_222"})
    reply = teacher.control({"type": "add_point", "x": [0, 0], "label": 0})
    assert reply["type"] == "error" and reply["field"] == "type" and "worked example" in reply["message"]
    teacher.control({"type": "configure", "model": "rnn"})
    reply = teacher.control({"type": "remove_point", "index": 0})
    assert reply["type"] == "error" and reply["field"] == "type"
    r = httpx.get(f"{live.http}/api/sessions/{session}/file")
    assert r.status_code == 422 and r.json()["field"] == "model"


@pytest.mark.parametrize("config", [{"preset": "worked_222"}, {"preset": "curve", "optimizer": "adam"},
                                    {"dataset": "multi_gauss", "sizes": [5], "optimizer": "nesterov"}])
def test_worked_examples_and_built_in_sets_open_from_a_file_exactly(live, config):
    session, token = live.create(**config)
    teacher = live.connect(session, token)
    if "optimizer" in config and "preset" in config:  # another optimizer inside the example: the example stays
        teacher.control({"type": "configure", "optimizer": config["optimizer"], "hyper": {"lr": 0.05}})
    for _ in range(3):
        teacher.control({"type": "step"})
    r = httpx.get(f"{live.http}/api/sessions/{session}/file")
    assert r.status_code == 200, r.text
    other, other_token = live.create()
    page = live.connect(other, other_token)
    opened = httpx.put(f"{live.http}/api/sessions/{other}/file", content=r.content, headers=bearer(other_token))
    assert opened.status_code == 200, opened.text
    data = data_where(page, lambda d: d["config"] == opened.json()["config"])
    assert data["dataset"] != "own", "the setup makes these points again"
    _, mine = page.frame_after(page.control({"type": "step"}), step=4)
    _, original = teacher.frame_after(teacher.control({"type": "step"}), step=4)
    assert weights_of(mine).tobytes() == weights_of(original).tobytes()
    teacher.close()
    page.close()


def test_a_race_runs_on_own_points_and_they_stay_put_during_it(pair):
    live, session, token, teacher, student = pair
    teacher.control({"type": "add_point", "x": [0.9, -0.9], "label": 1})
    data_where(student, lambda d: d["dataset"] == "own")
    contestants = [{"optimizer": "sgd", "hyper": {"lr": 0.1}}, {"optimizer": "adam", "hyper": {"lr": 0.01}}]
    assert teacher.control({"type": "race_start", "contestants": contestants, "resolution": 10})["type"] == "ack"
    reply = teacher.control({"type": "remove_point", "index": 0})
    assert reply["type"] == "error" and reply["field"] == "type" and "race" in reply["message"]
    assert teacher.control({"type": "step"})["type"] == "ack"
    header, _ = teacher.expect("frame", step=1)
    assert header["race"]["step"] == 1
    assert httpx.get(f"{live.http}/api/sessions/{session}").json()["step"] == 1
    race = live.app.state.registry.sessions[session].race.race  # the server runs in this process
    assert [t.n_train for t in race.trainers] == [21, 21], "every contestant trains on the 21 own points"
