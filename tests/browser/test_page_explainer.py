"""The explainer on the page: a click opens the chain rule with the numbers for a weight, a hidden neuron and an
output neuron; each result it shows is the frame's own value to the digits shown; before and after read plainly;
viewers see the presenter's panel; the chosen example is ringed and kept."""

from __future__ import annotations

from typing import Any

import pytest
from browserkit import SCREENSHOTS, click_param, hover_param, point_on, screenshot, server_caught_up, wait_for_step
from playwright.sync_api import Page, expect
from test_page_numbers import engine_trainer

LINK = "#dataset=gauss&noise=0.2&n_points=16&test_fraction=0.5&sizes=3&activations=tanh&loss=mse&batch_size=all"
HYPER = {"sgd": "&lr=0.3", "momentum": "&lr=0.1&momentum=0.9", "adam": "&lr=0.05"}


def shown(value: float) -> float:
    """A number as the page prints it: 10 significant digits (scales.js formatExact)."""
    return float(f"{value:.10g}")


def click_neuron(page: Page, layer: int, j: int) -> None:
    page.mouse.move(0, 0)
    circle = page.locator(f'#network-view circle[data-layer="{layer}"][data-j="{j}"]')
    circle.scroll_into_view_if_needed()  # a panel's screenshot may have scrolled it away
    box = circle.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def open_explainer(page: Page, element: dict[str, Any], step: int) -> dict[str, float]:
    """Wait until the panel shows `element` for update `step`; return its results {name: number}."""
    page.wait_for_function(
        """([element, step]) => { const h = window.backpropLab.frame?.header;
             const e = h?.explain?.element;
             return h && h.step === step && e && JSON.stringify(e) === JSON.stringify(element)
               && document.querySelector('#explain-panel [data-result]') !== null
               && !document.getElementById('explain-panel').hidden; }""",
        arg=[element, step])
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#explain-panel [data-result]')]
        .map((el) => [el.dataset.result, Number(el.textContent)]))""")


def frame_value(page: Page, name: str, k: int) -> float:
    return page.evaluate("([name, k]) => window.backpropLab.frame.arrays[name][k]", [name, k])


def lines_wider_than_the_panel(page: Page) -> list[str]:
    """The explainer's lines that would scroll, their result cut off at the panel's edge."""
    return page.evaluate("""() => [...document.querySelectorAll('#explain-panel math')]
        .filter((m) => m.scrollWidth > m.clientWidth + 1).map((m) => m.textContent)""")


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_each_result_the_explainer_shows_is_the_frames_own_value(open_page, optimizer):
    page = open_page(f"{LINK}&optimizer={optimizer}{HYPER[optimizer]}")
    page.select_option("#example", "pick")
    page.fill("#example-index", "3")
    page.locator("#example-index").dispatch_event("change")
    page.wait_for_function("() => window.backpropLab.frame.header.selection === 3")
    for step in (1, 2):  # two updates: momentum's velocity and Adam's moments are not zero any more
        page.click("#step")
        wait_for_step(page, step)
    header = page.evaluate("() => window.backpropLab.frame.header")
    assert header["shown"] == {"update": 2, "status": "done"} and header["selection_in_batch"]

    # A weight from hidden neuron h₃ to the output ŷ: layer 1, i = 2, j = 0 (one output: index i).
    click_param(page, "w:1:2:0")
    results = open_explainer(page, {"kind": "weight", "layer": 1, "i": 2, "j": 0}, 2)
    assert results["rule.old"] == shown(frame_value(page, "weights_before.1", 2))
    assert results["rule.new"] == shown(frame_value(page, "weights.1", 2))
    assert results["rule.change"] == shown(frame_value(page, "change_weights.1", 2))
    assert results["gradient.value"] == shown(frame_value(page, "grad_weights.1", 2))  # example 3's δ·o
    assert results["forward.net"] == shown(frame_value(page, "net.2", 0))
    assert results["forward.o"] == shown(frame_value(page, "o.2", 0))
    assert results["backward.delta"] == shown(frame_value(page, "delta.1", 0))
    assert results["loss.before"] == shown(header["batch_loss"])
    assert results["loss.after"] == shown(header["train_loss"])  # the full batch is the training set
    # The batch mean the update used, against the same run in the engine.
    hyper = {k: float(v) for k, v in (p.split("=") for p in HYPER[optimizer][1:].split("&"))}
    twin = engine_trainer("gauss", [3], n_points=16, noise=0.2, test_fraction=0.5, batch_size=None,
                          optimizer=optimizer, **hyper)
    twin.step()
    update = twin.step()
    assert results["gradient.mean"] == shown(update.grad_weights[1][2, 0])
    assert "ex-this" in page.inner_html("#explain-panel"), "this weight's term is marked in the sum"
    assert lines_wider_than_the_panel(page) == []
    page.locator("#explain-panel").screenshot(path=str(SCREENSHOTS / f"h9_explain_weight_{optimizer}.png"))

    click_neuron(page, 1, 1)  # hidden neuron h₂
    results = open_explainer(page, {"kind": "neuron", "layer": 1, "j": 1}, 2)
    assert results["forward.net"] == shown(frame_value(page, "net.1", 1))
    assert results["forward.o"] == shown(frame_value(page, "o.1", 1))
    assert results["backward.delta"] == shown(frame_value(page, "delta.0", 1))
    expect(page.locator("#explain-panel")).to_contain_text("weights as they were before this update")
    page.locator("#explain-panel").screenshot(path=str(SCREENSHOTS / f"h9_explain_hidden_{optimizer}.png"))

    click_neuron(page, 2, 0)  # the output ŷ
    results = open_explainer(page, {"kind": "neuron", "layer": 2, "j": 0}, 2)
    assert results["forward.net"] == shown(frame_value(page, "net.2", 0))
    assert results["forward.o"] == shown(frame_value(page, "o.2", 0))
    assert results["backward.delta"] == shown(frame_value(page, "delta.1", 0))
    expect(page.locator("#explain-panel h2")).to_have_text("Neuron ŷ")
    screenshot(page, f"h9_explain_output_{optimizer}")


def test_the_222_example_reads_before_and_after_on_one_screen(open_page):
    page = open_page("#preset=worked_222")
    page.wait_for_function("() => window.backpropLab.data && window.backpropLab.data.preset === 'worked_222'")
    expect(page.locator("#readout-batch-loss-label")).to_have_text("E now (next batch)")
    expect(page.locator("#numbers-note")).to_contain_text("the next update's (update 1)")
    expect(page.locator("#network-view .bl-textbook-name")).to_have_count(8)
    click_param(page, "w:1:0:0")
    results = open_explainer(page, {"kind": "weight", "layer": 1, "i": 0, "j": 0}, 0)
    assert round(results["rule.new"], 8) == 0.35891648, "at rest: what Step will make"
    page.click("#step")
    wait_for_step(page, 1)
    results = open_explainer(page, {"kind": "weight", "layer": 1, "i": 0, "j": 0}, 1)
    expect(page.locator("#explain-panel h2")).to_have_text("w5 (w from h₁ to ŷ₁)")
    assert round(results["loss.before"], 9) == 0.298371109
    assert results["rule.old"] == 0.4 and round(results["rule.new"], 8) == 0.35891648
    assert round(results["loss.after"], 10) == 0.2910277737
    # The readouts say which is which, with the digits a textbook prints.
    expect(page.locator("#readout-batch-loss-label")).to_have_text("E before update 1 (its batch)")
    assert round(float(page.inner_text("#readout-batch-loss")), 9) == 0.298371109
    expect(page.locator("#readout-train-loss-label")).to_have_text("E after update 1 (training set)")
    assert round(float(page.inner_text("#readout-train-loss")), 10) == 0.2910277737
    expect(page.locator("#numbers-note")).to_contain_text("at the weights before it")
    rows = hover_param(page, "w:1:0:0")
    assert rows["w before"] == "0.4" and round(float(rows["w after"]), 8) == 0.35891648
    assert page.locator(".bl-tooltip-title").inner_text() == "w5 (w from h₁ to ŷ₁)"
    page.mouse.move(0, 0)
    screenshot(page, "h9_worked_222_before_after")


def test_a_viewer_sees_the_panel_the_presenter_opened(open_page):
    presenter = open_page("#preset=worked_222")
    session = presenter.evaluate("() => window.backpropLab.session")
    viewer = open_page(f"#session={session}")
    expect(viewer.locator("body")).to_have_attribute("data-role", "viewer")
    click_neuron(presenter, 1, 0)
    open_explainer(presenter, {"kind": "neuron", "layer": 1, "j": 0}, 0)
    open_explainer(viewer, {"kind": "neuron", "layer": 1, "j": 0}, 0)
    expect(viewer.locator("#explain-panel h2")).to_have_text("Neuron h₁")
    assert viewer.inner_text("#explain-panel") == presenter.inner_text("#explain-panel")
    screenshot(viewer, "h9_viewer_sees_explainer")
    presenter.click("#explain-panel button.close")
    expect(viewer.locator("#explain-panel")).to_be_hidden()
    click_neuron(viewer, 2, 0)  # a viewer's click opens nothing for the room
    server_caught_up(viewer)  # whatever the viewer's page sent has been handled (and refused)
    server_caught_up(presenter)
    expect(presenter.locator("#explain-panel")).to_be_hidden()


def test_the_chosen_example_is_ringed_and_keeps_its_numbers_outside_the_batch(open_page):
    page = open_page("#dataset=circle&n_points=40&test_fraction=0.5&sizes=3&optimizer=sgd&lr=0.1&batch_size=4&seed=2")
    page.select_option("#example", "pick")
    page.fill("#example-index", "5")
    page.locator("#example-index").dispatch_event("change")
    page.wait_for_function("() => window.backpropLab.frame.header.selection === 5")
    page.wait_for_function("() => window.backpropLab.ringed === 5")
    outside = None
    for step in range(1, 6):
        page.click("#step")
        wait_for_step(page, step)
        header = page.evaluate("() => window.backpropLab.frame.header")
        assert header["selection"] == 5, "the choice holds across steps"
        if not header["selection_in_batch"]:
            outside = step
            break
    assert outside is not None, "example 5 sat out one of the first five batches of 4"
    expect(page.locator("#numbers-note")).to_contain_text("Example 5 is not in this update's batch")
    twin = engine_trainer("circle", [3], n_points=40, test_fraction=0.5, seed=2, optimizer="sgd", lr=0.1,
                          batch_size=4)
    twin.run(outside - 1)
    trace, grads = twin.example(5)  # at the weights this update started from
    drawn = page.evaluate("() => Array.from(window.backpropLab.frame.arrays['o.2'])")
    assert drawn == trace.o[2][0].tolist()
    assert page.evaluate("() => Array.from(window.backpropLab.frame.arrays['delta.0'])") == grads.delta[0][0].tolist()
    page.locator("#network-view").scroll_into_view_if_needed()
    click_param(page, "w:0:0:0")
    open_explainer(page, {"kind": "weight", "layer": 0, "i": 0, "j": 0}, outside)
    status = page.locator("#explain-panel .ex-status")
    expect(status).to_contain_text("Example 5 (chosen) is not in this update's batch")
    # E before is the batch's, in the readout and in the panel alike (not the lone example's).
    header = page.evaluate("() => window.backpropLab.frame.header")
    assert float(page.inner_text("#readout-batch-loss")) == shown(header["batch_loss"])
    panel_loss = page.locator('#explain-panel [data-result="loss.before"]').text_content()
    assert float(panel_loss) == shown(header["batch_loss"])
    assert page.evaluate("() => window.backpropLab.ringed") == 5, "still ringed outside the batch"
    page.locator("#map-view").screenshot(path=str(SCREENSHOTS / "h9_map_ring.png"))
    screenshot(page, "h9_example_outside_batch")


def test_no_array_name_reaches_the_page(open_page):
    page = open_page("#dataset=gauss&sizes=3,2&optimizer=sgd&lr=0.3&batch_size=all")
    page.click("#step")
    wait_for_step(page, 1)
    titles = []
    for param in ("w:0:1:2", "w:2:1:0", "b:1:0"):
        hover_param(page, param)
        titles.append(page.locator(".bl-tooltip-title").inner_text())
    assert titles == ["w from x₂ to h₃⁽¹⁾", "w from h₂⁽²⁾ to ŷ", "b of h₁⁽²⁾ (hidden layer 2)"]
    page.click("#surface-kind input[value=weights]")
    click_param(page, "w:0:0:1")
    click_param(page, "w:2:1:0")
    page.wait_for_function("() => window.backpropLab.surface && window.backpropLab.surface.header.kind === 'weights'")
    axes = page.locator("#surface-view .bl-surface-axes").inner_text()
    assert "w from x₁ to h₂⁽¹⁾" in axes and "w from h₂⁽²⁾ to ŷ" in axes, axes
    page.click("#gradcheck")
    expect(page.locator("#gradcheck-result")).to_contain_text("Largest at", timeout=15_000)
    page.mouse.move(0, 0)
    text = page.inner_text("body")
    for array_name in ("weights[", "biases[", "neuron 0", "of layer 0"):
        assert array_name not in text, array_name
    assert " α" not in page.locator("#surface-view").inner_text()
    screenshot(page, "h9_names_everywhere")
    assert point_on(page, "w:0:0:1")


def test_after_reset_the_gradient_shown_is_the_one_the_next_step_uses(open_page):
    page = open_page("#dataset=xor&noise=0.2&n_points=200&test_fraction=0.3&data_seed=1&seed=3&sizes=4"
                     "&activations=tanh&loss=mse&optimizer=sgd&lr=0.1&batch_size=10")
    page.click("#step")
    wait_for_step(page, 1)
    page.click("#reset")
    wait_for_step(page, 0)
    expect(page.locator("#numbers-note")).to_contain_text("the next update's (update 1)")
    predicted = float(hover_param(page, "w:0:1:2")["∂E/∂w = δ·o"])
    page.mouse.move(0, 0)
    page.click("#step")
    wait_for_step(page, 1)
    twin = engine_trainer("xor", [4], n_points=200, noise=0.2, test_fraction=0.3, data_seed=1, seed=3,
                          optimizer="sgd", lr=0.1, batch_size=10)
    update = twin.step()
    assert predicted == shown(update.grad_weights[0][1, 2]), "the screen predicted the step's own gradient"
    rows = hover_param(page, "w:0:1:2")
    assert float(rows["∂E/∂w = δ·o"]) == predicted
    assert float(rows["Δw"]) == shown(-0.1 * update.grad_weights[0][1, 2])


def test_every_line_of_the_explainer_fits_the_panel(open_page):
    # The count of characters let lines through that were wider than the panel, their result cut at its edge:
    # "w_new = w + Δw = 0.261203239 + 0.0102897681 = 0.2714930071", in the right-hand column at 1,600 px.
    page = open_page("#dataset=xor&sizes=3", viewport={"width": 1600, "height": 1300})
    click_param(page, "w:1:0:0")
    for step in (1, 2, 3):
        page.click("#step")
        open_explainer(page, {"kind": "weight", "layer": 1, "i": 0, "j": 0}, step)
        assert lines_wider_than_the_panel(page) == [], step
    page.locator("#explain-panel").screenshot(path=str(SCREENSHOTS / "h9_explain_lines_fit.png"))
