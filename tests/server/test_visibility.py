"""A hidden page (another tab, a minimised window) is sent no pictures; shown again, it gets the newest at once,
with every loss point it missed (server/clients.py, docs/protocol.md)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from liveserver import LiveServer, Page


def messages_for(page: Page, seconds: float) -> list[dict[str, Any]]:
    """Every message the page gets over ``seconds`` (headers)."""
    got = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            header, _ = page.recv(timeout=left)
        except TimeoutError:
            break
        got.append(header)
    return got


def loss_chain(headers: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """The (loss_from, loss_to] spans of the frames and `loss` messages a page got, in order."""
    return [(h["loss_from"], h["loss_to"]) for h in headers if h["type"] in ("frame", "loss")]


def test_a_hidden_page_gets_no_pictures_and_the_newest_with_every_loss_point_once_shown(live: LiveServer):
    session, token = live.create(sizes=[3, 2], n_points=40, batch_size=4, seed=3)
    presenter = live.connect(session, token)
    # Any page may say it is hidden, a viewer too. Two, so that through Redis (test_redis_workers.py) one is on
    # the worker that trains the session and one on the other, whose pages it relays.
    viewers = [live.connect(session) for _ in range(2)]
    presenter.control({"type": "play"})
    hidden_from, step_hidden = [], []
    for viewer in viewers:
        viewer.until(lambda v=viewer: any(h["type"] == "frame" and h["step"] > 20 for h in v.seen), timeout=10)
        reply = viewer.control({"type": "visibility", "hidden": True})
        assert reply == {"type": "ack", "id": reply["id"], "of": "visibility", "seq": None}
        hidden_from.append(len(viewer.seen))
        step_hidden.append(max(h["step"] for h in viewer.seen if h["type"] == "frame"))

    # The reply went out before any picture that would follow it, and none follows: the page asked for none.
    for viewer in viewers:
        while_hidden = messages_for(viewer, 1.0)
        assert [h["type"] for h in while_hidden if h["type"] in ("frame", "loss", "grid", "surface", "data")] == []

    for viewer, start, step in zip(viewers, hidden_from, step_hidden, strict=True):
        reply = viewer.control({"type": "visibility", "hidden": False})
        assert reply["type"] == "ack"
        header, _ = viewer.expect("frame", timeout=5)
        # Training went on meanwhile (the presenter's session plays), and the page is back at its newest update.
        assert header["step"] > step + 20, (header["step"], step)
        # Its loss points chain without a gap or an overlap across the hidden time: a `loss` catch-up came first.
        chain = loss_chain(viewer.seen)
        assert all(a[1] == b[0] for a, b in zip(chain, chain[1:], strict=False)), chain
        shown_again = [h["type"] for h in viewer.seen[start:] if h["type"] in ("loss", "frame")]
        assert shown_again[:2] == ["loss", "frame"], shown_again
        assert viewer.loss_steps == sorted(set(viewer.loss_steps))
    presenter.control({"type": "pause"})
    for page in (presenter, *viewers):
        page.close()


def test_hidden_pages_leave_the_frame_time_to_those_watching(live: LiveServer):
    """The frame interval stretches with the pages sent frames (server/load.py): not with hidden ones; a page
    that says so twice is counted once, and a hidden page that leaves is no longer counted."""
    session, token = live.create(sizes=[3, 2], n_points=40, batch_size=4, seed=3)
    load = live.app.state.registry.get(session).load  # the server runs in this process (its own thread)
    # The server's load counts every session's pages: wait until earlier tests' closed pages are gone (on a
    # loaded machine four were still counted here).
    deadline = time.monotonic() + 10
    while (load.clients, load.hidden) != (0, 0) and time.monotonic() < deadline:
        time.sleep(0.01)
    presenter = live.connect(session, token)
    viewers = [live.connect(session) for _ in range(3)]
    for viewer in viewers:
        assert viewer.control({"type": "visibility", "hidden": True})["type"] == "ack"
    assert viewers[0].control({"type": "visibility", "hidden": True})["type"] == "ack"
    assert (load.clients, load.hidden, load.watching) == (4, 3, 1)
    viewers[1].close()
    assert viewers[2].control({"type": "visibility", "hidden": False})["type"] == "ack"
    deadline = time.monotonic() + 5
    while (load.clients, load.hidden) != (3, 1) and time.monotonic() < deadline:
        time.sleep(0.01)  # the server notices the closed socket in its own time
    assert (load.clients, load.hidden, load.watching) == (3, 1, 2)
    for page in (presenter, viewers[0], viewers[2]):
        page.close()


@pytest.mark.parametrize(("message", "field"), [
    ({"type": "visibility"}, "hidden"),
    ({"type": "visibility", "hidden": "yes"}, "hidden"),
    ({"type": "visibility", "hidden": 1}, "hidden"),
    ({"type": "visibility", "hidden": True, "tab": 2}, "tab"),
])
def test_a_malformed_visibility_gets_an_error_naming_the_field_and_changes_nothing(live: LiveServer, message, field):
    session, token = live.create(sizes=[3, 2], n_points=40, batch_size=4, seed=3)
    page = live.connect(session, token)
    reply = page.control(message)
    assert reply["type"] == "error" and reply["of"] == "visibility" and reply["field"] == field, reply
    assert reply["message"].startswith(f"{field}: "), reply
    # Still shown: a step's frame comes as always.
    step = page.control({"type": "step"})
    header, _ = page.frame_after(step)
    assert header["step"] == 1
    page.close()
