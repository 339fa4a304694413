"""Students follow a presenter's session; the connection comes back by itself; refusals are shown in place."""

from __future__ import annotations

import httpx2 as httpx
from browserkit import frame_header, screenshot, server_caught_up, wait_for_app, wait_for_step
from playwright.sync_api import expect


def test_a_viewer_page_follows_the_presenters_session(open_page, live):
    presenter = open_page("#dataset=xor&sizes=3&speed=20")
    session = presenter.evaluate("() => window.backpropLab.session")
    presenter.click("#share")
    expect(presenter.locator("#status")).to_be_visible()
    link = presenter.evaluate("() => window.backpropLab.shareLink")
    assert link.endswith(f"/#session={session}"), link
    expect(presenter.locator("#status-text")).to_contain_text(link)

    viewer = open_page(link[link.index("#"):])
    expect(viewer.locator("body")).to_have_attribute("data-role", "viewer")
    expect(viewer.locator("#role")).to_contain_text("Following the presenter's session")
    for control in ("#play", "#step", "#lr-slider", "#lr", "#dataset", "#optimizer", "#gradcheck"):
        expect(viewer.locator(control)).to_be_disabled()
    expect(viewer.locator("#share")).to_be_hidden()
    assert viewer.evaluate("() => location.hash") == f"#session={session}", "a viewer's link carries no setup"

    # What the presenter does, the viewer sees: a step, a new η, play, a new dataset, a loss surface.
    presenter.click("#step")
    wait_for_step(viewer, 1)
    assert viewer.evaluate("() => window.backpropLab.network.weights.map((a) => Array.from(a))") == \
        presenter.evaluate("() => window.backpropLab.network.weights.map((a) => Array.from(a))")
    presenter.fill("#lr", "0.2")
    presenter.locator("#lr").dispatch_event("change")
    expect(viewer.locator("#lr")).to_have_value("0.2")
    presenter.click("#play")
    expect(viewer.locator("#play")).to_contain_text("Pause")
    viewer.wait_for_function("() => window.backpropLab.frame.header.step >= 10")
    presenter.click("#play")
    expect(viewer.locator("#play")).to_contain_text("Play")
    presenter.click("#surface-kind input[value=random]")
    viewer.wait_for_function("() => window.backpropLab.surface !== null")
    expect(viewer.locator('input[name="surface"][value="random"]')).to_be_checked()
    screenshot(viewer, "10_viewer_following")

    # The viewer's keys and clicks change nothing.
    viewer.locator("body").click(position={"x": 5, "y": 5})
    viewer.keyboard.press("Space")
    viewer.keyboard.press("ArrowRight")
    server_caught_up(viewer)
    state = httpx.get(f"{live.http}/api/sessions/{session}").json()
    assert state["playing"] is False and state["viewers"] == 1
    assert frame_header(viewer)["step"] == state["step"]

    presenter.click("#surface-kind input[value=none]")
    viewer.wait_for_function("() => window.backpropLab.surface === null")
    expect(viewer.locator('input[name="surface"][value="none"]')).to_be_checked()

    presenter.select_option("#dataset", "circle")
    expect(viewer.locator("#dataset")).to_have_value("circle")
    viewer.wait_for_function("() => window.backpropLab.data.dataset === 'circle'")


def test_a_lost_connection_comes_back_by_itself(open_page, browser, live):
    sockets = []

    def through(route):
        sockets.append(route)
        route.connect_to_server()

    page = open_page("#dataset=gauss&sizes=2", before=lambda p: p.route_web_socket("**/ws/*", through))
    client = page.evaluate("() => sessionStorage.getItem('backprop-lab:client')")
    before = page.evaluate("() => window.backpropLab.connection.transitions.length")
    sockets[-1].close(code=1012, reason="server restarting")
    # The page records every state it went through: "connection lost" lasts half a second, and on a busy
    # machine it may be gone before a look at the label, so the test reads the record, not the label.
    page.wait_for_function("(n) => window.backpropLab.connection.transitions.slice(n).some((t) => t.state === 'open')",
                           arg=before, timeout=10_000)
    after = page.evaluate("(n) => window.backpropLab.connection.transitions.slice(n)", before)
    assert [t["state"] for t in after] == ["reconnecting", "reconnecting", "open"], after
    assert 0.4 <= after[0]["detail"] <= 0.6, "lost: the first try comes after half a second (±20 %)"
    assert after[1]["detail"] == 0, "then it tries"
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")
    expect(page.locator("#connection")).to_have_text("connected")
    screenshot(page, "11_reconnected", full_page=False)
    assert len(sockets) == 2, "one new socket"
    # Same page, same client id, still the presenter: the controls still work.
    assert page.evaluate("() => sessionStorage.getItem('backprop-lab:client')") == client
    expect(page.locator("body")).to_have_attribute("data-role", "controller")
    page.click("#step")
    wait_for_step(page, 1)


def test_refused_settings_are_explained_next_to_their_control(open_page):
    page = open_page("#dataset=circle&sizes=2")
    page.fill("#lr", "500")
    page.locator("#lr").dispatch_event("change")
    error = page.locator('[data-error-for="lr"]')
    expect(error).to_be_visible()
    expect(error).to_contain_text("100")
    assert frame_header(page)["hyper"]["lr"] == 0.03, "the refused value did not reach the training"
    # A loss the data cannot learn with: the reason sits by the loss, in words, and the choice goes back.
    page.select_option("#dataset", "spiral3")  # switches the loss to what three classes need (and says so)
    expect(page.locator("#loss")).to_have_value("softmax_ce")
    page.select_option("#loss", "mse")
    loss_error = page.locator('[data-error-for="loss"]')
    expect(loss_error).to_be_visible()
    expect(loss_error).to_contain_text("cannot tell 3 classes apart")
    assert "softmax_ce" not in loss_error.inner_text()
    expect(page.locator("#loss")).to_have_value("softmax_ce")
    expect(page.locator("#back")).to_be_disabled()  # nothing to go back to at update 0, refusals or not
    screenshot(page, "12_errors_in_place")
    # A valid value clears the message.
    page.fill("#lr", "0.05")
    page.locator("#lr").dispatch_event("change")
    expect(error).to_be_hidden()
    page.wait_for_function("() => window.backpropLab.frame.header.hyper.lr === 0.05")


def test_an_ended_session_offers_to_start_again_with_its_setup(open_page, live):
    page = open_page("#session=no-such-session&dataset=xor&sizes=5", wait=False)
    expect(page.locator("#status-text")).to_contain_text("No such session (it may have ended)")
    expect(page.locator("#connection")).to_have_attribute("data-state", "closed")
    action = page.locator("#status-action")
    expect(action).to_have_text("Start my own session with this setup")
    action.click()
    wait_for_app(page)
    expect(page.locator("body")).to_have_attribute("data-role", "controller")
    assert page.evaluate("() => window.backpropLab.config.sizes") == [5]
    assert page.evaluate("() => window.backpropLab.config.dataset") == "xor"


def test_a_diverging_run_is_explained_and_a_reset_clears_it(open_page):
    page = open_page("#dataset=plane&sizes=4&activations=linear&optimizer=sgd&lr=90&batch_size=all")
    page.click("#play")
    expect(page.locator("#status-text")).to_contain_text("diverged", timeout=10_000)
    expect(page.locator("#status-text")).to_contain_text("smaller learning rate")
    expect(page.locator("#play")).to_contain_text("Play")
    screenshot(page, "14_diverged", full_page=False)
    page.keyboard.press("r")
    wait_for_step(page, 0)
    expect(page.locator("#status")).to_be_hidden()


def test_the_page_reads_on_a_laptop_and_a_phone(open_page):
    for name, viewport in (("laptop", {"width": 1280, "height": 720}), ("phone", {"width": 400, "height": 860})):
        page = open_page("#dataset=spiral&sizes=6,6", viewport=viewport)
        overflow = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: the page is {overflow} px wider than the screen"
        for selector in ("#network-view svg.bl-network-svg", "#map-view canvas", "#loss-view canvas", "#play"):
            box = page.locator(selector).bounding_box()
            assert box and box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], \
                (name, selector, box)
        screenshot(page, f"15_{name}")
