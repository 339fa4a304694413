"""The recurrent network on the page: configured from its form, stepped phase by phase with δ flowing right to
left through the unrolled view, the sample panel at a chosen temperature, and its loss surface."""

from __future__ import annotations

import math

import pytest
from browserkit import screenshot, wait_for_step
from playwright.sync_api import expect


def wait_for_rnn_frame(page, condition: str = "true", timeout: float = 15_000) -> dict:
    page.wait_for_function(
        "() => { const f = window.backpropLab.frame; const d = window.backpropLab.data;"
        f" return d && d.model === 'rnn' && f && f.header.model === 'rnn' && ({condition}); }}",
        timeout=timeout,
    )
    return page.evaluate("() => window.backpropLab.frame.header")


def test_hello_unrolled_forward_then_delta_right_to_left(open_page):
    page = open_page()
    page.select_option("#rnn-text", "hello")
    page.click("#rnn-start")
    header = wait_for_rnn_frame(page)
    expect(page.locator("#rnn-panel")).to_be_visible()
    expect(page.locator(".panel-network")).to_be_hidden()
    svg = page.locator("#unrolled-view svg")
    assert svg.get_attribute("data-steps") == "4"
    letters = page.locator("#unrolled-view .letter-text").all_text_contents()
    assert letters == ["h", "e", "l", "l"]
    # The readout shows the hand-worked E of the first window (tests/engine/test_rnn.py).
    expect(page.locator("#rnn-readout-window")).to_contain_text("1.05695")
    page.click("#phase")
    wait_for_rnn_frame(page, "f.header.phase.kind === 'forward'")
    assert svg.get_attribute("data-reached") == ""
    page.click("#phase")
    page.click("#phase")
    wait_for_rnn_frame(page, "f.header.phase.kind === 'backward' && f.header.phase.t === 2")
    assert svg.get_attribute("data-reached") == "2,3"  # the last two steps, reached from the right
    flow = page.locator("#unrolled-view .delta-flow")
    # Shown (a flat arrow has no height, so Playwright's visibility test does not apply), over step 3, pointing left.
    assert flow.get_attribute("display") is None and flow.get_attribute("d").startswith("M258 ")
    expect(page.locator("#unrolled-view .step[data-t='1'] .dh-cell").first).to_be_hidden()  # not reached yet
    expect(page.locator("#phase-indicator li.current")).to_have_text("δ step 3")
    cell = page.locator("#unrolled-view .step[data-t='3'] .dh-cell").first
    cell.hover()
    dh = page.evaluate("() => window.backpropLab.frame.arrays.rnn_dh[3 * 3]")
    assert math.isfinite(dh)
    # The hover text is the frame's number to 10 significant digits (scales.formatExact).
    title = cell.locator("title").text_content()
    assert title.startswith("δh1 at t=4: ")
    assert float(title.split(": ")[1].replace("−", "-")) == pytest.approx(dh, rel=1e-9)
    screenshot(page, "60_rnn_hello_backward")
    page.click("#phase")
    page.click("#phase")
    page.click("#phase")
    header = wait_for_rnn_frame(page, "f.header.phase.kind === 'update'")
    assert header["step"] == 1
    for k in range(2, 30):
        page.click("#step")
        wait_for_step(page, k)
    header = wait_for_rnn_frame(page, "f.header.step === 29")
    # Training raises the correct letters: the target bars grow.
    p = page.evaluate("() => Array.from(window.backpropLab.frame.arrays.rnn_p)")
    targets = header["rnn"]["targets"]
    assert all(p[t * 4 + c] > 0.4 for t, c in enumerate(targets))
    screenshot(page, "61_rnn_hello_trained")


def test_shipped_text_samples_at_a_temperature_and_draws_its_surface(open_page):
    page = open_page()
    page.select_option("#rnn-text", "gettysburg")
    page.fill("#rnn-hidden", "32")
    page.fill("#rnn-window", "25")
    page.click("#rnn-start")
    wait_for_rnn_frame(page, "window.backpropLab.data.chars.length === 36")
    page.select_option("#speed", "max")
    page.click("#play")
    wait_for_rnn_frame(page, "f.header.step >= 300", timeout=60_000)
    page.click("#play")
    wait_for_rnn_frame(page, "!f.header.playing")
    sample = page.locator("#rnn-sample").inner_text()
    assert len(sample) == 201 and sample.startswith("F")
    page.locator("#rnn-temperature").fill("0")
    page.locator("#rnn-temperature").dispatch_event("change")
    header = wait_for_rnn_frame(page, "f.header.rnn.temperature === 0")
    cold = header["rnn"]["sample"]
    expect(page.locator("#rnn-sample")).to_have_text(cold)
    page.click("#rnn-surface")
    page.wait_for_function("() => window.backpropLab.surface && window.backpropLab.surface.header.axes[0] === "
                           "'W_hh[1, 1]: h₁ (t−1) → h₁'", timeout=20_000)
    screenshot(page, "62_rnn_gettysburg_sample_and_surface")


def test_a_pasted_text_too_short_is_refused_plainly(open_page):
    page = open_page()
    page.select_option("#rnn-text", "pasted")
    page.fill("#rnn-pasted", "aaaa")
    page.click("#rnn-start")
    expect(page.locator("#status")).to_contain_text("2 different characters")
    page.fill("#rnn-pasted", "to be or not to be, that is the question")
    page.fill("#rnn-hidden", "8")
    page.fill("#rnn-window", "10")
    page.click("#rnn-start")
    wait_for_rnn_frame(page, "window.backpropLab.data.dataset === 'pasted'")
    screenshot(page, "63_rnn_pasted")
