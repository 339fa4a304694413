"""The optimizer race on the page: set up from the form, played, every curve on one chart and every path on one
plane in its own colour, the focus switched by key and by click, exact numbers on hover, and a viewer sees it."""

from __future__ import annotations

from browserkit import SCREENSHOTS, painted_share, screenshot
from playwright.sync_api import expect

RACING = "() => { const r = window.backpropLab.race; return r && r.active"


def wait_race(page, condition: str = "true", timeout: float = 60_000) -> dict:
    page.wait_for_function(f"{RACING} && ({condition}); }}", timeout=timeout)
    return page.evaluate("() => ({...window.backpropLab.race})")


def test_a_race_of_three_shows_every_curve_and_path_and_follows_the_focus(open_page):
    page = open_page()
    page.click("#race-add")  # gradient descent and momentum are there; Adam joins
    expect(page.locator("#race-rows .race-row")).to_have_count(3)
    page.click("#race-start")
    wait_race(page)
    expect(page.locator("#race-panel")).to_be_visible()
    expect(page.locator(".panel-loss")).to_be_hidden()  # the race's chart takes its place
    expect(page.locator("#race-legend .race-contestant")).to_have_count(3)
    expect(page.locator("#race-legend .race-contestant").nth(2)).to_contain_text("Adam η=0.01")
    page.select_option("#speed", "100")
    page.click("#play")
    race = wait_race(page, "r.step >= 40 && r.surface && r.curves.length === 3 && r.curves.every((n) => n >= 20)"
                           " && r.paths.every((n) => n >= 20)")
    page.click("#play")  # pause
    page.wait_for_function("() => !window.backpropLab.frame.header.playing")
    assert race["names"] == ["gradient descent η=0.1", "momentum η=0.03 α=0.9", "Adam η=0.01 β₁=0.9"]
    assert painted_share(page, "#race-chart canvas") > 0.02  # lines and axes on a transparent canvas
    assert painted_share(page, "#race-surface canvas") > 0.5  # the heat map fills its box
    # Keys 1-4 choose the contestant the network and the map show.
    page.locator("#race-title").click()
    page.keyboard.press("3")
    page.wait_for_function("() => window.backpropLab.frame.header.optimizer === 'adam'"
                           " && window.backpropLab.frame.header.race.focus === 2")
    expect(page.locator("#race-legend .race-contestant").nth(2)).to_have_attribute("aria-pressed", "true")
    page.locator("#race-legend .race-contestant").nth(1).click()
    page.wait_for_function("() => window.backpropLab.frame.header.race.focus === 1")
    # Hover over the chart: each contestant's exact loss at that update.
    chart = page.locator("#race-chart canvas")
    box = chart.bounding_box()
    chart.hover(position={"x": box["width"] * 0.6, "y": box["height"] / 2})
    readout = page.locator("#race-chart .bl-race-readout")
    expect(readout).not_to_contain_text("latest")
    for name in race["names"]:
        expect(readout).to_contain_text(name)
    page.evaluate("() => window.scrollTo(0, 0)")
    screenshot(page, "90_race_three_contestants")
    page.locator("#race-panel").screenshot(path=str(SCREENSHOTS / "91_race_panel.png"))


def test_a_race_is_refused_in_plain_words_next_to_its_form_and_a_viewer_sees_it(open_page):
    page = open_page()
    page.fill("#race-rows .race-row:nth-child(2) input[aria-label*='learning rate']", "-1")
    page.locator("#race-rows .race-row:nth-child(2) input[aria-label*='learning rate']").dispatch_event("change")
    page.click("#race-start")
    error = page.locator("#race-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Contestant 2: ")
    page.fill("#race-rows .race-row:nth-child(2) input[aria-label*='learning rate']", "0.05")
    page.locator("#race-rows .race-row:nth-child(2) input[aria-label*='learning rate']").dispatch_event("change")
    page.click("#race-start")
    wait_race(page)
    expect(error).to_be_hidden()
    page.click("#step")
    session = page.evaluate("() => window.backpropLab.session")
    viewer = open_page(f"#session={session}")
    race = wait_race(viewer, "r.step === 1 && r.paths.length === 2")
    assert race["names"] == ["gradient descent η=0.1", "momentum η=0.05 α=0.9"]
    expect(viewer.locator("#race-legend .race-contestant").first).to_be_disabled()  # the focus is the presenter's
    page.click("#race-stop")
    viewer.wait_for_function("() => !window.backpropLab.race.active")
    expect(viewer.locator("#race-panel")).to_be_hidden()
    expect(page.locator(".panel-loss")).to_be_visible()
