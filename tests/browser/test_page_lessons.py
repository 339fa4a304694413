"""Lessons and the class poll on the page: each shipped lesson played to its end in Chromium, predictions
answered right and wrong, a poll with a presenter and several viewer pages; the numbers come from the server."""

from __future__ import annotations

import re

import pytest
from browserkit import SCREENSHOTS, frame_header, screenshot, wait_for_app, wait_for_step
from playwright.sync_api import Page, expect

from engine import Trainer, make_preset
from engine.predict import answer


def worked_222() -> Trainer:
    preset = make_preset("worked_222")
    return Trainer(preset.model, preset.optimizer, preset.data, batch_size=preset.batch_size)


def lesson_ready(page: Page, step: int) -> None:
    """Until the lesson has opened step ``step`` (0-based) and the server took every message it sent."""
    page.wait_for_function(f"() => window.backpropLab.lesson.step === {step} && !window.backpropLab.lesson.busy")


def question_open(page: Page) -> dict:
    page.wait_for_function("() => window.backpropLab.poll.question !== null")
    return page.evaluate("() => window.backpropLab.poll.question")


def revealed(page: Page) -> dict:
    page.wait_for_function("() => window.backpropLab.poll.reveal !== null")
    return page.evaluate("() => window.backpropLab.poll.reveal")


def start(page: Page, name: str) -> None:
    page.locator(f'button[data-lesson="{name}"]').click()
    lesson_ready(page, 0)


def next_step(page: Page, k: int) -> None:
    page.locator("#lesson-next").click()
    lesson_ready(page, k)


def type_number(page: Page, value: float) -> None:
    page.locator("#poll-number").fill(repr(value))
    page.locator("#poll-form button[type=submit]").click()
    page.wait_for_function("() => window.backpropLab.poll.answered !== null")


def test_one_update_by_hand_to_its_end_with_right_and_wrong_answers(open_page):
    page = open_page()
    page.wait_for_selector('button[data-lesson="one-update-by-hand"]')
    start(page, "one-update-by-hand")
    assert frame_header(page)["step"] == 0
    expect(page.locator("#group-data")).to_have_class(re.compile(r"\bquieted\b"))  # not needed: quieted, still there
    expect(page.locator("#group-run")).not_to_have_class(re.compile(r"\bquieted\b"))
    next_step(page, 1)
    page.locator("#lesson-action").click()  # the forward phase
    page.wait_for_function("() => window.backpropLab.frame.header.phase.kind === 'forward'")
    next_step(page, 2)
    truth = answer(worked_222(), "number", ("neuron", 2, 0), "delta")
    assert question_open(page)["name"] == "ŷ₁"
    type_number(page, round(truth, 4))  # right, within 0.0001
    page.locator("#lesson-action").click()
    shown = revealed(page)
    assert shown["truth"] == pytest.approx(truth, rel=1e-12) and shown["right"] is True
    expect(page.locator("#question-panel .yours")).to_contain_text("right")
    screenshot(page, "lesson-delta-output-right")
    next_step(page, 3)
    type_number(page, 0.0365)  # the sum without φ′: wrong
    page.locator("#lesson-action").click()
    shown = revealed(page)
    assert shown["right"] is False
    assert shown["truth"] == pytest.approx(answer(worked_222(), "number", ("neuron", 1, 0), "delta"), rel=1e-12)
    expect(page.locator("#question-panel .yours")).to_contain_text("not this time")
    expect(page.locator("#explain-panel")).to_be_visible()  # the working, beside the answer
    screenshot(page, "lesson-delta-hidden-wrong")
    next_step(page, 4)
    page.locator('#poll-form button[data-choice="-"]').click()
    page.locator("#lesson-action").click()
    assert revealed(page)["truth"] == "-" and revealed(page)["right"] is True
    wait_for_step(page, 1)
    expect(page.locator(".lesson-after")).to_contain_text("0.35891648")
    weights = page.evaluate("() => window.backpropLab.network.weights.map((a) => Array.from(a))")
    assert weights[1][0] == pytest.approx(0.35891648, abs=5e-9)
    next_step(page, 5)
    page.wait_for_function("() => window.backpropLab.frame.header.train_loss !== null")
    assert frame_header(page)["train_loss"] == pytest.approx(0.2910277737, abs=5e-11)
    screenshot(page, "lesson-one-update-end")
    page.locator("#lesson-next").click()  # Finish
    expect(page.locator("#lesson-panel")).to_be_hidden()
    expect(page.locator("#group-data")).not_to_have_class(re.compile(r"\bquieted\b"))


def test_the_learning_rate_lesson_plays_to_its_end_and_diverges_last(open_page):
    page = open_page()
    page.wait_for_selector('button[data-lesson="learning-rate-on-a-curve"]')
    start(page, "learning-rate-on-a-curve")
    next_step(page, 1)
    page.locator('#poll-form button[data-choice="up"]').click()  # wrong: it goes down
    page.locator("#lesson-action").click()
    assert revealed(page)["right"] is False
    page.wait_for_function("() => window.backpropLab.lesson.done", timeout=20_000)
    assert frame_header(page)["step"] == 50
    next_step(page, 2)
    type_number(page, 2.32)
    page.locator("#lesson-action").click()
    assert revealed(page)["right"] is True
    page.wait_for_function("() => window.backpropLab.lesson.done", timeout=20_000)
    assert frame_header(page)["step"] == 15
    next_step(page, 3)
    page.locator('#poll-form button[data-choice="-"]').click()
    page.locator("#lesson-action").click()
    page.wait_for_function("() => window.backpropLab.lesson.done", timeout=20_000)
    assert frame_header(page)["step"] == 8
    next_step(page, 4)
    page.locator('#poll-form button[data-choice="up"]').click()
    page.locator("#lesson-action").click()
    assert revealed(page)["right"] is True
    page.wait_for_function("() => window.backpropLab.lesson.done", timeout=20_000)
    assert frame_header(page)["diverged"]
    expect(page.locator(".lesson-after")).to_contain_text("Diverging")
    screenshot(page, "lesson-learning-rate-diverged")


def test_the_momentum_lesson_plays_to_its_end_and_a_student_comes_back_to_the_same_step(open_page, browser, live):
    page = open_page()
    page.wait_for_selector('button[data-lesson="momentum-in-a-trough"]')
    start(page, "momentum-in-a-trough")
    for k in range(1, 5):
        next_step(page, k)
        if page.locator("#poll-form").count():
            page.locator("#poll-form button").first.click()
        page.locator("#lesson-action").click()
        page.wait_for_function("() => window.backpropLab.lesson.done", timeout=30_000)
    assert frame_header(page)["step"] == 60
    assert frame_header(page)["hyper"]["momentum"] == 0.99
    screenshot(page, "lesson-momentum-overshoot")
    # Leave and come back: the same lesson, the same step, the state of that step replayed.
    page.locator("#lesson-back").click()
    lesson_ready(page, 3)
    page.reload()
    wait_for_app(page)
    lesson_ready(page, 3)
    expect(page.locator("#lesson-panel h3")).to_contain_text("Momentum α = 0.9")
    assert frame_header(page)["hyper"]["momentum"] == 0.9


def test_a_class_poll_with_a_presenter_and_three_viewer_pages(open_page):
    teacher = open_page("#preset=worked_222")
    session = teacher.evaluate("() => window.backpropLab.session")
    students = [open_page(f"#session={session}") for _ in range(3)]
    for student in students:
        expect(student.locator("body")).to_have_attribute("data-role", "viewer")
        expect(student.locator("#group-lessons")).to_be_hidden()
    # The teacher opens the explainer on w5 and asks the class the sign of Δw5.
    teacher.evaluate("() => window.backpropLab.connection.request({type: 'explain', element: "
                     "{kind: 'weight', layer: 1, i: 0, j: 0}})")
    teacher.locator("#group-lessons summary").click()
    teacher.locator("#ask-kind").select_option("sign")
    teacher.locator("#ask-open").click()
    for student, choice in zip(students, ["-", "+", "-"], strict=True):
        assert question_open(student)["kind"] == "sign"
        student.locator(f'#poll-form button[data-choice="{choice}"]').click()
        student.wait_for_function("() => window.backpropLab.poll.answered !== null")
        expect(student.locator("#poll-form")).to_have_count(0)  # one answer per page
    teacher.wait_for_function("() => window.backpropLab.poll.tally && window.backpropLab.poll.tally.count === 3")
    assert teacher.evaluate("() => window.backpropLab.poll.tally.choices") == {"-": 2, "0": 0, "+": 1}
    screenshot(teacher, "poll-teacher-tally")
    teacher.keyboard.press("ArrowRight")  # the step reveals
    for student, right in zip(students, [True, False, True], strict=True):
        shown = revealed(student)
        assert shown["truth"] == "-" and shown["right"] is right
    expect(students[1].locator("#question-panel .yours")).to_contain_text("not this time")
    screenshot(students[1], "poll-student-wrong")
    screenshot(students[0], "poll-student-right")


def surface_shown(page: Page) -> dict:
    """The slice the page drew last: its kind as the server named it, and its first axis's range."""
    return page.evaluate("""() => {
        const s = window.backpropLab.surface;
        return s && {kind: s.header.kind, params: s.header.params, alpha: [s.arrays.alpha[0], s.arrays.alpha.at(-1)],
                     beta: s.arrays.beta.length ? [s.arrays.beta[0], s.arrays.beta.at(-1)] : null,
                     picked: document.querySelector('input[name="surface"]:checked').value};
    }""")


def wait_for_surface(page: Page, condition: str) -> dict:
    page.wait_for_function(f"() => {{ const s = window.backpropLab.surface; return s && ({condition}); }}",
                           timeout=20_000)
    return surface_shown(page)


def test_a_lesson_step_sets_the_surface_it_talks_about(open_page):
    page = open_page()
    page.wait_for_selector('button[data-lesson="learning-rate-on-a-curve"]')
    start(page, "learning-rate-on-a-curve")
    shown = wait_for_surface(page, "s.header.kind === 'curve' && s.arrays.alpha[0] === 0.5")
    assert shown["alpha"] == [0.5, 4.25] and shown["picked"] == "curve"
    # The student picks another slice; the oscillating step's own (wider, to show the landing at −2.27) replaces it.
    page.locator('#surface-kind input[value="none"]').check()
    page.wait_for_function("() => window.backpropLab.surface === null")
    for k in (1, 2, 3):
        next_step(page, k)
    shown = wait_for_surface(page, "s.arrays.alpha[0] === -2.6")
    assert shown["alpha"] == [-2.6, 4.25] and shown["kind"] == "curve" and shown["picked"] == "curve"
    screenshot(page, "lesson-surface-oscillating-wide")
    # Back to a step whose setup opens the worked example's own slice.
    page.locator("#lesson-back").click()
    lesson_ready(page, 2)
    assert wait_for_surface(page, "s.arrays.alpha[0] === 0.5")["alpha"] == [0.5, 4.25]


def test_the_momentum_lesson_shows_the_trough_over_w1_and_w2(open_page):
    page = open_page()
    page.wait_for_selector('button[data-lesson="momentum-in-a-trough"]')
    start(page, "momentum-in-a-trough")
    shown = wait_for_surface(page, "s.header.kind === 'weights'")
    assert shown["picked"] == "weights"
    w1, w2 = ({"kind": "weight", "layer": 0, "i": i, "j": 0} for i in (0, 1))
    assert shown["params"] == [w1, w2]
    assert shown["alpha"] == [-0.5, 2.5] and shown["beta"] == [-2.0, 1.5]
    screenshot(page, "lesson-surface-trough")


def math_layout(page: Page) -> dict:
    """The first fraction of the lesson panel's maths as laid out: numerator and denominator boxes, the <math> box."""
    return page.evaluate("""() => {
        const box = (el) => {
            const r = el.getBoundingClientRect();
            return {top: r.top, bottom: r.bottom, width: r.width, height: r.height};
        };
        const math = document.querySelector('#lesson-panel math');
        const frac = document.querySelector('#lesson-panel mfrac');
        return {count: document.querySelectorAll('#lesson-panel math').length, ns: math.namespaceURI,
                math: box(math), num: box(frac.children[0]), den: box(frac.children[1]),
                display: getComputedStyle(math).display};
    }""")


def test_viewers_read_the_presenters_lesson_step_with_its_maths_and_follow_next(open_page):
    teacher = open_page()
    session = teacher.evaluate("() => window.backpropLab.session")
    student = open_page(f"#session={session}")
    expect(student.locator("body")).to_have_attribute("data-role", "viewer")
    expect(student.locator("#lesson-panel")).to_be_hidden()
    teacher.wait_for_selector('button[data-lesson="learning-rate-on-a-curve"]')
    start(teacher, "learning-rate-on-a-curve")
    panel = student.locator("#lesson-panel")
    expect(panel.locator("h3")).to_have_text("The curve")
    expect(panel.locator(".lesson-progress")).to_have_text("step 1 of 5")
    expect(panel).to_contain_text("has its minimum where")
    # Read-only: no Next, Back, action or leave on a viewer's page.
    expect(panel.locator("button")).to_have_count(0)
    # MathML, laid out by the browser: f(x) = x⁴ − 3x³ + 2, f′(x), and x = 9/4 as a fraction, 9 above 4.
    student.wait_for_function("() => document.querySelectorAll('#lesson-panel math').length >= 4")
    layout = math_layout(student)
    assert layout["ns"] == "http://www.w3.org/1998/Math/MathML"
    assert layout["math"]["width"] > 0 and layout["math"]["height"] > 0
    assert layout["num"]["height"] > 0 and layout["num"]["bottom"] <= layout["den"]["top"] + 1, layout
    assert layout["display"] in ("math", "inline math"), layout  # Chromium's MathML Core layout, not unknown tags
    screenshot(student, "lesson-viewer-step-1-maths")
    # The presenter goes on: every viewer follows, and one joining late lands on the same step.
    next_step(teacher, 1)
    expect(panel.locator("h3")).to_have_text("η = 0.001: too slow")
    expect(panel.locator(".lesson-progress")).to_have_text("step 2 of 5")
    late = open_page(f"#session={session}")
    expect(late.locator("#lesson-panel h3")).to_have_text("η = 0.001: too slow")
    # The step's action done: the why appears for the class too, with its maths.
    teacher.locator("#poll-form button").first.click()
    teacher.locator("#lesson-action").click()
    teacher.wait_for_function("() => window.backpropLab.lesson.done", timeout=30_000)
    expect(panel.locator(".lesson-after")).to_contain_text("Too slow")
    screenshot(student, "lesson-viewer-step-2-after")
    teacher.locator("#lesson-back").click()
    lesson_ready(teacher, 0)
    expect(panel.locator("h3")).to_have_text("The curve")
    # The presenter leaves the lesson: the viewers' panel goes.
    teacher.locator("#lesson-leave").click()
    expect(panel).to_be_hidden()


def test_the_update_rule_of_w5_renders_as_mathml_on_the_presenters_page(open_page):
    page = open_page()
    page.wait_for_selector('button[data-lesson="one-update-by-hand"]')
    start(page, "one-update-by-hand")
    # Come back at step 5 (its text has the update rule): the page keeps the place in localStorage.
    page.evaluate("() => localStorage.setItem('backprop-lab:lesson', "
                  "JSON.stringify({name: 'one-update-by-hand', step: 4}))")
    page.reload()
    wait_for_app(page)
    lesson_ready(page, 4)
    text = page.locator("#lesson-panel .lesson-text")
    expect(text.locator("math msubsup")).to_have_count(1)  # w₅⁺
    layout = math_layout(page)
    assert layout["count"] >= 2 and layout["math"]["width"] > 0
    assert layout["num"]["bottom"] <= layout["den"]["top"] + 1, layout  # ∂E over ∂w₅
    screenshot(page, "lesson-w5-update-rule")
    page.locator("#lesson-panel").screenshot(path=str(SCREENSHOTS / "lesson-w5-update-rule-panel.png"))
