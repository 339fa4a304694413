"""Drawing while training runs: the loss surface's picture is painted once per surface, not once per frame,
and the path and the current point still move over it every frame (an SVG over the canvas)."""

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
