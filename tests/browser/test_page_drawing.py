"""Drawing while training runs: the loss surface's picture is painted once per surface, not once per frame,
and the path and the current point still move on it every frame."""

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
    # What a frame draws sits on the picture: the path ends at the current point the last frame carried.
    assert painted_share(page, "#surface-view canvas") > 0.5
    screenshot(page, "20_surface_layer_random_plane")
