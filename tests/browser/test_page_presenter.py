"""The teacher stays in control (a reopened tab, a presenter link on another device), a restart keeps the class,
and a student can explore on their own and come back to the class."""

from __future__ import annotations

import httpx2 as httpx
from browserkit import frame_header, screenshot, wait_for_app, wait_for_step
from liveserver import LiveServer
from playwright.sync_api import expect

from server import Settings


def role(page) -> str:
    return page.locator("body").get_attribute("data-role")


def test_the_teacher_closes_the_tab_and_reopens_the_link_and_is_still_the_presenter(open_page):
    teacher = open_page("#dataset=xor&sizes=3")
    session = teacher.evaluate("() => window.backpropLab.session")
    teacher.click("#step")
    wait_for_step(teacher, 1)
    context = teacher.context
    teacher.close()
    again = open_page(f"#session={session}", context=context)  # a new tab of the same browser
    expect(again.locator("body")).to_have_attribute("data-role", "controller")
    expect(again.locator("#role")).to_contain_text("You are presenting")
    again.click("#step")
    wait_for_step(again, 2)


def test_a_presenter_link_gives_control_on_a_fresh_device_and_leaves_the_address_bar(open_page, live):
    teacher = open_page("#dataset=circle&sizes=4")
    session = teacher.evaluate("() => window.backpropLab.session")
    teacher.click("#share")
    viewer_link = teacher.evaluate("() => window.backpropLab.shareLink")
    assert "key" not in viewer_link
    teacher.click("#presenter-link")
    link = teacher.evaluate("() => window.backpropLab.presenterLink")
    assert f"#session={session}&key=" in link
    expect(teacher.locator("#status-text")).to_contain_text("Anyone with this link controls the session")
    screenshot(teacher, "40_presenter_link_copied", full_page=False)

    projector = open_page(link[link.index("#"):])  # another browser: nothing stored yet
    expect(projector.locator("body")).to_have_attribute("data-role", "controller")
    assert "key" not in projector.evaluate("() => location.href"), "the secret left the address bar"
    projector.click("#step")
    wait_for_step(teacher, 1)
    # Students never see a presenter-link button.
    student = open_page(viewer_link[viewer_link.index("#"):])
    expect(student.locator("body")).to_have_attribute("data-role", "viewer")
    expect(student.locator("#presenter-link")).to_be_hidden()
    screenshot(projector, "41_presenter_on_second_device", full_page=False)


def test_a_student_explores_on_their_own_and_goes_back_to_the_class(open_page, live):
    teacher = open_page("#dataset=xor&sizes=3&speed=max")
    session = teacher.evaluate("() => window.backpropLab.session")
    for step in (1, 2, 3):
        teacher.click("#step")
        wait_for_step(teacher, step)
    student = open_page(f"#session={session}")
    expect(student.locator("body")).to_have_attribute("data-role", "viewer")
    weights = student.evaluate("() => window.backpropLab.network.weights.map((a) => Array.from(a))")
    expect(student.locator("#back-to-class")).to_be_hidden()
    student.click("#explore")
    # The page reloads on its new session: between the two, window.backpropLab is not there yet.
    student.wait_for_function(f"() => window.backpropLab?.session && window.backpropLab.session !== '{session}'")
    wait_for_app(student)
    expect(student.locator("body")).to_have_attribute("data-role", "controller")
    expect(student.locator("#role")).to_contain_text("Exploring on your own")
    assert frame_header(student)["step"] == 3, "the copy starts where the class is"
    assert student.evaluate("() => window.backpropLab.network.weights.map((a) => Array.from(a))") == weights
    student.fill("#lr", "0.5")
    student.locator("#lr").dispatch_event("change")
    student.wait_for_function("() => window.backpropLab.frame.header.hyper.lr === 0.5")
    student.click("#step")
    wait_for_step(student, 4)
    screenshot(student, "42_exploring_on_my_own", full_page=False)
    # The class is untouched.
    state = httpx.get(f"{live.http}/api/sessions/{session}").json()
    assert state["step"] == 3 and state["config"]["hyper"]["lr"] == 0.03

    student.click("#back-to-class")
    student.wait_for_function(f"() => window.backpropLab?.session === '{session}'")
    wait_for_app(student)
    expect(student.locator("body")).to_have_attribute("data-role", "viewer")
    expect(student.locator("#explore")).to_be_visible()
    teacher.click("#step")
    wait_for_step(student, 4)
    screenshot(student, "43_back_to_the_class", full_page=False)


def test_after_a_server_restart_the_pages_come_back_by_themselves(open_page, tmp_path):
    # While the server is down, Chromium itself logs every refused reconnection attempt as a console error.
    open_page.expect_console("net::ERR_CONNECTION_REFUSED")
    db = str(tmp_path / "class.db")
    first = LiveServer(Settings(db=db))
    port = first.port
    with first:
        teacher = open_page("#dataset=gauss&sizes=3", server=first)
        session = teacher.evaluate("() => window.backpropLab.session")
        for step in (1, 2, 3, 4):
            teacher.click("#step")
            wait_for_step(teacher, step)
        student = open_page(f"#session={session}", server=first)
        wait_for_step(student, 4)
        weights = student.evaluate("() => window.backpropLab.network.weights.map((a) => Array.from(a))")
    # The server is gone: both pages say so and keep trying.
    for page in (teacher, student):
        page.wait_for_function("() => document.getElementById('connection').dataset.state === 'reconnecting'")
    screenshot(student, "44_server_restarting", full_page=False)
    with LiveServer(Settings(db=db), port=port):
        for page in (teacher, student):
            expect(page.locator("#connection")).to_have_attribute("data-state", "open", timeout=20_000)
            page.wait_for_function("() => window.backpropLab.frame.header.step === 4")
        assert role(teacher) == "controller" and role(student) == "viewer"
        expect(student.locator("#status-text")).to_contain_text("The server restarted. This session was kept")
        expect(teacher.locator("#status-text")).to_contain_text("press Play to go on")
        assert frame_header(student)["playing"] is False
        assert student.evaluate("() => window.backpropLab.network.weights.map((a) => Array.from(a))") == weights
        teacher.click("#step")
        wait_for_step(student, 5)
        screenshot(student, "45_class_back_after_restart", full_page=False)
