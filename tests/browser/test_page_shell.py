"""The page as a whole: it loads cleanly, training shows, the keyboard works, and a link reproduces a setup."""

from __future__ import annotations

import re
from urllib.parse import unquote

import httpx2 as httpx
from browserkit import frame_header, painted_share, screenshot, server_caught_up, wait_for_app, wait_for_step
from playwright.sync_api import expect


def test_the_page_loads_with_no_errors_and_draws_every_panel(open_page):
    page = open_page()
    expect(page.locator("#connection")).to_have_text("connected")
    expect(page.locator("body")).to_have_attribute("data-role", "controller")
    # The network: a neuron per unit of 2-4-4-1, a connection per weight, a bias square per non-input unit.
    assert page.locator("#network-view circle.bl-node").count() == 2 + 4 + 4 + 1
    assert page.locator("#network-view path.bl-link").count() == 2 * 4 + 4 * 4 + 4 * 1
    assert page.locator("#network-view rect.bl-bias").count() == 4 + 4 + 1
    # The decision map and the loss chart have canvases with something painted on them.
    page.wait_for_function("() => window.backpropLab.data !== null")
    for selector in ("#map-view canvas.bl-decision-canvas", "#loss-view canvas.bl-loss-canvas"):
        box = page.locator(selector).bounding_box()
        assert box and box["width"] > 200 and box["height"] > 150, selector
    assert painted_share(page, "#map-view canvas.bl-decision-canvas") > 0.5
    # Controls filled from GET /api/options, in plain words.
    assert page.locator("#optimizer option").count() >= 5
    assert page.locator("#dataset option[value=circle]").count() == 1
    assert page.locator("#presets button[data-preset=worked_222]").count() == 1
    # The phase indicator names δ for every layer from the output back; the shortcuts are listed.
    expect(page.locator("#phase-indicator li")).to_have_text(
        ["forward", "δ layer 3 (output)", "δ layer 2", "δ layer 1", "update"])
    expect(page.locator("#shortcuts dt")).to_have_text(["Space", "→", "←", "Shift + →", "R", "P", "J"])
    # Every control fits its column: nothing spills out sideways.
    overflow = page.evaluate("""() => [...document.querySelectorAll('#controls *')]
        .filter((el) => el.getBoundingClientRect().right > document.getElementById('controls')
        .getBoundingClientRect().right + 1).map((el) => el.id || el.tagName)""")
    assert overflow == []
    screenshot(page, "01_loaded")


def readout(page, name):
    return float(page.locator(f"#readout-{name}").inner_text())


def test_play_makes_the_loss_shown_fall(open_page):
    page = open_page("#dataset=gauss&sizes=4&lr=0.1&batch_size=10")
    start = readout(page, "train-loss")
    page.click("#play")
    expect(page.locator("#play")).to_contain_text("Pause")
    page.wait_for_function("() => window.backpropLab.frame.header.step >= 300", timeout=20_000)
    # Playing, each frame is the newest update made, whole; the words about it stay put (read in one turn
    # with the frame they were written for).
    playing = page.evaluate("""() => ({shown: window.backpropLab.frame.header.shown,
        before: document.getElementById("readout-batch-loss-label").textContent,
        after: document.getElementById("readout-train-loss-label").textContent})""")
    assert playing["shown"]["status"] == "done", playing
    assert playing["before"] == "E before it (its batch)", playing
    assert playing["after"] in ("E after it (training set)", "E on the training set (newest logged)"), playing
    page.click("#play")
    expect(page.locator("#play")).to_contain_text("Play")
    page.wait_for_function("() => !window.backpropLab.frame.header.playing")
    end = readout(page, "train-loss")
    assert end < 0.5 * start, (start, end)
    # The loss chart was given the whole history: its readout names the latest update.
    readout_text = page.locator(".bl-loss-readout").inner_text()
    assert re.search(r"update [\d\u2009 ]+", readout_text), readout_text
    step = frame_header(page)["step"]
    assert int(re.search(r"update ([\d\u2009 ]+)", readout_text).group(1).replace("\u2009", "").strip()) <= step
    screenshot(page, "02_after_play")


def test_keyboard_shortcuts_play_step_phase_and_reset(open_page, live):
    page = open_page("#dataset=xor&sizes=3&speed=10")
    session = page.evaluate("() => window.backpropLab.session")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowRight")
    wait_for_step(page, 1)
    page.keyboard.press("Shift+ArrowRight")
    page.wait_for_function("() => window.backpropLab.frame.header.phase.kind === 'forward'")
    expect(page.locator("#phase-indicator li.current")).to_have_text("forward")
    page.keyboard.press("Shift+ArrowRight")
    page.wait_for_function("() => window.backpropLab.frame.header.phase.kind === 'backward'")
    expect(page.locator("#phase-indicator li.current")).to_have_text("δ layer 2 (output)")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    page.wait_for_function("() => window.backpropLab.frame.header.phase.kind === 'update'")
    expect(page.locator("#phase-indicator li.current")).to_have_text("update")
    wait_for_step(page, 2)
    page.keyboard.press("Space")
    page.wait_for_function("() => window.backpropLab.frame.header.playing")
    page.wait_for_function("() => window.backpropLab.frame.header.step >= 3")
    page.keyboard.press("Space")
    page.wait_for_function("() => !window.backpropLab.frame.header.playing")
    # Space with the Play button focused (just clicked) toggles once, not twice.
    page.click("#play")
    page.wait_for_function("() => window.backpropLab.frame.header.playing")
    page.keyboard.press("Space")
    page.wait_for_function("() => !window.backpropLab.frame.header.playing")
    server_caught_up(page)
    assert httpx.get(f"{live.http}/api/sessions/{session}").json()["playing"] is False
    # R while typing in a field is a letter, not a reset.
    page.click("#lr")
    page.keyboard.press("r")
    server_caught_up(page)
    assert httpx.get(f"{live.http}/api/sessions/{session}").json()["step"] >= 3
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("r")
    wait_for_step(page, 0)
    screenshot(page, "03_keyboard_after_reset")


def test_the_url_round_trips_the_configuration(open_page, live):
    page = open_page()
    page.select_option("#dataset", "xor")
    page.wait_for_function("() => window.backpropLab.config.dataset === 'xor'")
    page.locator("#noise").fill("0.3")
    page.locator("#noise").dispatch_event("change")
    page.wait_for_function("() => window.backpropLab.config.noise === 0.3")
    page.click("#add-layer")
    page.wait_for_function("() => window.backpropLab.config.sizes.length === 3")
    page.locator('#layers [data-layer="0"] select').select_option("relu")
    page.wait_for_function("() => Array.isArray(window.backpropLab.config.activations)"
                           " && window.backpropLab.config.activations[0] === 'relu'")
    page.select_option("#optimizer", "adam")
    page.wait_for_function("() => window.backpropLab.config.optimizer === 'adam'")
    page.fill("#lr", "0.004")
    page.locator("#lr").dispatch_event("change")
    page.wait_for_function("() => window.backpropLab.frame.header.hyper.lr === 0.004")
    page.fill("#hyper-beta1", "0.8")
    page.locator("#hyper-beta1").dispatch_event("change")
    page.wait_for_function("() => window.backpropLab.frame.header.hyper.beta1 === 0.8")
    page.select_option("#batch-size", "all")
    page.wait_for_function("() => window.backpropLab.frame.header.batch_size === null")
    page.check("#log-scale")
    page.uncheck("#show-test")
    page.wait_for_function("() => location.hash.includes('beta1=0.8') && location.hash.includes('log_scale=1')")
    link = unquote(page.evaluate("() => location.hash"))
    for part in ("dataset=xor", "noise=0.3", "sizes=4,4,4", "activations=relu,tanh,tanh,tanh", "optimizer=adam",
                 "lr=0.004", "beta1=0.8", "batch_size=all", "log_scale=1", "show_test=0"):
        assert part in link, (part, link)
    screenshot(page, "04_configured")

    # The same link without its session starts a new session set up the same way.
    setup = re.sub(r"session=[^&]*&?", "", link)
    copy = open_page(setup)
    copy.wait_for_function("() => window.backpropLab.data !== null")
    session = copy.evaluate("() => window.backpropLab.session")
    assert session != page.evaluate("() => window.backpropLab.session")
    config = httpx.get(f"{live.http}/api/sessions/{session}").json()["config"]
    assert config["dataset"] == "xor" and config["noise"] == 0.3 and config["sizes"] == [4, 4, 4]
    assert config["activations"] == ["relu", "tanh", "tanh", "tanh"]
    assert config["optimizer"] == "adam" and config["hyper"]["lr"] == 0.004 and config["hyper"]["beta1"] == 0.8
    assert config["batch_size"] is None
    expect(copy.locator("#dataset")).to_have_value("xor")
    expect(copy.locator("#optimizer")).to_have_value("adam")
    expect(copy.locator("#lr")).to_have_value("0.004")
    expect(copy.locator("#batch-size")).to_have_value("all")
    expect(copy.locator("#log-scale")).to_be_checked()
    expect(copy.locator("#show-test")).not_to_be_checked()
    expect(copy.locator('#layers [data-layer="0"] select')).to_have_value("relu")
    wait_for_app(copy)
    assert unquote(copy.evaluate("() => location.hash")).split("&", 1)[1] == setup.lstrip("#")
    screenshot(copy, "05_configured_from_link")
    # Reloading reads back every setting the page wrote, and the presenter stays the presenter.
    for reloaded in (copy, open_page()):
        reloaded.reload()
        wait_for_app(reloaded)
        expect(reloaded.locator("body")).to_have_attribute("data-role", "controller")
        assert "not understood" not in reloaded.locator("#status-text").inner_text()


def test_play_goes_on_from_an_update_stopped_half_way(open_page):
    page = open_page("#dataset=xor&sizes=3&speed=10")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    page.wait_for_function("() => window.backpropLab.frame.header.phase.kind === 'backward'")
    page.keyboard.press("Space")
    page.wait_for_function("() => window.backpropLab.frame.header.step >= 3", timeout=5_000)


def test_the_loss_curve_starts_again_from_update_0_after_a_reset(open_page):
    page = open_page("#dataset=gauss&sizes=2&batch_size=all")
    for _ in range(6):
        page.click("#step")
    wait_for_step(page, 6)
    page.click("#reset")
    wait_for_step(page, 0)
    expect(page.locator(".bl-loss-readout")).to_contain_text("update 0", timeout=3_000)


def test_the_loss_curve_starts_from_update_0_after_a_new_setup(open_page):
    page = open_page("#dataset=gauss&sizes=2&batch_size=all")
    for _ in range(3):
        page.click("#step")
    wait_for_step(page, 3)
    page.select_option("#dataset", "xor")
    page.wait_for_function("() => window.backpropLab.data.dataset === 'xor'")
    expect(page.locator(".bl-loss-readout")).to_contain_text("update 0", timeout=3_000)
