"""Worked examples open on their own view and stay put when the optimizer changes; the trajectory plane chosen
before any update waits for the path and then draws; a data set that needs another loss switches it, saying so."""

from __future__ import annotations

from browserkit import screenshot, wait_for_step
from playwright.sync_api import expect


def wait_for_surface(page, kind: str, step: int | None = None) -> dict:
    check = f"window.backpropLab.surface && window.backpropLab.surface.header.kind === '{kind}'"
    if step is not None:
        check += f" && window.backpropLab.surface.header.step >= {step}"
    page.wait_for_function(f"() => {check}", timeout=15_000)
    return page.evaluate("() => window.backpropLab.surface.header")


def test_the_bowl_opens_on_its_two_weights_and_momentum_keeps_the_example(open_page):
    page = open_page("#preset=linear_neuron_2")
    header = wait_for_surface(page, "weights")
    assert header["params"] == [{"kind": "weight", "layer": 0, "i": 0, "j": 0},
                                {"kind": "weight", "layer": 0, "i": 1, "j": 0}]
    expect(page.locator('input[name="surface"][value="weights"]')).to_be_checked()
    page.select_option("#optimizer", "momentum")
    page.wait_for_function("() => window.backpropLab.frame.header.optimizer === 'momentum'")
    assert page.evaluate("() => window.backpropLab.data.preset") == "linear_neuron_2"
    wait_for_surface(page, "weights")
    for k in range(1, 6):
        page.keyboard.press("ArrowRight")
        wait_for_step(page, k)
    expect(page.locator('input[name="surface"][value="weights"]')).to_be_checked()
    assert page.evaluate("() => window.backpropLab.data.preset") == "linear_neuron_2"
    header = wait_for_surface(page, "weights", step=5)  # refreshed at the newest weights: the path so far
    alpha = page.evaluate("() => Array.from(window.backpropLab.surface.arrays.alpha)")
    assert alpha[0] == -0.5 and alpha[-1] == 2.5  # the whole bowl, minimum (1, −1) included
    screenshot(page, "33_bowl_with_momentum")


def test_the_curve_opens_on_the_curve_and_adam_keeps_it(open_page):
    page = open_page("#preset=curve")
    wait_for_surface(page, "curve")
    expect(page.locator('input[name="surface"][value="curve"]')).to_be_checked()
    page.select_option("#optimizer", "adam")
    page.wait_for_function("() => window.backpropLab.frame.header.optimizer === 'adam'")
    assert page.evaluate("() => window.backpropLab.data.preset") == "curve"
    wait_for_surface(page, "curve")
    for k in range(1, 4):
        page.click("#step")
        wait_for_step(page, k)
    expect(page.locator('input[name="surface"][value="curve"]')).to_be_checked()
    wait_for_surface(page, "curve", step=3)
    alpha = page.evaluate("() => Array.from(window.backpropLab.surface.arrays.alpha)")
    assert alpha[0] == 0.5 and alpha[-1] == 4.25  # from the start x = 4 to past the minimum 9/4
    screenshot(page, "34_curve_with_adam")


def test_the_222_example_opens_on_a_hidden_and_an_output_weight(open_page):
    page = open_page("#preset=worked_222")
    header = wait_for_surface(page, "weights")
    assert header["params"] == [{"kind": "weight", "layer": 0, "i": 0, "j": 0},
                                {"kind": "weight", "layer": 1, "i": 0, "j": 0}]
    screenshot(page, "35_worked_222_view")


def test_the_trajectory_plane_from_a_link_waits_for_the_path_then_draws(open_page):
    page = open_page("#dataset=gauss&sizes=3&batch_size=all&surface=trajectory")
    page.wait_for_function("() => document.querySelector('#surface-view .bl-surface').dataset.waiting === '1'")
    caption = page.locator("#surface-view .bl-surface-caption")
    expect(caption).to_contain_text("drawn after the next update")
    assert "Need at least" not in page.inner_text("body") and "n_params" not in page.inner_text("body")
    screenshot(page, "36_trajectory_waiting")
    page.click("#step")
    wait_for_step(page, 1)
    wait_for_surface(page, "trajectory")
    page.wait_for_function("() => !document.querySelector('#surface-view .bl-surface').dataset.waiting")
    expect(page.locator('input[name="surface"][value="trajectory"]')).to_be_checked()
    screenshot(page, "37_trajectory_drawn")


def test_three_spirals_under_squared_error_switch_the_loss_and_say_so(open_page):
    page = open_page("#dataset=circle&sizes=4&loss=mse")
    page.select_option("#dataset", "spiral3")
    page.wait_for_function("() => window.backpropLab.data && window.backpropLab.data.dataset === 'spiral3'")
    expect(page.locator("#status-text")).to_contain_text("The loss is now cross-entropy on a softmax output")
    expect(page.locator("#loss")).to_have_value("softmax_ce")
    assert "'spiral3'" not in page.inner_text("body")
    screenshot(page, "38_loss_switched_for_three_spirals")
