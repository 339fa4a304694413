"""GET /api/sessions/<id>/loss.csv through a real server: the engine's loss history, every number to the last
bit, for a presenter and a viewer alike; an id that opens nothing gets a 404 naming the field."""

from __future__ import annotations

import csv
import io

import httpx2 as httpx
import numpy as np
import pytest

from engine.rnn_presets import rnn_trainer


def download(live, session: str) -> httpx.Response:
    return httpx.get(f"{live.http}/api/sessions/{session}/loss.csv", timeout=10)


def read(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    header, *lines = list(csv.reader(io.StringIO(text)))
    steps = np.array([int(line[0]) for line in lines], dtype=np.int64)
    return header, steps, np.array([[float(c) for c in line[1:]] for line in lines], dtype=np.float64)


def test_the_csv_is_the_engines_loss_history_to_the_last_bit(live, presenter):
    assert presenter.control({"type": "play_until", "update": 60, "at_once": True})["type"] == "ack"
    assert presenter.control({"type": "step"})["type"] == "ack"  # a step by hand records its own point too

    response = download(live, presenter.session)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="backprop-lab-loss-step-61.csv"'
    assert response.headers["cache-control"] == "no-store"  # it grows as training goes on
    header, steps, values = read(response.text)
    history = live.app.state.registry.get(presenter.session).trainer.history  # paused: it holds still
    assert header == ["update", "training loss", "test loss"]
    assert np.array_equal(steps, history.steps) and steps[0] == 0 and steps[-1] == 61
    assert values.tobytes() == history.rows.tobytes()  # float() of each cell is the engine's float64


def test_the_csv_carries_the_same_numbers_as_the_frames(live, presenter):
    """The page's loss chart and the CSV show one history: the points a page joining now is sent (f8 on the
    wire), gathered as a page gathers them (a restart drops what came before)."""
    assert presenter.control({"type": "play_until", "update": 30, "at_once": True})["type"] == "ack"
    viewer = live.connect(presenter.session, None, client="late viewer")
    carried: dict[str, list[np.ndarray]] = {"loss_steps": [], "loss_train": [], "loss_test": []}
    try:
        header: dict = {}
        while header.get("type") != "frame":
            header, arrays = viewer.recv()
            if header["type"] not in ("frame", "loss"):
                continue
            for name, parts in carried.items():
                if header["loss_restart"]:
                    parts.clear()
                parts.append(arrays[name])
        assert header["step"] == 30
    finally:
        viewer.close()

    _, steps, values = read(download(live, presenter.session).text)

    assert np.array_equal(steps, np.concatenate(carried["loss_steps"]).astype(np.int64))
    assert values[:, 0].tobytes() == np.concatenate(carried["loss_train"]).tobytes()
    assert values[:, 1].tobytes() == np.concatenate(carried["loss_test"]).tobytes()


def test_a_viewer_downloads_it_without_the_secret(live, presenter):
    viewer = live.connect(presenter.session, None, client="viewer")
    try:
        assert viewer.welcome["role"] == "viewer"
        response = download(live, presenter.session)  # no token in the request: the session's id is enough
        assert response.status_code == 200 and response.text.startswith("update,training loss,test loss\n")
    finally:
        viewer.close()


def test_the_recurrent_network_names_its_columns_and_matches_a_twin_run(live):
    session, token = live.create(model="rnn", optimizer="sgd", hyper={"lr": 0.5}, rnn={"text": "hello"})
    page = live.connect(session, token, client="presenter")
    try:
        for _ in range(9):  # (play_until fails on the recurrent model in main: reported, not in this change)
            assert page.control({"type": "step"})["type"] == "ack"
        header, steps, values = read(download(live, session).text)
    finally:
        page.close()
    twin = rnn_trainer("hello", optimizer="sgd", lr=0.5)  # the same engine, stepped alone in this process
    for _ in range(9):
        twin.step()  # as the server steps it (run() takes another path, whose sums may round differently)

    assert header == ["update", "window loss", "mean window loss over the last pass"]
    assert np.array_equal(steps, twin.history.steps) and values.tobytes() == twin.history.rows.tobytes()


@pytest.mark.parametrize("session_id", ["no-such-session", "%2E%2E", "x" * 2000, "%00"])
def test_an_id_that_opens_nothing_gets_a_404_naming_the_session(live, session_id):
    response = download(live, session_id)

    assert response.status_code == 404
    body = response.json()
    assert body["field"] == "session" and body["message"].startswith("session:"), body
