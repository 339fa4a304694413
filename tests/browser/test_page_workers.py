"""The page against several workers through Redis (docs/scaling.md): a presenter on the worker that does not
train the session, a viewer on the one that does; then the owner is killed and the presenter's page comes
back by itself, on the session taken over at its last stored step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browserkit import frame_header, screenshot, wait_for_step
from playwright.sync_api import expect
from redisworkers import RedisServer, TwoWorkers, Worker, wait_for

from server.redisstore import stored_step

WEIGHTS = "() => window.backpropLab.network.weights.map((a) => Array.from(a))"


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[TwoWorkers]:
    server = RedisServer(tmp_path)
    a, b = Worker(server.url), Worker(server.url)
    yield TwoWorkers(server.url, a, b)
    for worker in (a, b):
        if worker.proc.poll() is None:
            worker.stop()
    server.stop()


def test_a_page_on_another_worker_presents_and_comes_back_when_the_owner_dies(open_page, workers: TwoWorkers):
    session, token = workers.create(dataset="xor", sizes=[4], seed=2)
    owner, other = workers.owner_and_other(session)
    presenter = open_page(f"#session={session}&key={token}", server=other)
    viewer = open_page(f"#session={session}", server=owner)
    expect(presenter.locator("body")).to_have_attribute("data-role", "controller")
    expect(viewer.locator("body")).to_have_attribute("data-role", "viewer")

    presenter.click("#step")
    wait_for_step(viewer, 1)
    wait_for_step(presenter, 1)
    assert viewer.evaluate(WEIGHTS) == presenter.evaluate(WEIGHTS), "the same numbers through Redis"
    presenter.click("#play")
    viewer.wait_for_function("() => window.backpropLab.frame.header.step >= 30", timeout=30_000)
    presenter.click("#play")
    presenter.wait_for_function("() => !window.backpropLab.frame.header.playing", timeout=30_000)
    step = frame_header(presenter)["step"]
    wait_for(f"step {step} to be stored", lambda: stored_step(workers.url, session) == step)
    viewer.wait_for_function(f"() => window.backpropLab.frame.header.step === {step}")
    assert viewer.evaluate(WEIGHTS) == presenter.evaluate(WEIGHTS)
    screenshot(presenter, "60_workers_presenter_on_the_other_worker")
    screenshot(viewer, "61_workers_viewer_on_the_owner")

    viewer.close()  # its worker is about to die: its page would try again forever
    before = presenter.evaluate("() => window.backpropLab.connection.transitions.length")
    owner.kill()
    # Its worker closes the socket once the lease has lapsed; the page reconnects, and the worker takes over.
    presenter.wait_for_function(
        "(n) => { const t = window.backpropLab.connection.transitions.slice(n);"
        " return t.some((s) => s.state === 'reconnecting') && t.at(-1).state === 'open'; }", arg=before,
        timeout=30_000)
    expect(presenter.locator("#status-text")).to_contain_text("The server restarted")
    assert frame_header(presenter)["step"] == step, "at the last stored step"
    expect(presenter.locator("body")).to_have_attribute("data-role", "controller")
    presenter.click("#step")
    wait_for_step(presenter, step + 1)
    screenshot(presenter, "62_workers_taken_over_after_the_owner_died")
