"""Your own data in Chromium: points drawn, dragged and removed on the decision map with the mouse and by
keyboard, a viewer seeing them, a CSV loaded through the file chooser (and a bad one refused in plain words),
and the session file saved and opened again."""

from __future__ import annotations

from pathlib import Path

from browserkit import frame_header, screenshot, wait_for_step
from playwright.sync_api import Page, expect

CSV = "x1,x2,class\n" + "".join(f"{(k % 7) / 7 - 0.4:.3f},{(k % 5) / 5 - 0.4:.3f},{k % 3}\n" for k in range(60))


def n_train(page: Page) -> int:
    return page.evaluate("() => window.backpropLab.data.n_train")


def train_points(page: Page) -> list[list[float]]:
    return page.evaluate("() => window.backpropLab.data.train.x")


def pixel(page: Page, a: float, b: float) -> tuple[float, float]:
    return tuple(page.evaluate("([a, b]) => window.backpropLab.own.pixelOf(a, b)", [a, b]))


def test_points_are_drawn_moved_and_removed_with_the_mouse_and_a_viewer_sees_them(open_page):
    presenter = open_page("#dataset=gauss&n_points=40&sizes=4&batch_size=5")
    session = presenter.evaluate("() => window.backpropLab.session")
    viewer = open_page(f"#session={session}")
    n = n_train(presenter)
    presenter.check("input[name='draw-class'][value='1']")
    presenter.mouse.click(*pixel(presenter, 0.5, -0.5))
    presenter.wait_for_function(f"() => window.backpropLab.data.n_train === {n + 1}")
    added = train_points(presenter)[-1]
    assert abs(added[0] - 0.5) < 0.02 and abs(added[1] + 0.5) < 0.02, added
    assert presenter.evaluate("() => window.backpropLab.data.train.y.at(-1)") == 1
    expect(presenter.locator("#dataset")).to_have_value("own")
    viewer.wait_for_function(f"() => window.backpropLab.data.n_train === {n + 1}")
    assert train_points(viewer)[-1] == added

    # Drag it to the other side; the map redraws it where the server put it.
    presenter.mouse.move(*pixel(presenter, *added))
    presenter.mouse.down()
    for k in range(1, 6):
        presenter.mouse.move(*pixel(presenter, added[0] - k * 0.2, added[1]))
    presenter.mouse.up()
    presenter.wait_for_function("() => window.backpropLab.data.train.x.at(-1)[0] < 0")
    moved = train_points(presenter)[-1]
    assert abs(moved[0] + 0.5) < 0.02 and abs(moved[1] - added[1]) < 0.02, moved
    presenter.click("#step")
    wait_for_step(presenter, 1)
    screenshot(presenter, "60_own_data_drawn")

    # Right-click removes it; the viewer's map loses it too.
    presenter.mouse.click(*pixel(presenter, *moved), button="right")
    presenter.wait_for_function(f"() => window.backpropLab.data.n_train === {n}")
    viewer.wait_for_function(f"() => window.backpropLab.data.n_train === {n}")
    assert moved not in train_points(viewer)
    assert frame_header(presenter)["step"] == 1, "the weights and the update count stay"

    # A viewer's clicks change nothing.
    viewer.mouse.click(*pixel(viewer, 0.1, 0.1))
    viewer.mouse.click(*pixel(viewer, 0.2, 0.2))
    presenter.click("#step")
    wait_for_step(viewer, 2)
    assert n_train(viewer) == n


def test_the_map_takes_the_keyboard(open_page):
    page = open_page("#dataset=gauss&n_points=40&sizes=4")
    n = n_train(page)
    page.locator("#map-view canvas").focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => window.backpropLab.data.n_train === {n + 1}")
    assert frame_header(page)["step"] == 0, "Enter on the map adds a point; it is no shortcut there"
    x = train_points(page)[-1]
    page.keyboard.press("m")
    page.keyboard.press("Shift+ArrowUp")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => window.backpropLab.data.train.x.at(-1)[1] > {x[1]}")
    screenshot(page, "61_own_data_keyboard", full_page=False)
    page.keyboard.press("Delete")
    page.wait_for_function(f"() => window.backpropLab.data.n_train === {n}")


def test_a_csv_loads_through_the_file_chooser_and_a_bad_one_is_refused_in_plain_words(open_page, tmp_path):
    page = open_page("#dataset=circle&sizes=5")
    good = tmp_path / "three-classes.csv"
    good.write_text(CSV)
    with page.expect_file_chooser() as chooser:
        page.click("#load-csv")
    chooser.value.set_files(str(good))
    page.wait_for_function("() => window.backpropLab.data.dataset === 'own' && window.backpropLab.data.classes === 3")
    expect(page.locator("#own-data-said")).to_contain_text("30 training and 30 test points (3 classes)")
    expect(page.locator("#loss")).to_have_value("softmax_ce")
    expect(page.locator("input[name='draw-class']")).to_have_count(3)
    page.wait_for_function("() => window.backpropLab.frame.header.step === 0")
    screenshot(page, "62_own_data_csv_loaded")

    open_page.expect_console("status of 422")  # the browser logs the refused upload's HTTP status
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,class\n0.1,0.2,1\n0.3,oops,0\n")
    with page.expect_file_chooser() as chooser:
        page.click("#load-csv")
    chooser.value.set_files(str(bad))
    page.wait_for_function("() => window.backpropLab.own.lastError !== null")
    expect(page.locator("#status-text")).to_contain_text(
        "The file was refused. Line 3, column 2 (x2): 'oops' is not a number.")
    assert page.evaluate("() => window.backpropLab.data.n_train") == 30, "the refused file changed nothing"
    screenshot(page, "63_own_data_csv_refused")


def test_a_saved_session_file_opens_again_at_the_same_update(open_page, tmp_path):
    page = open_page("#dataset=xor&n_points=40&sizes=3&batch_size=4")
    page.mouse.click(*pixel(page, 0.3, 0.3))
    page.wait_for_function("() => window.backpropLab.data.dataset === 'own'")
    for step in (1, 2, 3):
        page.click("#step")
        wait_for_step(page, step)
    weights = page.evaluate("() => window.backpropLab.network.weights.map((a) => Array.from(a))")
    with page.expect_download() as download:
        page.click("#save-session")
    saved = Path(tmp_path / "session.json")
    download.value.save_as(saved)
    page.click("#reset")
    wait_for_step(page, 0)
    with page.expect_file_chooser() as chooser:
        page.click("#open-session")
    chooser.value.set_files(str(saved))
    page.wait_for_function("() => window.backpropLab.own.opened === 1")
    wait_for_step(page, 3)
    page.wait_for_function("() => window.backpropLab.network && window.backpropLab.frame.header.step === 3")
    assert page.evaluate("() => window.backpropLab.network.weights.map((a) => Array.from(a))") == weights
    expect(page.locator("#own-data-said")).to_contain_text("opened at update 3")
    screenshot(page, "64_session_file_opened")
