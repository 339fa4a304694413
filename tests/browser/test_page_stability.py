"""The stability hint and the schedule on the page: marks on the η slider where the server's limits are, the
η in force following a schedule, and a diverged run's message naming the limit it crossed."""

from __future__ import annotations

import re

from browserkit import frame_header, screenshot
from playwright.sync_api import expect

LINK = "#dataset=circle&n_points=200&sizes=6,6&activations=tanh&loss=mse&optimizer=momentum&lr=0.03" \
       "&momentum=0.9&batch_size=20&seed=2&data_seed=2"


def wait_for_measurement(page, step: int = 0) -> dict:
    page.wait_for_function(
        f"() => window.backpropLab.frame?.header.stability?.curvature?.step === {step}"
        " && !window.backpropLab.frame.header.stability.measuring", timeout=30_000)
    return frame_header(page)["stability"]


def slider_x(page, eta: float) -> float:
    """Where the slider's thumb would be for η (its value is log10 η), in page pixels."""
    return page.evaluate("""(eta) => {
      const s = document.getElementById('lr-slider'), r = s.getBoundingClientRect();
      const thumb = 16, at = (Math.log10(eta) - Number(s.min)) / (Number(s.max) - Number(s.min));
      return r.left + thumb / 2 + at * (r.width - thumb);
    }""", eta)


def test_the_limits_are_marked_on_the_eta_slider_and_said_in_words(open_page):
    page = open_page(LINK)
    stability = wait_for_measurement(page)
    gd, heavy = stability["limits"]
    marks = page.locator("#lr-marks .lr-mark")
    expect(marks).to_have_count(2)
    in_force = page.locator('#lr-marks .lr-mark[data-rule="heavy_ball"]')
    expect(in_force).to_have_class(re.compile(r"\bin-force\b"))
    box = in_force.bounding_box()
    # The mark stands where the thumb would be at η = 2(1 + α)/λmax (within a few pixels of the thumb's own
    # inset, which the page approximates).
    assert abs(box["x"] + box["width"] / 2 - slider_x(page, heavy["eta_max"])) < 6
    expect(page.locator("#stability-line")).to_contain_text("η in force 0.03 is below the limit of momentum")
    title = page.locator("#stability-line").get_attribute("title")
    assert "η < 2/λ" in title and "η < 2(1 + α)/λ" in title and "λmax = " in title
    expect(page.locator("#eta-in-force")).to_have_text("η in force: 0.03 (constant)")
    page.locator("#lr-slider").scroll_into_view_if_needed()
    screenshot(page, "60_stability_marks_on_the_eta_slider", full_page=False)
    page.locator("#group-learning").screenshot(path=str(screenshot(page, "61_learning_group", full_page=False)))
    assert gd["eta_max"] < heavy["eta_max"]


def test_a_schedule_change_shows_the_eta_in_force(open_page):
    page = open_page(LINK)
    wait_for_measurement(page)
    page.select_option("#schedule-kind", "step")
    expect(page.locator("#schedule-step_size")).to_be_visible()
    page.fill("#schedule-step_size", "2")
    page.locator("#schedule-step_size").dispatch_event("change")
    page.fill("#schedule-gamma", "0.5")
    page.locator("#schedule-gamma").dispatch_event("change")
    page.wait_for_function("() => window.backpropLab.frame.header.stability.schedule.step_size === 2"
                           " && window.backpropLab.frame.header.stability.schedule.gamma === 0.5")
    for k in range(1, 5):
        page.click("#step")
        page.wait_for_function(f"() => window.backpropLab.frame.header.step === {k}")
    expect(page.locator("#eta-in-force")).to_have_text(
        "η in force for the next update: 0.0075 (η × 0.5 every 2 updates; η set 0.03)")
    assert frame_header(page)["stability"]["eta"] == 0.0075
    expect(page.locator("#lr-marks .lr-eta")).to_have_count(1)  # where the schedule has η now
    page.locator("#group-learning").screenshot(path=str(screenshot(page, "62_step_decay_eta_in_force",
                                                                   full_page=False)))
    page.select_option("#schedule-kind", "cosine")
    page.wait_for_function("() => window.backpropLab.frame.header.stability.schedule.kind === 'cosine'")
    expect(page.locator("#schedule-period")).to_be_visible()
    expect(page.locator("#schedule-step_size")).to_be_hidden()
    page.fill("#schedule-min_factor", "2")
    page.locator("#schedule-min_factor").dispatch_event("change")
    expect(page.locator('[data-error-for="schedule"]')).to_contain_text("less than or equal to 1")


def test_a_diverged_run_says_which_limit_the_eta_in_force_crossed(open_page):
    page = open_page(LINK.replace("activations=tanh", "activations=linear").replace("optimizer=momentum",
                                                                                  "optimizer=sgd"))
    stability = wait_for_measurement(page)
    limit = stability["limits"][0]["eta_max"]
    page.fill("#lr", f"{min(100.0, 6 * limit):.4g}")
    page.locator("#lr").dispatch_event("change")
    page.wait_for_function("() => window.backpropLab.frame.header.stability.above === true")
    expect(page.locator("#stability-line")).to_have_attribute("data-above", "true")
    page.click("#play")
    page.wait_for_function("() => window.backpropLab.frame.header.diverged !== null", timeout=30_000)
    status = page.locator("#status-text")
    expect(status).to_contain_text("Training diverged")
    expect(status).to_contain_text("was above the stability limit of plain gradient descent, η < 2/λmax")
    screenshot(page, "63_diverged_names_the_limit", full_page=False)


def test_a_worked_example_keeps_a_constant_eta(open_page):
    page = open_page("#preset=curve")
    page.wait_for_function("() => window.backpropLab.frame?.header.stability?.curvature?.lambda_max === 120")
    expect(page.locator("#schedule-kind")).to_be_disabled()
    expect(page.locator("#schedule-note")).to_be_visible()
    expect(page.locator("#stability-line")).to_contain_text("λmax = 120")
