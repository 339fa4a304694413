"""Drawing while training runs: the loss surface's picture is painted once per surface, not once per frame,
and the path and the current point still move over it every frame (an SVG over the canvas); what a person reads
(counters, losses, the loss curve) changes at most ten times a second while the network moves every frame. A page
with nothing new to draw asks for no animation frames at all."""

from __future__ import annotations

from browserkit import painted_share, screenshot


def test_the_surface_picture_is_painted_once_per_surface_while_the_point_moves_every_frame(open_page):
    page = open_page("#dataset=circle&sizes=6&surface=random")
    page.click("#play")
    # Training at full speed refreshes the slice about once a second; frames come at the display's rate.
    page.wait_for_function("() => window.backpropLab.surfaceStats.draws >= 60 "
                           "&& window.backpropLab.connection.received.surface >= 2", timeout=30_000)
    page.click("#play")
    page.wait_for_function("() => !window.backpropLab.frame.header.playing")
    stats = page.evaluate("""() => ({...window.backpropLab.surfaceStats,
                                     surfaces: window.backpropLab.connection.received.surface})""")
    # One painting per surface received, and one per new size of the panel (the legend's arrival may move it).
    assert 1 <= stats["layerPaints"] - stats["resizes"] <= stats["surfaces"], stats
    assert stats["resizes"] <= 2, stats
    assert stats["draws"] >= 60 and stats["draws"] > 5 * stats["layerPaints"], stats
    # The canvas itself is painted only with the picture: a frame moves the SVG over it.
    assert stats["canvasPaints"] == stats["layerPaints"], stats
    assert painted_share(page, "#surface-view canvas") > 0.5
    # What a frame draws sits on the picture: the path, in pieces of 50 points each joined to the one before,
    # holds at least the server's path, and ends at the current point the last frame carried.
    drawn = page.evaluate("""() => {
      const lines = [...document.querySelectorAll('#surface-view .bl-descent-edge polyline')];
      const points = lines.flatMap((line) => [...line.points].map((p) => [p.x, p.y]));
      const now = document.querySelector('#surface-view .bl-descent-now');
      return {pieces: lines.length, points: points.length, last: points.at(-1),
              now: [now.cx.baseVal.value, now.cy.baseVal.value],
              served: window.backpropLab.surface.arrays.path.length / 2};
    }""")
    iterates = drawn["points"] - (drawn["pieces"] - 1)
    assert iterates >= drawn["served"] and drawn["pieces"] == -(-iterates // 50), drawn
    assert all(abs(a - b) <= 0.05 for a, b in zip(drawn["last"], drawn["now"], strict=True)), drawn
    screenshot(page, "20_surface_layer_random_plane")


def test_playing_the_network_moves_every_frame_and_the_readings_ten_times_a_second(open_page):
    page = open_page("#dataset=circle&sizes=6")
    page.click("#play")
    page.wait_for_function("() => window.backpropLab.frame.header.playing "
                           "&& window.backpropLab.frame.header.step > 100")
    # Over two seconds of animation frames: which update the network drew, and which the readings showed.
    seen = page.evaluate("""() => new Promise((done) => {
      const lab = window.backpropLab, start = performance.now(), read = new Set(), texts = new Set();
      let ticks = 0, alone = 0, last = null;
      (function tick() {
        ticks++;
        const now = {drawn: lab.frame.header.step, read: lab.readingsStep};
        if (last && now.drawn !== last.drawn && now.read === last.read) alone++;  // moved, readings kept
        last = now;
        read.add(now.read);
        texts.add(document.getElementById('readout-step').textContent);
        if (performance.now() - start < 2000) requestAnimationFrame(tick);
        else done({ticks, alone, read: read.size, texts: texts.size, seconds: (performance.now() - start) / 1000});
      })();
    })""")
    # At most ten a second (one more for a window that starts just before a change), and they keep up: a
    # quarter of that at least, or of the animation frames on a browser slower than ten a second.
    assert min(seen["ticks"], 10 * seen["seconds"]) / 4 <= seen["read"] <= 10 * seen["seconds"] + 1, seen
    assert seen["texts"] == seen["read"], seen  # the step's counter is one of those readings
    # The network moves in the frames between: most of them, on a browser that draws 15 or more a second (a
    # slower one has few frames between two tenths of a second).
    if seen["ticks"] >= 15 * seen["seconds"]:
        assert seen["alone"] >= seen["ticks"] / 3, seen
    screenshot(page, "21_readings_while_playing")
    page.click("#play")
    page.wait_for_function("() => !window.backpropLab.frame.header.playing")
    # Paused, the readings are the last frame's, at once and with every digit.
    shown = page.evaluate("""() => ({step: window.backpropLab.frame.header.step, read: window.backpropLab.readingsStep,
      text: document.getElementById('readout-step').textContent.replace(/\\D/g, '')})""")
    assert shown["read"] == shown["step"] and int(shown["text"]) == shown["step"], shown


def test_a_page_with_nothing_new_asks_for_no_animation_frames_and_draws_a_step_at_once(open_page):
    page = open_page("#dataset=circle&sizes=6")
    count = "() => window.backpropLab.animationFrames"
    # Settled: the first frame, map and loss drawn; nothing arrives while paused but the odd status.
    page.wait_for_function("() => window.backpropLab.readingsStep === window.backpropLab.frame.header.step")
    page.wait_for_timeout(500)
    before = page.evaluate(count)
    page.wait_for_timeout(1500)  # an absence is seen only over time: a page asking for every frame ran ~90
    idle = page.evaluate(count) - before
    assert idle <= 3, f"{idle} animation frames in 1.5 s with nothing new to draw"
    step = page.evaluate("() => window.backpropLab.frame.header.step")
    page.click("#step")
    # The update's frame is drawn and read at once, though no animation frame was pending when it arrived.
    page.wait_for_function(f"() => window.backpropLab.frame.header.step === {step + 1} "
                           f"&& window.backpropLab.readingsStep === {step + 1}")
    shown = page.evaluate("() => document.getElementById('readout-step').textContent.replace(/\\D/g, '')")
    assert int(shown) == step + 1
    assert page.evaluate(count) > before + idle
    screenshot(page, "22_idle_then_one_step")


HIDE = """(hidden) => {
  // Chromium headless keeps every page shown; this is what it tells a page whose tab goes to the background.
  Object.defineProperty(document, 'hidden', {value: hidden, configurable: true});
  Object.defineProperty(document, 'visibilityState', {value: hidden ? 'hidden' : 'visible', configurable: true});
  document.dispatchEvent(new Event('visibilitychange'));
}"""
FRAMES = "() => window.backpropLab.connection.received.frame"


def test_a_hidden_page_is_sent_no_frames_even_after_reconnecting_and_shows_the_newest_when_shown(open_page):
    sockets = []

    def through(route):
        sockets.append(route)
        route.connect_to_server()

    page = open_page("#dataset=circle&sizes=6", before=lambda p: p.route_web_socket("**/ws/*", through))
    page.click("#play")
    page.wait_for_function("() => window.backpropLab.frame.header.playing && window.backpropLab.frame.header.step > 50")
    page.evaluate(HIDE, True)
    page.wait_for_timeout(300)  # the frames already on their way
    before = page.evaluate(FRAMES)
    page.wait_for_timeout(1000)
    assert page.evaluate(FRAMES) == before, "a hidden page is sent no frames"
    # A new connection starts as shown: the page says again that it is hidden.
    opened = page.evaluate("() => window.backpropLab.connection.transitions.length")
    sockets[-1].close(code=1012, reason="server restarting")
    page.wait_for_function("(n) => window.backpropLab.connection.transitions.slice(n).some((t) => t.state === 'open')",
                           arg=opened, timeout=10_000)
    page.wait_for_timeout(300)  # the welcome's own first frame, sent before the page could say it
    before = page.evaluate(FRAMES)
    page.wait_for_timeout(1000)
    assert page.evaluate(FRAMES) <= before + 1, "still hidden after reconnecting"
    step = page.evaluate("() => window.backpropLab.frame.header.step")
    page.evaluate(HIDE, False)
    # Shown: the newest frame at once, drawn; the session trained on meanwhile.
    page.wait_for_function(f"() => window.backpropLab.frame.header.step > {step + 100} "
                           f"&& window.backpropLab.readingsStep > {step + 100}", timeout=10_000)
    screenshot(page, "23_shown_again")
    page.click("#play")
