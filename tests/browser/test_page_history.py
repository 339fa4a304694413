"""Stepping back on the page: ← and the Back button, the scrubber and Forward replay the very same weights; the
gradient check of a ReLU network explains its corners instead of raising a false alarm."""

from __future__ import annotations

from browserkit import drawn_arrays, screenshot, wait_for_step
from playwright.sync_api import expect

from engine import Network, Trainer, make_dataset, make_optimizer

LINK = "#dataset=xor&noise=0.2&n_points=200&test_fraction=0.3&data_seed=1&seed=3&sizes=5,3" \
       "&activations=tanh&loss=mse&optimizer=adam&lr=0.02&batch_size=8"


def engine_weights_after(n: int) -> list[list[float]]:
    data = make_dataset("xor", n=200, noise=0.2, test_fraction=0.3, seed=1)
    net = Network([2, 5, 3, 1], activations="tanh", loss="mse", seed=3)
    trainer = Trainer(net, make_optimizer("adam", lr=0.02), data, batch_size=8, seed=3)
    for _ in range(n):
        trainer.step()
    return [w.ravel().tolist() for w in net.weights]


def test_back_and_forward_and_the_scrubber_show_the_very_same_weights(open_page):
    page = open_page(LINK)
    expect(page.locator("#back")).to_be_disabled()
    for k in range(1, 9):
        page.keyboard.press("ArrowRight")
        wait_for_step(page, k)
    at_eight = drawn_arrays(page, "weights")
    assert at_eight == engine_weights_after(8)
    expect(page.locator("#scrubber-label")).to_have_text("update 8 of 8")

    for k in range(7, 2, -1):  # ← five times
        page.keyboard.press("ArrowLeft")
        wait_for_step(page, k)
    assert drawn_arrays(page, "weights") == engine_weights_after(3)
    expect(page.locator("#scrubber-label")).to_have_text("update 3 of 8")
    expect(page.locator("#forward")).to_be_enabled()
    expect(page.locator(".bl-loss-readout")).not_to_contain_text("update 8")  # the curve was cut back
    screenshot(page, "30_stepped_back_to_update_3")

    page.click("#back")
    wait_for_step(page, 2)
    page.click("#forward")
    wait_for_step(page, 3)
    page.locator("#scrubber").evaluate("(el) => { el.value = '8'; el.dispatchEvent(new Event('input')); }")
    wait_for_step(page, 8)
    assert drawn_arrays(page, "weights") == at_eight  # replayed bit for bit
    expect(page.locator("#forward")).to_be_disabled()
    page.locator("#scrubber").evaluate("(el) => { el.value = '0'; el.dispatchEvent(new Event('input')); }")
    wait_for_step(page, 0)
    assert drawn_arrays(page, "weights") == engine_weights_after(0)
    screenshot(page, "31_scrubbed_to_the_start")


ISSUE_LINK = "#dataset=spiral3&sizes=10,6&activations=relu,sigmoid,softmax&loss=softmax_ce&seed=5&data_seed=6" \
             "&optimizer=adam&lr=0.01&batch_size=all"


def test_the_gradient_check_of_a_relu_network_agrees_and_says_why_it_took_a_smaller_step(open_page):
    page = open_page(ISSUE_LINK)
    for k in range(1, 4):
        page.click("#step")
        wait_for_step(page, k)
    page.click("#gradcheck")
    result = page.locator("#gradcheck-result")
    expect(result).to_contain_text("Backprop agrees with finite differences", timeout=20_000)
    expect(result).to_have_class("result good")
    expect(result).to_contain_text("ReLU's corner")
    screenshot(page, "32_gradcheck_relu_corner")
