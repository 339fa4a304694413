"""The numbers the page shows are the engine's: after one step, after a live change of η, phase by phase, and
on the loss surface."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from browserkit import click_param, drawn_arrays, frame_header, hover_param, painted_share, screenshot, wait_for_step
from playwright.sync_api import expect

from engine import Network, Trainer, make_dataset, make_optimizer


def engine_trainer(dataset: str, sizes: list[int], *, n_points: int = 500, noise: float = 0.1,
                   test_fraction: float = 0.5, data_seed: int = 0, seed: int = 0, activations: str = "tanh",
                   loss: str = "mse", optimizer: str = "momentum", batch_size: int | None = 10,
                   **hyper: float) -> Trainer:
    """The run a session with this config trains, built from the engine alone."""
    data = make_dataset(dataset, n=n_points, noise=noise, test_fraction=test_fraction, seed=data_seed)
    net = Network([data.n_inputs, *sizes, data.n_outputs], activations=activations, loss=loss, seed=seed)
    return Trainer(net, make_optimizer(optimizer, **hyper), data, batch_size=batch_size, seed=seed)


STEP_LINK = "#dataset=xor&noise=0.2&n_points=200&test_fraction=0.3&data_seed=1&seed=3&sizes=4" \
            "&activations=tanh&loss=mse&optimizer=sgd&lr=0.1&batch_size=10"
STEP_CONFIG: dict[str, Any] = dict(dataset="xor", noise=0.2, n_points=200, test_fraction=0.3, data_seed=1, seed=3,
                                   sizes=[4], optimizer="sgd", lr=0.1, batch_size=10)


def test_one_step_shows_exactly_the_engines_weights(open_page):
    page = open_page(STEP_LINK)
    trainer = engine_trainer(**STEP_CONFIG)
    net = trainer.model
    assert drawn_arrays(page, "weights") == [w.ravel().tolist() for w in net.weights], "the starting weights"
    page.click("#step")
    wait_for_step(page, 1)
    trainer.step()
    assert drawn_arrays(page, "weights") == [w.ravel().tolist() for w in net.weights]
    assert drawn_arrays(page, "biases") == [b.tolist() for b in net.biases]
    # What a person reads when pointing at a connection and at a bias: the same numbers, to 10 digits.
    rows = hover_param(page, "w:0:1:2")
    assert float(rows["w after"]) == float(f"{net.weights[0][1, 2]:.10g}")
    assert float(rows["Δw"]) == float(f"{trainer.last_changes['weights[0]'][1, 2]:.10g}")
    screenshot(page, "06_one_step_tooltip")
    rows = hover_param(page, "b:1:0")
    assert float(rows["b after"]) == float(f"{net.biases[1][0]:.10g}")
    expect(page.locator("#readout-step")).to_have_text("1")
    assert frame_header(page)["train_loss"] == trainer.losses()[0]


class FrameRecorder:
    """A viewer connection in a thread that keeps every frame the server sends it (header, arrays)."""

    def __init__(self, live: Any, session: str) -> None:
        self.page = live.connect(session, None, client="recorder")
        self.frames: list[tuple[dict[str, Any], dict[str, np.ndarray]]] = []
        self._arrived = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                header, arrays = self.page.recv(timeout=0.2)
            except TimeoutError:
                continue
            except Exception:
                return
            if header["type"] == "frame":
                with self._arrived:
                    self.frames.append((header, {k: np.array(v) for k, v in arrays.items()}))
                    self._arrived.notify_all()

    def wait_for(self, done: Any, timeout: float = 10.0) -> None:
        """Until a frame whose header satisfies done(header) has been recorded."""
        with self._arrived:
            assert self._arrived.wait_for(lambda: any(done(h) for h, _ in self.frames), timeout), "no such frame"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.page.close()


def test_moving_eta_while_playing_changes_the_next_update(open_page, live):
    config = dict(dataset="gauss", n_points=100, sizes=[3], optimizer="sgd", lr=0.05, batch_size=None)
    page = open_page("#dataset=gauss&n_points=100&sizes=3&optimizer=sgd&lr=0.05&batch_size=all&speed=8")
    recorder = FrameRecorder(live, page.evaluate("() => window.backpropLab.session"))
    try:
        page.click("#play")
        page.wait_for_function("() => window.backpropLab.frame.header.step >= 4")
        # A person drags the slider one notch to the right: η from 0.05 to 0.1 (log scale), while it plays.
        page.locator("#lr-slider").fill("-1")
        expect(page.locator("#lr")).to_have_value("0.1")
        page.wait_for_function("() => window.backpropLab.frame.header.hyper.lr === 0.1")
        changed_at = frame_header(page)["step"]
        page.wait_for_function(f"() => window.backpropLab.frame.header.step >= {changed_at + 4}")
        page.click("#play")
        page.wait_for_function("() => !window.backpropLab.frame.header.playing")
        last = frame_header(page)["step"]
        recorder.wait_for(lambda h: h["step"] == last and not h["playing"])
    finally:
        recorder.close()
    screenshot(page, "07_eta_changed_while_playing")

    # Replay every recorded update with the engine: full-batch descent, w(t+1) = w(t) − η ∇E(w(t)).
    trainer = engine_trainer(**config)
    net = trainer.model
    checked = {0.05: 0, 0.1: 0}
    frames = recorder.frames
    for (before, a), (after, b) in zip(frames, frames[1:], strict=False):
        if after["step"] != before["step"] + 1 or before["hyper"]["lr"] != after["hyper"]["lr"]:
            continue
        lr = before["hyper"]["lr"]
        for l in range(net.n_layers):
            net.weights[l][...] = a[f"weights.{l}"]
            net.biases[l][...] = a[f"biases.{l}"]
        grads = net.backward(net.forward(trainer.X_train), trainer.T_train)
        for l in range(net.n_layers):
            np.testing.assert_allclose(b[f"weights.{l}"], a[f"weights.{l}"] - lr * grads.weights[l], rtol=0, atol=1e-15)
            np.testing.assert_allclose(b[f"change_weights.{l}"], -lr * grads.weights[l], rtol=0, atol=1e-15)
        checked[lr] += 1
    assert checked[0.05] >= 2 and checked[0.1] >= 2, checked
    # The first update after the page's change already used the new η.
    first_new = next(h for h, _ in frames if h["hyper"]["lr"] == 0.1)
    assert first_new["step"] <= changed_at


def test_phase_stepping_colours_delta_layer_by_layer(open_page):
    page = open_page("#dataset=circle&sizes=3,2&optimizer=sgd&lr=0.1&batch_size=10&seed=5")
    trainer = engine_trainer("circle", [3, 2], optimizer="sgd", lr=0.1, batch_size=10, seed=5)

    def classes(layer: int) -> list[str]:
        return page.locator(f'#network-view circle.bl-node[data-layer="{layer}"]').evaluate_all(
            "(els) => els.map((el) => el.getAttribute('class'))")

    def fills(layer: int) -> list[str]:
        return page.locator(f'#network-view circle.bl-node[data-layer="{layer}"]').evaluate_all(
            "(els) => els.map((el) => el.getAttribute('fill'))")

    idle_output_fill = fills(3)
    expected = [
        ("forward", None, "forward"),
        ("backward", 2, "δ layer 3 (output)"),
        ("backward", 1, "δ layer 2"),
        ("backward", 0, "δ layer 1"),
        ("update", None, "update"),
    ]
    for n, (kind, layer, label) in enumerate(expected, start=1):
        page.click("#phase")
        at = "null" if layer is None else layer
        page.wait_for_function(f"() => window.backpropLab.frame.header.phase.kind === '{kind}'"
                               f" && window.backpropLab.frame.header.phase.layer === {at}")
        phase = trainer.next_phase()
        assert (phase.kind, phase.layer) == (kind, layer)
        expect(page.locator("#phase-indicator li.current")).to_have_text(label)
        # Neuron layer l + 1 shows δ once the backward pass has reached weight layer l.
        reached = [] if kind != "backward" else [l + 1 for l in range(layer, 3)]
        for neuron_layer in (1, 2, 3):
            want = "is-delta" if neuron_layer in reached else ("is-pending" if kind == "backward" else None)
            for cls in classes(neuron_layer):
                if want:
                    assert want in cls, (n, neuron_layer, cls)
                else:
                    assert "is-delta" not in cls and "is-pending" not in cls, (n, neuron_layer, cls)
        # The δ shown are the engine's: the batch means of this phase.
        drawn = drawn_arrays(page, "delta")
        for l in range(3):
            if phase.delta[l] is None:
                assert drawn[l] is None
            else:
                np.testing.assert_allclose(drawn[l], phase.delta[l].mean(axis=0), rtol=1e-15, atol=0)
        if kind == "backward" and layer == 2:
            assert fills(3) != idle_output_fill, "the output neuron is recoloured by δ"
        screenshot(page, f"08_phase_{n}_{kind}{'' if layer is None else layer}")
    wait_for_step(page, 1)
    assert drawn_arrays(page, "weights") == [w.ravel().tolist() for w in trainer.model.weights]


def test_choosing_two_connections_draws_the_surface_with_its_path(open_page):
    page = open_page("#dataset=gauss&sizes=3&optimizer=sgd&lr=0.3&batch_size=all&speed=30")
    page.click("#surface-kind input[value=weights]")  # then clicks on connections pick the axes
    expect(page.locator("#surface-hint")).to_contain_text("0 of 2")
    click_param(page, "w:0:0:1")
    expect(page.locator("#surface-hint")).to_contain_text("1 of 2")
    click_param(page, "w:1:2:0")
    expect(page.locator('input[name="surface"][value="weights"]')).to_be_checked()
    page.wait_for_function("() => window.backpropLab.surface && window.backpropLab.surface.header.kind === 'weights'")
    expect(page.locator("#network-view .bl-badge")).to_have_count(2)
    axes = page.locator("#surface-view .bl-surface-axes").inner_text()
    assert "w from x₁ to h₂" in axes and "w from h₃ to ŷ" in axes, axes
    assert "surface_params=w0.0.1,w1.2.0" in page.evaluate("() => location.hash")
    page.click("#play")
    page.wait_for_function("() => window.backpropLab.frame.header.step >= 40", timeout=20_000)
    page.click("#play")
    page.wait_for_function("() => !window.backpropLab.frame.header.playing")
    # The server recomputes the slice as the weights move; its path holds the iterates so far.
    page.wait_for_function("() => window.backpropLab.surface.header.step >= 20", timeout=10_000)
    surface = page.evaluate("""() => { const s = window.backpropLab.surface;
        return {path: s.arrays.path.length, point: Array.from(window.backpropLab.frame.arrays.surface_point || []),
                descent: Array.from(window.backpropLab.frame.arrays.surface_descent || [])}; }""")
    assert surface["path"] >= 2 * 10, surface
    assert len(surface["point"]) == 2 and len(surface["descent"]) == 2
    # The current point on the slice is the two chosen weights themselves.
    weights = drawn_arrays(page, "weights")
    assert surface["point"] == [weights[0][1], weights[1][2]]
    assert painted_share(page, "#surface-view canvas") > 0.5
    screenshot(page, "09_surface_two_weights")


def test_the_worked_example_shows_the_textbook_numbers_after_one_step(open_page):
    page = open_page()
    page.click("#presets button[data-preset=worked_222]")
    page.wait_for_function("() => window.backpropLab.config.preset === 'worked_222'"
                           " && window.backpropLab.frame.header.sizes.join() === '2,2,2'")
    expect(page.locator("#presets button[data-preset=worked_222]")).to_have_attribute("aria-pressed", "true")
    assert round(frame_header(page)["train_loss"], 9) == 0.298371109
    page.click("#step")
    wait_for_step(page, 1)
    # w5 (hidden 1 → output 1) and w1 (input 1 → hidden 1), to the digits the textbook prints.
    assert round(float(hover_param(page, "w:1:0:0")["w after"]), 8) == 0.35891648
    assert round(float(hover_param(page, "w:0:0:0")["w after"]), 9) == 0.149780716
    assert round(frame_header(page)["train_loss"], 10) == 0.2910277737
    assert "preset=worked_222" in page.evaluate("() => location.hash")
    screenshot(page, "13_worked_example_222")


def test_the_gradient_check_reports_agreement_in_words(open_page):
    page = open_page("#dataset=circle&sizes=4&activations=tanh")
    page.click("#gradcheck")
    result = page.locator("#gradcheck-result")
    expect(result).to_contain_text("Backprop agrees with finite differences", timeout=15_000)
    expect(result).to_have_class("result good")
    assert "parameters" in result.inner_text()


def test_one_example_can_be_chosen_for_the_numbers_shown(open_page):
    page = open_page("#dataset=gauss&sizes=3&batch_size=all&optimizer=sgd&lr=0.1")
    trainer = engine_trainer("gauss", [3], batch_size=None, optimizer="sgd", lr=0.1)
    page.select_option("#example", "pick")
    page.fill("#example-index", "7")
    page.locator("#example-index").dispatch_event("change")
    page.wait_for_function("() => window.backpropLab.frame.header.selection === 7")
    trace, grads = trainer.example(7)
    assert drawn_arrays(page, "o")[1] == trace.o[1][0].tolist()
    np.testing.assert_allclose(drawn_arrays(page, "delta")[0], grads.delta[0][0], rtol=1e-15, atol=0)
    page.select_option("#example", "")
    page.wait_for_function("() => window.backpropLab.frame.header.selection === null")


def test_the_curve_example_descends_from_x_4_as_the_notes_compute(open_page):
    page = open_page("#preset=curve&surface=curve")
    page.wait_for_function("() => window.backpropLab.surface && window.backpropLab.surface.header.kind === 'curve'")
    expect(page.locator('input[name="surface"][value="curve"]')).to_be_checked()
    expect(page.locator('input[name="surface"][value="weights"]')).to_be_hidden()
    expect(page.locator("#map-note")).to_contain_text("no 2-D input plane")
    assert drawn_arrays(page, "weights") == [[4.0]]
    page.click("#step")
    wait_for_step(page, 1)
    x1 = drawn_arrays(page, "weights")[0][0]
    assert x1 == 4.0 - 0.001 * (4 * 4.0**3 - 9 * 4.0**2) and round(x1, 12) == 3.888
    page.click("#step")
    wait_for_step(page, 2)
    x2 = drawn_arrays(page, "weights")[0][0]
    assert x2 == x1 - 0.001 * (4 * x1**3 - 9 * x1**2) and round(x2, 2) == 3.79
    point = page.evaluate("() => Array.from(window.backpropLab.frame.arrays.surface_point)")
    assert point == [x2]
    screenshot(page, "16_curve_example")


def test_a_worked_example_offers_batch_sizes_for_its_own_cases(open_page):
    page = open_page("#preset=worked_222")
    page.wait_for_function("() => window.backpropLab.data && window.backpropLab.data.preset === 'worked_222'")
    expect(page.locator("#batch-size option[value=all]")).to_have_text("all (full batch)")
